#include "plugins/client_authenticator.h"

#include "plugins/result_sink.h"

namespace idgate {

std::vector<idgate_kv> abiParams(const std::vector<std::pair<std::string, std::string>>& params) {
  std::vector<idgate_kv> kv;
  kv.reserve(params.size());
  for (const auto& [k, v] : params) kv.push_back({abi(k), abi(v)});
  return kv;
}

AuthOutcome ClientAuthenticatorPlugin::authenticate(const AuthRequestView& request) const {
  std::vector<idgate_kv> kv = abiParams(request.params);
  idgate_auth_request req{};
  req.struct_size = sizeof(req);
  req.params = kv.data();
  req.param_count = kv.size();
  req.authorization = abi(request.authorization);
  req.endpoint_url = abi(request.endpoint_url);

  ResultSink sink;
  int32_t code = IDGATE_AUTH_DENIED;
  const auto started = std::chrono::steady_clock::now();
  try {
    const PluginDescriptor& d = descriptor();
    code = d.v2 != nullptr ? d.tableAs<idgate_client_authenticator_table>().authenticate(
                                 instance(), &req, sink.api())
                           : d.v1->authenticate(instance(), &req, sink.v1Auth());
  } catch (...) {
    // A plugin built without the SDK let an exception escape: fail closed.
    recordCall(started, true);
    return {IDGATE_AUTH_DENIED, {}, "client authentication failed"};
  }
  const std::string client_id = sink.get("client_id").value_or("");
  // Denials and "not mine" are answers; a server error, a result outside the ABI or an
  // authentication without a client are the plugin failing.
  recordCall(started, code == IDGATE_AUTH_SERVER_ERROR ||
                          (code == IDGATE_AUTH_AUTHENTICATED && client_id.empty()) ||
                          (code != IDGATE_AUTH_NOT_HANDLED && code != IDGATE_AUTH_DENIED &&
                           code != IDGATE_AUTH_BAD_REQUEST && code != IDGATE_AUTH_SERVER_ERROR &&
                           code != IDGATE_AUTH_AUTHENTICATED));
  AuthOutcome out;
  out.reason = sink.reason();
  switch (code) {
    case IDGATE_AUTH_NOT_HANDLED:
    case IDGATE_AUTH_DENIED:
    case IDGATE_AUTH_BAD_REQUEST:
    case IDGATE_AUTH_SERVER_ERROR:
      out.code = static_cast<idgate_auth_code>(code);
      break;
    case IDGATE_AUTH_AUTHENTICATED:
      if (client_id.empty()) {
        out.code = IDGATE_AUTH_DENIED;
        out.reason = "client authentication failed";
      } else {
        out.code = IDGATE_AUTH_AUTHENTICATED;
        out.client_id = client_id;
      }
      break;
    default:
      out.code = IDGATE_AUTH_DENIED;
      out.reason = "client authentication failed";
      break;
  }
  return out;
}

}  // namespace idgate
