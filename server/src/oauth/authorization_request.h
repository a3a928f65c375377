// An authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636, RFC 9126) checked
// against its client: the same checks for /oauth2/authorize and for a pushed request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/oauth_error.h"
#include "config/identity_config.h"
#include "http/form_decoder.h"
#include "store/client.h"

namespace idgate {

struct AuthorizationRequest {
  std::string client_id;
  std::string redirect_uri;
  std::string response_mode = "query";  ///< query or form_post
  std::vector<std::string> scopes;      ///< in the order asked, no repeats
  std::string state;
  std::string nonce;
  std::string code_challenge;  ///< S256; empty when the client sent none
  std::string dpop_jkt;        ///< RFC 9449 §10: the DPoP key the code is bound to; "" for none
  std::vector<std::string> prompt;
  std::optional<int64_t> max_age;
  std::string login_hint;
  std::string acr_values;
  bool pushed = false;  ///< came through PAR
  /// Stored with a consent page: the sign-in (session hash) it was shown to. Never a parameter.
  std::string session_hash;

  bool hasScope(const std::string& s) const;
  bool hasPrompt(const std::string& p) const;
  std::string scopeString() const;
  /// Stored form (a pending request's row), and back; nullopt for a stored form that is bad.
  std::string toJson() const;
  static std::optional<AuthorizationRequest> fromJson(const std::string& json);
};

/// Why a request was refused, and where that may be said (RFC 6749 §4.1.2.1): to the client's
/// redirect_uri once client and redirect_uri are known good, else only to the user (a page).
struct AuthorizationRefusal {
  ApiError error;
  bool redirectable = false;
  std::string redirect_uri;  ///< redirectable: where to, in which mode, with which state
  std::string response_mode = "query";
  std::string state;
};

using Params = FormParams;

/// The scopes idgate knows itself (OIDC Core §5.4, §11); a client may ask for these and for
/// the scope it registered.
const std::vector<std::string>& standardScopes();

/// Checks `params` (decoded, duplicates already refused) against `client` (nullptr: unknown).
/// `pushed`: the parameters came through PAR (then errors are never redirected: the PAR
/// endpoint answers them in JSON).
std::variant<AuthorizationRequest, AuthorizationRefusal> checkAuthorizationRequest(
    const Params& params, const std::string& client_id, const Client* client,
    const LoginConfig& config, bool pushed);

}  // namespace idgate
