#include "plugins/plugin_manager.h"

#include <Poco/Logger.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

namespace idgate {
namespace {

Poco::Logger& log() { return Poco::Logger::get("idgate.plugins"); }

/// "" when `path` is a regular file starting with an ELF header, else why not. Opened without
/// blocking and checked with fstat before anything reads it: a FIFO named x.so used to block
/// startup forever (open and read wait for a writer).
std::string checkSharedLibraryFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::string("cannot open: ") + std::strerror(errno);
  struct stat st {};
  std::string why;
  if (::fstat(fd, &st) != 0) {
    why = std::string("cannot stat: ") + std::strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    why = S_ISFIFO(st.st_mode)   ? "not a regular file (a FIFO)"
          : S_ISDIR(st.st_mode)  ? "not a regular file (a directory)"
          : S_ISSOCK(st.st_mode) ? "not a regular file (a socket)"
                                 : "not a regular file (a device)";
  } else {
    unsigned char magic[4] = {0, 0, 0, 0};
    ssize_t n = ::pread(fd, magic, 4, 0);
    if (n != 4 || magic[0] != 0x7f || magic[1] != 'E' || magic[2] != 'L' || magic[3] != 'F') {
      why = "not a shared library (no ELF header)";
    }
  }
  ::close(fd);
  return why;
}

std::vector<std::string> names(const char* const* list) {
  std::vector<std::string> out;
  for (const char* const* p = list; p != nullptr && *p != nullptr; ++p) out.emplace_back(*p);
  return out;
}

}  // namespace

const char* toString(PluginStatus::State state) {
  switch (state) {
    case PluginStatus::State::kActive:
      return "active";
    case PluginStatus::State::kDisabled:
      return "disabled";
    case PluginStatus::State::kFailed:
      return "failed";
  }
  return "failed";
}

PluginManager::PluginManager(std::string dropins_dir, const IdentityConfig& identity,
                             HostServices& host)
    : dropins_dir_(std::move(dropins_dir)), identity_(identity), host_(host) {}

void PluginManager::loadAll() {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dropins_dir_, ec)) {
    if (entry.path().extension() == ".so") files.push_back(entry.path().filename().string());
  }
  if (ec) log().error("cannot read dropins folder " + dropins_dir_ + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) loadFile(dropins_dir_ + "/" + f, f);

  std::stable_sort(active_.begin(), active_.end(),
                   [](const auto& a, const auto& b) { return a->orderId() < b->orderId(); });
  std::stable_sort(mappers_.begin(), mappers_.end(),
                   [](const auto& a, const auto& b) { return a->orderId() < b->orderId(); });

  // identity.xml entries that name no loaded plugin are almost always a typo: say so.
  for (const auto& l : identity_.listeners) {
    bool matched = std::any_of(statuses_.begin(), statuses_.end(),
                               [&](const PluginStatus& s) { return s.listener_name == l.name; });
    if (!matched) {
      log().warning(identity_.file + ": EventListener name '" + l.name + "' matches no plugin in " +
                    dropins_dir_);
    }
  }
  std::string order;
  for (const auto& a : active_) order += (order.empty() ? "" : ", ") + a->name();
  log().information("client authenticators in order: " + (order.empty() ? "(none)" : order));
  if (!mappers_.empty()) {
    std::string m;
    for (const auto& a : mappers_) m += (m.empty() ? "" : ", ") + a->name();
    log().information("subject mappers in order: " + m);
  }
}

const EventListenerConfig* PluginManager::listenerFor(const idgate_plugin_descriptor& d) const {
  std::vector<std::string> all = names(d.aliases);
  all.insert(all.begin(), d.name);
  for (const auto& l : identity_.listeners) {
    if (std::find(all.begin(), all.end(), l.name) != all.end()) return &l;
  }
  return nullptr;
}

void PluginManager::loadFile(const std::string& path, const std::string& file) {
  PluginStatus st;
  st.file = file;
  auto failed = [&](const std::string& reason) {
    st.state = PluginStatus::State::kFailed;
    st.reason = reason;
    log().error("plugin " + file + " skipped: " + reason);
    statuses_.push_back(st);
  };

  if (std::string why = checkSharedLibraryFile(path); !why.empty()) return failed(why);
  auto library = std::make_shared<boost::dll::shared_library>();
  try {
    library->load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    return failed(std::string("cannot load: ") + e.what());
  }
  if (!library->has(IDGATE_PLUGIN_ENTRY_SYMBOL)) {
    return failed(std::string("no entry point ") + IDGATE_PLUGIN_ENTRY_SYMBOL);
  }
  const idgate_plugin_descriptor* d = nullptr;
  try {
    d = library->get<const idgate_plugin_descriptor*()>(IDGATE_PLUGIN_ENTRY_SYMBOL)();
  } catch (...) {
    return failed("entry point threw an exception");
  }
  if (d == nullptr) return failed("entry point returned no descriptor");
  if (d->abi_major != IDGATE_ABI_MAJOR) {
    return failed("ABI major version " + std::to_string(d->abi_major) + ", server speaks " +
                  std::to_string(IDGATE_ABI_MAJOR));
  }
  // A 1.0/1.1 descriptor ends before map_subject; only a subject mapper needs that field.
  if (d->struct_size < IDGATE_DESCRIPTOR_SIZE_1_1 || d->name == nullptr ||
      d->instance_new == nullptr || d->instance_destroy == nullptr) {
    return failed("incomplete descriptor");
  }
  st.name = d->name;
  st.aliases = names(d->aliases);
  const bool mapper = d->kind == IDGATE_KIND_SUBJECT_MAPPER;
  if (d->kind == IDGATE_KIND_CLIENT_AUTHENTICATOR) {
    st.kind = "client_authenticator";
    st.auth_method = d->auth_method ? d->auth_method : "";
    st.signing_algs = names(d->signing_algs);
    if (d->authenticate == nullptr) return failed("incomplete descriptor");
    if (st.auth_method.empty()) return failed("client authenticator without auth_method");
  } else if (mapper) {
    st.kind = "subject_mapper";
    if (d->struct_size < sizeof(idgate_plugin_descriptor) || d->map_subject == nullptr) {
      return failed("subject mapper without map_subject (needs ABI 1.2)");
    }
  } else {
    return failed("unknown plugin kind " + std::to_string(static_cast<int>(d->kind)));
  }
  for (const auto& other : statuses_) {
    if (other.state != PluginStatus::State::kFailed && other.name == st.name) {
      return failed("plugin name '" + st.name + "' is already provided by " + other.file);
    }
  }

  const EventListenerConfig* listener = listenerFor(*d);
  if (listener != nullptr) {
    st.listener_name = listener->name;
    st.order_id = listener->order_id;
    st.properties = listener->properties;
    if (!listener->enable) {
      st.state = PluginStatus::State::kDisabled;
      st.reason = listener->enable_valid
                      ? "disabled in identity.xml"
                      : "identity.xml enable attribute is not true or false; treated as disabled";
      if (!listener->enable_valid) log().warning("plugin " + file + ": " + st.reason);
      log().information("plugin " + file + " (" + st.name + ") is disabled");
      statuses_.push_back(st);
      return;
    }
  } else if (mapper) {
    // A mapper changes who the caller is: it runs only where identity.xml says so.
    st.state = PluginStatus::State::kDisabled;
    st.reason = "subject mappers are enabled only by an identity.xml EventListener";
    log().information("plugin " + file + " (" + st.name + ") is disabled: " + st.reason);
    statuses_.push_back(st);
    return;
  } else {
    st.order_id = -1;  // WSO2: a handler without an entry is enabled, first in order.
  }

  std::vector<idgate_kv> props;
  for (const auto& [k, v] : st.properties)
    props.push_back({{k.data(), k.size()}, {v.data(), v.size()}});
  char error[512] = {0};
  idgate_instance_module_ptr instance = nullptr;
  // The instance's own host table: its log lines name it and its EventListener.
  std::shared_ptr<PluginHostContext> context = host_.contextFor(st.name, st.listener_name);
  try {
    instance = d->instance_new(context->api(), props.data(), props.size(), error, sizeof(error));
  } catch (...) {
    return failed("constructor threw an exception");
  }
  if (instance == nullptr) {
    error[sizeof(error) - 1] = '\0';
    return failed(std::string("configuration refused: ") + (error[0] ? error : "no reason given"));
  }
  if (mapper) {
    auto m = std::make_shared<SubjectMapperPlugin>(library, d, instance, st.name, st.order_id);
    m->keepHostContext(context);
    st.instance = m;
    mappers_.push_back(std::move(m));
  } else {
    auto a =
        std::make_shared<ClientAuthenticatorPlugin>(library, d, instance, st.name, st.order_id);
    a->keepHostContext(context);
    st.instance = a;
    active_.push_back(std::move(a));
  }
  st.state = PluginStatus::State::kActive;
  log().information("plugin " + file + " (" + st.name + ", " +
                    (mapper ? std::string("subject mapper") : st.auth_method) +
                    ") active, orderId " + std::to_string(st.order_id));
  statuses_.push_back(st);
}

}  // namespace idgate
