// A configured instance of a loaded plugin, and the library that made it. The instance is
// destroyed before the library can be unloaded (the library is a member, released after the
// destructor's body).
#pragma once

#include <idgate/plugin_abi.h>

#include <boost/dll/shared_library.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "plugins/plugin_call_stats.h"

namespace idgate {

/// A view of host-owned text for the plugin ABI; valid as long as `s` is.
inline idgate_str abi(std::string_view s) { return {s.data(), s.size()}; }

class PluginInstance {
 public:
  PluginInstance(std::shared_ptr<boost::dll::shared_library> library,
                 const idgate_plugin_descriptor* descriptor, idgate_instance_module_ptr instance,
                 std::string name, int order_id)
      : library_(std::move(library)),
        descriptor_(descriptor),
        instance_(instance),
        name_(std::move(name)),
        order_id_(order_id) {}
  ~PluginInstance() {
    if (instance_ != nullptr) descriptor_->instance_destroy(instance_);
  }
  PluginInstance(const PluginInstance&) = delete;
  PluginInstance& operator=(const PluginInstance&) = delete;

  const std::string& name() const { return name_; }
  int orderId() const { return order_id_; }
  /// The host table the instance was made with stays valid until instance_destroy returned.
  void keepHostContext(std::shared_ptr<const void> context) { host_context_ = std::move(context); }
  /// Calls, failures and time spent in this instance so far.
  PluginCallStats::Snapshot callStats() const { return stats_.snapshot(); }

 protected:
  const idgate_plugin_descriptor* descriptor() const { return descriptor_; }
  idgate_instance_module_ptr instance() const { return instance_; }
  /// Records one call that began at `started`.
  void recordCall(std::chrono::steady_clock::time_point started, bool failed) const {
    stats_.record(std::chrono::steady_clock::now() - started, failed);
  }

 private:
  std::shared_ptr<boost::dll::shared_library> library_;
  const idgate_plugin_descriptor* descriptor_;
  idgate_instance_module_ptr instance_;
  std::string name_;
  int order_id_;
  mutable PluginCallStats stats_;
  std::shared_ptr<const void> host_context_;  ///< released after the destructor's body
};

}  // namespace idgate
