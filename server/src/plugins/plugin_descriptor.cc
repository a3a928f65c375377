#include "plugins/plugin_descriptor.h"

#include <cstring>

#include "plugins/host_services.h"

namespace idgate {
namespace {

std::vector<std::string> names(const char* const* list) {
  std::vector<std::string> out;
  for (const char* const* p = list; p != nullptr && *p != nullptr; ++p) out.emplace_back(*p);
  return out;
}

const char* kindName(idgate_plugin_kind kind) {
  switch (kind) {
    case IDGATE_KIND_CLIENT_AUTHENTICATOR:
      return "client_authenticator";
    case IDGATE_KIND_SUBJECT_MAPPER:
      return "subject_mapper";
    case IDGATE_KIND_TOKEN_CUSTOMIZER:
      return "token_customizer";
    case IDGATE_KIND_GRANT_HANDLER:
      return "grant_handler";
    case IDGATE_KIND_USER_AUTHENTICATOR:
      return "user_authenticator";
  }
  return nullptr;
}

/// The table of a 2.0 descriptor, when it is at least as large as this host's and of the
/// version this host speaks.
template <typename Table>
std::string checkTable(const void* table, uint32_t version, const char* kind) {
  if (table == nullptr) return std::string("no ") + kind + " table";
  const auto* t = static_cast<const Table*>(table);
  if (t->struct_size < sizeof(Table)) return std::string(kind) + " table is too small";
  if (t->version != version) {
    return std::string(kind) + " table version " + std::to_string(t->version) + ", server speaks " +
           std::to_string(version);
  }
  return {};
}

std::string readV2(const idgate_plugin_descriptor* d, PluginDescriptor* out) {
  if (d->abi_major != IDGATE_ABI_MAJOR) {
    return "ABI major version " + std::to_string(d->abi_major) + ", server speaks " +
           std::to_string(IDGATE_ABI_MAJOR) + " (and 1 through its adapter)";
  }
  if (d->struct_size < sizeof(idgate_plugin_descriptor) || d->name == nullptr ||
      d->instance_new == nullptr || d->instance_destroy == nullptr) {
    return "incomplete descriptor";
  }
  out->abi = std::to_string(d->abi_major) + "." + std::to_string(d->abi_minor);
  out->v2 = d;
  out->kind = d->kind;
  out->name = d->name;
  out->aliases = names(d->aliases);
  out->version = d->version ? d->version : "";
  out->capabilities = d->capabilities;
  out->table = d->table;
  std::string why;
  switch (d->kind) {
    case IDGATE_KIND_CLIENT_AUTHENTICATOR: {
      why = checkTable<idgate_client_authenticator_table>(
          d->table, IDGATE_CLIENT_AUTHENTICATOR_TABLE_VERSION, "client_authenticator");
      if (!why.empty()) return why;
      const auto& t = out->tableAs<idgate_client_authenticator_table>();
      if (t.authenticate == nullptr) return "client authenticator without authenticate";
      if (t.auth_method == nullptr || *t.auth_method == '\0')
        return "client authenticator without auth_method";
      if (t.secret_form != IDGATE_SECRET_NONE && t.secret_form != IDGATE_SECRET_HASHED &&
          t.secret_form != IDGATE_SECRET_SEALED)
        return "unknown secret_form " + std::to_string(static_cast<int>(t.secret_form));
      out->auth_method = t.auth_method;
      out->signing_algs = names(t.signing_algs);
      out->secret_form = t.secret_form;
      out->default_method = t.is_default_method != 0;
      return {};
    }
    case IDGATE_KIND_SUBJECT_MAPPER:
      why = checkTable<idgate_subject_mapper_table>(d->table, IDGATE_SUBJECT_MAPPER_TABLE_VERSION,
                                                    "subject_mapper");
      if (why.empty() && out->tableAs<idgate_subject_mapper_table>().map_subject == nullptr)
        why = "subject mapper without map_subject";
      return why;
    case IDGATE_KIND_TOKEN_CUSTOMIZER:
      why = checkTable<idgate_token_customizer_table>(
          d->table, IDGATE_TOKEN_CUSTOMIZER_TABLE_VERSION, "token_customizer");
      if (why.empty() && out->tableAs<idgate_token_customizer_table>().customize == nullptr)
        why = "token customizer without customize";
      return why;
    case IDGATE_KIND_GRANT_HANDLER: {
      why = checkTable<idgate_grant_handler_table>(d->table, IDGATE_GRANT_HANDLER_TABLE_VERSION,
                                                   "grant_handler");
      if (!why.empty()) return why;
      const auto& t = out->tableAs<idgate_grant_handler_table>();
      if (t.handle == nullptr) return "grant handler without handle";
      if (t.grant_type == nullptr || *t.grant_type == '\0')
        return "grant handler without grant_type";
      out->grant_type = t.grant_type;
      return {};
    }
    case IDGATE_KIND_USER_AUTHENTICATOR:
      why = checkTable<idgate_user_authenticator_table>(
          d->table, IDGATE_USER_AUTHENTICATOR_TABLE_VERSION, "user_authenticator");
      if (why.empty() &&
          out->tableAs<idgate_user_authenticator_table>().authenticate_user == nullptr)
        why = "user authenticator without authenticate_user";
      return why;
  }
  return "unknown plugin kind " + std::to_string(static_cast<int>(d->kind));
}

/// The 1.x adapter: a 1.0-1.2 descriptor read into the 2.0 model.
std::string readV1(const abi1::Descriptor* d, PluginDescriptor* out) {
  if (d->abi_major != abi1::kMajor) {
    return "ABI major version " + std::to_string(d->abi_major) + " under the 1.x entry point";
  }
  if (d->struct_size < abi1::kDescriptorSize11 || d->name == nullptr ||
      d->instance_new == nullptr || d->instance_destroy == nullptr) {
    return "incomplete descriptor";
  }
  out->abi = std::to_string(d->abi_major) + "." + std::to_string(d->abi_minor);
  out->v1 = d;
  out->kind = d->kind;
  out->name = d->name;
  out->aliases = names(d->aliases);
  out->capabilities = abi1::kCapabilities;
  if (d->kind == IDGATE_KIND_CLIENT_AUTHENTICATOR) {
    if (d->authenticate == nullptr) return "incomplete descriptor";
    if (d->auth_method == nullptr || *d->auth_method == '\0')
      return "client authenticator without auth_method";
    out->auth_method = d->auth_method;
    out->signing_algs = names(d->signing_algs);
    // 1.x descriptors do not say how a secret is kept: the rule the 1.x host applied.
    if (out->auth_method == "client_secret_basic" || out->auth_method == "client_secret_post")
      out->secret_form = IDGATE_SECRET_HASHED;
    else if (out->auth_method == "client_secret_jwt")
      out->secret_form = IDGATE_SECRET_SEALED;
    out->default_method = out->auth_method == "client_secret_basic";
    return {};
  }
  if (d->kind == IDGATE_KIND_SUBJECT_MAPPER) {
    if (d->struct_size < sizeof(abi1::Descriptor) || d->map_subject == nullptr)
      return "subject mapper without map_subject (needs ABI 1.2)";
    return {};
  }
  return "unknown plugin kind " + std::to_string(static_cast<int>(d->kind)) + " in ABI 1.x";
}

}  // namespace

std::string readPluginDescriptor(boost::dll::shared_library& library, PluginDescriptor* out) {
  const bool v2 = library.has(IDGATE_PLUGIN_ENTRY_SYMBOL);
  if (!v2 && !library.has(abi1::kEntrySymbol)) {
    return std::string("no entry point ") + IDGATE_PLUGIN_ENTRY_SYMBOL + " (ABI 2) or " +
           abi1::kEntrySymbol + " (ABI 1)";
  }
  std::string why;
  try {
    if (v2) {
      const auto* d = library.get<const idgate_plugin_descriptor*()>(IDGATE_PLUGIN_ENTRY_SYMBOL)();
      if (d == nullptr) return "entry point returned no descriptor";
      why = readV2(d, out);
    } else {
      const auto* d = library.get<const abi1::Descriptor*()>(abi1::kEntrySymbol)();
      if (d == nullptr) return "entry point returned no descriptor";
      why = readV1(d, out);
    }
  } catch (...) {
    return "entry point threw an exception";
  }
  if (why.empty()) {
    const char* k = kindName(out->kind);
    if (k == nullptr) return "unknown plugin kind " + std::to_string(static_cast<int>(out->kind));
    out->kind_name = k;
  }
  return why;
}

idgate_instance_module_ptr PluginDescriptor::newInstance(const PluginHostContext& context,
                                                         const std::vector<idgate_kv>& properties,
                                                         std::string* error) const {
  char buffer[512] = {0};
  idgate_instance_module_ptr instance = nullptr;
  try {
    instance = v2 != nullptr ? v2->instance_new(context.api(), properties.data(), properties.size(),
                                                buffer, sizeof(buffer))
                             : v1->instance_new(context.v1Api(), properties.data(),
                                                properties.size(), buffer, sizeof(buffer));
  } catch (...) {
    *error = "constructor threw an exception";
    return nullptr;
  }
  if (instance == nullptr) {
    buffer[sizeof(buffer) - 1] = '\0';
    *error = std::string("configuration refused: ") + (buffer[0] ? buffer : "no reason given");
  }
  return instance;
}

void PluginDescriptor::destroyInstance(idgate_instance_module_ptr instance) const {
  if (instance == nullptr) return;
  if (v2 != nullptr)
    v2->instance_destroy(instance);
  else
    v1->instance_destroy(instance);
}

}  // namespace idgate
