#include "http/read_deadlines.h"

#include <Poco/Logger.h>

#include <string>
#include <vector>

#include "http/connection.h"

namespace idgate {

ReadDeadlines::~ReadDeadlines() { stop(); }

void ReadDeadlines::start() {
  thread_ = std::thread([this] { run(); });
}

void ReadDeadlines::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ReadDeadlines::watch(Connection* connection, std::chrono::steady_clock::time_point deadline) {
  std::lock_guard<std::mutex> lock(mutex_);
  watched_[connection] = deadline;
}

void ReadDeadlines::unwatch(Connection* connection) {
  std::lock_guard<std::mutex> lock(mutex_);
  watched_.erase(connection);
}

void ReadDeadlines::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(250));
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::string> late;
    for (auto it = watched_.begin(); it != watched_.end();) {
      if (it->second > now) {
        ++it;
        continue;
      }
      // Under the lock: the owner cannot unwatch and destroy the connection meanwhile.
      late.push_back(it->first->peerHost());
      it->first->shutdown();
      it = watched_.erase(it);
    }
    if (late.empty()) continue;
    lock.unlock();  // a blocked log must not block watch() and unwatch()
    for (const auto& peer : late) {
      Poco::Logger::get("idgate.http")
          .information("closed a connection from " + peer + ": request not received in time");
    }
    lock.lock();
  }
}

}  // namespace idgate
