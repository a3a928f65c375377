#include "http/http_server.h"

#include <Poco/Logger.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureServerSocket.h>

#include <openssl/ssl.h>

#include <chrono>

#include "config/config_error.h"
#include "gateway/gateway.h"
#include "http/accepted_ssl.h"
#include "http/connection.h"
#include "http/read_deadlines.h"
#include "http/request_head.h"
#include "http/request_id.h"
#include "http/request_path.h"
#include "http/responses.h"
#include "http/routes.h"
#include "http/server_exchange.h"
#include "http/tls_settings.h"

namespace idgate {
namespace {

constexpr std::chrono::seconds kIdleTimeout{10};  ///< also the limit on any one read or write
constexpr std::chrono::seconds kHeadTimeout{30};  ///< a whole request head, from its first byte
/// How long a request thread waits for the next bytes itself before the connection goes to
/// the idle poller (under load the next request is usually there by then).
constexpr std::chrono::milliseconds kLinger{2};
/// Open connections beyond this are closed as they are accepted (each costs a descriptor and
/// a little memory while it waits in the poller).
constexpr size_t kMaxConnections = 10000;

void accessLog(const HttpRequestData& req, int status, std::chrono::steady_clock::time_point start,
               const std::string& note) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  char elapsed[32];
  std::snprintf(elapsed, sizeof(elapsed), "%.1fms", static_cast<double>(us) / 1000.0);
  std::string line;
  line.reserve(req.method.size() + req.path.size() + note.size() + 24);
  line.append(req.method).append(" ").append(req.path).append(" ").append(std::to_string(status));
  line.append(" ").append(elapsed);
  if (!note.empty()) line.append(" ").append(note);
  static Poco::Logger& access = Poco::Logger::get("idgate.access");  // lives until exit
  access.information(line);
}

/// Logged before the answer leaves, so a client that has the answer finds the line.
void answer(ServerExchange& exchange, const HttpRequestData& req, const HttpResponseData& res,
            std::chrono::steady_clock::time_point start) {
  accessLog(req, res.status, start, res.log_note);
  exchange.send(res, req.request_id);
}

/// A request head the server cannot read: answered, then the connection is closed, since
/// where the next request would start is unknown.
void refuse(Connection& connection, const HttpRequestData& req, ErrorCode code,
            const std::string& description, std::chrono::steady_clock::time_point start) {
  RequestHead head;
  head.method = req.method;
  ServerExchange exchange(connection, head);
  exchange.setKeepAlive(false);
  answer(exchange, req, errorResponse({code, description}), start);
}

std::string urlFor(const ListenerConfig& l, int port) {
  std::string host = l.host == "0.0.0.0" || l.host.empty() ? "127.0.0.1" : l.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(l.scheme == ListenerConfig::Scheme::kHttps ? "https" : "http") + "://" + host +
         ":" + std::to_string(port);
}

Poco::Net::Context::Ptr tlsContext(const ServerConfig& config, const ListenerConfig& l,
                                   const Keystore& keystore) {
  std::string alias = l.key_alias.empty() ? config.keystore.key_alias : l.key_alias;
  const KeystoreEntry* e = keystore.find(alias);
  if (e == nullptr || e->kind != KeystoreEntry::Kind::kPrivateKey || e->chain.empty()) {
    throw ConfigError(config.file +
                      ": element <Server/Listeners/Listener> attribute 'keyAlias': "
                      "keystore has no private key entry '" +
                      alias + "' with a certificate");
  }
  Poco::Net::Context::Ptr ctx =
      new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, Poco::Net::Context::Params());
  SSL_CTX* ssl = ctx->sslContext();
  // Poco's Context sets its own cipher list ("ALL:!ADH:!LOW:!EXP:!MD5"); <Tls> replaces it.
  if (std::string why = applyTlsSettings(ssl, config.tls); !why.empty()) {
    throw ConfigError(config.file + ": element <Server/Tls> attribute " + why);
  }
  if (SSL_CTX_use_certificate(ssl, e->chain.front().get()) != 1 ||
      SSL_CTX_use_PrivateKey(ssl, e->key.get()) != 1 || SSL_CTX_check_private_key(ssl) != 1) {
    throw ConfigError(config.file +
                      ": element <Server/Listeners/Listener> attribute 'keyAlias': "
                      "key '" +
                      alias + "' cannot be used for TLS");
  }
  for (size_t i = 1; i < e->chain.size(); ++i) {
    X509_up_ref(e->chain[i].get());
    SSL_CTX_add1_chain_cert(ssl, e->chain[i].get());
    X509_free(e->chain[i].get());
  }
  return ctx;
}

}  // namespace

std::vector<BoundListener> bindListeners(const ServerConfig& config, const Keystore& keystore) {
  std::vector<BoundListener> out;
  for (const auto& l : config.listeners) {
    BoundListener b;
    b.config = l;
    try {
      Poco::Net::SocketAddress addr(l.host, static_cast<Poco::UInt16>(l.port));
      if (l.scheme == ListenerConfig::Scheme::kHttps) {
        b.socket = std::make_unique<Poco::Net::SecureServerSocket>(tlsContext(config, l, keystore));
      } else {
        b.socket = std::make_unique<Poco::Net::ServerSocket>();
      }
      // SO_REUSEADDR (a restart need not wait out TIME_WAIT) but not SO_REUSEPORT, which
      // Poco's address constructors turn on: with it a second server bound the same port and
      // the kernel split connections between the two.
      b.socket->bind(addr, true, false);
      b.socket->listen(64);
    } catch (const ConfigError&) {
      throw;
    } catch (const Poco::Exception& e) {
      throw ConfigError(
          config.file +
          ": element <Server/Listeners/Listener> attribute 'port': cannot listen on " + l.host +
          ":" + std::to_string(l.port) + ": " + e.displayText());
    }
    b.url = urlFor(l, b.socket->address().port());
    out.push_back(std::move(b));
  }
  return out;
}

HttpServer::HttpServer(Routes& routes, Gateway* gateway, std::vector<BoundListener> listeners,
                       int threads, int64_t max_request_bytes)
    : routes_(routes),
      gateway_(gateway),
      listeners_(std::move(listeners)),
      threads_(std::max(threads, 1)),
      max_bytes_(max_request_bytes),
      poller_([this](std::unique_ptr<Connection> c) { enqueue(std::move(c)); }, kIdleTimeout) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  tls::watchSslCreation();  // before the first accept
  poller_.start();
  deadlines_.start();
  for (int i = 0; i < threads_; ++i) workers_.emplace_back([this] { workerLoop(); });
  for (size_t i = 0; i < listeners_.size(); ++i) {
    acceptors_.emplace_back([this, i] { acceptLoop(i); });
    Poco::Logger::get("idgate").information("listening on " + listeners_[i].url);
  }
}

void HttpServer::stop() {
  std::vector<std::unique_ptr<Connection>> dropped;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    // Connections waiting for a thread between requests are closed; a request whose body is
    // still arriving is finished.
    std::deque<std::unique_ptr<Connection>> kept;
    for (auto& c : queue_) {
      if (c->inBodyWait()) {
        kept.push_back(std::move(c));
      } else {
        dropped.push_back(std::move(c));
      }
    }
    queue_.swap(kept);
  }
  for (auto& c : dropped) c->shutdown();  // closed outside the lock
  dropped.clear();
  ready_.notify_all();
  for (auto& t : acceptors_) t.join();
  // Idle connections are closed; a request being served, or parked for the rest of its body,
  // finishes first (bounded by kBodyTimeout and the idle timeout); then the threads end.
  poller_.closeIdle();
  for (auto& t : workers_) t.join();
  poller_.stop();
  deadlines_.stop();
  acceptors_.clear();
  workers_.clear();
}

bool HttpServer::stopping() {
  std::lock_guard<std::mutex> lock(mutex_);
  return stopping_;
}

void HttpServer::enqueue(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!stopping_ || connection->inBodyWait()) {
      queue_.push_back(std::move(connection));
      connection = nullptr;
    }
  }
  if (connection != nullptr) {
    connection->shutdown();  // closed, outside the lock; no TLS close_notify can block
    return;
  }
  ready_.notify_one();
}

void HttpServer::acceptLoop(size_t index) {
  Poco::Net::ServerSocket& socket = *listeners_[index].socket;
  const bool secure = listeners_[index].config.scheme == ListenerConfig::Scheme::kHttps;
  auto last_warning = std::chrono::steady_clock::time_point{};
  auto warn = [&](const std::string& text) {  // at most one line every 5 s
    auto now = std::chrono::steady_clock::now();
    if (now - last_warning < std::chrono::seconds(5)) return;
    last_warning = now;
    Poco::Logger::get("idgate.http").warning(text);
  };
  while (!stopping()) {
    try {
      if (!socket.poll(Poco::Timespan(0, 200000), Poco::Net::Socket::SELECT_READ)) continue;
      tls::takeCreatedSsl();  // nothing left over
      Poco::Net::StreamSocket accepted = socket.acceptConnection();
      SSL* ssl = secure ? tls::takeCreatedSsl() : nullptr;  // created by Poco in the accept
      if (secure && (ssl == nullptr || SSL_get_fd(ssl) != accepted.impl()->sockfd())) {
        warn("TLS object of an accepted connection not found: connection closed");
        continue;  // closed
      }
      auto connection = std::make_unique<Connection>(std::move(accepted), ssl);
      if (Connection::live() > kMaxConnections) {
        warn("more than " + std::to_string(kMaxConnections) +
             " connections open: closing new ones until some end");
        continue;  // closed
      }
      connection->setTimeout(kIdleTimeout);
      // A new connection waits for its first bytes in the poller, not on a request thread.
      poller_.park(std::move(connection));
    } catch (const Poco::Exception& e) {
      // A client that reset before accept, or descriptors exhausted: back off, keep accepting.
      warn("accept: " + e.displayText());
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

void HttpServer::workerLoop() {
  for (;;) {
    std::unique_ptr<Connection> connection;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      // While stopping, the threads go on until no request waits for its body any more.
      ready_.wait(lock, [this] { return !queue_.empty() || (stopping_ && awaiting_bodies_ == 0); });
      if (queue_.empty()) return;
      connection = std::move(queue_.front());
      queue_.pop_front();
    }
    serve(std::move(connection));
  }
}

HeadStatus HttpServer::readHead(Connection& connection, RequestHead* head, size_t* consumed,
                                std::string* error, bool* park) {
  *park = false;
  // Whatever the way out, the connection is no longer watched: the caller may park it, hand
  // it on or close it.
  struct Unwatch {
    ReadDeadlines& deadlines;
    Connection* connection;
    ~Unwatch() { deadlines.unwatch(connection); }
  } unwatch{deadlines_, &connection};
  for (;;) {
    HeadStatus status = parseRequestHead(connection.buffered(), head, consumed, error);
    if (status != HeadStatus::kIncomplete) return status;
    // Waiting for the first byte of a head is idle time (the poller's limit); from there on,
    // the head (and a TLS handshake before it) must be complete within kHeadTimeout, however
    // slowly it trickles in: checked here between reads, and by the watchdog during one.
    const bool idle = !connection.headBegun();
    if (!idle && std::chrono::steady_clock::now() - connection.headStarted() > kHeadTimeout) {
      return HeadStatus::kIncomplete;  // closed
    }
    if (stopping()) return HeadStatus::kIncomplete;  // closed
    if (!connection.readable(kLinger)) {
      *park = true;  // back to a request thread when bytes arrive
      return HeadStatus::kIncomplete;
    }
    if (idle) connection.markHeadStart();
    deadlines_.watch(&connection, connection.headStarted() + kHeadTimeout);
    if (!connection.handshakeDone()) {
      switch (connection.handshake(kIdleTimeout)) {
        case Connection::Handshake::kDone:
          continue;
        case Connection::Handshake::kWait:
          *park = true;
          return HeadStatus::kIncomplete;
        case Connection::Handshake::kFailed:
          return HeadStatus::kIncomplete;  // closed
      }
    }
    switch (connection.fillArrived()) {
      case Connection::Fill::kGot:
        break;
      case Connection::Fill::kWouldBlock:  // part of a TLS record: the rest comes parked
        *park = true;
        return HeadStatus::kIncomplete;
      case Connection::Fill::kClosed:
        return HeadStatus::kIncomplete;  // closed
    }
  }
}

void HttpServer::serve(std::unique_ptr<Connection> connection) {
  for (;;) {
    RequestHead head;
    size_t consumed = 0;
    std::string error;
    bool park = false;
    const HeadStatus status = readHead(*connection, &head, &consumed, &error, &park);
    if (status == HeadStatus::kIncomplete) {
      if (park) poller_.park(std::move(connection));
      return;  // else closed: the client went away, timed out, or the server is stopping
    }
    const auto start = std::chrono::steady_clock::now();
    if (status != HeadStatus::kComplete) {
      HttpRequestData req;
      req.request_id = newRequestId();
      req.remote_address = connection->peerHost();
      setCurrentRequestId(req.request_id);
      refuse(
          *connection, req,
          status == HeadStatus::kTooLarge ? ErrorCode::kHeaderTooLarge : ErrorCode::kInvalidRequest,
          error, start);
      setCurrentRequestId("");
      connection->lingeringClose();
      return;
    }
    switch (awaitBody(*connection, head, consumed)) {
      case BodyWait::kReady:
        break;
      case BodyWait::kPark:
        poller_.park(std::move(connection));
        return;
      case BodyWait::kClose:
        return;  // closed
    }
    connection->consume(consumed);
    connection->endHead();
    ServerExchange exchange(*connection, head, &deadlines_);
    dispatch(*connection, exchange);
    connection->setContinueSent(false);
    setCurrentRequestId("");
    if (stopping()) return;  // draining: this request was finished, no further one is taken
    if (!exchange.reusable()) {
      if (!exchange.bodyRead()) connection->lingeringClose();
      return;
    }
    // A pipelined next head already begun: its time counts from now.
    if (!connection->buffered().empty()) connection->markHeadStart();
    // Fairness: one request, then every other connection that is ready gets its turn. Without
    // this a thread kept serving one keep-alive client as long as its next request came within
    // kLinger, and with more connections than threads a ready request waited seconds.
    if (othersWaiting()) {
      if (!connection->buffered().empty() || connection->readable(std::chrono::milliseconds(0))) {
        enqueue(std::move(connection));  // ready now (pipelined, or bytes already arrived)
      } else {
        poller_.park(std::move(connection));
      }
      return;
    }
  }
}

HttpServer::BodyWait HttpServer::awaitBody(Connection& connection, const RequestHead& head,
                                           size_t consumed) {
  const BodyFraming framing = bodyFraming(head);
  if (framing.kind != BodyFraming::Kind::kLength || framing.length > max_bytes_) {
    return BodyWait::kReady;  // no body, chunked, or refused by its declared size (413)
  }
  const size_t need = consumed + static_cast<size_t>(framing.length);
  if (connection.buffered().size() >= need) {
    connection.endBodyWait();
    return BodyWait::kReady;
  }
  if (!connection.inBodyWait()) {
    // Refused before its body is read (an ambiguous path), or streamed (a gateway route): as
    // before, on the thread.
    const std::string& target = head.target;
    auto canonical = canonicalPath(std::string_view(target).substr(0, target.find('?')));
    if (!canonical || (gateway_ != nullptr && gateway_->match(*canonical) != nullptr)) {
      return BodyWait::kReady;
    }
    if (stopping()) return BodyWait::kClose;  // no new waits once the drain has begun
    // Parked bodies are held in memory: within a budget, else read on a thread as before.
    const size_t reserve = static_cast<size_t>(framing.length);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (parked_body_bytes_ + reserve > kMaxParkedBodyBytes) return BodyWait::kReady;
      parked_body_bytes_ += reserve;
      ++awaiting_bodies_;
    }
    connection.beginBodyWait(std::shared_ptr<void>(nullptr, [this, reserve](void*) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        --awaiting_bodies_;
        parked_body_bytes_ -= reserve;
      }
      ready_.notify_all();
    }));
    const std::string* expect = findHeader(head.headers, "Expect");
    if (head.minor_version == 1 && expect != nullptr && sameHeaderName(*expect, "100-continue")) {
      if (!connection.write("HTTP/1.1 100 Continue\r\n\r\n")) return BodyWait::kClose;
      connection.setContinueSent(true);
    }
  }
  // A read that TLS has to turn into a blocking one is watched like a head read.
  struct Unwatch {
    ReadDeadlines& deadlines;
    Connection* connection;
    ~Unwatch() { deadlines.unwatch(connection); }
  } unwatch{deadlines_, &connection};
  while (connection.buffered().size() < need) {
    // At least kPaceBytes per kBodyTimeout, as for bodies read on a thread: each kPaceBytes
    // that arrived opens a new window.
    connection.bodyProgress(connection.buffered().size(), kPaceBytes);
    const auto window_end = connection.bodyWaitSince() + kBodyTimeout;
    if (std::chrono::steady_clock::now() > window_end) return BodyWait::kClose;
    if (!connection.readable(std::chrono::milliseconds(0))) return BodyWait::kPark;
    deadlines_.watch(&connection, window_end);
    switch (connection.fillArrived()) {
      case Connection::Fill::kGot:
        break;
      case Connection::Fill::kWouldBlock:
        return BodyWait::kPark;
      case Connection::Fill::kClosed:
        // Cut short: the body reader on the thread answers 400 for what is buffered.
        connection.endBodyWait();
        return BodyWait::kReady;
    }
  }
  connection.endBodyWait();
  return BodyWait::kReady;
}

bool HttpServer::othersWaiting() {
  std::lock_guard<std::mutex> lock(mutex_);
  return !queue_.empty();
}

void HttpServer::dispatch(Connection& connection, ServerExchange& exchange) {
  const RequestHead& head = exchange.head();
  const auto start = std::chrono::steady_clock::now();
  HttpRequestData req;
  req.request_id = newRequestId();
  setCurrentRequestId(req.request_id);
  req.method = head.method;
  size_t q = head.target.find('?');
  req.path = head.target.substr(0, q);
  if (q != std::string::npos) req.query = head.target.substr(q + 1);
  req.scheme = connection.secure() ? "https" : "http";
  req.remote_address = connection.peerHost();
  req.headers = head.headers;
  if (const std::string* v = req.header("Content-Type")) req.content_type = *v;
  if (const std::string* v = req.header("Authorization")) req.authorization = *v;
  if (const std::string* v = req.header("Host")) req.host = *v;

  const BodyFraming& framing = exchange.framing();
  if (framing.kind == BodyFraming::Kind::kInvalid) {
    exchange.setKeepAlive(false);
    answer(exchange, req, errorResponse({ErrorCode::kInvalidRequest, framing.error}), start);
    return;
  }
  const std::optional<std::string> canonical = canonicalPath(req.path);
  if (!canonical) {
    answer(
        exchange, req,
        errorResponse({ErrorCode::kInvalidRequest,
                       "ambiguous request path (dot segments, encoded separators or backslashes)"}),
        start);
    return;
  }
  if (const RouteConfig* route = gateway_ ? gateway_->match(*canonical) : nullptr) {
    std::string note;
    int status = 500;
    try {
      status = gateway_->handle(*route, exchange, req, &note);
    } catch (const std::exception& e) {
      Poco::Logger::get("idgate.http").error(std::string("gateway: ") + e.what());
      note = "internal error";
      exchange.setKeepAlive(false);  // framing of this connection is unknown now
      if (!exchange.started()) {
        status = 502;
        exchange.send(errorResponse({ErrorCode::kServerError, "gateway error"}), req.request_id);
      }
    }
    accessLog(req, status, start, "route=" + route->path + " " + note);
    return;
  }

  HttpResponseData res;
  switch (exchange.readAll(max_bytes_, &req.body)) {
    case ServerExchange::ReadResult::kTooLarge:
      res = errorResponse({ErrorCode::kPayloadTooLarge,
                           "request body exceeds " + std::to_string(max_bytes_) + " bytes"});
      break;
    case ServerExchange::ReadResult::kBroken:
      res = errorResponse({ErrorCode::kInvalidRequest, "the request body could not be read"});
      break;
    case ServerExchange::ReadResult::kOk:
      try {
        res = routes_.handle(req);
      } catch (const std::exception& e) {
        // Routes do not throw by design; this is the last line of defence.
        Poco::Logger::get("idgate.http").error(std::string("unhandled: ") + e.what());
        res = errorResponse({ErrorCode::kServerError, "internal error"});
      }
      break;
  }
  answer(exchange, req, res, start);
}

}  // namespace idgate
