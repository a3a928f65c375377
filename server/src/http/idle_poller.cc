#include "http/idle_poller.h"

#include <Poco/Logger.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace idgate {

IdlePoller::IdlePoller(Ready ready, std::chrono::milliseconds idle_timeout)
    : ready_(std::move(ready)), idle_timeout_(idle_timeout) {
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  wake_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_;
  if (epoll_ < 0 || wake_ < 0 || epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &ev) != 0) {
    throw std::runtime_error(std::string("epoll: ") + std::strerror(errno));
  }
}

IdlePoller::~IdlePoller() {
  stop();
  close(wake_);
  close(epoll_);
}

void IdlePoller::start() {
  thread_ = std::thread([this] { run(); });
}

void IdlePoller::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_, &one, sizeof(one));
  if (thread_.joinable()) thread_.join();
  std::unordered_map<int, Parked> closing;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closing.swap(parked_);
  }
  for (auto& [fd, p] : closing) p.connection->shutdown();  // no TLS close_notify can block
}  // closed here, outside the lock

std::vector<std::unique_ptr<Connection>> IdlePoller::takeLocked(
    const std::function<bool(const Parked&)>& which) {
  std::vector<std::unique_ptr<Connection>> taken;
  for (auto it = parked_.begin(); it != parked_.end();) {
    if (!which(it->second)) {
      ++it;
      continue;
    }
    epoll_ctl(epoll_, EPOLL_CTL_DEL, it->first, nullptr);
    taken.push_back(std::move(it->second.connection));
    it = parked_.erase(it);
  }
  return taken;
}

void IdlePoller::closeIdle() {
  std::vector<std::unique_ptr<Connection>> closing;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    draining_ = true;
    closing = takeLocked([](const Parked& p) { return !p.connection->inBodyWait(); });
  }
  for (auto& c : closing) c->shutdown();
}  // closed here, outside the lock

size_t IdlePoller::parked() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return parked_.size();
}

void IdlePoller::park(std::unique_ptr<Connection> connection) {
  const int fd = connection->descriptor();
  std::unique_lock<std::mutex> lock(mutex_);
  if (stopping_ || (draining_ && !connection->inBodyWait())) {
    lock.unlock();
    connection->shutdown();
    return;  // closed
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.fd = fd;
  auto deadline = std::chrono::steady_clock::now() + idle_timeout_;
  auto [it, fresh] = parked_.emplace(fd, Parked{std::move(connection), deadline});
  if (!fresh || epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    Poco::Logger::get("idgate.http")
        .warning(std::string("cannot wait for a connection: ") + std::strerror(errno));
    if (fresh) parked_.erase(it);
  }
}

void IdlePoller::run() {
  std::vector<epoll_event> events(256);
  auto next_sweep = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  for (;;) {
    int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 250);
    std::vector<std::unique_ptr<Connection>> ready;
    std::vector<std::unique_ptr<Connection>> expired;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
      for (int i = 0; i < n; ++i) {
        auto it = parked_.find(events[static_cast<size_t>(i)].data.fd);
        if (it == parked_.end()) continue;  // the wake-up descriptor
        epoll_ctl(epoll_, EPOLL_CTL_DEL, it->first, nullptr);
        ready.push_back(std::move(it->second.connection));
        parked_.erase(it);
      }
      const auto now = std::chrono::steady_clock::now();
      if (now >= next_sweep) {
        next_sweep = now + std::chrono::seconds(1);
        expired = takeLocked([now](const Parked& p) { return p.deadline <= now; });
      }
    }
    // Idle too long: closed outside the lock, the socket shut down first so that a TLS
    // close_notify to a client that does not read cannot block.
    for (auto& c : expired) c->shutdown();
    expired.clear();
    for (auto& c : ready) ready_(std::move(c));
  }
}

}  // namespace idgate
