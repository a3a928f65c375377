// A byte stream a request is read from and its response written to, with the receive buffer
// that the request head, the body readers and the next request share. The event loop's
// sessions and the blocking streams of the worker threads (gateway) implement fill() and
// write(); no exceptions escape: a timeout, reset or TLS failure is a false result and the
// stream is done.
#pragma once

#include <string>
#include <string_view>

namespace idgate {

class Connection {
 public:
  virtual ~Connection() = default;
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Received bytes not consumed yet.
  std::string_view buffered() const { return std::string_view(in_).substr(pos_); }
  void consume(size_t n);
  /// Frees the receive buffer's memory when nothing is buffered (a connection going idle).
  void releaseBuffer() {
    if (pos_ >= in_.size()) {
      std::string().swap(in_);
      pos_ = 0;
    }
  }
  /// Up to `n` bytes, buffered ones first; -1 at end of stream, on timeout or error.
  long read(char* out, size_t n);

  /// Receives more bytes into the buffer; false on end of stream, timeout or error.
  virtual bool fill() = 0;
  /// Sends all of `data`; false when the peer is gone or the send timed out.
  virtual bool write(std::string_view data) = 0;

  /// "100 Continue" already went out for the current request: the exchange must not send
  /// another.
  void setContinueSent(bool sent) { continue_sent_ = sent; }
  bool continueSent() const { return continue_sent_; }

 protected:
  /// The receive buffer: fill() appends at its end. Consumed bytes are dropped once they are
  /// half of it.
  std::string& receiveBuffer();

 private:
  std::string in_;
  size_t pos_ = 0;
  bool continue_sent_ = false;
};

/// Writes collect into `out` (a response formatted on the event loop, sent from there);
/// nothing can be read.
class CollectingConnection : public Connection {
 public:
  bool fill() override { return false; }
  bool write(std::string_view data) override {
    out.append(data);
    return true;
  }
  std::string out;
};

}  // namespace idgate
