// One generation of loaded plugins: every active instance by kind, in orderId order, and the
// status of each dropin file. Immutable once built; the manager swaps whole sets, and a request
// holds the set it started with until it ends (instances and libraries live as long as a set
// that has them).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "plugins/client_authenticator.h"
#include "plugins/grant_handler_plugin.h"
#include "plugins/plugin_status.h"
#include "plugins/subject_mapper.h"
#include "plugins/token_customizer.h"
#include "plugins/user_authenticator.h"

namespace idgate {

struct PluginSet {
  uint64_t generation = 0;
  int64_t loaded_at_ms = 0;  ///< Unix time the set was built
  std::vector<std::shared_ptr<const ClientAuthenticatorPlugin>> authenticators;
  std::vector<std::shared_ptr<const SubjectMapperPlugin>> mappers;
  std::vector<std::shared_ptr<const TokenCustomizerPlugin>> customizers;
  std::vector<std::shared_ptr<const GrantHandlerPlugin>> grant_handlers;
  std::vector<std::shared_ptr<const UserAuthenticatorPlugin>> user_authenticators;
  std::vector<PluginStatus> statuses;
  /// Why dropins/ could not be read (then the set is incomplete; a reload refuses it).
  std::string folder_error;

  /// The descriptor of the loaded (active or disabled) client authenticator implementing
  /// `method`, or nullptr: what registration accepts and how it keeps the secret.
  const PluginDescriptor* method(const std::string& auth_method) const;
  /// The method of a registration that names none: the loaded authenticator that says it is
  /// the default, else "".
  std::string defaultMethod() const;
  /// The grant handler plugin for `grant_type`, or nullptr.
  std::shared_ptr<const GrantHandlerPlugin> grantHandler(const std::string& grant_type) const;
};

}  // namespace idgate
