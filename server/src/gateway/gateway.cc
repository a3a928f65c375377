#include "gateway/gateway.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <Poco/URI.h>

#include <set>

#include "http/form_decoder.h"
#include "http/request_head.h"
#include "http/responses.h"
#include "resource/identity_headers.h"

namespace idgate {
namespace {

using Poco::Net::HTTPClientSession;

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
  std::string base_path;  ///< upstream URL path without trailing '/'
  std::mutex mutex;
  std::vector<std::unique_ptr<HTTPClientSession>> idle;

  std::unique_ptr<HTTPClientSession> take(const RouteConfig& r, bool* reused) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (!idle.empty()) {
        auto s = std::move(idle.back());
        idle.pop_back();
        *reused = true;
        return s;
      }
    }
    *reused = false;
    auto s = std::make_unique<HTTPClientSession>(host, port);
    s->setKeepAlive(true);
    s->setTimeout(Poco::Timespan(r.connect_timeout_ms * 1000), Poco::Timespan(r.timeout_ms * 1000),
                  Poco::Timespan(r.timeout_ms * 1000));
    return s;
  }

  void give(std::unique_ptr<HTTPClientSession> s) {
    std::lock_guard<std::mutex> lock(mutex);
    if (idle.size() < 64) idle.push_back(std::move(s));
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
                    std::string* note) {
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
  Poco::Net::HTTPRequest out(req.method, up.base_path + exchange.head().target,
                             Poco::Net::HTTPMessage::HTTP_1_1);
  const std::string* connection_header = req.header("Connection");
  const std::string connection = connection_header ? *connection_header : "";
  for (const auto& [k, v] : req.headers) {
    if (hopByHop(k, connection) || isIdentityHeader(k) || Poco::icompare(k, "Host") == 0 ||
        Poco::icompare(k, "Content-Length") == 0 || Poco::icompare(k, "Expect") == 0 ||
        Poco::icompare(k, "X-Forwarded-For") == 0 || Poco::icompare(k, "X-Forwarded-Proto") == 0 ||
        Poco::icompare(k, "X-Forwarded-Host") == 0 || Poco::icompare(k, "X-Request-Id") == 0) {
      continue;  // set below (every copy of a repeated field, not only the first, is dropped)
    }
    if (Poco::icompare(k, "Cookie") == 0) {
      // idgate's session cookies are credentials for idgate, not for the upstream.
      std::string kept;
      for (const auto& c : Poco::StringTokenizer(
               v, ";", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY)) {
        if (c.rfind("idgate_session_", 0) == 0) continue;
        kept += (kept.empty() ? "" : "; ") + c;
      }
      if (!kept.empty()) out.add(k, kept);
      continue;
    }
    out.add(k, v);
  }
  out.setHost(up.host, up.port);
  const std::string* xff = req.header("X-Forwarded-For");
  out.set("X-Forwarded-For", (xff && !xff->empty() ? *xff + ", " : "") + req.remote_address);
  out.set("X-Forwarded-Proto", req.scheme);
  if (!req.host.empty()) out.set("X-Forwarded-Host", req.host);
  // The upstream logs the same id as idgate's own lines (a client's value is replaced).
  out.set("X-Request-Id", req.request_id);
  if (g.kind == GuardResult::Kind::kAuthenticated) {
    for (const auto& [k, v] : identityHeaders(g.subject)) out.set(k, v);
  }
  bool streaming_body = false;
  if (buffered) {
    out.setContentLength64(static_cast<Poco::Int64>(req.body.size()));
  } else if (exchange.framing().kind == BodyFraming::Kind::kChunked) {
    out.setChunkedTransferEncoding(true);
    streaming_body = true;
  } else if (exchange.framing().kind == BodyFraming::Kind::kLength) {
    out.setContentLength64(exchange.framing().length);
    streaming_body = true;
  } else if (req.header("Content-Length") != nullptr) {
    out.setContentLength64(0);
  }
  out.setKeepAlive(true);

  std::unique_ptr<HTTPClientSession> session;
  Poco::Net::HTTPResponse in_response;
  std::istream* body_in = nullptr;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = false;
    session = up.take(route, &reused);
    try {
      std::ostream& os = session->sendRequest(out);
      if (buffered) {
        os << req.body;
      } else if (streaming_body) {
        char buf[16384];
        long n = 0;
        while ((n = exchange.readBody(buf, sizeof(buf))) > 0) os.write(buf, n);
        if (n < 0) {
          // A malformed chunk or a cut connection: the upstream must not take the part it got
          // for the whole request. Drop its connection; tell the client.
          session->reset();
          return sendError(exchange, req, ErrorCode::kInvalidRequest,
                           "the request body could not be read", note);
        }
      }
      body_in = &session->receiveResponse(in_response);
      break;
    } catch (const Poco::TimeoutException&) {
      exchange.setKeepAlive(false);
      return sendError(
          exchange, req, ErrorCode::kGatewayTimeout,
          "the upstream did not answer within " + std::to_string(route.timeout_ms) + " ms", note);
    } catch (const Poco::Exception& e) {
      // A kept-alive connection the upstream closed meanwhile: once more on a new one, when
      // no body was consumed that cannot be sent again.
      const bool idempotent = req.method == "GET" || req.method == "HEAD" ||
                              req.method == "OPTIONS" || req.method == "PUT" ||
                              req.method == "DELETE";
      if (reused && idempotent && !streaming_body && attempt == 0) continue;
      exchange.setKeepAlive(false);
      Poco::Logger::get("idgate.gateway")
          .warning("route " + route.path + ": upstream " + route.upstream + ": " + e.displayText());
      return sendError(exchange, req, ErrorCode::kBadGateway, "the upstream cannot be reached",
                       note);
    }
  }

  const int status = static_cast<int>(in_response.getStatus());
  if (status < 200) {
    // 103 Early Hints and the like: Poco's client cannot read the final response after one,
    // and the connection must not go back to the pool with that response unread.
    session->reset();
    exchange.setKeepAlive(false);
    return sendError(exchange, req, ErrorCode::kBadGateway,
                     "the upstream sent an interim (1xx) response", note);
  }
  HeaderList headers;
  headers.emplace_back("X-Request-Id", req.request_id);
  if (!g.set_cookie.empty()) headers.emplace_back("Set-Cookie", g.set_cookie);
  const std::string up_connection = in_response.get("Connection", "");
  for (const auto& [k, v] : in_response) {
    if (hopByHop(k, up_connection) || Poco::icompare(k, "Content-Length") == 0 ||
        Poco::icompare(k, "X-Request-Id") == 0) {
      continue;
    }
    if (!isFieldName(k) || !isFieldValue(v)) {
      // idgate writes these lines itself: nothing the upstream sends may split them.
      session->reset();
      exchange.setKeepAlive(false);
      return sendError(exchange, req, ErrorCode::kBadGateway,
                       "the upstream sent a malformed header field", note);
    }
    headers.emplace_back(k, v);
  }
  const std::string reason =
      isFieldValue(in_response.getReason()) ? in_response.getReason() : std::string();
  const bool no_body = req.method == "HEAD" || status == 204 || status == 304;
  std::optional<int64_t> length;
  if (in_response.hasContentLength()) length = in_response.getContentLength64();
  bool whole = exchange.sendHead(status, reason, headers, length, no_body);
  try {
    char buf[16384];
    while (whole && !no_body && body_in->read(buf, sizeof(buf)).gcount() > 0) {
      whole = exchange.sendBodyPart(std::string_view(buf, static_cast<size_t>(body_in->gcount())));
    }
    if (whole && !no_body && body_in->bad()) whole = false;
  } catch (const Poco::Exception& e) {
    Poco::Logger::get("idgate.gateway")
        .warning("route " + route.path + ": response body cut short: " + e.displayText());
    whole = false;
  }
  if (!whole || !exchange.finish()) {
    // The status line is out: all that can be done is to stop.
    exchange.setKeepAlive(false);
    *note = "body cut short";
    return status;
  }
  if (in_response.getKeepAlive()) up.give(std::move(session));  // body read to its end
  *note = g.logNote();
  return status;
}

}  // namespace idgate
