// One accepted client connection on its event loop: TLS handshake, request heads and bodies
// read with idgate's own parser, the request handed to its handler (on the loop, the worker
// pool, or the stream pool), the response written, then the next request. Deadlines are the
// connection's own timer: the head from its first byte, the body's pace, idle keep-alive, each
// write. After a request every other ready connection of the loop gets its turn first.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>

#include "http/chunked_decoder.h"
#include "http/connection.h"
#include "http/request_handler.h"
#include "http/request_head.h"

namespace idgate {

class WorkerPool;
class HttpSession;

inline constexpr std::chrono::seconds kIdleTimeout{10};  ///< between requests; each write
inline constexpr std::chrono::seconds kHeadTimeout{30};  ///< a whole head (and TLS handshake)

/// What every session of a server shares.
struct SessionHost {
  RequestHandler& handler;
  WorkerPool& workers;
  WorkerPool& streams;
  int64_t max_request_bytes;
  std::atomic<bool> draining{false};
  std::atomic<size_t> live{0};
};

/// The sessions of one loop (touched on that loop only), for the drain.
using LoopSessions = std::unordered_set<HttpSession*>;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  /// `tls` null: plain HTTP. The socket belongs to `io`.
  HttpSession(SessionHost& host, LoopSessions& sessions, boost::asio::io_context& io,
              boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  /// On the loop: starts reading (after the TLS handshake).
  void start();
  /// On the loop, when the server stops: a connection between requests closes now, one with
  /// a request in progress after its response.
  void drain();
  /// On the loop: closes at once.
  void close();

 private:
  class Stream;
  friend class Stream;
  enum class State { kHandshake, kHead, kBody, kBusy, kClosing, kClosed };

  template <class Buffers, class Handler>
  void asyncReadSome(const Buffers& buffers, Handler&& handler);
  template <class Buffers, class Handler>
  void asyncWrite(const Buffers& buffers, Handler&& handler);

  /// The connection closes at `deadline` unless re-armed or disarmed first.
  void arm(std::chrono::steady_clock::time_point deadline);
  void disarm();
  void readHead();
  /// Receives into the buffer, then continues in the current state.
  void readMore();
  void onHead(RequestHead head, size_t consumed);
  void readBody();
  void dispatch();
  /// The handler's answer to the request read; a handler that throws (none should) is a 500.
  HttpResponseData answer(Placement where);
  /// Sends `response` from this connection's loop (called from any thread).
  void respondOnLoop(HttpResponseData response);
  void startStream();
  void respond(const HttpResponseData& response);
  void write(std::string data, void (HttpSession::*next)());
  void afterResponse();
  void lingeringClose();
  void tlsShutdown();
  void discard();

  SessionHost& host_;
  LoopSessions& sessions_;
  boost::asio::io_context& io_;
  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;
  boost::asio::steady_timer timer_;
  uint64_t timer_generation_ = 0;  ///< arm() and disarm() make earlier completions stale
  std::unique_ptr<Stream> stream_;
  std::string peer_host_;
  State state_ = State::kHead;

  // The request in progress.
  bool head_begun_ = false;
  std::chrono::steady_clock::time_point head_started_;
  RequestHead head_;
  BodyFraming framing_;
  HttpRequestData request_;
  Placement placement_ = Placement::kLoop;
  std::chrono::steady_clock::time_point start_;
  ChunkedDecoder chunked_;
  bool body_read_ = false;
  std::chrono::steady_clock::time_point body_window_;  ///< body pace window start
  size_t window_bytes_ = 0;                            ///< bytes received in the window
  bool keep_alive_ = false;
  std::string out_;
  size_t discarded_ = 0;
};

}  // namespace idgate
