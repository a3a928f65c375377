#include "http/http_session.h"
#include "common/metrics.h"

#include <Poco/Logger.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "http/access_log.h"
#include "http/blocking_io.h"
#include "http/request_id.h"
#include "http/request_path.h"
#include "http/server_exchange.h"
#include "http/worker_pool.h"

namespace idgate {
namespace {

constexpr size_t kReadChunk = 16 * 1024;
/// After a response that leaves request bytes unread: how long and how much of what the
/// client still sends is read and dropped before the close (RFC 9112 §9.6).
constexpr std::chrono::seconds kLingerTime{2};
constexpr size_t kLingerBytes = 256 * 1024;
constexpr const char* kOverloaded =
    "the server has more requests waiting than it takes: retry shortly";

}  // namespace

/// The connection's receive buffer and, for a stream worker (gateway), blocking reads and
/// writes run on the loop with the body pace as their deadline.
class HttpSession::Stream : public Connection {
 public:
  explicit Stream(HttpSession& session) : session_(session) {}

  std::string& buffer() { return receiveBuffer(); }

  /// A stream worker takes over the connection (on the worker): the pace window starts now.
  void beginBlocking() {
    window_ = last_end_ = std::chrono::steady_clock::now();
    window_bytes_ = 0;
  }

  bool fill() override {
    std::string& buf = receiveBuffer();
    const size_t old = buf.size();
    buf.resize(old + kReadChunk);
    char* at = buf.data() + old;
    IoResult r = runBlocking(session_.socket_, begin(), [&](auto handler) {
      session_.asyncReadSome(boost::asio::buffer(at, kReadChunk), std::move(handler));
    });
    buf.resize(old + r.bytes);
    moved(r.bytes);
    return r.ok() && r.bytes > 0;
  }

  bool write(std::string_view data) override {
    IoResult r = runBlocking(session_.socket_, begin(), [&](auto handler) {
      session_.asyncWrite(boost::asio::buffer(data.data(), data.size()), std::move(handler));
    });
    moved(r.bytes);
    return r.ok() && r.bytes == data.size();
  }

 private:
  /// The deadline of a read or write starting now: within kIdleTimeout, and kPaceBytes moved
  /// per kBodyTimeout of time spent waiting on the client (time the handler spent elsewhere,
  /// say waiting for the upstream, is not the client's and moves the window on).
  std::chrono::steady_clock::time_point begin() {
    const auto now = std::chrono::steady_clock::now();
    window_ += now - last_end_;
    return std::min(now + kIdleTimeout, window_ + kBodyTimeout);
  }
  void moved(size_t bytes) {
    last_end_ = std::chrono::steady_clock::now();
    window_bytes_ += bytes;
    if (window_bytes_ >= kPaceBytes) {
      window_ = std::chrono::steady_clock::now();
      window_bytes_ = 0;
    }
  }

  HttpSession& session_;
  std::chrono::steady_clock::time_point window_;
  std::chrono::steady_clock::time_point last_end_;  ///< of the last read or write
  size_t window_bytes_ = 0;
};

HttpSession::HttpSession(SessionHost& host, LoopSessions& sessions, boost::asio::io_context& io,
                         boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls)
    : host_(host),
      sessions_(sessions),
      io_(io),
      socket_(std::move(socket)),
      timer_(io),
      stream_(std::make_unique<Stream>(*this)) {
  // host_.live was counted when the connection was accepted.
  Metrics::get().connections_open.fetch_add(1, std::memory_order_relaxed);
  Metrics::get().connections_accepted.add({});
  if (tls != nullptr) {
    tls_ = std::make_unique<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>>(socket_, *tls);
  }
}

HttpSession::~HttpSession() {
  Metrics::get().connections_open.fetch_sub(1, std::memory_order_relaxed);
  // Only when a handler threw on the loop (which survives it): a closed session left its
  // loop's set already; one that ends unclosed must not stay there.
  if (state_ != State::kClosed) {
    sessions_.erase(this);
    host_.live.fetch_sub(1, std::memory_order_relaxed);
  }
}

template <class Buffers, class Handler>
void HttpSession::asyncReadSome(const Buffers& buffers, Handler&& handler) {
  if (tls_) {
    tls_->async_read_some(buffers, std::forward<Handler>(handler));
  } else {
    socket_.async_read_some(buffers, std::forward<Handler>(handler));
  }
}

template <class Buffers, class Handler>
void HttpSession::asyncWrite(const Buffers& buffers, Handler&& handler) {
  if (tls_) {
    boost::asio::async_write(*tls_, buffers, std::forward<Handler>(handler));
  } else {
    boost::asio::async_write(socket_, buffers, std::forward<Handler>(handler));
  }
}

void HttpSession::start() {
  sessions_.insert(this);
  boost::system::error_code ec;
  socket_.set_option(boost::asio::ip::tcp::no_delay(true), ec);
  auto peer = socket_.remote_endpoint(ec);
  if (ec) {
    close();  // gone before its first read
    return;
  }
  peer_host_ = peer.address().to_string();
  if (!tls_) {
    readHead();
    return;
  }
  // The head clock runs from the accept: the handshake counts towards kHeadTimeout.
  state_ = State::kHandshake;
  head_begun_ = true;
  head_started_ = std::chrono::steady_clock::now();
  SSL_set_mode(tls_->native_handle(), SSL_MODE_RELEASE_BUFFERS);  // idle connections keep little
  arm(head_started_ + kHeadTimeout);
  tls_->async_handshake(boost::asio::ssl::stream_base::server,
                        [self = shared_from_this()](const boost::system::error_code& e) {
                          if (e || self->state_ == State::kClosed) {
                            self->close();
                            return;
                          }
                          self->readHead();
                        });
}

void HttpSession::arm(std::chrono::steady_clock::time_point deadline) {
  const uint64_t generation = ++timer_generation_;
  timer_.expires_at(deadline);
  timer_.async_wait([self = shared_from_this(), generation](const boost::system::error_code& ec) {
    // A completion already queued when the timer was re-armed or disarmed is stale.
    if (ec || generation != self->timer_generation_ || self->state_ == State::kClosed) return;
    self->close();  // cancels the read or write that is late
  });
}

void HttpSession::disarm() {
  ++timer_generation_;
  boost::system::error_code ec;
  timer_.cancel(ec);
}

void HttpSession::drain() {
  // Between requests (a TLS connection counts its head from the accept: nothing buffered
  // means no request has begun).
  if (state_ == State::kHandshake || (state_ == State::kHead && stream_->buffered().empty())) {
    close();
  }
}

void HttpSession::close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  host_.live.fetch_sub(1, std::memory_order_relaxed);  // open connections, not objects
  sessions_.erase(this);
  disarm();
  boost::system::error_code ec;
  socket_.close(ec);
}

void HttpSession::readHead() {
  if (state_ == State::kClosed) return;
  state_ = State::kHead;
  RequestHead head;
  size_t consumed = 0;
  std::string error;
  const HeadStatus status = parseRequestHead(stream_->buffered(), &head, &consumed, &error);
  if (status == HeadStatus::kComplete) {
    onHead(std::move(head), consumed);
    return;
  }
  if (status != HeadStatus::kIncomplete) {
    // Where the next request would start is unknown: answered, then closed.
    start_ = std::chrono::steady_clock::now();
    request_ = HttpRequestData{};
    request_.request_id = newRequestId();
    request_.remote_address = peer_host_;
    head_ = RequestHead{};
    body_read_ = false;
    setCurrentRequestId(request_.request_id);
    respond(host_.handler.refusal(
        status == HeadStatus::kTooLarge ? Refusal::kHeadTooLarge : Refusal::kMalformed, error));
    setCurrentRequestId("");
    return;
  }
  if (!head_begun_ && !stream_->buffered().empty()) {
    head_begun_ = true;
    head_started_ = std::chrono::steady_clock::now();
  }
  if (!head_begun_ && host_.draining.load(std::memory_order_relaxed)) {
    close();
    return;
  }
  // Waiting for the first byte of a head is idle time; from there on the whole head must
  // arrive within kHeadTimeout, however slowly it trickles in.
  const auto now = std::chrono::steady_clock::now();
  if (head_begun_ && now > head_started_ + kHeadTimeout) {
    close();
    return;
  }
  arm(head_begun_ ? head_started_ + kHeadTimeout : now + kIdleTimeout);
  if (!tls_ && stream_->buffered().empty()) {
    // An idle plain connection holds no buffer: wait for readability first. (A TLS one reads
    // at once: bytes of a next record may already wait inside the TLS stream, where a wait
    // on the socket would not see them.)
    socket_.async_wait(boost::asio::ip::tcp::socket::wait_read,
                       [self = shared_from_this()](const boost::system::error_code& ec) {
                         if (ec || self->state_ == State::kClosed) {
                           self->close();
                           return;
                         }
                         self->readMore();
                       });
    return;
  }
  readMore();
}

void HttpSession::readMore() {
  std::string& buf = stream_->buffer();
  const size_t old = buf.size();
  buf.resize(old + kReadChunk);
  asyncReadSome(boost::asio::buffer(buf.data() + old, kReadChunk),
                [self = shared_from_this(), old](const boost::system::error_code& ec, size_t n) {
                  std::string& b = self->stream_->buffer();
                  b.resize(old + n);
                  if (self->state_ == State::kClosed) return;
                  if (ec || n == 0) {
                    if (self->state_ == State::kBody) {
                      // Cut short: answered 400 for what arrived (the client may read it).
                      self->respond(self->host_.handler.refusal(
                          Refusal::kMalformed, "the request body could not be read"));
                      return;
                    }
                    self->close();  // the client went away (or a TLS failure)
                    return;
                  }
                  if (self->state_ == State::kBody) {
                    self->window_bytes_ += n;
                    self->readBody();
                  } else {
                    self->readHead();
                  }
                });
}

void HttpSession::onHead(RequestHead head, size_t consumed) {
  stream_->consume(consumed);
  head_begun_ = false;
  head_ = std::move(head);
  start_ = std::chrono::steady_clock::now();
  request_ = HttpRequestData{};
  body_read_ = false;
  stream_->setContinueSent(false);
  HttpRequestData& req = request_;
  req.request_id = newRequestId();
  req.method = head_.method;
  const size_t q = head_.target.find('?');
  req.path = head_.target.substr(0, q);
  if (q != std::string::npos) req.query = head_.target.substr(q + 1);
  req.scheme = tls_ ? "https" : "http";
  req.remote_address = peer_host_;
  req.headers = head_.headers;
  if (const std::string* v = req.header("Content-Type")) req.content_type = *v;
  if (const std::string* v = req.header("Authorization")) req.authorization = *v;
  if (const std::string* v = req.header("Host")) req.host = *v;

  framing_ = bodyFraming(head_);
  if (framing_.kind == BodyFraming::Kind::kInvalid) {
    respond(host_.handler.refusal(Refusal::kMalformed, framing_.error));
    return;
  }
  const std::optional<std::string> canonical = canonicalPath(req.path);
  if (!canonical) {
    respond(host_.handler.refusal(
        Refusal::kMalformed,
        "ambiguous request path (dot segments, encoded separators or backslashes)"));
    return;
  }
  placement_ = host_.handler.placement(req, *canonical);
  if (placement_ == Placement::kStream) {
    startStream();
    return;
  }
  if (framing_.kind == BodyFraming::Kind::kNone) {
    body_read_ = true;
    dispatch();
    return;
  }
  if (framing_.kind == BodyFraming::Kind::kLength && framing_.length > host_.max_request_bytes) {
    respond(host_.handler.refusal(
        Refusal::kBodyTooLarge,
        "request body exceeds " + std::to_string(host_.max_request_bytes) + " bytes"));
    return;
  }
  chunked_ = ChunkedDecoder();
  body_window_ = std::chrono::steady_clock::now();
  window_bytes_ = 0;
  const std::string* expect = findHeader(head_.headers, "Expect");
  const bool complete = framing_.kind == BodyFraming::Kind::kLength &&
                        stream_->buffered().size() >= static_cast<size_t>(framing_.length);
  if (!complete && head_.minor_version == 1 && expect != nullptr &&
      sameHeaderName(*expect, "100-continue")) {
    stream_->setContinueSent(true);
    state_ = State::kBusy;
    write("HTTP/1.1 100 Continue\r\n\r\n", &HttpSession::readBody);
    return;
  }
  readBody();
}

void HttpSession::readBody() {
  if (state_ == State::kClosed) return;
  state_ = State::kBody;
  std::string_view in = stream_->buffered();
  if (framing_.kind == BodyFraming::Kind::kLength) {
    const size_t need = static_cast<size_t>(framing_.length) - request_.body.size();
    const size_t take = std::min(need, in.size());
    request_.body.append(in.substr(0, take));
    stream_->consume(take);
    if (take == need) {
      body_read_ = true;
      dispatch();
      return;
    }
  } else {
    size_t used = 0;
    const ChunkedDecoder::Status status = chunked_.feed(in, &used, &request_.body);
    stream_->consume(used);
    if (static_cast<int64_t>(request_.body.size()) > host_.max_request_bytes) {
      respond(host_.handler.refusal(
          Refusal::kBodyTooLarge,
          "request body exceeds " + std::to_string(host_.max_request_bytes) + " bytes"));
      return;
    }
    if (status == ChunkedDecoder::Status::kMalformed) {
      respond(host_.handler.refusal(Refusal::kMalformed, "the request body could not be read"));
      return;
    }
    if (status == ChunkedDecoder::Status::kDone) {
      body_read_ = true;
      dispatch();
      return;
    }
  }
  // At least kPaceBytes per kBodyTimeout: each kPaceBytes that arrived opens a new window.
  const auto now = std::chrono::steady_clock::now();
  if (window_bytes_ >= kPaceBytes) {
    body_window_ = now;
    window_bytes_ = 0;
  }
  if (now > body_window_ + kBodyTimeout) {
    close();
    return;
  }
  arm(body_window_ + kBodyTimeout);
  readMore();
}

void HttpSession::dispatch() {
  state_ = State::kBusy;
  disarm();
  if (placement_ == Placement::kLoop) {
    setCurrentRequestId(request_.request_id);
    respond(answer(Placement::kLoop));
    setCurrentRequestId("");
    return;
  }
  const bool queued = host_.workers.submit([self = shared_from_this()] {
    setCurrentRequestId(self->request_.request_id);
    HttpResponseData res = self->answer(Placement::kWorker);
    setCurrentRequestId("");
    self->respondOnLoop(std::move(res));
  });
  if (!queued) respond(host_.handler.refusal(Refusal::kOverloaded, kOverloaded));
}

HttpResponseData HttpSession::answer(Placement where) {
  try {
    return host_.handler.handle(request_, where);
  } catch (const std::exception& e) {
    // Handlers do not throw by design; this is the last line of defence.
    Poco::Logger::get("idgate.http").error(std::string("unhandled: ") + e.what());
    HttpResponseData res = host_.handler.refusal(Refusal::kMalformed, "internal error");
    res.status = 500;
    return res;
  }
}

void HttpSession::respondOnLoop(HttpResponseData res) {
  boost::asio::post(io_, [self = shared_from_this(), r = std::move(res)] {
    setCurrentRequestId(self->request_.request_id);
    self->respond(r);
    setCurrentRequestId("");
  });
}

void HttpSession::startStream() {
  state_ = State::kBusy;
  disarm();
  const bool queued = host_.streams.submit([self = shared_from_this()] {
    setCurrentRequestId(self->request_.request_id);
    self->stream_->beginBlocking();
    ServerExchange exchange(*self->stream_, self->head_);
    if (self->host_.draining.load(std::memory_order_relaxed)) exchange.setKeepAlive(false);
    std::string note;
    int status = 500;
    try {
      status = self->host_.handler.stream(exchange, self->request_, self->io_, &note);
    } catch (const std::exception& e) {
      Poco::Logger::get("idgate.http").error(std::string("stream: ") + e.what());
      note = "internal error";
      exchange.setKeepAlive(false);  // the framing of this connection is unknown now
      if (!exchange.started()) {
        HttpResponseData res = self->host_.handler.refusal(Refusal::kMalformed, "internal error");
        res.status = status = 500;
        exchange.send(res, self->request_.request_id);
      }
    }
    accessLog(self->request_, status, self->start_, note,
              self->host_.handler.routeLabel(self->request_));
    setCurrentRequestId("");
    const bool keep = exchange.reusable();
    const bool body_read = exchange.bodyRead();
    boost::asio::post(self->io_, [self, keep, body_read] {
      if (self->state_ == State::kClosed) return;
      self->keep_alive_ = keep;
      self->body_read_ = body_read;
      self->afterResponse();
    });
  });
  if (!queued) respond(host_.handler.refusal(Refusal::kOverloaded, kOverloaded));
}

void HttpSession::respond(const HttpResponseData& res) {
  if (state_ == State::kClosed) return;
  state_ = State::kBusy;
  if (res.hold) {
    // Sent when released (from whichever thread completes it), back on this loop.
    res.hold([self = shared_from_this()](HttpResponseData released) {
      released.hold = nullptr;
      self->respondOnLoop(std::move(released));
    });
    return;
  }
  CollectingConnection out;
  ServerExchange exchange(out, head_);
  if (body_read_) exchange.markBodyRead();
  if (host_.draining.load(std::memory_order_relaxed)) exchange.setKeepAlive(false);
  if (head_.method.empty()) exchange.setKeepAlive(false);  // a head that could not be read
  accessLog(request_, res.status, start_, res.log_note,
            head_.method.empty() ? "other" : host_.handler.routeLabel(request_));
  exchange.send(res, request_.request_id);
  keep_alive_ = exchange.reusable();
  write(std::move(out.out), &HttpSession::afterResponse);
}

void HttpSession::write(std::string data, void (HttpSession::*next)()) {
  out_ = std::move(data);
  arm(std::chrono::steady_clock::now() + kIdleTimeout);
  asyncWrite(boost::asio::buffer(out_),
             [self = shared_from_this(), next](const boost::system::error_code& ec, size_t) {
               if (self->state_ == State::kClosed) return;
               if (ec) {
                 self->close();
                 return;
               }
               self->out_.clear();
               ((*self).*next)();
             });
}

void HttpSession::afterResponse() {
  if (state_ == State::kClosed) return;
  if (!keep_alive_ || host_.draining.load(std::memory_order_relaxed)) {
    if (!body_read_) {
      lingeringClose();
    } else if (tls_) {
      tlsShutdown();
    } else {
      close();
    }
    return;
  }
  state_ = State::kHead;
  // What an idle connection keeps is small: the request, its head and the read buffer go.
  request_ = HttpRequestData{};
  head_ = RequestHead{};
  out_ = std::string();
  if (stream_->buffered().empty()) {
    stream_->releaseBuffer();
    readHead();
    return;
  }
  // A pipelined next head already begun: its time counts from now. Fairness: every other
  // ready connection of this loop is served before it.
  head_begun_ = true;
  head_started_ = std::chrono::steady_clock::now();
  disarm();
  boost::asio::post(io_, [self = shared_from_this()] { self->readHead(); });
}

void HttpSession::tlsShutdown() {
  // close_notify, so the client can tell the end of the connection from a cut (bounded: a
  // client that never answers it is closed after kLingerTime).
  state_ = State::kClosing;
  arm(std::chrono::steady_clock::now() + kLingerTime);
  tls_->async_shutdown(
      [self = shared_from_this()](const boost::system::error_code&) { self->close(); });
}

void HttpSession::lingeringClose() {
  state_ = State::kClosing;
  boost::system::error_code ec;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  stream_->consume(stream_->buffered().size());
  discarded_ = 0;
  arm(std::chrono::steady_clock::now() + kLingerTime);
  discard();
}

void HttpSession::discard() {
  std::string& buf = stream_->buffer();
  buf.resize(kReadChunk);
  socket_.async_read_some(
      boost::asio::buffer(buf.data(), kReadChunk),
      [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
        self->stream_->buffer().clear();
        if (self->state_ == State::kClosed) return;
        self->discarded_ += n;
        if (ec || n == 0 || self->discarded_ > kLingerBytes) {
          self->close();
          return;
        }
        self->discard();
      });
}

}  // namespace idgate
