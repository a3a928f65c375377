// Deadlines for reads that Poco's blocking sockets cannot bound by themselves: SO_RCVTIMEO
// limits one recv(), but a body sent slowly, or a TLS record of it trickled in a byte at a
// time, would hold a request thread for as long as the client likes. (Request heads and TLS
// handshakes are taken without waiting and parked in between; the deadline still covers their
// rare waits, such as a server flight the client is slow to take.) A request thread registers
// the connection before such a read; one thread checks four times a second and shuts down
// the socket of any connection past its deadline, which ends the read.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace idgate {

class Connection;

class ReadDeadlines {
 public:
  ReadDeadlines() = default;
  ~ReadDeadlines();

  void start();
  void stop();
  void watch(Connection* connection, std::chrono::steady_clock::time_point deadline);
  /// Call before the connection is parked, handed on or destroyed.
  void unwatch(Connection* connection);

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::unordered_map<Connection*, std::chrono::steady_clock::time_point> watched_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace idgate
