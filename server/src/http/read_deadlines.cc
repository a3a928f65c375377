#include "http/read_deadlines.h"

#include <Poco/Logger.h>

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
    for (auto it = watched_.begin(); it != watched_.end();) {
      if (it->second > now) {
        ++it;
        continue;
      }
      // Under the lock: the owner cannot unwatch and destroy the connection meanwhile.
      Poco::Logger::get("idgate.http")
          .information("closing a connection from " + it->first->peerHost() +
                       ": request not received in time");
      it->first->shutdown();
      it = watched_.erase(it);
    }
  }
}

}  // namespace idgate
