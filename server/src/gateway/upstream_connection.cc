#include "gateway/upstream_connection.h"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

#include "http/blocking_io.h"

namespace idgate {
namespace {
constexpr size_t kReadChunk = 16 * 1024;
}

void UpstreamRegistry::shutdownAll() {
  std::lock_guard<std::mutex> lock(mutex_);
  // shutdown(2) only: the kernel wakes whatever waits on the socket, and no Asio object is
  // touched from this thread. The registry's lock keeps the descriptor from being closed
  // meanwhile.
  for (UpstreamConnection* c : open_) {
    if (c->socket_.is_open()) ::shutdown(c->socket_.native_handle(), SHUT_RDWR);
  }
}

UpstreamConnection::UpstreamConnection(boost::asio::io_context& io, UpstreamRegistry& registry)
    : registry_(registry), socket_(io) {
  std::lock_guard<std::mutex> lock(registry_.mutex_);
  registry_.open_.insert(this);
}

UpstreamConnection::~UpstreamConnection() {
  std::lock_guard<std::mutex> lock(registry_.mutex_);
  registry_.open_.erase(this);
  close();
}

void UpstreamConnection::close() {
  // No operation is pending (each blocking call waits for its own to end), so the socket can
  // be closed from this thread.
  boost::system::error_code ec;
  socket_.close(ec);
}

std::string UpstreamConnection::connect(const std::string& host, uint16_t port,
                                        std::chrono::milliseconds timeout) {
  using boost::asio::ip::tcp;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  boost::system::error_code ec;
  // getaddrinfo on this (worker) thread, once per new connection; kept-alive ones skip it.
  tcp::resolver resolver(socket_.get_executor());
  tcp::resolver::results_type endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return "cannot resolve " + host + ": " + ec.message();
  IoResult r = runBlocking(socket_, deadline, [&](auto handler) {
    boost::asio::async_connect(
        socket_, endpoints,
        [handler = std::move(handler)](const boost::system::error_code& e,
                                       const tcp::endpoint&) mutable { handler(e, 0); });
  });
  if (r.timed_out) {
    timed_out_ = true;
    return "no connection within " + std::to_string(timeout.count()) + " ms";
  }
  if (!r.ok()) return r.error.message();
  socket_.set_option(tcp::no_delay(true), ec);
  return {};
}

bool UpstreamConnection::fill() {
  std::string& buf = receiveBuffer();
  const size_t old = buf.size();
  buf.resize(old + kReadChunk);
  char* at = buf.data() + old;
  IoResult r = runBlocking(socket_, std::chrono::steady_clock::now() + timeout_, [&](auto handler) {
    socket_.async_read_some(boost::asio::buffer(at, kReadChunk), std::move(handler));
  });
  buf.resize(old + r.bytes);
  timed_out_ = r.timed_out;
  end_of_stream_ = r.error == boost::asio::error::eof;
  return r.ok() && r.bytes > 0;
}

bool UpstreamConnection::write(std::string_view data) {
  IoResult r = runBlocking(socket_, std::chrono::steady_clock::now() + timeout_, [&](auto handler) {
    boost::asio::async_write(socket_, boost::asio::buffer(data.data(), data.size()),
                             std::move(handler));
  });
  timed_out_ = r.timed_out;
  return r.ok() && r.bytes == data.size();
}

bool UpstreamConnection::reusable() {
  if (!socket_.is_open() || !buffered().empty()) return false;
  // Nothing may be waiting: bytes would be a response to no request, 0 the upstream's close.
  char c;
  const ssize_t n = ::recv(socket_.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace idgate
