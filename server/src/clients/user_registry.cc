#include "clients/user_registry.h"

#include <Poco/Logger.h>
#include <idgate/jose/json.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "common/json_writer.h"
#include "crypto/password_hash.h"
#include "crypto/random.h"
#include "store/store_error.h"

namespace idgate {
namespace {

bool validUsername(const std::string& u) {
  if (u.empty() || u.size() > 255) return false;
  return std::all_of(u.begin(), u.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '@' || c == '+';
  });
}

std::string render(const User& u) {
  return JsonWriter()
      .field("username", u.username)
      .field("subject", u.subject)
      .raw("claims", u.claims_json)
      .field("disabled", u.disabled)
      .field("created_at", u.created_at)
      .field("updated_at", u.updated_at)
      .finish();
}

/// NIST SP 800-63B style: length, not the username, not one character repeated. No
/// composition rules.
std::optional<std::string> passwordProblem(const std::string& username,
                                           const std::string& password) {
  if (password.size() < 12 || password.size() > 1024)
    return "password must be a string of 12 to 1024 bytes";
  std::string lower_pw = password, lower_user = username;
  for (auto& c : lower_pw) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto& c : lower_user) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower_user.size() >= 4 && lower_pw.find(lower_user) != std::string::npos)
    return "password must not contain the username";
  if (password.find_first_not_of(password[0]) == std::string::npos)
    return "password must not be one character repeated";
  return std::nullopt;
}

/// The claims member: a JSON object without the claims the server sets.
std::optional<std::string> claimsProblem(const jose::Json& c, std::string* out) {
  if (!c.isObject()) return "claims must be a JSON object";
  static const std::set<std::string> kReserved = {"iss", "sub", "aud",       "exp",   "iat",
                                                  "nbf", "jti", "client_id", "scope", "auth_time"};
  for (const auto& [name, value] : c.members()) {
    if (kReserved.count(name))
      return "claims: '" + name + "' is set by the server and cannot be registered";
  }
  *out = jose::toJsonText(c);
  if (out->size() > 8192) return "claims is larger than 8 KiB";
  return std::nullopt;
}

ApiError storeFailure(const StoreError& e) {
  Poco::Logger::get("idgate.store").error(e.what());
  return ApiError{ErrorCode::kServerError, "user store unavailable"};
}

ApiError invalid(const std::string& why) { return ApiError{ErrorCode::kInvalidRequest, why}; }

}  // namespace

RegistryResult UserRegistry::create(const std::string& body) {
  auto in = jose::parseJson(body, jose::JsonLimits{16, 64 * 1024});
  if (!in || !in->isObject()) {
    return invalid("body must be one JSON object: {\"username\":..., \"password\":...}");
  }
  for (const auto& [name, value] : in->members()) {
    if (name != "username" && name != "password" && name != "subject" && name != "claims")
      return invalid("unknown member '" + name + "' (known: username, password, subject, claims)");
  }
  User u;
  u.username = in->getString("username").value_or("");
  if (!validUsername(u.username))
    return invalid("username must be 1-255 characters of A-Z a-z 0-9 - . _ @ +");
  std::string password = in->getString("password").value_or("");
  if (auto why = passwordProblem(u.username, password)) return invalid(*why);
  if (const jose::Json* s = in->get("subject")) {
    if (!s->isString() || s->str().empty() || s->str().size() > 255)
      return invalid("subject must be a string of 1-255 characters");
    u.subject = s->str();
  } else {
    u.subject = crypto::randomToken(16);  // opaque and stable, even if the username changes
  }
  if (const jose::Json* c = in->get("claims")) {
    if (auto why = claimsProblem(*c, &u.claims_json)) return invalid(*why);
  }
  u.password_hash = crypto::hashPassword(password, crypto::kUserPasswordIterations);
  u.created_at = u.updated_at = clock_.nowSeconds();
  try {
    if (!store_.insert(u)) {
      return ApiError{ErrorCode::kConflict,
                      "username '" + u.username + "' or its subject is already registered"};
    }
  } catch (const StoreError& e) {
    return storeFailure(e);
  }
  Poco::Logger::get("idgate.admin").information("registered user " + u.username);
  return RegistryResponse{201, render(u)};
}

RegistryResult UserRegistry::update(const std::string& username, const std::string& body) {
  auto in = jose::parseJson(body, jose::JsonLimits{16, 64 * 1024});
  if (!in || !in->isObject() || in->members().empty()) {
    return invalid("body must be a JSON object with any of password, claims, disabled");
  }
  for (const auto& [name, value] : in->members()) {
    if (name != "password" && name != "claims" && name != "disabled")
      return invalid("unknown member '" + name + "' (known: password, claims, disabled)");
  }
  std::optional<User> u;
  try {
    u = store_.find(username);
  } catch (const StoreError& e) {
    return storeFailure(e);
  }
  if (!u) return ApiError{ErrorCode::kNotFound, "no user '" + username + "'"};
  if (const jose::Json* p = in->get("password")) {
    if (!p->isString()) return invalid("password must be a string of 12 to 1024 bytes");
    if (auto why = passwordProblem(u->username, p->str())) return invalid(*why);
    u->password_hash = crypto::hashPassword(p->str(), crypto::kUserPasswordIterations);
  }
  if (const jose::Json* c = in->get("claims")) {
    if (auto why = claimsProblem(*c, &u->claims_json)) return invalid(*why);
  }
  if (const jose::Json* d = in->get("disabled")) {
    if (d->type() != jose::Json::Type::kBool) return invalid("disabled must be true or false");
    u->disabled = d->boolean();
  }
  u->updated_at = clock_.nowSeconds();
  try {
    if (!store_.update(*u)) return ApiError{ErrorCode::kNotFound, "no user '" + username + "'"};
    // Disabled, or a new password: whoever is signed in as this user is signed out.
    if (on_signed_out_ && (u->disabled || in->get("password") != nullptr)) {
      on_signed_out_(u->subject, false);
    }
  } catch (const StoreError& e) {
    return storeFailure(e);
  }
  std::string what = in->get("disabled") == nullptr ? ""
                     : u->disabled                  ? " (disabled)"
                                                    : " (enabled)";
  Poco::Logger::get("idgate.admin").information("updated user " + username + what);
  return RegistryResponse{200, render(*u)};
}

RegistryResult UserRegistry::get(const std::string& username) {
  try {
    auto u = store_.find(username);
    if (!u) return ApiError{ErrorCode::kNotFound, "no user '" + username + "'"};
    return RegistryResponse{200, render(*u)};
  } catch (const StoreError& e) {
    return storeFailure(e);
  }
}

RegistryResult UserRegistry::list() {
  try {
    std::vector<std::string> items;
    for (const auto& u : store_.list()) items.push_back(render(u));
    return RegistryResponse{200, JsonWriter().raw("users", jsonArray(items)).finish()};
  } catch (const StoreError& e) {
    return storeFailure(e);
  }
}

RegistryResult UserRegistry::remove(const std::string& username) {
  try {
    auto u = store_.find(username);
    if (!u || !store_.remove(username))
      return ApiError{ErrorCode::kNotFound, "no user '" + username + "'"};
    if (on_signed_out_) on_signed_out_(u->subject, true);
  } catch (const StoreError& e) {
    return storeFailure(e);
  }
  Poco::Logger::get("idgate.admin").information("deleted user " + username);
  return RegistryResponse{204, ""};
}

}  // namespace idgate
