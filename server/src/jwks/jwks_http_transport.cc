#include "jwks/jwks_http_transport.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "jwks/special_addresses.h"

namespace idgate {
namespace {

constexpr size_t kMaxHeadBytes = 16 * 1024;  ///< a response head, and a chunked body's trailer
constexpr size_t kMaxLineBytes = 8 * 1024;   ///< one status, header or chunk-size line
constexpr int kMaxInterimResponses = 8;      ///< 1xx heads before the final one

const char kOptIn[] = "<JwksFetch allowPrivateAddresses=\"true\">";

enum class Io { kOk, kEof, kTimeout, kError };

std::string opensslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(e);
    if (!out.empty()) out += "; ";
    out += reason != nullptr ? reason : "OpenSSL error " + std::to_string(e);
  }
  return out;
}

bool isNumericAddress(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

/// A connected socket, with TLS over it once startTls succeeded. Non-blocking: every step waits
/// in poll() no later than the deadline it is given.
class Connection {
 public:
  explicit Connection(int fd) : fd_(fd) {}
  ~Connection() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// TLS with SNI and certificate verification against `host` (a DNS name, or an address when
  /// the URI names one), whichever address the socket is connected to.
  Io startTls(SSL_CTX* ctx, const std::string& host, Deadline deadline, std::string* error) {
    ssl_ = SSL_new(ctx);
    if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1) {
      *error = opensslErrors();
      return Io::kError;
    }
    bool ok;
    if (isNumericAddress(host)) {
      ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str()) == 1;
    } else {
      SSL_set_hostflags(ssl_, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      ok = SSL_set_tlsext_host_name(ssl_, host.c_str()) == 1 &&
           SSL_set1_host(ssl_, host.c_str()) == 1;
    }
    if (!ok) {
      *error = "cannot set the name to verify: " + opensslErrors();
      return Io::kError;
    }
    int ignored;
    return sslStep([&] { return SSL_connect(ssl_); }, deadline, error, &ignored);
  }

  SSL* ssl() const { return ssl_; }

  Io writeAll(const std::string& data, Deadline deadline, std::string* error) {
    size_t done = 0;
    while (done < data.size()) {
      const char* p = data.data() + done;
      int len = static_cast<int>(data.size() - done);
      if (ssl_ != nullptr) {
        int n = 0;
        Io io = sslStep([&] { return SSL_write(ssl_, p, len); }, deadline, error, &n);
        if (io != Io::kOk) return io;
        done += static_cast<size_t>(n);
        continue;
      }
      ssize_t n = ::send(fd_, p, static_cast<size_t>(len), MSG_NOSIGNAL);
      if (n > 0) {
        done += static_cast<size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        Io io = wait(POLLOUT, deadline, error);
        if (io != Io::kOk) return io;
      } else {
        *error = std::strerror(errno);
        return Io::kError;
      }
    }
    return Io::kOk;
  }

  /// Some bytes (kOk, `*got` > 0), the end of the stream (kEof), or kTimeout / kError.
  Io read(char* buf, size_t capacity, size_t* got, Deadline deadline, std::string* error) {
    if (ssl_ != nullptr) {
      int n = 0;
      Io io = sslStep([&] { return SSL_read(ssl_, buf, static_cast<int>(capacity)); }, deadline,
                      error, &n);
      *got = io == Io::kOk ? static_cast<size_t>(n) : 0;
      return io;
    }
    for (;;) {
      ssize_t n = ::recv(fd_, buf, capacity, 0);
      if (n > 0) {
        *got = static_cast<size_t>(n);
        return Io::kOk;
      }
      if (n == 0) return Io::kEof;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        *error = std::strerror(errno);
        return Io::kError;
      }
      Io io = wait(POLLIN, deadline, error);
      if (io != Io::kOk) return io;
    }
  }

 private:
  Io wait(short events, Deadline deadline, std::string* error) {
    int ready = pollUntil(fd_, events, deadline);
    if (ready == 0) return Io::kTimeout;
    if (ready < 0) {
      *error = std::strerror(errno);
      return Io::kError;
    }
    return Io::kOk;
  }

  /// Runs a TLS operation until it completes, waiting for the socket as OpenSSL asks.
  template <typename Op>
  Io sslStep(Op op, Deadline deadline, std::string* error, int* result) {
    for (;;) {
      ERR_clear_error();
      errno = 0;
      int rc = op();
      if (rc > 0) {
        *result = rc;
        return Io::kOk;
      }
      int e = SSL_get_error(ssl_, rc);
      short events;
      if (e == SSL_ERROR_WANT_READ) {
        events = POLLIN;
      } else if (e == SSL_ERROR_WANT_WRITE) {
        events = POLLOUT;
      } else if (e == SSL_ERROR_ZERO_RETURN) {
        return Io::kEof;
      } else {
        int saved = errno;
        std::string queue = opensslErrors();
        if (!queue.empty()) {
          *error = queue;
        } else if (e == SSL_ERROR_SYSCALL && saved != 0) {
          *error = std::strerror(saved);
        } else if (e == SSL_ERROR_SYSCALL) {
          *error = "connection closed by the server";
        } else {
          *error = "TLS error " + std::to_string(e);
        }
        return Io::kError;
      }
      Io io = wait(events, deadline, error);
      if (io != Io::kOk) return io;
    }
  }

  int fd_;
  SSL* ssl_ = nullptr;
};

/// Buffered reading of one response: lines and counted bytes, every read bounded by the
/// deadline. After a false return, `io` tells why (kEof, kTimeout, kError with `io_error`) or
/// `too_long` is set.
class ResponseReader {
 public:
  ResponseReader(Connection& c, Deadline deadline) : conn_(c), deadline_(deadline) {}

  std::optional<std::string> line(size_t max) {
    for (;;) {
      size_t nl = buf_.find('\n', pos_);
      if (nl != std::string::npos) {
        if (nl - pos_ > max) break;
        std::string l = buf_.substr(pos_, nl - pos_);
        pos_ = nl + 1;
        if (!l.empty() && l.back() == '\r') l.pop_back();
        return l;
      }
      if (buf_.size() - pos_ > max) break;
      if (!more()) return std::nullopt;
    }
    too_long = true;
    return std::nullopt;
  }

  bool ensure(size_t n) {
    while (buf_.size() - pos_ < n) {
      if (!more()) return false;
    }
    return true;
  }

  size_t available() const { return buf_.size() - pos_; }

  void take(size_t n, std::string* out) {
    out->append(buf_, pos_, n);
    pos_ += n;
  }

  bool more() {
    if (pos_ == buf_.size()) {
      buf_.clear();
      pos_ = 0;
    } else if (pos_ > 64 * 1024) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    char tmp[16 * 1024];
    size_t got = 0;
    io = conn_.read(tmp, sizeof(tmp), &got, deadline_, &io_error);
    if (io != Io::kOk) return false;
    buf_.append(tmp, got);
    received += got;
    return true;
  }

  Io io = Io::kOk;
  std::string io_error;
  bool too_long = false;
  size_t received = 0;

 private:
  Connection& conn_;
  Deadline deadline_;
  std::string buf_;
  size_t pos_ = 0;
};

struct ResponseHead {
  int status = 0;
  std::string cache_control;
  std::optional<uint64_t> content_length;
  bool chunked = false;
};

bool allDigits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

class HttpJwksTransport : public JwksTransport {
 public:
  HttpJwksTransport(std::unique_ptr<HostResolver> resolver, std::unique_ptr<Dialer> dialer,
                    const JwksTlsTrust& trust)
      : resolver_(std::move(resolver)), dialer_(std::move(dialer)) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (ctx_ == nullptr) {
      ctx_error_ = opensslErrors();
      return;
    }
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    int loaded = trust.ca_file.empty()
                     ? SSL_CTX_set_default_verify_paths(ctx_)
                     : SSL_CTX_load_verify_locations(ctx_, trust.ca_file.c_str(), nullptr);
    if (loaded != 1) {
      ctx_error_ = "trusted CAs not loaded: " + opensslErrors();
      SSL_CTX_free(ctx_);
      ctx_ = nullptr;
    }
  }
  ~HttpJwksTransport() override {
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  }

  HttpFetchResult get(const std::string& uri, const JwksFetchConfig& config) override {
    HttpFetchResult r;
    try {
      fetch(uri, config, &r);
    } catch (const Poco::Exception& e) {
      r = HttpFetchResult{};
      r.error = "jwks_uri fetch failed: " + e.displayText();
    } catch (const std::exception& e) {
      r = HttpFetchResult{};
      r.error = std::string("jwks_uri fetch failed: ") + e.what();
    }
    return r;
  }

 private:
  void fetch(const std::string& uri_text, const JwksFetchConfig& config, HttpFetchResult* r) {
    auto start = std::chrono::steady_clock::now();
    Deadline connect_deadline = start + std::chrono::milliseconds(config.connect_timeout_ms);
    int64_t total_ms = config.connect_timeout_ms + config.read_timeout_ms;
    Deadline deadline = start + std::chrono::milliseconds(total_ms);

    Poco::URI uri;
    try {
      uri = Poco::URI(uri_text);
    } catch (const Poco::Exception&) {
      r->error = "jwks_uri is not a URL";
      return;
    }
    std::string scheme = Poco::toLower(uri.getScheme());
    const std::string host = uri.getHost();
    if (scheme != "https" && scheme != "http") {
      r->error = "jwks_uri refused: the scheme must be https, not '" + scheme + "'";
      return;
    }
    if (host.empty()) {
      r->error = "jwks_uri has no host";
      return;
    }
    bool https = scheme == "https";
    if (!https && !config.allow_private_addresses) {
      r->error =
          std::string("jwks_uri refused: plain http; use https (http is accepted only with ") +
          kOptIn + ", for tests and closed networks, and only to a non-public address)";
      return;
    }
    std::string target = uri.getPathAndQuery();
    if (target.empty()) target = "/";
    for (char c : target) {
      if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
        r->error = "jwks_uri refused: its path or query holds a space or control character";
        return;
      }
    }
    uint16_t port = uri.getPort();

    // One resolution: the addresses checked here are the only ones connected to.
    bool literal = isNumericAddress(host);
    std::vector<std::string> addresses;
    if (literal) {
      addresses.push_back(host);
    } else {
      std::string error;
      addresses = resolver_->resolve(host, connect_deadline, &error);
      if (addresses.empty()) {
        r->error = "jwks_uri host " + host +
                   " does not resolve: " + (error.empty() ? std::string("no address") : error);
        return;
      }
    }
    for (const auto& a : addresses) {
      std::string where = literal ? "the address " + a : host + " resolves to " + a;
      auto special = specialAddressRange(a);
      if (special && !config.allow_private_addresses) {
        std::string range =
            special->cidr.empty() ? special->name : "in " + special->cidr + ", " + special->name;
        r->error = "jwks_uri refused: " + where + ", " + range +
                   "; such addresses are fetched only with " + kOptIn;
        return;
      }
      if (!special && !https) {
        r->error = "jwks_uri refused: plain http to a public address (" + where + "); use https";
        return;
      }
    }

    int fd = -1;
    std::string ip;
    std::string failures;
    bool timed_out = false;
    for (const auto& a : addresses) {
      std::string error;
      fd = dialer_->dial(a, port, connect_deadline, &error, &timed_out);
      if (fd >= 0) {
        ip = a;
        break;
      }
      failures += (failures.empty() ? "" : "; ") + a + ": " + error;
      if (timed_out) break;
    }
    if (fd < 0) {
      r->error = "jwks_uri: no connection to " + host + " port " + std::to_string(port) +
                 (timed_out ? " within connectTimeoutMs (" +
                                  std::to_string(config.connect_timeout_ms) + " ms)"
                            : "") +
                 ": " + failures;
      return;
    }
    Connection conn(fd);
    std::string peer = host + " (" + ip + " port " + std::to_string(port) + ")";
    auto late = [&](const std::string& phase, size_t received) {
      return "jwks_uri fetch from " + peer + " stopped at its deadline of " +
             std::to_string(total_ms) + " ms (connectTimeoutMs + readTimeoutMs) while " + phase +
             ", " + std::to_string(received) + " bytes received";
    };

    if (https) {
      if (ctx_ == nullptr) {
        r->error = "jwks_uri: no TLS client context: " + ctx_error_;
        return;
      }
      std::string error;
      Io io = conn.startTls(ctx_, host, deadline, &error);
      if (io == Io::kTimeout) {
        r->error = late("waiting for the TLS handshake", 0);
        return;
      }
      if (io != Io::kOk) {
        long verify = conn.ssl() != nullptr ? SSL_get_verify_result(conn.ssl()) : X509_V_OK;
        if (verify != X509_V_OK) {
          r->error = "jwks_uri refused: the certificate of " + peer + " is not accepted for " +
                     host + ": " + X509_verify_cert_error_string(verify);
        } else {
          r->error = "jwks_uri TLS handshake with " + peer +
                     " failed: " + (io == Io::kEof ? std::string("connection closed") : error);
        }
        return;
      }
    }

    std::string host_header = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != (https ? 443 : 80)) host_header += ":" + std::to_string(port);
    std::string request = "GET " + target + " HTTP/1.1\r\nHost: " + host_header +
                          "\r\nAccept: application/jwk-set+json, application/json\r\n"
                          "User-Agent: idgate\r\nConnection: close\r\n\r\n";
    std::string error;
    Io io = conn.writeAll(request, deadline, &error);
    if (io == Io::kTimeout) {
      r->error = late("sending the request", 0);
      return;
    }
    if (io != Io::kOk) {
      r->error = "jwks_uri: sending the request to " + peer +
                 " failed: " + (io == Io::kEof ? std::string("connection closed") : error);
      return;
    }

    ResponseReader in(conn, deadline);
    auto failed = [&](const std::string& phase) {
      if (in.too_long) return "jwks_uri: a line of the response from " + peer + " is too long";
      if (in.io == Io::kTimeout) return late(phase, in.received);
      if (in.io == Io::kEof) {
        return "jwks_uri: " + peer + " closed the connection while " + phase + " (" +
               std::to_string(in.received) + " bytes received)";
      }
      return "jwks_uri: " + phase + " from " + peer + " failed: " + in.io_error;
    };

    ResponseHead head;
    std::string problem;
    for (int interim = 0;; ++interim) {
      head = ResponseHead{};
      if (!readHead(in, &head, &problem)) {
        r->error = problem.empty() ? failed("reading the response head")
                                   : "jwks_uri: malformed response from " + peer + ": " + problem;
        return;
      }
      if (head.status >= 200 || head.status == 101) break;
      if (interim == kMaxInterimResponses) {
        r->error = "jwks_uri: " + peer + " sent only interim (1xx) responses";
        return;
      }
    }
    r->status = head.status;
    r->cache_control = head.cache_control;
    if (head.status != 200) {
      r->error = "jwks_uri answered HTTP " + std::to_string(head.status);
      return;
    }

    const uint64_t max = static_cast<uint64_t>(config.max_bytes);
    const std::string too_big = "jwks_uri response exceeds " + std::to_string(max) + " bytes";
    const std::string body_phase = "reading the response body";
    if (head.chunked) {
      for (;;) {
        auto size_line = in.line(kMaxLineBytes);
        if (!size_line) {
          r->error = failed(body_phase);
          return;
        }
        std::string hex = trim(size_line->substr(0, size_line->find(';')));
        if (hex.empty() || hex.size() > 15 ||
            hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
          r->error = "jwks_uri: malformed response from " + peer + ": bad chunk size";
          return;
        }
        uint64_t size = std::stoull(hex, nullptr, 16);
        if (size == 0) break;
        if (r->body.size() + size > max) {
          r->error = too_big;
          return;
        }
        if (!in.ensure(static_cast<size_t>(size))) {
          r->error = failed(body_phase);
          return;
        }
        in.take(static_cast<size_t>(size), &r->body);
        auto end = in.line(2);  // the CRLF after the chunk's data
        if (!end || !end->empty()) {
          r->error = end || in.too_long ? "jwks_uri: malformed response from " + peer +
                                              ": chunk longer than its size"
                                        : failed(body_phase);
          return;
        }
      }
      size_t trailer = 0;
      for (;;) {
        auto l = in.line(kMaxLineBytes);
        if (!l) {
          r->error = failed(body_phase);
          return;
        }
        if (l->empty()) break;
        trailer += l->size();
        if (trailer > kMaxHeadBytes) {
          r->error = "jwks_uri: the trailer of the response from " + peer + " is too long";
          return;
        }
      }
    } else if (head.content_length) {
      if (*head.content_length > max) {
        r->error = too_big;
        return;
      }
      if (!in.ensure(static_cast<size_t>(*head.content_length))) {
        r->error = failed(body_phase);
        return;
      }
      in.take(static_cast<size_t>(*head.content_length), &r->body);
    } else {
      // No framing: the body ends when the server closes the connection (for TLS, with a
      // close_notify; an abrupt end could be a truncation and fails).
      for (;;) {
        in.take(in.available(), &r->body);
        if (r->body.size() > max) {
          r->error = too_big;
          return;
        }
        if (!in.more()) break;
      }
      if (in.io != Io::kEof) {
        r->error = failed(body_phase);
        return;
      }
    }
  }

  /// Status line and header fields up to the empty line. False with `problem` empty when the
  /// reader stopped (see ResponseReader), with `problem` set when the head is malformed.
  static bool readHead(ResponseReader& in, ResponseHead* head, std::string* problem) {
    size_t head_bytes = 0;
    auto next = [&]() -> std::optional<std::string> {
      auto l = in.line(kMaxLineBytes);
      if (l) head_bytes += l->size() + 2;
      if (head_bytes > kMaxHeadBytes) {
        *problem = "response head longer than " + std::to_string(kMaxHeadBytes) + " bytes";
        return std::nullopt;
      }
      return l;
    };
    auto status = next();
    if (!status) return false;
    const std::string& s = *status;
    if (s.size() < 12 || s.compare(0, 7, "HTTP/1.") != 0 || s[8] != ' ' ||
        !allDigits(s.substr(9, 3)) || (s.size() > 12 && s[12] != ' ')) {
      *problem = "not an HTTP/1.x status line";
      return false;
    }
    head->status = std::stoi(s.substr(9, 3));
    std::vector<std::string> transfer_codings;
    for (;;) {
      auto l = next();
      if (!l) return false;
      if (l->empty()) break;
      if ((*l)[0] == ' ' || (*l)[0] == '\t') {
        *problem = "folded header line";
        return false;
      }
      size_t colon = l->find(':');
      if (colon == 0 || colon == std::string::npos || l->find_first_of(" \t") < colon) {
        *problem = "malformed header line";
        return false;
      }
      std::string name = Poco::toLower(l->substr(0, colon));
      std::string value = trim(l->substr(colon + 1));
      if (name == "cache-control") {
        head->cache_control += (head->cache_control.empty() ? "" : ", ") + value;
      } else if (name == "content-length") {
        // Repeated values (or a list) must all agree.
        size_t from = 0;
        for (;;) {
          size_t comma = value.find(',', from);
          std::string v = trim(value.substr(from, comma - from));
          if (!allDigits(v) || v.size() > 18 ||
              (head->content_length && *head->content_length != std::stoull(v))) {
            *problem = "invalid or conflicting Content-Length";
            return false;
          }
          head->content_length = std::stoull(v);
          if (comma == std::string::npos) break;
          from = comma + 1;
        }
      } else if (name == "transfer-encoding") {
        size_t from = 0;
        for (;;) {
          size_t comma = value.find(',', from);
          std::string v = Poco::toLower(trim(value.substr(from, comma - from)));
          if (!v.empty()) transfer_codings.push_back(v);
          if (comma == std::string::npos) break;
          from = comma + 1;
        }
      }
    }
    if (!transfer_codings.empty()) {
      if (transfer_codings.size() != 1 || transfer_codings[0] != "chunked") {
        *problem = "unsupported Transfer-Encoding";
        return false;
      }
      if (head->content_length) {
        *problem = "both Transfer-Encoding and Content-Length";
        return false;
      }
      head->chunked = true;
    }
    return true;
  }

  std::unique_ptr<HostResolver> resolver_;
  std::unique_ptr<Dialer> dialer_;
  SSL_CTX* ctx_ = nullptr;
  std::string ctx_error_;
};

}  // namespace

std::unique_ptr<JwksTransport> makeJwksHttpTransport(std::unique_ptr<HostResolver> resolver,
                                                     std::unique_ptr<Dialer> dialer,
                                                     JwksTlsTrust trust) {
  return std::make_unique<HttpJwksTransport>(std::move(resolver), std::move(dialer), trust);
}

std::unique_ptr<JwksTransport> makeSystemJwksTransport() {
  return makeJwksHttpTransport(makeSystemHostResolver(), makeTcpDialer());
}

}  // namespace idgate
