// The admin API's local users (/api/admin/users): validation, the password policy (12-1024
// bytes, not the username, not one character repeated), password hashing, and the JSON the API
// answers. Passwords are kept only as PBKDF2-SHA256 hashes and never shown.
#pragma once

#include <string>

#include "clients/client_registry.h"
#include "common/clock.h"
#include "store/user_store.h"

namespace idgate {

class UserRegistry {
 public:
  UserRegistry(UserStore& store, const Clock& clock) : store_(store), clock_(clock) {}

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
};

}  // namespace idgate
