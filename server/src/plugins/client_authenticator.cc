#include "plugins/client_authenticator.h"

namespace idgate {

ClientAuthenticatorPlugin::ClientAuthenticatorPlugin(
    std::shared_ptr<boost::dll::shared_library> library, const idgate_plugin_descriptor* descriptor,
    idgate_instance_module_ptr instance, std::string name, int order_id)
    : PluginInstance(std::move(library), descriptor, instance, std::move(name), order_id),
      auth_method_(descriptor->auth_method ? descriptor->auth_method : "") {
  for (const char* const* a = descriptor->signing_algs; a != nullptr && *a != nullptr; ++a) {
    signing_algs_.emplace_back(*a);
  }
}

AuthOutcome ClientAuthenticatorPlugin::authenticate(const AuthRequestView& request) const {
  std::vector<idgate_kv> kv;
  kv.reserve(request.params.size());
  for (const auto& [k, v] : request.params) {
    kv.push_back({abi(k), abi(v)});
  }
  idgate_auth_request req{};
  req.struct_size = sizeof(req);
  req.params = kv.data();
  req.param_count = kv.size();
  req.authorization = abi(request.authorization);
  req.endpoint_url = abi(request.endpoint_url);

  AuthResultSink sink;
  int32_t code = IDGATE_AUTH_DENIED;
  const auto started = std::chrono::steady_clock::now();
  try {
    code = descriptor()->authenticate(instance(), &req,
                                      reinterpret_cast<idgate_auth_result_host_ptr>(&sink));
  } catch (...) {
    // A plugin built without the SDK let an exception escape: fail closed.
    recordCall(started, true);
    return {IDGATE_AUTH_DENIED, {}, "client authentication failed"};
  }
  // Denials and "not mine" are answers; a server error, a result outside the ABI or an
  // authentication without a client are the plugin failing.
  recordCall(started, code == IDGATE_AUTH_SERVER_ERROR ||
                          (code == IDGATE_AUTH_AUTHENTICATED && sink.client_id.empty()) ||
                          (code != IDGATE_AUTH_NOT_HANDLED && code != IDGATE_AUTH_DENIED &&
                           code != IDGATE_AUTH_BAD_REQUEST && code != IDGATE_AUTH_SERVER_ERROR &&
                           code != IDGATE_AUTH_AUTHENTICATED));
  AuthOutcome out;
  out.reason = sink.reason;
  switch (code) {
    case IDGATE_AUTH_NOT_HANDLED:
    case IDGATE_AUTH_DENIED:
    case IDGATE_AUTH_BAD_REQUEST:
    case IDGATE_AUTH_SERVER_ERROR:
      out.code = static_cast<idgate_auth_code>(code);
      break;
    case IDGATE_AUTH_AUTHENTICATED:
      if (sink.client_id.empty()) {
        out.code = IDGATE_AUTH_DENIED;
        out.reason = "client authentication failed";
      } else {
        out.code = IDGATE_AUTH_AUTHENTICATED;
        out.client_id = sink.client_id;
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
