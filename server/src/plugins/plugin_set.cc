#include "plugins/plugin_set.h"

namespace idgate {

const PluginDescriptor* PluginSet::method(const std::string& auth_method) const {
  const PluginDescriptor* found = nullptr;
  for (const auto& s : statuses) {
    if (s.state == PluginStatus::State::kFailed || !s.descriptor) continue;
    if (s.descriptor->kind != IDGATE_KIND_CLIENT_AUTHENTICATOR) continue;
    if (s.descriptor->auth_method != auth_method) continue;
    // An active one wins over a disabled one of the same method.
    if (found == nullptr || s.state == PluginStatus::State::kActive) found = s.descriptor.get();
  }
  return found;
}

std::string PluginSet::defaultMethod() const {
  for (const auto& s : statuses) {
    if (s.state != PluginStatus::State::kFailed && s.descriptor &&
        s.descriptor->kind == IDGATE_KIND_CLIENT_AUTHENTICATOR && s.descriptor->default_method)
      return s.descriptor->auth_method;
  }
  return {};
}

std::shared_ptr<const GrantHandlerPlugin> PluginSet::grantHandler(
    const std::string& grant_type) const {
  for (const auto& g : grant_handlers) {
    if (g->grantType() == grant_type) return g;
  }
  return nullptr;
}

}  // namespace idgate
