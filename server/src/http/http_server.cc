#include "http/http_server.h"

#include <Poco/Logger.h>
#include <openssl/ssl.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <future>
#include <thread>

#include "config/config_error.h"
#include "http/tls_settings.h"

namespace idgate {
namespace {

/// Open connections beyond this are closed as they are accepted (each costs a descriptor and
/// a little memory while it waits).
constexpr size_t kMaxConnections = 20000;
/// How long stop() lets requests in progress finish before it closes their connections.
constexpr std::chrono::seconds kDrainLimit{40};

/// Logs `text` unless a line was logged through `last` (steady seconds) in the last 5 s: a
/// condition that repeats per connection must not flood the log.
void warnAtMostEvery5s(std::atomic<int64_t>& last, const std::string& text) {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  if (now - last.exchange(now) >= 5) Poco::Logger::get("idgate.http").warning(text);
}

std::string urlFor(const ListenerConfig& l, int port) {
  std::string host = l.host == "0.0.0.0" || l.host.empty() ? "127.0.0.1" : l.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(l.scheme == ListenerConfig::Scheme::kHttps ? "https" : "http") + "://" + host +
         ":" + std::to_string(port);
}

std::shared_ptr<boost::asio::ssl::context> tlsContext(const ServerConfig& config,
                                                      const ListenerConfig& l,
                                                      const Keystore& keystore) {
  std::string alias = l.key_alias.empty() ? config.keystore.key_alias : l.key_alias;
  const KeystoreEntry* e = keystore.find(alias);
  if (e == nullptr || e->kind != KeystoreEntry::Kind::kPrivateKey || e->chain.empty()) {
    throw ConfigError(config.file +
                      ": element <Server/Listeners/Listener> attribute 'keyAlias': "
                      "keystore has no private key entry '" +
                      alias + "' with a certificate");
  }
  auto ctx = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
  SSL_CTX* ssl = ctx->native_handle();
  if (std::string why = applyTlsSettings(ssl, config.tls); !why.empty()) {
    throw ConfigError(config.file + ": element <Server/Tls> attribute " + why);
  }
  SSL_CTX_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_use_certificate(ssl, e->chain.front().get()) != 1 ||
      SSL_CTX_use_PrivateKey(ssl, e->key.get()) != 1 || SSL_CTX_check_private_key(ssl) != 1) {
    throw ConfigError(config.file +
                      ": element <Server/Listeners/Listener> attribute 'keyAlias': "
                      "key '" +
                      alias + "' cannot be used for TLS");
  }
  for (size_t i = 1; i < e->chain.size(); ++i) SSL_CTX_add1_chain_cert(ssl, e->chain[i].get());
  return ctx;
}

}  // namespace

std::vector<BoundListener> bindListeners(const ServerConfig& config, const Keystore& keystore,
                                         IoLoops& loops) {
  using boost::asio::ip::tcp;
  std::vector<BoundListener> out;
  for (const auto& l : config.listeners) {
    BoundListener b;
    b.config = l;
    if (l.scheme == ListenerConfig::Scheme::kHttps) b.tls = tlsContext(config, l, keystore);
    auto where = [&] { return l.host + ":" + std::to_string(l.port); };
    boost::system::error_code ec;
    boost::asio::ip::address address = boost::asio::ip::make_address(l.host, ec);
    if (ec) {
      // A name: resolved once, at startup.
      tcp::resolver resolver(loops.loop(0));
      auto results = resolver.resolve(l.host, std::to_string(l.port), ec);
      if (ec || results.empty()) {
        throw ConfigError(config.file +
                          ": element <Server/Listeners/Listener> attribute 'host': cannot "
                          "resolve '" +
                          l.host + "': " + ec.message());
      }
      address = results.begin()->endpoint().address();
    }
    tcp::endpoint endpoint(address, static_cast<uint16_t>(l.port));
    b.acceptor = std::make_unique<tcp::acceptor>(loops.loop(out.size() % loops.size()));
    b.acceptor->open(endpoint.protocol(), ec);
    // SO_REUSEADDR (a restart need not wait out TIME_WAIT) but never SO_REUSEPORT: with it a
    // second server could bind the same port and the kernel would split connections.
    if (!ec) b.acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) b.acceptor->bind(endpoint, ec);
    if (!ec) b.acceptor->listen(1024, ec);
    if (ec) {
      throw ConfigError(config.file +
                        ": element <Server/Listeners/Listener> attribute 'port': cannot listen "
                        "on " +
                        where() + ": " + ec.message() +
                        (ec == boost::asio::error::address_in_use
                             ? " (another process holds the port: stop it or choose another)"
                             : ""));
    }
    b.url = urlFor(l, b.acceptor->local_endpoint().port());
    out.push_back(std::move(b));
  }
  return out;
}

HttpServer::HttpServer(RequestHandler& handler, IoLoops& loops,
                       std::vector<BoundListener> listeners, const HttpServerOptions& options)
    : loops_(loops),
      listeners_(std::move(listeners)),
      workers_("worker", options.workers, options.max_queued),
      streams_("stream", options.stream_workers, options.max_queued),
      host_{handler, workers_, streams_, options.max_request_bytes} {
  for (size_t i = 0; i < loops_.size(); ++i) sessions_.push_back(std::make_unique<LoopSessions>());
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  for (size_t i = 0; i < listeners_.size(); ++i) {
    boost::asio::post(listeners_[i].acceptor->get_executor(), [this, i] { accept(i); });
    Poco::Logger::get("idgate").information("listening on " + listeners_[i].url);
  }
}

void HttpServer::accept(size_t index) {
  BoundListener& l = listeners_[index];
  const size_t loop = loops_.nextIndex();
  l.acceptor->async_accept(
      loops_.loop(loop), [this, index, loop](const boost::system::error_code& ec,
                                             boost::asio::ip::tcp::socket socket) {
        BoundListener& bl = listeners_[index];
        if (ec == boost::asio::error::operation_aborted || !bl.acceptor->is_open()) return;
        if (ec) {
          // Descriptors exhausted, or a client that reset before the accept: back off, go on.
          static std::atomic<int64_t> last_warning{0};
          warnAtMostEvery5s(last_warning, "accept on " + bl.url + ": " + ec.message());
          auto timer = std::make_shared<boost::asio::steady_timer>(bl.acceptor->get_executor(),
                                                                   std::chrono::milliseconds(100));
          timer->async_wait([this, index, timer](const boost::system::error_code&) {
            if (listeners_[index].acceptor->is_open()) accept(index);
          });
          return;
        }
        if (host_.live.load(std::memory_order_relaxed) >= kMaxConnections) {
          static std::atomic<int64_t> last_warning{0};
          warnAtMostEvery5s(last_warning, "more than " + std::to_string(kMaxConnections) +
                                              " connections open: closing new ones until some end");
          // `socket` closes here.
        } else {
          host_.live.fetch_add(1, std::memory_order_relaxed);  // counted at once: the cap holds
          boost::asio::post(
              loops_.loop(loop), [this, loop, tls = bl.tls, s = std::move(socket)]() mutable {
                auto session = std::make_shared<HttpSession>(
                    host_, *sessions_[loop], loops_.loop(loop), std::move(s), tls.get());
                // The context outlives the session: the listener keeps it until the server ends.
                session->start();
              });
        }
        accept(index);
      });
}

void HttpServer::onEveryLoop(const std::function<void(size_t)>& fn) {
  std::vector<std::future<void>> done;
  for (size_t i = 0; i < loops_.size(); ++i) {
    auto p = std::make_shared<std::promise<void>>();
    done.push_back(p->get_future());
    boost::asio::post(loops_.loop(i), [i, p, &fn] {
      fn(i);
      p->set_value();
    });
  }
  for (auto& f : done) f.wait();
}

void HttpServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  host_.draining = true;
  // No new connections; those between requests close; requests in progress finish.
  for (auto& l : listeners_) {
    std::promise<void> closed;
    boost::asio::post(l.acceptor->get_executor(), [&] {
      boost::system::error_code ec;
      l.acceptor->close(ec);
      closed.set_value();
    });
    closed.get_future().wait();
  }
  onEveryLoop([this](size_t i) {
    LoopSessions copy = *sessions_[i];
    for (HttpSession* s : copy) s->drain();
  });
  const auto limit = std::chrono::steady_clock::now() + kDrainLimit;
  while (host_.live.load() > 0 && std::chrono::steady_clock::now() < limit) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // What is left past the limit is closed; blocked stream workers see their I/O fail.
  onEveryLoop([this](size_t i) {
    LoopSessions copy = *sessions_[i];
    for (HttpSession* s : copy) s->close();
  });
  host_.handler.shutdown();
  workers_.stop();
  streams_.stop();
}

}  // namespace idgate
