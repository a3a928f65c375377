#include "plugins/grant_handler_plugin.h"

#include <sstream>

#include "plugins/client_authenticator.h"
#include "plugins/result_sink.h"

namespace idgate {

GrantAnswer GrantHandlerPlugin::handle(const GrantCall& call) const {
  std::vector<idgate_kv> kv = abiParams(call.params);
  idgate_grant_request req{};
  req.struct_size = sizeof(req);
  req.grant_type = abi(call.grant_type);
  req.params = kv.data();
  req.param_count = kv.size();
  req.client_id = abi(call.client_id);
  req.client_metadata_json = abi(call.client_metadata_json);
  req.endpoint_url = abi(call.endpoint_url);
  req.dpop_jkt = abi(call.dpop_jkt);

  ResultSink sink;
  int32_t code = IDGATE_GRANT_SERVER_ERROR;
  const auto started = std::chrono::steady_clock::now();
  try {
    code = descriptor().tableAs<idgate_grant_handler_table>().handle(instance(), &req, sink.api());
  } catch (...) {
    recordCall(started, true);
    GrantAnswer failed;
    failed.reason = "grant handler " + name() + " failed";
    return failed;
  }
  GrantAnswer out;
  out.reason = sink.reason();
  switch (code) {
    case IDGATE_GRANT_GRANTED: {
      out.subject = sink.get("subject").value_or("");
      out.scope = sink.get("scope");
      std::string bad;
      std::istringstream audiences(sink.get("audience").value_or(""));
      for (std::string a; audiences >> a;) out.audiences.push_back(a);
      out.issued_token_type = sink.get("issued_token_type").value_or("");
      if (auto r = sink.get("refresh_token")) {
        if (*r != "issue") bad = " set refresh_token to '" + *r + "' (only \"issue\" is known)";
        out.issue_refresh_token = true;
      }
      if (out.subject.empty()) bad = " granted without a subject";
      for (const auto& [claim, value] : sink.claimSets()) {
        auto canonical = canonicalJsonValue(value);
        if (claim.empty() || !canonical) {
          bad = " set claim '" + claim + "' to a value that is not one JSON value";
          break;
        }
        out.claims.emplace_back(claim, std::move(*canonical));
      }
      if (!bad.empty()) {
        recordCall(started, true);
        GrantAnswer failed;
        failed.reason = "grant handler " + name() + bad;
        return failed;
      }
      out.code = IDGATE_GRANT_GRANTED;
      recordCall(started, false);
      return out;
    }
    case IDGATE_GRANT_INVALID_GRANT:
    case IDGATE_GRANT_INVALID_REQUEST:
    case IDGATE_GRANT_INVALID_SCOPE:
    case IDGATE_GRANT_UNAUTHORIZED_CLIENT:
    case IDGATE_GRANT_INVALID_TARGET:
      out.code = static_cast<idgate_grant_code>(code);
      if (out.reason.empty()) out.reason = "refused by " + name();
      recordCall(started, false);
      return out;
    default:
      recordCall(started, true);
      GrantAnswer failed;
      failed.reason = out.reason.empty() ? "grant handler " + name() + " failed" : out.reason;
      return failed;
  }
}

}  // namespace idgate
