// One accepted client connection (plain or TLS, through Poco's StreamSocket): a receive buffer
// shared by the request head and body readers, and whole writes. No exceptions escape: a
// timeout, reset or TLS failure is a false/negative result and the connection is done.
#pragma once

#include <Poco/Net/StreamSocket.h>
#include <openssl/types.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace idgate {

class Connection {
 public:
  /// `tls`: for a TLS socket, the OpenSSL object behind it (tls::takeCreatedSsl()), which
  /// the handshake and head reads step on a non-blocking descriptor; null for plain HTTP.
  explicit Connection(Poco::Net::StreamSocket socket, SSL* tls = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Connections open in this process right now.
  static size_t live();

  bool secure() const { return ssl_ != nullptr; }
  const std::string& peerHost() const { return peer_host_; }

  /// Received bytes not consumed yet.
  std::string_view buffered() const { return std::string_view(in_).substr(pos_); }
  void consume(size_t n);
  /// TLS: advances the handshake with what has arrived and returns kWait when bytes are
  /// missing (call again when readable); a server flight the client is slow to take waits up
  /// to `timeout`. Plain: kDone.
  enum class Handshake { kDone, kWait, kFailed };
  Handshake handshake(std::chrono::milliseconds timeout);
  bool handshakeDone() const { return ssl_ == nullptr || handshake_done_; }

  /// Receives more bytes into the buffer (waiting at most the timeout); false on end of
  /// stream, timeout or error.
  bool fill();
  /// After readable(): receives what has arrived without waiting for more. kWouldBlock: TLS
  /// holds part of a record only; call again when readable.
  enum class Fill { kGot, kWouldBlock, kClosed };
  Fill fillArrived();

  /// Up to `n` bytes, buffered ones first; 0 at end of stream, -1 on timeout or error.
  long read(char* out, size_t n);

  /// Sends all of `data`; false when the peer is gone or the send timed out.
  bool write(std::string_view data);

  void setTimeout(std::chrono::milliseconds timeout);
  /// New bytes (beyond buffered()) can be received without waiting longer than `wait`: TLS
  /// holds some, or the socket is readable or closed.
  bool readable(std::chrono::milliseconds wait);
  int descriptor() const;

  /// The clock of the next request head: started when its first bytes (on TLS, of any record)
  /// are taken, stopped when the head is complete. A TLS connection starts with it running
  /// from the accept, so the handshake counts.
  void markHeadStart() {
    head_begun_ = true;
    head_started_ = std::chrono::steady_clock::now();
  }
  void endHead() { head_begun_ = false; }
  bool headBegun() const { return head_begun_; }
  std::chrono::steady_clock::time_point headStarted() const { return head_started_; }
  /// A request whose head is complete and whose body is still arriving waits in the poller,
  /// not on a request thread. `token` is released when the wait ends or the connection closes
  /// (the server counts these requests to finish them before it stops).
  void beginBodyWait(std::shared_ptr<void> token) {
    body_wait_ = std::move(token);
    body_wait_since_ = std::chrono::steady_clock::now();
    body_window_bytes_ = buffered().size();
  }
  void endBodyWait() { body_wait_.reset(); }
  /// `buffered` bytes are held now: every `pace` bytes more than at the window's start open a
  /// new window (bodyWaitSince() moves to now).
  void bodyProgress(size_t buffered, size_t pace) {
    if (buffered >= body_window_bytes_ + pace) {
      body_window_bytes_ = buffered;
      body_wait_since_ = std::chrono::steady_clock::now();
    }
  }
  bool inBodyWait() const { return body_wait_.use_count() != 0; }  // the token may hold null
  std::chrono::steady_clock::time_point bodyWaitSince() const { return body_wait_since_; }
  /// "100 Continue" went out while the body was awaited: the exchange must not send another.
  void setContinueSent(bool sent) { continue_sent_ = sent; }
  bool continueSent() const { return continue_sent_; }
  /// Ends both directions (unblocks a reader in another thread).
  void shutdown();
  /// Before closing with request bytes still unread: stop sending, then read and drop what
  /// the client still sends (bounded), so the kernel does not answer it with a reset that
  /// would destroy the response in flight (RFC 9112 §9.6).
  void lingeringClose();

 private:
  /// Drops consumed bytes once they are half the buffer.
  void compact();

  Poco::Net::StreamSocket socket_;
  SSL* ssl_;  ///< TLS only; owned by socket_
  bool handshake_done_ = false;
  bool head_begun_;
  std::string peer_host_;
  std::string in_;
  size_t pos_ = 0;
  std::chrono::steady_clock::time_point head_started_;
  std::shared_ptr<void> body_wait_;
  std::chrono::steady_clock::time_point body_wait_since_;
  size_t body_window_bytes_ = 0;
  bool continue_sent_ = false;
};

}  // namespace idgate
