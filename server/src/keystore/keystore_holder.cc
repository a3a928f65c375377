#include "keystore/keystore_holder.h"
#include "common/metrics.h"

#include <Poco/Logger.h>

namespace idgate {

KeystoreHolder::KeystoreHolder(StoreFileConfig config, std::shared_ptr<const Keystore> initial)
    : config_(std::move(config)), current_(std::move(initial)) {
  stat(&seen_);
}

KeystoreHolder::~KeystoreHolder() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

std::shared_ptr<const Keystore> KeystoreHolder::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

bool KeystoreHolder::stat(FileId* id) const {
  struct stat st {};
  if (::stat(config_.location.c_str(), &st) != 0) return false;
  id->dev = st.st_dev;
  id->ino = st.st_ino;
  id->size = st.st_size;
  id->mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return true;
}

bool KeystoreHolder::reloadIfChanged() {
  std::lock_guard<std::mutex> serial(update_mutex_);
  return reloadLocked() == Reload::kLoaded;
}

KeystoreHolder::Reload KeystoreHolder::reloadLocked() {
  FileId now;
  if (!stat(&now) || now == seen_) return Reload::kUnchanged;
  try {
    auto fresh = std::make_shared<const Keystore>(
        Keystore::load(config_.location, config_.type, config_.password, config_.key_password));
    {
      std::lock_guard<std::mutex> lock(mutex_);
      current_ = fresh;
    }
    seen_ = now;
    unreadable_on_disk_ = false;
    Poco::Logger::get("idgate.keystore")
        .information("reloaded " + config_.location + " (" +
                     std::to_string(fresh->entries().size()) + " entries)");
    Metrics::get().keystore_reloads.add({"loaded"});
    if (on_change_) on_change_(*fresh);
    return Reload::kLoaded;
  } catch (const KeystoreError& e) {
    // Keep serving with what we had; try again only when the file changes once more.
    seen_ = now;
    unreadable_on_disk_ = true;
    Poco::Logger::get("idgate.keystore")
        .error("reload of " + config_.location +
               " failed, keeping the previous contents: " + e.what());
    Metrics::get().keystore_reloads.add({"failed"});
    return Reload::kFailed;
  }
}

std::string KeystoreHolder::update(const std::function<std::string(Keystore&)>& change) {
  std::lock_guard<std::mutex> serial(update_mutex_);
  // A change made on disk (keytool) that the watcher has not picked up yet must not be
  // overwritten by a copy of the older contents: read it first, and refuse while the file on
  // disk cannot be read.
  if (reloadLocked() == Reload::kFailed || unreadable_on_disk_) {
    return "the keystore file " + config_.location +
           " was changed on disk and cannot be read; fix it before changing it here";
  }
  Keystore copy = *current();
  std::string refused = change(copy);
  if (!refused.empty()) return refused;
  copy.save(config_.location, config_.password, config_.key_password);
  auto fresh = std::make_shared<const Keystore>(std::move(copy));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    current_ = fresh;
  }
  stat(&seen_);
  if (on_change_) on_change_(*fresh);
  return {};
}

void KeystoreHolder::startWatching(int64_t interval_ms) {
  watcher_ = std::thread([this, interval_ms] { run(interval_ms); });
}

void KeystoreHolder::run(int64_t interval_ms) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (
      !wake_.wait_for(lock, std::chrono::milliseconds(interval_ms), [this] { return stopping_; })) {
    lock.unlock();
    reloadIfChanged();
    lock.lock();
  }
}

}  // namespace idgate
