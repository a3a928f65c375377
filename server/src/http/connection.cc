#include "http/connection.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>

namespace idgate {

namespace {
std::atomic<size_t> live_connections{0};

/// The descriptor non-blocking for one TLS step, blocking again after it (Poco's reads and
/// writes expect a blocking socket with timeouts).
class NonBlocking {
 public:
  explicit NonBlocking(int fd) : fd_(fd), flags_(::fcntl(fd, F_GETFL)) {
    if (flags_ >= 0) ::fcntl(fd_, F_SETFL, flags_ | O_NONBLOCK);
  }
  ~NonBlocking() {
    if (flags_ >= 0) ::fcntl(fd_, F_SETFL, flags_);
  }
  NonBlocking(const NonBlocking&) = delete;
  NonBlocking& operator=(const NonBlocking&) = delete;

 private:
  int fd_;
  int flags_;
};

std::string sslErrorText() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();  // this thread's queue: nothing stale for the next TLS call on it
  if (e == 0) return "connection closed";
  char text[256];
  ERR_error_string_n(e, text, sizeof(text));
  return text;
}

}  // namespace

size_t Connection::live() { return live_connections.load(std::memory_order_relaxed); }

Connection::~Connection() { live_connections.fetch_sub(1, std::memory_order_relaxed); }

Connection::Connection(Poco::Net::StreamSocket socket, SSL* tls)
    : socket_(std::move(socket)),
      ssl_(tls),
      head_begun_(tls != nullptr),
      head_started_(std::chrono::steady_clock::now()) {
  live_connections.fetch_add(1, std::memory_order_relaxed);
  try {
    socket_.setNoDelay(true);
    peer_host_ = socket_.peerAddress().host().toString();
  } catch (const Poco::Exception&) {
    // A peer already gone: the first read will say so.
  }
}

void Connection::consume(size_t n) {
  pos_ += n;
  if (pos_ == in_.size()) {
    in_.clear();
    pos_ = 0;
    if (in_.capacity() > 32768) in_.shrink_to_fit();  // a parked connection keeps little
  }
}

void Connection::compact() {
  if (pos_ > 0 && pos_ >= in_.size() / 2) {
    in_.erase(0, pos_);
    pos_ = 0;
  }
}

bool Connection::fill() {
  compact();
  char buf[16384];
  int n = 0;
  try {
    n = socket_.receiveBytes(buf, sizeof(buf));
  } catch (const Poco::Exception&) {
    return false;
  }
  if (n <= 0) return false;
  in_.append(buf, static_cast<size_t>(n));
  return true;
}

long Connection::read(char* out, size_t n) {
  if (pos_ < in_.size()) {
    size_t k = std::min(n, in_.size() - pos_);
    in_.copy(out, k, pos_);
    consume(k);
    return static_cast<long>(k);
  }
  try {
    int got = socket_.receiveBytes(out, static_cast<int>(std::min<size_t>(n, 1 << 20)));
    return got < 0 ? -1 : got;
  } catch (const Poco::Exception&) {
    return -1;
  }
}

bool Connection::write(std::string_view data) {
  try {
    while (!data.empty()) {
      int n =
          socket_.sendBytes(data.data(), static_cast<int>(std::min<size_t>(data.size(), 1 << 20)));
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  } catch (const Poco::Exception&) {
    return false;
  }
}

void Connection::setTimeout(std::chrono::milliseconds timeout) {
  try {
    Poco::Timespan t(static_cast<Poco::Timespan::TimeDiff>(timeout.count()) * 1000);
    socket_.setReceiveTimeout(t);
    socket_.setSendTimeout(t);
  } catch (const Poco::Exception&) {
  }
}

Connection::Handshake Connection::handshake(std::chrono::milliseconds timeout) {
  if (ssl_ == nullptr || handshake_done_) return Handshake::kDone;
  const int fd = descriptor();
  NonBlocking nb(fd);
  ERR_clear_error();
  for (;;) {
    const int rc = SSL_do_handshake(ssl_);
    if (rc == 1) {
      handshake_done_ = true;
      // Poco's own step, now without I/O, clears its "handshake ahead" flag; left set, its
      // first read or write would run one more time, with a peer certificate check.
      try {
        Poco::Net::SecureStreamSocket(socket_).completeHandshake();
      } catch (const Poco::Exception&) {
        return Handshake::kFailed;
      }
      return Handshake::kDone;
    }
    const int error = SSL_get_error(ssl_, rc);
    if (error == SSL_ERROR_WANT_READ) return Handshake::kWait;
    if (error == SSL_ERROR_WANT_WRITE) {
      // The server's own flight: never left half-written; the client gets `timeout` to take it.
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(timeout.count())) > 0) continue;
    }
    Poco::Logger::get("idgate.http")
        .information("TLS handshake with " + peer_host_ + " failed: " + sslErrorText());
    return Handshake::kFailed;
  }
}

Connection::Fill Connection::fillArrived() {
  if (ssl_ == nullptr) return fill() ? Fill::kGot : Fill::kClosed;  // readable: recv won't wait
  compact();
  char buf[16384];
  int n = 0;
  int error = SSL_ERROR_NONE;
  {
    NonBlocking nb(descriptor());
    ERR_clear_error();
    n = SSL_read(ssl_, buf, sizeof(buf));
    if (n <= 0) error = SSL_get_error(ssl_, n);
  }
  if (n > 0) {
    in_.append(buf, static_cast<size_t>(n));
    return Fill::kGot;
  }
  if (error == SSL_ERROR_WANT_READ) return Fill::kWouldBlock;
  // TLS must write first (a key update answer): the blocking read does that within timeouts.
  if (error == SSL_ERROR_WANT_WRITE) return fill() ? Fill::kGot : Fill::kClosed;
  ERR_clear_error();
  return Fill::kClosed;
}

bool Connection::readable(std::chrono::milliseconds wait) {
  try {
    if (ssl_ != nullptr && socket_.available() > 0) return true;  // decrypted, held by TLS
  } catch (const Poco::Exception&) {
    return true;  // the read will tell
  }
  pollfd p{descriptor(), POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(wait.count())) != 0;
}

int Connection::descriptor() const { return socket_.impl()->sockfd(); }

void Connection::shutdown() {
  // On the descriptor, not through TLS: another thread may be inside SSL_read.
  ::shutdown(socket_.impl()->sockfd(), SHUT_RDWR);
}

}  // namespace idgate

namespace idgate {

void Connection::lingeringClose() {
  // On the descriptor, TLS or not: what still arrives is dropped unread, so no TLS record can
  // hold the thread, and the whole linger is bounded in time and bytes.
  const int fd = descriptor();
  ::shutdown(fd, SHUT_WR);
  in_.clear();
  pos_ = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  char buf[16384];
  size_t dropped = 0;
  while (dropped < (1u << 20)) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n <= 0) break;
    dropped += static_cast<size_t>(n);
  }
}

}  // namespace idgate
