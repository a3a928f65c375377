#include "plugins/user_authenticator.h"

#include <idgate/jose/json.h>

#include "plugins/result_sink.h"

namespace idgate {

UserAnswer UserAuthenticatorPlugin::authenticate(const std::string& username,
                                                 const std::string& password,
                                                 const UserSignInContext& context) const {
  idgate_user_request req{};
  req.struct_size = sizeof(req);
  req.username = abi(username);
  req.password = abi(password);
  req.client_id = abi(context.client_id);
  req.acr_values = abi(context.acr_values);
  req.login_hint = abi(context.login_hint);
  ResultSink sink;
  int32_t code = IDGATE_USER_ERROR;
  const auto started = std::chrono::steady_clock::now();
  try {
    code = descriptor().tableAs<idgate_user_authenticator_table>().authenticate_user(
        instance(), &req, sink.api());
  } catch (...) {
    recordCall(started, true);
    return {IDGATE_USER_ERROR, {}, {}, "user authenticator " + name() + " failed"};
  }
  UserAnswer out;
  out.reason = sink.reason();
  switch (code) {
    case IDGATE_USER_NOT_HANDLED:
    case IDGATE_USER_DENIED:
      out.code = static_cast<idgate_user_code>(code);
      recordCall(started, false);
      return out;
    case IDGATE_USER_AUTHENTICATED: {
      out.subject = sink.get("subject").value_or("");
      out.claims_json = sink.get("claims").value_or("{}");
      auto claims = jose::parseJson(out.claims_json, jose::JsonLimits{16, 256 * 1024});
      out.acr = sink.get("acr").value_or("");
      if (auto amr = sink.get("amr")) out.amr_json = *amr;
      auto amr = jose::parseJson(out.amr_json);
      bool amr_ok = amr && amr->isArray() && !amr->items().empty();
      if (amr_ok) {
        for (const auto& m : amr->items()) amr_ok = amr_ok && m.isString() && !m.str().empty();
      }
      if (amr_ok) out.amr_json = jose::toJsonText(*amr);
      if (out.subject.empty() || !claims || !claims->isObject() || !amr_ok ||
          out.acr.size() > 255) {
        recordCall(started, true);
        return {IDGATE_USER_ERROR,
                {},
                {},
                "user authenticator " + name() +
                    " answered without a subject, with claims that are not a JSON object, "
                    "or with an amr that is not a non-empty JSON array of strings"};
      }
      out.code = IDGATE_USER_AUTHENTICATED;
      recordCall(started, false);
      return out;
    }
    default:
      recordCall(started, true);
      return {IDGATE_USER_ERROR,
              {},
              {},
              out.reason.empty() ? "user authenticator " + name() + " failed" : out.reason};
  }
}

}  // namespace idgate
