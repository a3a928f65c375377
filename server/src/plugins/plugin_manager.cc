#include "plugins/plugin_manager.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "plugins/plugin_library.h"

namespace idgate {
namespace {

Poco::Logger& log() { return Poco::Logger::get("idgate.plugins"); }

thread_local const std::shared_ptr<const PluginSet>* pinned_set = nullptr;

/// identity.xml's listener matching the descriptor's name or one of its aliases.
const EventListenerConfig* listenerFor(const IdentityConfig& identity, const PluginDescriptor& d) {
  for (const auto& l : identity.listeners) {
    if (l.name == d.name) return &l;
    if (std::find(d.aliases.begin(), d.aliases.end(), l.name) != d.aliases.end()) return &l;
  }
  return nullptr;
}

std::string keyOf(const GlobalProperties& globals) {
  std::string key;
  for (const auto& [k, v] : globals) key += k + "=" + v + "\n";
  return key;
}

template <typename T>
void byOrder(std::vector<std::shared_ptr<const T>>& list) {
  std::stable_sort(list.begin(), list.end(),
                   [](const auto& a, const auto& b) { return a->orderId() < b->orderId(); });
}

std::string describe(const PluginStatus& s) {
  const PluginDescriptor& d = *s.descriptor;
  if (d.kind == IDGATE_KIND_CLIENT_AUTHENTICATOR) return d.auth_method;
  if (d.kind == IDGATE_KIND_GRANT_HANDLER) return "grant_type " + d.grant_type;
  return d.kind_name;
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

PluginManager::PluginManager(std::string dropins_dir, HostServices& host, const Clock& clock,
                             GlobalsFor globals)
    : dropins_dir_(std::move(dropins_dir)),
      host_(host),
      clock_(clock),
      globals_for_(std::move(globals)) {}

PluginManager::Pin::Pin(std::shared_ptr<const PluginSet> set)
    : set_(std::move(set)), previous_(pinned_set) {
  pinned_set = &set_;
}

PluginManager::Pin::~Pin() { pinned_set = previous_; }

std::shared_ptr<const PluginSet> PluginManager::current() const {
  if (pinned_set != nullptr) return *pinned_set;
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

void PluginManager::install(std::shared_ptr<const PluginSet> set) {
  std::shared_ptr<const PluginSet> old;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    old = std::move(current_);
    current_ = std::move(set);
  }
  // `old` is released here, outside the lock: its instances and libraries go when the last
  // request that holds it ends.
}

void PluginManager::loadAll(const IdentityConfig& identity) {
  std::lock_guard<std::mutex> lock(reload_mutex_);
  install(build(identity, nullptr));
  ++next_generation_;
}

std::shared_ptr<PluginSet> PluginManager::build(const IdentityConfig& identity,
                                                const PluginSet* previous) {
  auto set = std::make_shared<PluginSet>();
  set->generation = next_generation_;
  set->loaded_at_ms = clock_.nowMillis();
  auto globals = std::make_shared<const GlobalProperties>(globals_for_(identity));
  const std::string globals_key = keyOf(*globals);

  std::vector<std::string> files;
  std::error_code ec;
  std::filesystem::directory_iterator it(dropins_dir_, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".so") files.push_back(it->path().filename().string());
  }
  if (ec) {
    set->folder_error = "cannot read dropins folder " + dropins_dir_ + ": " + ec.message();
    log().error(set->folder_error);
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) loadFile(f, identity, globals, globals_key, previous, *set);

  byOrder(set->authenticators);
  byOrder(set->mappers);
  byOrder(set->customizers);
  byOrder(set->grant_handlers);
  byOrder(set->user_authenticators);

  // identity.xml entries that name no loaded plugin are almost always a typo: say so.
  for (const auto& l : identity.listeners) {
    bool matched = std::any_of(set->statuses.begin(), set->statuses.end(),
                               [&](const PluginStatus& s) { return s.listener_name == l.name; });
    if (!matched) {
      log().warning(identity.file + ": EventListener name '" + l.name + "' matches no plugin in " +
                    dropins_dir_);
    }
  }
  auto names = [](const auto& list) {
    std::string out;
    for (const auto& p : list) out += (out.empty() ? "" : ", ") + p->name();
    return out.empty() ? std::string("(none)") : out;
  };
  log().information("generation " + std::to_string(set->generation) +
                    ": client authenticators in order: " + names(set->authenticators));
  if (!set->mappers.empty()) log().information("subject mappers in order: " + names(set->mappers));
  if (!set->customizers.empty())
    log().information("token customizers in order: " + names(set->customizers));
  if (!set->grant_handlers.empty())
    log().information("grant handlers: " + names(set->grant_handlers));
  if (!set->user_authenticators.empty())
    log().information("user authenticators in order: " + names(set->user_authenticators));
  return set;
}

void PluginManager::loadFile(const std::string& file, const IdentityConfig& identity,
                             const std::shared_ptr<const GlobalProperties>& globals,
                             const std::string& globals_key, const PluginSet* previous,
                             PluginSet& set) {
  PluginStatus st;
  st.file = file;
  auto failed = [&](const std::string& reason) {
    st.state = PluginStatus::State::kFailed;
    st.reason = reason;
    st.instance.reset();
    log().error("plugin " + file + " skipped: " + reason);
    set.statuses.push_back(st);
  };

  const std::string path = dropins_dir_ + "/" + file;
  std::string bytes, why;
  if (!readPluginFile(path, &bytes, &st.sha256, &why)) return failed(why);

  // The same build under the same configuration keeps its instance (its caches, its counters).
  const PluginStatus* before = nullptr;
  if (previous != nullptr) {
    for (const auto& s : previous->statuses) {
      if (s.file == file && s.sha256 == st.sha256 && s.state != PluginStatus::State::kFailed)
        before = &s;
    }
  }

  // A fresh load of the file's bytes and its descriptor; "" or why not.
  std::shared_ptr<PluginLibrary> library;
  std::shared_ptr<PluginDescriptor> descriptor;
  auto loadFresh = [&]() -> std::string {
    library = PluginLibrary::load(file, bytes, st.sha256, &why);
    if (!library) return why;
    descriptor = std::make_shared<PluginDescriptor>();
    std::string bad = readPluginDescriptor(library->library(), descriptor.get());
    if (bad.empty()) st.descriptor = descriptor;
    return bad;
  };
  if (before != nullptr) {
    descriptor = std::const_pointer_cast<PluginDescriptor>(before->descriptor);
    st.descriptor = descriptor;
  } else if (std::string bad = loadFresh(); !bad.empty()) {
    return failed(bad);
  }
  for (const auto& other : set.statuses) {
    if (other.state != PluginStatus::State::kFailed && other.name() == descriptor->name) {
      return failed("plugin name '" + descriptor->name + "' is already provided by " + other.file);
    }
  }
  if (descriptor->kind == IDGATE_KIND_GRANT_HANDLER) {
    for (const auto& g : set.grant_handlers) {
      if (g->grantType() == descriptor->grant_type) {
        return failed("grant_type '" + descriptor->grant_type + "' is already handled by " +
                      g->name());
      }
    }
  }

  const EventListenerConfig* listener = listenerFor(identity, *descriptor);
  // Only a client authenticator runs without an identity.xml entry (WSO2: a handler without an
  // entry is enabled, first in order). Every other kind changes who a caller is or what a token
  // says: it runs only where identity.xml says so.
  const bool needs_listener = descriptor->kind != IDGATE_KIND_CLIENT_AUTHENTICATOR;
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
      log().information("plugin " + file + " (" + st.name() + ") is disabled");
      set.statuses.push_back(st);
      return;
    }
  } else if (needs_listener) {
    st.state = PluginStatus::State::kDisabled;
    st.reason =
        descriptor->kind_name + " plugins are enabled only by an identity.xml EventListener";
    log().information("plugin " + file + " (" + st.name() + ") is disabled: " + st.reason);
    set.statuses.push_back(st);
    return;
  }
  st.build_key = st.sha256 + "\n" + st.listener_name + "\n" + std::to_string(st.order_id) + "\n";
  for (const auto& [k, v] : st.properties) st.build_key += k + "=" + v + "\n";
  st.build_key += globals_key;

  std::shared_ptr<const PluginInstance> instance;
  if (before != nullptr && before->instance && before->build_key == st.build_key) {
    instance = before->instance;  // unchanged: the running instance carries on
  } else {
    if (!library) {
      // The same file with another configuration: a new instance from a fresh load.
      if (std::string bad = loadFresh(); !bad.empty()) return failed(bad);
    }
    std::vector<idgate_kv> props;
    for (const auto& [k, v] : st.properties)
      props.push_back({{k.data(), k.size()}, {v.data(), v.size()}});
    // The instance's own host table: its log lines name it and its EventListener; it may
    // call only the services it declared.
    auto context = host_.contextFor(
        {descriptor->name, st.listener_name, descriptor->capabilities, descriptor->auth_method},
        globals);
    idgate_instance_module_ptr raw = descriptor->newInstance(*context, props, &why);
    if (raw == nullptr) {
      if (!st.listener_name.empty())
        why += " (" + identity.file + ": EventListener name=\"" + st.listener_name + "\")";
      return failed(why);
    }
    switch (descriptor->kind) {
      case IDGATE_KIND_CLIENT_AUTHENTICATOR:
        instance = std::make_shared<ClientAuthenticatorPlugin>(library, descriptor, context, raw,
                                                               st.order_id);
        break;
      case IDGATE_KIND_SUBJECT_MAPPER:
        instance =
            std::make_shared<SubjectMapperPlugin>(library, descriptor, context, raw, st.order_id);
        break;
      case IDGATE_KIND_TOKEN_CUSTOMIZER:
        instance =
            std::make_shared<TokenCustomizerPlugin>(library, descriptor, context, raw, st.order_id);
        break;
      case IDGATE_KIND_GRANT_HANDLER:
        instance =
            std::make_shared<GrantHandlerPlugin>(library, descriptor, context, raw, st.order_id);
        break;
      case IDGATE_KIND_USER_AUTHENTICATOR:
        instance = std::make_shared<UserAuthenticatorPlugin>(library, descriptor, context, raw,
                                                             st.order_id);
        break;
    }
  }
  switch (descriptor->kind) {
    case IDGATE_KIND_CLIENT_AUTHENTICATOR:
      set.authenticators.push_back(
          std::static_pointer_cast<const ClientAuthenticatorPlugin>(instance));
      break;
    case IDGATE_KIND_SUBJECT_MAPPER:
      set.mappers.push_back(std::static_pointer_cast<const SubjectMapperPlugin>(instance));
      break;
    case IDGATE_KIND_TOKEN_CUSTOMIZER:
      set.customizers.push_back(std::static_pointer_cast<const TokenCustomizerPlugin>(instance));
      break;
    case IDGATE_KIND_GRANT_HANDLER:
      set.grant_handlers.push_back(std::static_pointer_cast<const GrantHandlerPlugin>(instance));
      break;
    case IDGATE_KIND_USER_AUTHENTICATOR:
      set.user_authenticators.push_back(
          std::static_pointer_cast<const UserAuthenticatorPlugin>(instance));
      break;
  }
  st.instance = instance;
  st.state = PluginStatus::State::kActive;
  log().information("plugin " + file + " (" + st.name() + ", " + describe(st) + ", ABI " +
                    descriptor->abi + ") active, orderId " + std::to_string(st.order_id));
  set.statuses.push_back(st);
}

PluginManager::ReloadResult PluginManager::reload(
    const std::function<IdentityConfig()>& read_identity) {
  std::lock_guard<std::mutex> lock(reload_mutex_);
  ReloadResult result;
  try {
    return reloadLocked(read_identity);
  } catch (const std::exception& e) {
    result.problems.push_back(std::string("reload failed: ") + e.what());
  } catch (...) {
    result.problems.push_back("reload failed");
  }
  std::lock_guard<std::mutex> guard(mutex_);
  result.generation = current_ ? current_->generation : 0;
  log().error("reload refused, the running plugins keep serving: " + result.problems.front());
  return result;
}

PluginManager::ReloadResult PluginManager::reloadLocked(
    const std::function<IdentityConfig()>& read_identity) {
  ReloadResult result;
  std::shared_ptr<const PluginSet> running;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    running = current_;  // the newest, whatever the calling thread pinned
  }
  result.generation = running ? running->generation : 0;
  IdentityConfig identity;
  try {
    identity = read_identity();
  } catch (const std::exception& e) {
    result.problems.push_back(e.what());
    log().error(std::string("reload refused, the running plugins keep serving: ") + e.what());
    return result;
  }
  std::shared_ptr<PluginSet> next = build(identity, running.get());
  // An unreadable folder is not an empty one: refuse rather than serve without plugins.
  if (!next->folder_error.empty()) result.problems.push_back(next->folder_error);
  // A file that fails now but did not fail the same way before is a broken change: refuse.
  for (const auto& s : next->statuses) {
    if (s.state != PluginStatus::State::kFailed) continue;
    bool known =
        running &&
        std::any_of(running->statuses.begin(), running->statuses.end(), [&](const PluginStatus& r) {
          return r.file == s.file && r.sha256 == s.sha256 &&
                 r.state == PluginStatus::State::kFailed && r.reason == s.reason;
        });
    if (!known) result.problems.push_back(s.file + ": " + s.reason);
  }
  if (!result.problems.empty()) {
    std::string all;
    for (const auto& p : result.problems) all += (all.empty() ? "" : "; ") + p;
    log().error("reload refused, generation " + std::to_string(result.generation) +
                " keeps serving: " + all);
    return result;
  }
  // What changed, for the answer and the log.
  for (const auto& s : next->statuses) {
    const PluginStatus* before = nullptr;
    if (running) {
      for (const auto& r : running->statuses) {
        if (r.file == s.file) before = &r;
      }
    }
    if (before == nullptr) {
      result.changes.push_back(s.file + ": added (" + toString(s.state) + ")");
    } else if (before->sha256 != s.sha256) {
      result.changes.push_back(s.file + ": replaced by a new build (" + toString(s.state) + ")");
    } else if (before->state != s.state) {
      result.changes.push_back(s.file + ": " + toString(before->state) + " -> " +
                               toString(s.state));
    } else if (s.instance && before->instance != s.instance) {
      result.changes.push_back(s.file + ": reconfigured");
    }
  }
  if (running) {
    for (const auto& r : running->statuses) {
      bool still = std::any_of(next->statuses.begin(), next->statuses.end(),
                               [&](const PluginStatus& s) { return s.file == r.file; });
      if (!still) result.changes.push_back(r.file + ": removed");
    }
  }
  result.generation = next->generation;
  ++next_generation_;
  result.applied = true;
  install(next);
  std::string all;
  for (const auto& c : result.changes) all += (all.empty() ? "" : "; ") + c;
  log().information("reload: generation " + std::to_string(result.generation) + " in force" +
                    (all.empty() ? " (no changes)" : ": " + all));
  return result;
}

}  // namespace idgate
