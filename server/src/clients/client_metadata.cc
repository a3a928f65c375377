#include "clients/client_metadata.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <algorithm>
#include <set>
#include <sstream>

#include <idgate/jose/json.h>
#include <idgate/jose/jwk.h>
#include <idgate/jose/jws.h>

#include "oauth/redirect_uri.h"

namespace idgate {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

bool isScopeToken(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!(c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E))) return false;
  }
  return true;
}

bool isAbsoluteUri(const std::string& s, bool https_or_http_only) {
  try {
    Poco::URI u(s);
    if (u.getScheme().empty() || !u.getFragment().empty()) return false;
    if (https_or_http_only && u.getScheme() != "https" && u.getScheme() != "http") return false;
    if ((u.getScheme() == "https" || u.getScheme() == "http") && u.getHost().empty()) return false;
    return true;
  } catch (...) {
    return false;
  }
}

std::optional<std::string> checkJwks(const Object::Ptr& jwks) {
  // The same import the authenticators use: a key that registers is a key that verifies.
  std::ostringstream text;
  jwks->stringify(text);
  auto parsed = jose::parseJson(text.str(), jose::kClientMetadataLimits);
  if (!parsed) return "jwks is not valid JSON";
  const jose::Json* keys = parsed->get("keys");
  if (keys == nullptr || !keys->isArray()) return "jwks must be an object with a keys array";
  if (keys->items().empty()) return "jwks has no keys";
  if (keys->items().size() > jose::kMaxKeysPerSet) {
    // The token endpoint would refuse the whole set: refuse it here, where it can be fixed.
    return "jwks holds " + std::to_string(keys->items().size()) + " keys; at most " +
           std::to_string(jose::kMaxKeysPerSet) + " are accepted";
  }
  std::set<std::string> kids;
  for (const jose::Json& k : keys->items()) {
    std::string why;
    auto key = jose::importJwk(k, &why);
    if (!key) return "jwks: " + why;
    if (!key->kid.empty() && !kids.insert(key->kid).second) return "duplicate kid in jwks";
  }
  return std::nullopt;
}

std::optional<std::vector<std::string>> stringArray(const Object::Ptr& o, const std::string& name) {
  if (!o->isArray(name)) return std::nullopt;
  Array::Ptr a = o->getArray(name);
  std::vector<std::string> out;
  for (size_t i = 0; i < a->size(); ++i) {
    if (!a->get(i).isString()) return std::nullopt;
    out.push_back(a->getElement<std::string>(i));
  }
  return out;
}

std::string toJson(const Object& o) {
  std::ostringstream os;
  o.stringify(os);
  return os.str();
}

}  // namespace

bool isValidClientId(const std::string& id) {
  if (id.empty() || id.size() > 255 || id == "." || id == "..") return false;  // URL dot segments
  return std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '@';
  });
}

std::optional<std::string> validateClientMetadata(const std::string& body,
                                                  const RegistrationCatalog& catalog,
                                                  ValidatedMetadata* out) {
  // The strict reader first: Poco's parser lets a repeated member win silently, so
  // {"scope":"a","scope":"admin"} would register what a reviewer of the body did not see.
  if (!jose::parseJson(body, jose::kClientMetadataLimits)) {
    return "body is not valid JSON (one object; no repeated member; valid UTF-8; at most 16 "
           "levels deep and 1 MiB)";
  }
  Object::Ptr in;
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var v = parser.parse(body);
    if (v.type() != typeid(Object::Ptr)) return "body must be a JSON object";
    in = v.extract<Object::Ptr>();
  } catch (...) {
    return "body is not valid JSON";
  }
  Object norm(Poco::JSON_PRESERVE_KEY_ORDER);
  auto str = [&](const char* name) -> std::optional<std::string> {
    if (!in->has(name) || in->isNull(name)) return std::nullopt;
    if (!in->get(name).isString()) throw std::string(name) + " must be a string";
    return in->getValue<std::string>(name);
  };
  try {
    if (auto id = str("client_id")) {
      if (!isValidClientId(*id)) {
        return "client_id must be 1-255 characters of A-Z a-z 0-9 - . _ ~ @, and not . or ..";
      }
      out->client_id = *id;
    }
    if (auto name = str("client_name")) {
      if (name->size() > 200) return "client_name is longer than 200 characters";
      norm.set("client_name", *name);
    }
    for (const char* field : {"redirect_uris", "post_logout_redirect_uris"}) {
      if (!in->has(field) || in->isNull(field)) continue;
      auto uris = stringArray(in, field);
      if (!uris) return std::string(field) + " must be an array of strings";
      if (uris->size() > 20) return std::string(field) + " holds more than 20 URIs";
      for (const auto& u : *uris) {
        if (auto why = redirectUriProblem(u)) return std::string(field) + ": '" + u + "' " + *why;
      }
      Array a;
      for (const auto& u : *uris) a.add(u);
      norm.set(field, a);
    }
    std::vector<std::string> grants = {"client_credentials"};
    if (in->has("grant_types")) {
      auto g = stringArray(in, "grant_types");
      if (!g || g->empty()) return "grant_types must be a non-empty array of strings";
      const std::vector<std::string> supported = catalog.grant_types();
      for (const auto& t : *g) {
        if (std::find(supported.begin(), supported.end(), t) == supported.end()) {
          std::string list;
          for (const auto& s : supported) list += (list.empty() ? "" : ", ") + s;
          return "grant type '" + t + "' is not supported (supported: " + list + ")";
        }
      }
      grants = *g;
    }
    Array ga;
    for (const auto& g : grants) ga.add(g);
    norm.set("grant_types", ga);
    // RFC 7591 §2.1: response_types and grant_types must agree; "code" is the only response
    // type (no implicit or hybrid flow).
    const bool code_grant =
        std::find(grants.begin(), grants.end(), "authorization_code") != grants.end();
    std::vector<std::string> response_types;
    if (code_grant) response_types = {"code"};
    if (in->has("response_types") && !in->isNull("response_types")) {
      auto r = stringArray(in, "response_types");
      if (!r) return "response_types must be an array of strings";
      for (const auto& t : *r) {
        if (t != "code") {
          return "response type '" + t + "' is not supported (supported: code)";
        }
      }
      response_types = *r;
      if (!response_types.empty() && !code_grant) {
        return "response_types code needs grant_types to include authorization_code";
      }
      if (response_types.empty() && code_grant) {
        return "grant_types authorization_code needs response_types to include code";
      }
    }
    if (!response_types.empty()) {
      Array ra;
      ra.add(std::string("code"));
      norm.set("response_types", ra);
    }
    if (code_grant && !norm.has("redirect_uris")) {
      return "grant_types authorization_code needs redirect_uris (at least one)";
    }
    if (in->has("introspection_allowed") && !in->isNull("introspection_allowed")) {
      if (!in->get("introspection_allowed").isBoolean()) {
        return "introspection_allowed must be true or false";
      }
      norm.set("introspection_allowed", in->getValue<bool>("introspection_allowed"));
    }
    for (const char* name : {"token_exchange_audiences", "token_exchange_subject_audiences"}) {
      if (!in->has(name) || in->isNull(name)) continue;
      auto list = stringArray(in, name);
      if (!list) return std::string(name) + " must be an array of strings";
      if (list->size() > 32) return std::string(name) + " has more than 32 entries";
      Array a;
      for (const auto& v : *list) {
        const bool printable = std::all_of(v.begin(), v.end(), [](char c) {
          return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
        });
        if (v.empty() || v.size() > 512 || !printable) {
          return std::string(name) +
                 ": an audience is 1 to 512 printable ASCII characters without spaces";
        }
        a.add(v);
      }
      norm.set(name, a);
    }
    if (in->has("dpop_bound_access_tokens") && !in->isNull("dpop_bound_access_tokens")) {
      if (!in->get("dpop_bound_access_tokens").isBoolean()) {
        return "dpop_bound_access_tokens must be true or false";
      }
      norm.set("dpop_bound_access_tokens", in->getValue<bool>("dpop_bound_access_tokens"));
    }
    if (in->has("require_pushed_authorization_requests") &&
        !in->isNull("require_pushed_authorization_requests")) {
      if (!in->get("require_pushed_authorization_requests").isBoolean()) {
        return "require_pushed_authorization_requests must be true or false";
      }
      norm.set("require_pushed_authorization_requests",
               in->getValue<bool>("require_pushed_authorization_requests"));
    }
    if (auto scope = str("scope")) {
      std::istringstream ss(*scope);
      std::string tok, joined;
      while (ss >> tok) {
        if (!isScopeToken(tok))
          return "scope token '" + tok + "' has characters RFC 6749 does not allow";
        joined += (joined.empty() ? "" : " ") + tok;
      }
      if (*scope != joined) return "scope must be tokens separated by single spaces";
      if (!joined.empty()) norm.set("scope", joined);
    }
    if (auto named = str("token_endpoint_auth_method")) {
      out->auth_method = *named;
    } else {
      out->auth_method = catalog.default_method();
      if (out->auth_method.empty()) {
        return "token_endpoint_auth_method is required: no plugin in dropins/ declares a default "
               "method";
      }
    }
    auto info = catalog.method(out->auth_method);
    if (!info) {
      return "token_endpoint_auth_method '" + out->auth_method +
             "' is not provided by any plugin in dropins/";
    }
    out->secret_form = info->secret_form;
    const std::vector<std::string>* algs = &info->signing_algs;
    norm.set("token_endpoint_auth_method", out->auth_method);
    if (auto alg = str("token_endpoint_auth_signing_alg")) {
      if (algs->empty()) {
        return "token_endpoint_auth_signing_alg does not apply to " + out->auth_method;
      }
      if (std::find(algs->begin(), algs->end(), *alg) == algs->end()) {
        return "token_endpoint_auth_signing_alg '" + *alg + "' is not supported by " +
               out->auth_method;
      }
      out->signing_alg = *alg;
      norm.set("token_endpoint_auth_signing_alg", *alg);
    }
    bool has_jwks = in->has("jwks") && !in->isNull("jwks");
    bool has_jwks_uri = in->has("jwks_uri") && !in->isNull("jwks_uri");
    if (has_jwks && has_jwks_uri) return "jwks and jwks_uri must not both be present";
    if (has_jwks) {
      if (!in->isObject("jwks")) return "jwks must be a JSON object";
      Object::Ptr jwks = in->getObject("jwks");
      if (auto err = checkJwks(jwks)) return *err;
      norm.set("jwks", jwks);
    }
    if (auto uri = str("jwks_uri")) {
      if (!isAbsoluteUri(*uri, true)) return "jwks_uri must be an http(s) URL without fragment";
      norm.set("jwks_uri", *uri);
    }
    if (in->has("token_claims") && !in->isNull("token_claims")) {
      // idgate's extension: claims a token customizer (client_claims) may copy into the
      // client's tokens. The claims a token sets itself are not for registration to change.
      if (!in->isObject("token_claims")) return "token_claims must be a JSON object";
      Object::Ptr claims = in->getObject("token_claims");
      if (claims->size() > 32) return "token_claims has more than 32 members";
      for (const auto& name : claims->getNames()) {
        static const std::set<std::string> kReserved = {"iss",   "sub", "aud",       "exp",
                                                        "iat",   "nbf", "jti",       "client_id",
                                                        "scope", "cnf", "auth_time", "acr"};
        if (name.empty() || name.size() > 100)
          return "token_claims: a claim name must be 1-100 characters";
        if (kReserved.count(name))
          return "token_claims: '" + name + "' is set by the server and cannot be registered";
      }
      if (toJson(*claims).size() > 8192) return "token_claims is larger than 8 KiB";
      norm.set("token_claims", claims);
    }
    if (auto mode = str("client_assertion_audience_mode")) {
      if (*mode != "legacy" && *mode != "strict")
        return "client_assertion_audience_mode must be legacy or strict";
      if (algs->empty())
        return "client_assertion_audience_mode does not apply to " + out->auth_method;
      norm.set("client_assertion_audience_mode", *mode);
    }
    out->client_secret = str("client_secret");
    const SecretForm form = out->secret_form;
    if (out->client_secret) {
      if (form == SecretForm::kNone) {
        return "client_secret does not apply to " + out->auth_method;
      }
      if (form == SecretForm::kHash &&
          (out->client_secret->size() < 16 || out->client_secret->size() > 512)) {
        return "client_secret must be 16 to 512 bytes";
      }
      size_t min = jose::hmacKeyMinimumBytes(out->signing_alg);
      if (form == SecretForm::kSealed &&
          (out->client_secret->size() < min || out->client_secret->size() > 512)) {
        return "client_secret for client_secret_jwt must be at least " + std::to_string(min) +
               " bytes (the hash size of " +
               (out->signing_alg.empty() ? "HS256" : out->signing_alg) + ")";
      }
    }
  } catch (const std::string& message) {
    return message;
  }
  out->metadata_json = toJson(norm);
  return std::nullopt;
}

}  // namespace idgate
