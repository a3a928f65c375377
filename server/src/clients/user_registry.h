// The admin API's local users (/api/admin/users): validation, the password policy (12-1024
// bytes, not the username, not one character repeated), password hashing, and the JSON the API
// answers. Passwords are kept only as PBKDF2-SHA256 hashes and never shown.
#pragma once

#include <functional>
#include <string>

#include "clients/client_registry.h"
#include "common/clock.h"
#include "store/user_store.h"

namespace idgate {

class UserRegistry {
 public:
  /// `on_signed_out(subject, deleted)`: a user was disabled or deleted; their sessions end.
  using SignOut = std::function<void(const std::string& subject, bool deleted)>;
  UserRegistry(UserStore& store, const Clock& clock, SignOut on_signed_out = {})
      : store_(store), clock_(clock), on_signed_out_(std::move(on_signed_out)) {}

  /// {"username", "password", "subject"?, "claims"?} -> 201 with the user (no password).
  RegistryResult create(const std::string& body);
  /// {"password"?, "claims"?, "disabled"?} -> 200 with the user. A disabled user cannot sign in.
  RegistryResult update(const std::string& username, const std::string& body);
  RegistryResult get(const std::string& username);
  RegistryResult list();
  RegistryResult remove(const std::string& username);

 private:
  UserStore& store_;
  const Clock& clock_;
  SignOut on_signed_out_;
};

}  // namespace idgate
