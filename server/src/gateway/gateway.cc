#include "gateway/gateway.h"

#include <Poco/Logger.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <Poco/URI.h>

#include <set>

#include "gateway/upstream_connection.h"
#include "http/chunked_decoder.h"
#include "http/form_decoder.h"
#include "http/request_head.h"
#include "http/response_head.h"
#include "http/responses.h"
#include "resource/identity_headers.h"

namespace idgate {
namespace {

// RFC 9110 §7.6.1 hop-by-hop fields, never forwarded in either direction.
const std::set<std::string> kHopByHop = {"connection",          "keep-alive", "proxy-authenticate",
                                         "proxy-authorization", "te",         "trailer",
                                         "transfer-encoding",   "upgrade",    "proxy-connection"};

bool hopByHop(const std::string& name, const std::string& connection_header) {
  // Fields named in Connection are hop-by-hop too.
  return kHopByHop.count(Poco::toLower(name)) > 0 || listHasToken(connection_header, name);
}

/// A whole answer from idgate itself; the status goes to the access log.
int answer(ServerExchange& exchange, const HttpRequestData& req, const HttpResponseData& r,
           std::string* note) {
  exchange.send(r, req.request_id);
  *note = r.log_note;
  return r.status;
}

/// An error answer through the one error mapping.
int sendError(ServerExchange& exchange, const HttpRequestData& req, ErrorCode code,
              const std::string& description, std::string* note) {
  return answer(exchange, req, noStore(errorResponse({code, description})), note);
}

}  // namespace

struct Gateway::Upstream {
  std::string host;
  uint16_t port = 80;
  std::string host_header;  ///< host[:port] as the upstream expects it in Host
  std::string base_path;    ///< upstream URL path without trailing '/'
  std::mutex mutex;
  std::vector<std::unique_ptr<UpstreamConnection>> idle;

  /// A kept-alive connection (`*reused`) or a new one; empty with `*error` set when none can
  /// be made within the route's connectTimeout.
  std::unique_ptr<UpstreamConnection> take(const RouteConfig& r, boost::asio::io_context& io,
                                           UpstreamRegistry& registry, bool* reused,
                                           std::string* error) {
    for (;;) {
      std::unique_ptr<UpstreamConnection> c;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (idle.empty()) break;
        c = std::move(idle.back());
        idle.pop_back();
      }
      if (c->reusable()) {
        *reused = true;
        c->setTimeout(std::chrono::milliseconds(r.timeout_ms));
        return c;
      }
    }
    *reused = false;
    auto c = std::make_unique<UpstreamConnection>(io, registry);
    *error = c->connect(host, port, std::chrono::milliseconds(r.connect_timeout_ms));
    if (!error->empty()) return nullptr;
    c->setTimeout(std::chrono::milliseconds(r.timeout_ms));
    return c;
  }

  void give(std::unique_ptr<UpstreamConnection> c) {
    std::lock_guard<std::mutex> lock(mutex);
    if (idle.size() < 64) idle.push_back(std::move(c));
  }
};

Gateway::Gateway(const std::vector<RouteConfig>& routes, ResourceGuard& guard,
                 int64_t max_form_bytes)
    : guard_(guard), max_form_bytes_(max_form_bytes), routes_(routes) {
  for (const auto& r : routes_) {
    auto u = std::make_unique<Upstream>();
    Poco::URI uri(r.upstream);
    u->host = uri.getHost();
    u->port = uri.getPort();
    u->host_header = (u->host.find(':') != std::string::npos ? "[" + u->host + "]" : u->host) +
                     (u->port == 80 ? "" : ":" + std::to_string(u->port));
    u->base_path = uri.getPath();
    while (!u->base_path.empty() && u->base_path.back() == '/') u->base_path.pop_back();
    upstreams_.push_back(std::move(u));
  }
}

Gateway::~Gateway() = default;

const RouteConfig* Gateway::match(const std::string& path) const {
  const RouteConfig* best = nullptr;
  for (const auto& r : routes_) {
    bool hit = path == r.path || (path.rfind(r.path, 0) == 0 && path[r.path.size()] == '/');
    if (hit && (best == nullptr || r.path.size() > best->path.size())) best = &r;
  }
  return best;
}

Gateway::Upstream& Gateway::upstream(const RouteConfig& route) {
  return *upstreams_[static_cast<size_t>(&route - routes_.data())];
}

int Gateway::handle(const RouteConfig& route, ServerExchange& exchange, HttpRequestData& req,
                    boost::asio::io_context& io, std::string* note) {
  const OidcClientConfig* config = guard_.client(route.oidc_client_ref);
  // A token in a form body (access_token) needs the body before the decision; such bodies are
  // small and are buffered (bounded). Every other body streams.
  bool buffered = false;
  if (req.method == "POST" && isFormContentType(req.content_type) && config->header_name.empty() &&
      !req.header("Authorization")) {
    switch (exchange.readAll(max_form_bytes_, &req.body)) {
      case ServerExchange::ReadResult::kOk:
        break;
      case ServerExchange::ReadResult::kTooLarge:
        exchange.setKeepAlive(false);
        return sendError(exchange, req, ErrorCode::kPayloadTooLarge, "form body too large", note);
      case ServerExchange::ReadResult::kBroken:
        return sendError(exchange, req, ErrorCode::kInvalidRequest,
                         "the request body could not be read", note);
    }
    buffered = true;
  }

  GuardResult g = guard_.authenticate(RequestOrigin::direct(req), config);
  if (g.kind != GuardResult::Kind::kAuthenticated && g.kind != GuardResult::Kind::kAnonymous) {
    // An unread body closes the connection after this answer (ServerExchange).
    return answer(exchange, req, challengeResponse(g), note);
  }

  Upstream& up = upstream(route);
  std::string head = req.method + " " + up.base_path + exchange.head().target + " HTTP/1.1\r\n";
  auto add = [&head](std::string_view k, std::string_view v) {
    head.append(k).append(": ").append(v).append("\r\n");
  };
  const std::string* connection_header = req.header("Connection");
  const std::string connection = connection_header ? *connection_header : "";
  for (const auto& [k, v] : req.headers) {
    if (hopByHop(k, connection) || isIdentityHeader(k) || sameHeaderName(k, "Host") ||
        sameHeaderName(k, "Content-Length") || sameHeaderName(k, "Expect") ||
        sameHeaderName(k, "X-Forwarded-For") || sameHeaderName(k, "X-Forwarded-Proto") ||
        sameHeaderName(k, "X-Forwarded-Host") || sameHeaderName(k, "X-Request-Id")) {
      continue;  // set below (every copy of a repeated field, not only the first, is dropped)
    }
    if (sameHeaderName(k, "Cookie")) {
      // idgate's cookies (resource server sessions, the sign-in, the console) are credentials
      // for idgate, not for the upstream.
      std::string kept;
      for (const auto& c : Poco::StringTokenizer(
               v, ";", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY)) {
        if (c.rfind("idgate_session_", 0) == 0 || c.rfind("idgate_login=", 0) == 0 ||
            c.rfind("idgate_browser=", 0) == 0 || c.rfind("idgate_console=", 0) == 0) {
          continue;
        }
        kept += (kept.empty() ? "" : "; ") + c;
      }
      if (!kept.empty()) add(k, kept);
      continue;
    }
    add(k, v);
  }
  add("Host", up.host_header);
  const std::string* xff = req.header("X-Forwarded-For");
  add("X-Forwarded-For", (xff && !xff->empty() ? *xff + ", " : "") + req.remote_address);
  add("X-Forwarded-Proto", req.scheme);
  if (!req.host.empty()) add("X-Forwarded-Host", req.host);
  // The upstream logs the same id as idgate's own lines (a client's value is replaced).
  add("X-Request-Id", req.request_id);
  if (g.kind == GuardResult::Kind::kAuthenticated) {
    for (const auto& [k, v] : identityHeaders(g.subject)) add(k, v);
  }
  bool streaming_body = false;
  bool chunked_body = false;
  if (buffered) {
    add("Content-Length", std::to_string(req.body.size()));
  } else if (exchange.framing().kind == BodyFraming::Kind::kChunked) {
    add("Transfer-Encoding", "chunked");
    streaming_body = chunked_body = true;
  } else if (exchange.framing().kind == BodyFraming::Kind::kLength) {
    add("Content-Length", std::to_string(exchange.framing().length));
    streaming_body = true;
  } else if (req.header("Content-Length") != nullptr) {
    add("Content-Length", "0");
  }
  head += "\r\n";
  if (buffered) head += req.body;

  auto timeout = [&] {
    exchange.setKeepAlive(false);
    return sendError(
        exchange, req, ErrorCode::kGatewayTimeout,
        "the upstream did not answer within " + std::to_string(route.timeout_ms) + " ms", note);
  };
  auto unreachable = [&](const std::string& why) {
    exchange.setKeepAlive(false);
    Poco::Logger::get("idgate.gateway")
        .warning("route " + route.path + ": upstream " + route.upstream + ": " + why);
    return sendError(exchange, req, ErrorCode::kBadGateway, "the upstream cannot be reached", note);
  };
  auto badUpstream = [&](const std::string& why) {
    exchange.setKeepAlive(false);
    return sendError(exchange, req, ErrorCode::kBadGateway, why, note);
  };

  std::unique_ptr<UpstreamConnection> conn;
  ResponseHead response;
  bool request_sent = false;  ///< the whole request went out
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    std::string error;
    conn = up.take(route, io, registry_, &reused, &error);
    if (conn == nullptr) return unreachable(error);  // none within connectTimeout included
    bool sent = conn->write(head);
    if (sent && streaming_body) {
      char buf[16384];
      long n = 0;
      while ((n = exchange.readBody(buf, sizeof(buf))) > 0) {
        std::string_view part(buf, static_cast<size_t>(n));
        if (chunked_body) {
          char size[24];
          int k = std::snprintf(size, sizeof(size), "%lx\r\n", n);
          sent = conn->write(std::string(size, static_cast<size_t>(k)).append(part).append("\r\n"));
        } else {
          sent = conn->write(part);
        }
        if (!sent) break;
      }
      if (n < 0) {
        // A malformed chunk or a cut connection: the upstream must not take the part it got
        // for the whole request. Its connection is dropped; the client is told.
        return sendError(exchange, req, ErrorCode::kInvalidRequest,
                         "the request body could not be read", note);
      }
      if (sent && chunked_body) sent = conn->write("0\r\n\r\n");
    }
    // The response head; interim (1xx) responses before it are read and dropped. When the
    // upstream stopped taking the request (a write failed, not late), it may have answered
    // early, say 413 for a body too large: that answer is looked for too.
    request_sent = sent;
    if (!sent && conn->timedOut()) return timeout();
    HeadStatus status = HeadStatus::kIncomplete;
    bool got_bytes = false;
    std::string error_text;
    for (;;) {
      size_t consumed = 0;
      status = parseResponseHead(conn->buffered(), &response, &consumed, &error_text);
      if (status == HeadStatus::kComplete && response.status >= 100 && response.status < 200 &&
          response.status != 101) {
        conn->consume(consumed);
        response = ResponseHead{};
        continue;
      }
      if (status != HeadStatus::kIncomplete) {
        conn->consume(consumed);
        break;
      }
      if (!conn->fill()) break;
      got_bytes = true;
    }
    if (status == HeadStatus::kComplete) break;
    if (status == HeadStatus::kBad || status == HeadStatus::kTooLarge) {
      return badUpstream("the upstream sent a malformed response head: " + error_text);
    }
    if (conn->timedOut()) return timeout();
    // A kept-alive connection the upstream closed meanwhile: once more on a new one, when
    // no body was consumed that cannot be sent again.
    const bool idempotent = req.method == "GET" || req.method == "HEAD" ||
                            req.method == "OPTIONS" || req.method == "PUT" ||
                            req.method == "DELETE";
    if (reused && !got_bytes && idempotent && !streaming_body && attempt == 0) continue;
    return unreachable("the connection ended before a response");
  }

  if (response.status == 101) {
    return badUpstream("the upstream switched protocols, which routes do not forward");
  }
  const ResponseFraming framing = responseFraming(response, req.method);
  if (framing.kind == ResponseFraming::Kind::kInvalid) {
    return badUpstream("the upstream sent an ambiguous response body framing: " + framing.error);
  }
  HeaderList headers;
  headers.emplace_back("X-Request-Id", req.request_id);
  if (!g.set_cookie.empty()) headers.emplace_back("Set-Cookie", g.set_cookie);
  const std::string* up_connection = findHeader(response.headers, "Connection");
  for (const auto& [k, v] : response.headers) {
    if (hopByHop(k, up_connection ? *up_connection : "") || sameHeaderName(k, "Content-Length") ||
        sameHeaderName(k, "X-Request-Id")) {
      continue;
    }
    headers.emplace_back(k, v);
  }
  const bool no_body = framing.kind == ResponseFraming::Kind::kNone;
  std::optional<int64_t> length;
  if (framing.kind == ResponseFraming::Kind::kLength) length = framing.length;
  if (no_body && response.status != 204 && response.status >= 200) {
    // HEAD and 304: the length of the body the upstream would have sent, as it said.
    const std::string* declared = findHeader(response.headers, "Content-Length");
    if (declared != nullptr && !declared->empty() && declared->size() <= 18 &&
        declared->find_first_not_of("0123456789") == std::string::npos) {
      length = std::stoll(*declared);
    }
  }
  bool whole = exchange.sendHead(response.status, response.reason, headers, length, no_body);
  if (whole && framing.kind == ResponseFraming::Kind::kLength) {
    int64_t remaining = framing.length;
    while (whole && remaining > 0) {
      if (conn->buffered().empty() && !conn->fill()) {
        whole = false;
        break;
      }
      std::string_view part = conn->buffered().substr(
          0, static_cast<size_t>(std::min<int64_t>(remaining, conn->buffered().size())));
      whole = exchange.sendBodyPart(part);
      remaining -= static_cast<int64_t>(part.size());
      conn->consume(part.size());
    }
  } else if (whole && framing.kind == ResponseFraming::Kind::kChunked) {
    ChunkedDecoder decoder;
    std::string part;
    for (;;) {
      size_t used = 0;
      const ChunkedDecoder::Status st = decoder.feed(conn->buffered(), &used, &part);
      conn->consume(used);
      if (!part.empty()) {
        whole = exchange.sendBodyPart(part);
        part.clear();
      }
      if (!whole || st == ChunkedDecoder::Status::kDone) break;
      if (st == ChunkedDecoder::Status::kMalformed || !conn->fill()) {
        whole = false;
        break;
      }
    }
  } else if (whole && framing.kind == ResponseFraming::Kind::kUntilClose) {
    for (;;) {
      if (!conn->buffered().empty()) {
        whole = exchange.sendBodyPart(conn->buffered());
        conn->consume(conn->buffered().size());
        if (!whole) break;
      }
      if (!conn->fill()) {
        whole = conn->endOfStream();  // the close ends such a body; anything else cuts it
        break;
      }
    }
  }
  if (!whole) {
    Poco::Logger::get("idgate.gateway")
        .warning("route " + route.path + ": response body cut short" +
                 (conn->timedOut() ? " (upstream timeout)" : ""));
  }
  if (!whole || !exchange.finish()) {
    // The status line is out: all that can be done is to stop.
    exchange.setKeepAlive(false);
    *note = "body cut short";
    return response.status;
  }
  if (request_sent && response.keepAlive() && framing.kind != ResponseFraming::Kind::kUntilClose &&
      conn->buffered().empty()) {
    up.give(std::move(conn));  // body read to its end
  }
  *note = g.logNote();
  return response.status;
}

}  // namespace idgate
