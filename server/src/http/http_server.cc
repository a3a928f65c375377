#include "http/http_server.h"

#include <Poco/Logger.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/URI.h>

#include <openssl/ssl.h>

#include <chrono>

#include "config/config_error.h"
#include "gateway/gateway.h"
#include "http/poco_io.h"
#include "http/request_id.h"
#include "http/request_path.h"
#include "http/routes.h"

namespace idgate {
namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(Routes& routes, Gateway* gateway, int64_t max_bytes)
      : routes_(routes), gateway_(gateway), max_bytes_(max_bytes) {}

  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    auto start = std::chrono::steady_clock::now();
    HttpRequestData req;
    req.request_id = newRequestId();
    setCurrentRequestId(req.request_id);
    req.method = request.getMethod();
    std::string uri = request.getURI();
    size_t q = uri.find('?');
    req.path = uri.substr(0, q);
    if (q != std::string::npos) req.query = uri.substr(q + 1);
    req.content_type = request.getContentType();
    req.authorization = request.get("Authorization", "");
    req.scheme = request.secure() ? "https" : "http";
    req.host = request.getHost();
    req.remote_address = request.clientAddress().host().toString();
    for (const auto& [k, v] : request) req.headers.emplace_back(k, v);

    const std::optional<std::string> canonical = canonicalPath(req.path);
    if (!canonical) {
      HttpResponseData res = errorResponse(
          {ErrorCode::kInvalidRequest,
           "ambiguous request path (dot segments, encoded separators or backslashes)"});
      response.setKeepAlive(false);  // the body, if any, is not read
      sendResponse(response, req.request_id, res);
      accessLog(req, res.status, start, res.log_note);
      setCurrentRequestId("");
      return;
    }
    if (const RouteConfig* route = gateway_ ? gateway_->match(*canonical) : nullptr) {
      std::string note;
      int status = 500;
      try {
        status = gateway_->handle(*route, request, response, req, &note);
      } catch (const std::exception& e) {
        Poco::Logger::get("idgate.http").error(std::string("gateway: ") + e.what());
        note = "internal error";
        response.setKeepAlive(false);  // framing of this connection is unknown now
        if (!response.sent()) {
          status = 502;
          sendResponse(response, req.request_id,
                       errorResponse({ErrorCode::kServerError, "gateway error"}));
        }
      }
      accessLog(req, status, start, "route=" + route->path + " " + note);
      setCurrentRequestId("");
      return;
    }

    HttpResponseData res;
    if (!readBody(request, max_bytes_, &req.body)) {
      res = errorResponse({ErrorCode::kPayloadTooLarge,
                           "request body exceeds " + std::to_string(max_bytes_) + " bytes"});
      response.setKeepAlive(false);
    } else {
      try {
        res = routes_.handle(req);
      } catch (const std::exception& e) {
        // Routes do not throw by design; this is the last line of defence.
        Poco::Logger::get("idgate.http").error(std::string("unhandled: ") + e.what());
        res = errorResponse({ErrorCode::kServerError, "internal error"});
      }
    }
    sendResponse(response, req.request_id, res);
    accessLog(req, res.status, start, res.log_note);
    setCurrentRequestId("");
  }

 private:
  static void accessLog(const HttpRequestData& req, int status,
                        std::chrono::steady_clock::time_point start, const std::string& note) {
    auto ms = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count() /
              1000.0;
    char elapsed[32];
    std::snprintf(elapsed, sizeof(elapsed), "%.1fms", ms);
    Poco::Logger::get("idgate.access")
        .information(req.method + " " + req.path + " " + std::to_string(status) + " " + elapsed +
                     (note.empty() ? "" : " " + note));
  }

  Routes& routes_;
  Gateway* gateway_;
  int64_t max_bytes_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(Routes& routes, Gateway* gateway, int64_t max_bytes)
      : routes_(routes), gateway_(gateway), max_bytes_(max_bytes) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new Handler(routes_, gateway_, max_bytes_);
  }

 private:
  Routes& routes_;
  Gateway* gateway_;
  int64_t max_bytes_;
};

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
  SSL_CTX_set_min_proto_version(ssl, TLS1_2_VERSION);
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
        b.socket = std::make_unique<Poco::Net::SecureServerSocket>(addr, 64,
                                                                   tlsContext(config, l, keystore));
      } else {
        b.socket = std::make_unique<Poco::Net::ServerSocket>(addr, 64);
      }
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
    : listeners_(std::move(listeners)), pool_("http", 2, threads + 2) {
  for (auto& l : listeners_) {
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(threads);
    params->setMaxQueued(256);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(10, 0));
    params->setServerName("idgate");
    servers_.push_back(std::make_unique<Poco::Net::HTTPServer>(
        new Factory(routes, gateway, max_request_bytes), pool_, *l.socket, params));
  }
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  for (size_t i = 0; i < servers_.size(); ++i) {
    servers_[i]->start();
    Poco::Logger::get("idgate").information("listening on " + listeners_[i].url);
  }
}

void HttpServer::stop() {
  if (servers_.empty()) return;
  // Stop accepting; connections close after their current request, which finishes.
  for (auto& s : servers_) s->stopAll(false);
  pool_.joinAll();
  servers_.clear();
}

}  // namespace idgate
