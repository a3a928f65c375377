// The server's live keystore: the current contents behind a shared pointer, reloaded
// atomically when the file changes (keytool -importcert while the server runs), and updated
// through the admin API with an atomic save. A reload that fails keeps the previous contents
// and logs why.
#pragma once

#include <sys/stat.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "keystore/keystore.h"
#include "keystore/store_file_config.h"

namespace idgate {

class KeystoreHolder {
 public:
  KeystoreHolder(StoreFileConfig config, std::shared_ptr<const Keystore> initial);
  ~KeystoreHolder();

  std::shared_ptr<const Keystore> current() const;

  /// Polls the file every `interval_ms` and reloads on a change of size, mtime or inode.
  void startWatching(int64_t interval_ms);

  /// Checks the file once; true when new contents were loaded (tests and the watcher call it).
  bool reloadIfChanged();

  /// Applies `change` to a copy, saves it atomically, then makes it current. `change` returns
  /// an error message to refuse (nothing is written). A change on disk not yet reloaded is
  /// read first; if it cannot be read the update is refused. Throws KeystoreError when saving
  /// fails.
  std::string update(const std::function<std::string(Keystore&)>& change);

  /// Called with the new contents after each reload or update, before the call that made them
  /// returns (serialized; set before startWatching).
  void setOnChange(std::function<void(const Keystore&)> on_change) {
    on_change_ = std::move(on_change);
  }

 private:
  struct FileId {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    int64_t mtime_ns = 0;
    bool operator==(const FileId& o) const {
      return dev == o.dev && ino == o.ino && size == o.size && mtime_ns == o.mtime_ns;
    }
  };
  enum class Reload { kUnchanged, kLoaded, kFailed };
  Reload reloadLocked();  // caller holds update_mutex_
  bool stat(FileId* id) const;
  void run(int64_t interval_ms);

  StoreFileConfig config_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Keystore> current_;
  FileId seen_;
  bool unreadable_on_disk_ = false;  // the file changed and the last reload failed
  std::mutex update_mutex_;          // serializes update() and reload
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread watcher_;
  std::function<void(const Keystore&)> on_change_;
};

}  // namespace idgate
