#include "login/par_endpoint.h"

#include "common/json_writer.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "http/form_decoder.h"
#include "oauth/authorization_request.h"

namespace idgate {

std::variant<std::string, ApiError> ParEndpoint::push(const HttpRequestData& req) {
  auto decoded = tokenRequestFrom(req, ctx_.issuer + "/oauth2/par");
  if (auto* err = std::get_if<ApiError>(&decoded)) return *err;
  const TokenRequest& tr = std::get<TokenRequest>(decoded);
  if (tr.param("request_uri")) {
    return ApiError{ErrorCode::kInvalidRequest, "request_uri cannot be pushed (RFC 9126 §2.1)"};
  }
  if (tr.param("request")) {
    return ApiError{ErrorCode::kRequestNotSupported, "request objects are not supported"};
  }
  // RFC 9449 §10.1: a DPoP proof with the pushed request binds the code to its key, as
  // dpop_jkt would (both given: they must agree).
  std::string proof_jkt;
  if (tr.dpop_proof) {
    auto proof =
        ctx_.dpop.check(*tr.dpop_proof, {"POST", tr.endpoint_url, "", ""}, ctx_.clock.nowSeconds());
    if (auto* refused = std::get_if<ApiError>(&proof)) return *refused;
    proof_jkt = std::get<std::string>(proof);
    if (auto jkt = tr.param("dpop_jkt"); jkt && *jkt != proof_jkt) {
      return ApiError{ErrorCode::kInvalidDpopProof,
                      "dpop_jkt is not the thumbprint of the DPoP proof's key"};
    }
  }
  auto auth = ctx_.client_auth.authenticate(tr);
  if (auto* err = std::get_if<ApiError>(&auth)) return *err;
  const Client& client = std::get<AuthenticatedClient>(auth).client;
  if (auto id = tr.param("client_id"); id && *id != client.client_id) {
    return ApiError{ErrorCode::kInvalidRequest, "client_id differs from the authenticated client"};
  }
  // What the authorization endpoint will see: the request without the client's credentials.
  Params params;
  JsonWriter stored;
  for (const auto& [k, v] : tr.params) {
    if (k == "client_assertion" || k == "client_assertion_type" || k == "client_secret") continue;
    params.emplace_back(k, v);
    stored.field(k, v);
  }
  if (!proof_jkt.empty() && !tr.param("dpop_jkt")) {
    params.emplace_back("dpop_jkt", proof_jkt);
    stored.field("dpop_jkt", proof_jkt);
  }
  auto checked = checkAuthorizationRequest(params, client.client_id, &client, ctx_.config, true);
  if (auto* refused = std::get_if<AuthorizationRefusal>(&checked)) return refused->error;
  const std::string request_uri = kRequestUriPrefix + crypto::randomToken(32);
  PendingRequest row;
  row.id_hash = crypto::sha256Hex(request_uri);
  row.kind = "par";
  row.client_id = client.client_id;
  row.request_json = stored.finish();
  row.expires_at = ctx_.clock.nowSeconds() + kPushedRequestLifetimeSeconds;
  ctx_.pending.insert(row);
  return JsonWriter()
      .field("request_uri", request_uri)
      .field("expires_in", kPushedRequestLifetimeSeconds)
      .finish();
}

}  // namespace idgate
