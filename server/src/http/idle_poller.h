// Connections waiting for their next request (or the rest of a request head) wait here, in
// one epoll set, instead of on a request thread: an idle or slow client costs a descriptor,
// not a thread, so `threads` idle keep-alive connections cannot starve everybody else. A
// connection that becomes readable goes to the request threads; one idle past its deadline
// is closed.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/connection.h"

namespace idgate {

class IdlePoller {
 public:
  using Ready = std::function<void(std::unique_ptr<Connection>)>;

  /// `ready` runs on the poller thread for each connection that has bytes to read.
  IdlePoller(Ready ready, std::chrono::milliseconds idle_timeout);
  ~IdlePoller();

  void start();
  /// Closes every parked connection; later park() calls close theirs at once.
  void stop();
  /// The drain before stop(): closes the parked connections that are not awaiting the body
  /// of a request (Connection::inBodyWait); those go on being watched, and later park()
  /// calls close only the others.
  void closeIdle();
  /// Holds `connection` until it is readable or has been idle for the idle timeout.
  void park(std::unique_ptr<Connection> connection);
  size_t parked() const;

 private:
  struct Parked {
    std::unique_ptr<Connection> connection;
    std::chrono::steady_clock::time_point deadline;
  };
  void run();
  /// Removes the parked connections `which` selects from the set and the epoll set.
  std::vector<std::unique_ptr<Connection>> takeLocked(
      const std::function<bool(const Parked&)>& which);

  Ready ready_;
  std::chrono::milliseconds idle_timeout_;
  int epoll_ = -1;
  int wake_ = -1;  ///< eventfd: stop() wakes the thread
  mutable std::mutex mutex_;
  std::unordered_map<int, Parked> parked_;  ///< by descriptor
  bool stopping_ = false;
  bool draining_ = false;
  std::thread thread_;
};

}  // namespace idgate
