#include "jwks/jwks_network.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

namespace idgate {

int pollUntil(int fd, short events, Deadline deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return 0;
    // Rounded up so that a wait never ends just before the deadline and spins.
    int timeout = static_cast<int>(std::min<int64_t>(left.count() + 1, 60 * 60 * 1000));
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, timeout);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return -1;
    if (rc == 0) continue;  // the loop head decides whether the deadline has passed
    return 1;
  }
}

namespace {

class SystemHostResolver : public HostResolver {
 public:
  std::vector<std::string> resolve(const std::string& host, Deadline deadline,
                                   std::string* error) override {
    // getaddrinfo cannot be given a deadline: it runs on a thread of its own, and a late answer
    // is dropped with the shared state when that thread ends.
    struct State {
      std::mutex mutex;
      std::condition_variable done_cv;
      bool done = false;
      int rc = 0;
      std::vector<std::string> addresses;
    };
    auto state = std::make_shared<State>();
    std::thread([state, host] {
      addrinfo hints{};
      hints.ai_family = AF_UNSPEC;
      hints.ai_socktype = SOCK_STREAM;
      addrinfo* list = nullptr;
      int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &list);
      std::vector<std::string> out;
      for (addrinfo* a = rc == 0 ? list : nullptr; a != nullptr; a = a->ai_next) {
        char text[NI_MAXHOST];
        if (::getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof(text), nullptr, 0,
                          NI_NUMERICHOST) == 0 &&
            std::find(out.begin(), out.end(), text) == out.end()) {
          out.emplace_back(text);
        }
      }
      if (list != nullptr) ::freeaddrinfo(list);
      std::lock_guard<std::mutex> lock(state->mutex);
      state->rc = rc;
      state->addresses = std::move(out);
      state->done = true;
      state->done_cv.notify_all();
    }).detach();
    std::unique_lock<std::mutex> lock(state->mutex);
    if (!state->done_cv.wait_until(lock, deadline, [&] { return state->done; })) {
      *error = "no answer from the resolver in time";
      return {};
    }
    if (state->rc != 0) {
      *error = ::gai_strerror(state->rc);
      return {};
    }
    if (state->addresses.empty()) *error = "no address";
    return state->addresses;
  }
};

class TcpDialer : public Dialer {
 public:
  int dial(const std::string& ip, uint16_t port, Deadline deadline, std::string* error,
           bool* timed_out) override {
    *timed_out = false;
    sockaddr_storage storage{};
    socklen_t length = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    if (::inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
      v4->sin_port = htons(port);
      length = sizeof(sockaddr_in);
    } else if (::inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons(port);
      length = sizeof(sockaddr_in6);
    } else {
      *error = "'" + ip + "' is not a numeric address";
      return -1;
    }
    int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      *error = std::string("socket: ") + std::strerror(errno);
      return -1;
    }
    if (::connect(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0) {
      if (errno != EINPROGRESS) {
        *error = std::strerror(errno);
        ::close(fd);
        return -1;
      }
      int ready = pollUntil(fd, POLLOUT, deadline);
      if (ready <= 0) {
        *timed_out = ready == 0;
        *error = ready == 0 ? "timed out" : std::strerror(errno);
        ::close(fd);
        return -1;
      }
      int so_error = 0;
      socklen_t so_length = sizeof(so_error);
      if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_length) != 0 || so_error != 0) {
        *error = std::strerror(so_error != 0 ? so_error : errno);
        ::close(fd);
        return -1;
      }
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
  }
};

}  // namespace

std::unique_ptr<HostResolver> makeSystemHostResolver() {
  return std::make_unique<SystemHostResolver>();
}

std::unique_ptr<Dialer> makeTcpDialer() { return std::make_unique<TcpDialer>(); }

}  // namespace idgate
