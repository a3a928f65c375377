#include "resource/dpop_proof.h"

#include <Poco/Logger.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <idgate/jose/base64url.h>
#include <idgate/jose/jwk.h>
#include <idgate/jose/jws.h>

#include <algorithm>

#include "common/dpop_algorithms.h"
#include "crypto/digest.h"
#include "crypto/jwk.h"
#include "resource/request_origin.h"
#include "store/store_error.h"

namespace idgate {
namespace {

constexpr std::string_view kNonceContext = "idgate dpop nonce";

DpopOutcome refuse(std::string why) {
  DpopOutcome out;
  out.kind = DpopOutcome::Kind::kInvalid;
  out.description = std::move(why);
  return out;
}

}  // namespace

std::optional<std::string> dpopHeader(const HttpRequestData& request) {
  std::optional<std::string> out;
  for (const auto& [name, value] : request.headers) {
    if (Poco::icompare(name, "DPoP") != 0) continue;
    if (out) return std::string();
    out = Poco::trim(value);
  }
  return out;
}

std::string normalizedHtu(const std::string& url) {
  const std::string origin = urlOrigin(url);
  if (origin.empty()) return "";
  try {
    Poco::URI u(url);
    std::string path = u.getPath();
    return origin + (path.empty() ? "/" : path);
  } catch (...) {
    return "";
  }
}

DpopProofVerifier::DpopProofVerifier(const DpopConfig& config, int64_t skew_s, JtiStore& jtis,
                                     std::shared_ptr<const crypto::SecretBox> box)
    : config_(config), skew_s_(skew_s), jtis_(jtis), box_(std::move(box)) {}

std::string DpopProofVerifier::nonce(int64_t now) const {
  return box_->seal(std::to_string(now), kNonceContext);
}

bool DpopProofVerifier::nonceValid(const std::string& nonce, int64_t now) const {
  auto plain = box_->open(nonce, kNonceContext);
  if (!plain || plain->empty() || plain->size() > 20) return false;
  int64_t at = 0;
  for (char c : *plain) {
    if (c < '0' || c > '9') return false;
    at = at * 10 + (c - '0');
  }
  return at <= now + skew_s_ && now - at < config_.nonce_lifetime_s;
}

DpopOutcome DpopProofVerifier::verify(const std::string& proof, const DpopRequest& request,
                                      int64_t now) const {
  if (proof.empty()) return refuse("one DPoP header with one proof is expected");
  jose::CompactJws jws;
  jose::Status st = jose::parseCompactJws(proof, jose::JwsLimits{8 * 1024}, &jws);
  if (st != jose::Status::kOk) {
    return refuse(std::string("the DPoP proof is not a JWS (") + jose::toString(st) + ")");
  }
  if (jws.typ != "dpop+jwt") return refuse("the DPoP proof's typ must be dpop+jwt");
  const auto& algs = dpopAlgorithms();
  if (std::find(algs.begin(), algs.end(), jws.alg) == algs.end()) {
    std::string list;
    for (const auto& a : algs) list += (list.empty() ? "" : " ") + a;
    return refuse("the DPoP proof's alg '" + jws.alg + "' is not accepted (accepted: " + list +
                  ")");
  }
  const jose::Json* jwk = jws.header.get("jwk");
  if (jwk == nullptr || !jwk->isObject()) return refuse("the DPoP proof has no jwk header");
  std::string why;
  auto key = jose::importJwk(*jwk, &why);
  if (!key) return refuse("the DPoP proof's jwk is not a usable public key: " + why);
  if (!jose::keyFitsAlgorithm(*key, jws.alg)) {
    return refuse("the DPoP proof's jwk does not fit alg " + jws.alg);
  }
  if (jose::verifySignature(jws.alg, *key, jws.signing_input, jws.signature) != jose::Status::kOk) {
    return refuse("the DPoP proof's signature is not valid");
  }
  const jose::Json& c = jws.payload;
  auto jti = c.getString("jti");
  if (!jti || jti->empty() || jti->size() > 200) {
    return refuse("the DPoP proof needs a jti of 1 to 200 characters");
  }
  if (c.getString("htm").value_or("") != request.method) {
    return refuse("the DPoP proof's htm is not " + request.method);
  }
  const std::string htu = normalizedHtu(c.getString("htu").value_or(""));
  if (htu.empty() || htu != normalizedHtu(request.url)) {
    return refuse("the DPoP proof's htu is not " + normalizedHtu(request.url));
  }
  const jose::Json* iat = c.get("iat");
  if (iat == nullptr || !iat->isNumber()) return refuse("the DPoP proof has no iat");
  const auto issued = static_cast<int64_t>(iat->number());
  if (issued > now + skew_s_ || issued < now - config_.proof_max_age_s - skew_s_) {
    return refuse("the DPoP proof's iat is not recent (proofs are good for " +
                  std::to_string(config_.proof_max_age_s) + " s)");
  }
  if (config_.require_nonce) {
    auto n = c.getString("nonce");
    if (!n || !nonceValid(*n, now)) {
      DpopOutcome out;
      out.kind = DpopOutcome::Kind::kUseNonce;
      out.description = n ? "the DPoP nonce is not valid any more: use the one in DPoP-Nonce"
                          : "a DPoP nonce is required: use the one in DPoP-Nonce";
      return out;
    }
  }
  if (!request.access_token.empty()) {
    const std::string ath = base64UrlEncode(crypto::sha256(request.access_token));
    if (c.getString("ath").value_or("") != ath) {
      return refuse("the DPoP proof's ath is not the hash of this access token");
    }
  }
  std::string jkt;
  try {
    jkt = crypto::publicJwk(key->key.get(), "", jws.alg).thumbprint;
  } catch (const std::exception&) {
    return refuse("the DPoP proof's key type is not supported");
  }
  if (!request.jkt.empty() && jkt != request.jkt) {
    return refuse("the DPoP proof is signed with another key than the token is bound to");
  }
  try {
    if (jtis_.checkAndInsert("dpop:" + jkt, *jti, issued + config_.proof_max_age_s + skew_s_,
                             now) == JtiStore::Result::kReplayed) {
      return refuse("the DPoP proof was already used (jti)");
    }
  } catch (const StoreError& e) {
    DpopOutcome out;
    out.kind = DpopOutcome::Kind::kServerError;
    out.description = e.what();
    return out;
  }
  DpopOutcome out;
  out.kind = DpopOutcome::Kind::kOk;
  out.jkt = jkt;
  return out;
}

std::variant<std::string, ApiError> DpopProofVerifier::check(const std::string& proof,
                                                             const DpopRequest& request,
                                                             int64_t now,
                                                             const std::string& realm) const {
  DpopOutcome v = verify(proof, request, now);
  ApiError e{ErrorCode::kInvalidDpopProof, v.description};
  switch (v.kind) {
    case DpopOutcome::Kind::kOk:
      return v.jkt;
    case DpopOutcome::Kind::kUseNonce:
      e.code = ErrorCode::kUseDpopNonce;
      e.dpop_nonce = nonce(now);
      break;
    case DpopOutcome::Kind::kServerError:
      Poco::Logger::get("idgate.store").error("DPoP proof check: " + v.description);
      return ApiError{ErrorCode::kServerError, "the DPoP proof could not be checked"};
    case DpopOutcome::Kind::kInvalid:
      break;
  }
  e.bearer_realm = realm;
  e.dpop_scheme = !realm.empty();
  return e;
}

std::optional<ApiError> DpopProofVerifier::checkSender(const std::string& jkt, bool dpop_scheme,
                                                       const HttpRequestData& request,
                                                       const std::string& method,
                                                       const std::string& url,
                                                       const std::string& token, int64_t now,
                                                       const std::string& realm) const {
  auto refuse = [&](ErrorCode code, std::string why) {
    ApiError e{code, std::move(why)};
    e.bearer_realm = realm;
    e.dpop_scheme = true;  // the challenge tells the client which scheme to use
    return e;
  };
  if (jkt.empty()) {
    if (!dpop_scheme) return std::nullopt;
    return refuse(ErrorCode::kInvalidToken,
                  "the token is not bound to a DPoP key: send it as Authorization: Bearer");
  }
  if (!dpop_scheme) {
    return refuse(ErrorCode::kInvalidToken,
                  "the token is bound to a DPoP key (cnf.jkt): send it as Authorization: DPoP "
                  "with a DPoP proof");
  }
  auto proof = dpopHeader(request);
  if (!proof) {
    return refuse(ErrorCode::kInvalidDpopProof,
                  "a DPoP proof (the DPoP header) is required with a DPoP-bound token");
  }
  auto checked = check(*proof, {method, url, token, jkt}, now, realm);
  if (auto* e = std::get_if<ApiError>(&checked)) return *e;
  return std::nullopt;
}

}  // namespace idgate
