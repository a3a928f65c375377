// A configured instance of a loaded plugin, the host context it was made with, and the library
// that made it. The instance is destroyed before the context and the library can go (both are
// members, released after the destructor's body), so a library is unloaded only when no
// instance of it is left.
#pragma once

#include <idgate/plugin_abi.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "plugins/host_services.h"
#include "plugins/plugin_call_stats.h"
#include "plugins/plugin_descriptor.h"
#include "plugins/plugin_library.h"

namespace idgate {

/// A view of host-owned text for the plugin ABI; valid as long as `s` is.
inline idgate_str abi(std::string_view s) { return {s.data(), s.size()}; }

class PluginInstance {
 public:
  PluginInstance(std::shared_ptr<PluginLibrary> library,
                 std::shared_ptr<const PluginDescriptor> descriptor,
                 std::shared_ptr<PluginHostContext> context, idgate_instance_module_ptr instance,
                 int order_id)
      : library_(std::move(library)),
        descriptor_(std::move(descriptor)),
        context_(std::move(context)),
        instance_(instance),
        order_id_(order_id) {}
  virtual ~PluginInstance() { descriptor_->destroyInstance(instance_); }
  PluginInstance(const PluginInstance&) = delete;
  PluginInstance& operator=(const PluginInstance&) = delete;

  const std::string& name() const { return descriptor_->name; }
  int orderId() const { return order_id_; }
  const PluginDescriptor& descriptor() const { return *descriptor_; }
  /// Calls, failures and time spent in this instance so far.
  PluginCallStats::Snapshot callStats() const { return stats_.snapshot(); }
  /// Host calls refused because the plugin did not declare the capability.
  uint64_t refusedCalls() const { return context_->refusedCalls(); }
  /// SHA-256 of the library file the instance came from.
  const std::string& librarySha256() const { return library_->sha256(); }

 protected:
  idgate_instance_module_ptr instance() const { return instance_; }
  /// Records one call that began at `started`.
  void recordCall(std::chrono::steady_clock::time_point started, bool failed) const {
    stats_.record(std::chrono::steady_clock::now() - started, failed);
  }

 private:
  std::shared_ptr<PluginLibrary> library_;
  std::shared_ptr<const PluginDescriptor> descriptor_;
  std::shared_ptr<PluginHostContext> context_;
  idgate_instance_module_ptr instance_;
  int order_id_;
  mutable PluginCallStats stats_;
};

}  // namespace idgate
