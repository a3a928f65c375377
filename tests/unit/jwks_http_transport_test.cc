// The jwks_uri transport against loopback test servers: a resolver stub decides what a name
// resolves to and a dialer records where the transport connects (and connects to the test
// server instead), so DNS rebinding, the address checks, TLS names and the overall deadline are
// observed without a network.
#include "jwks/jwks_http_transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>

#include "crypto/keys.h"
#include "test_support.h"

namespace idgate {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

const char kJwks[] = R"({"keys":[]})";
const char kOptInError[] =
    "; such addresses are fetched only with <JwksFetch "
    "allowPrivateAddresses=\"true\">";

// ---- certificates -------------------------------------------------------------------------

crypto::X509Ptr makeCertificate(EVP_PKEY* key, const std::string& cn, X509* issuer,
                                EVP_PKEY* issuer_key, const std::string& dns_name) {
  crypto::X509Ptr cert = crypto::adoptX509(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(std::rand()) + 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  X509_set_pubkey(cert.get(), key);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, signer, cert.get(), nullptr, nullptr, 0);
  auto add = [&](int nid, const std::string& value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    ASSERT_NE(ext, nullptr) << value;
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  };
  if (dns_name.empty()) {
    add(NID_basic_constraints, "critical,CA:TRUE");
    add(NID_key_usage, "critical,keyCertSign");
  } else {
    add(NID_basic_constraints, "critical,CA:FALSE");
    add(NID_subject_alt_name, dns_name);
  }
  EXPECT_GT(X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()), 0);
  return cert;
}

/// A CA (written to `ca_file` for the client to trust) and a server certificate it issued.
struct TestPki {
  TestPki(const std::string& san, const std::string& ca_file,
          const std::string& ca_name = "test CA") {
    ca_key = crypto::generateEcP256();
    ca = makeCertificate(ca_key.get(), ca_name, nullptr, nullptr, "");
    key = crypto::generateEcP256();
    cert = makeCertificate(key.get(), "jwks server", ca.get(), ca_key.get(), san);
    test::writeFile(ca_file, crypto::certificatePem(ca.get()));
  }
  crypto::PkeyPtr ca_key, key;
  crypto::X509Ptr ca, cert;
};

// ---- a loopback server --------------------------------------------------------------------

/// One accepted connection, seen from the test server's side (blocking socket).
class Peer {
 public:
  Peer(int fd, SSL* ssl, const std::atomic<bool>& stopping,
       std::function<void(const std::string&)> record_head)
      : fd_(fd), ssl_(ssl), stopping_(stopping), record_head_(std::move(record_head)) {}

  bool send(const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
      int n =
          ssl_ != nullptr
              ? SSL_write(ssl_, data.data() + done, static_cast<int>(data.size() - done))
              : static_cast<int>(::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL));
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  /// The request head (up to the empty line), or what came before the client closed; the
  /// server keeps the last one.
  std::string readHead() {
    std::string head;
    while (head.find("\r\n\r\n") == std::string::npos && waitReadable()) {
      char c[1024];
      int n = ssl_ != nullptr ? SSL_read(ssl_, c, sizeof(c))
                              : static_cast<int>(::recv(fd_, c, sizeof(c), 0));
      if (n <= 0) break;
      head.append(c, static_cast<size_t>(n));
    }
    record_head_(head);
    return head;
  }

  /// Waits until the client closes the connection (or the server stops).
  void waitForClose() {
    char c[1024];
    while (waitReadable() && ::recv(fd_, c, sizeof(c), 0) > 0) {
    }
  }

  /// Sleeps `ms`, false once the server stops.
  bool pause(int ms) {
    auto until = steady_clock::now() + milliseconds(ms);
    while (steady_clock::now() < until) {
      if (stopping_) return false;
      std::this_thread::sleep_for(milliseconds(5));
    }
    return !stopping_;
  }

 private:
  bool waitReadable() {
    if (ssl_ != nullptr && SSL_pending(ssl_) > 0) return true;
    for (;;) {
      if (stopping_) return false;
      pollfd p{fd_, POLLIN, 0};
      int rc = ::poll(&p, 1, 20);
      if (rc > 0) return true;
      if (rc < 0 && errno != EINTR) return false;
    }
  }

  int fd_;
  SSL* ssl_;
  const std::atomic<bool>& stopping_;
  std::function<void(const std::string&)> record_head_;
};

/// Serves connections on 127.0.0.1, one at a time, each with `handler`. With a certificate it
/// does the TLS handshake first and records the SNI name the client sent.
class TestServer {
 public:
  using Handler = std::function<void(Peer&)>;

  explicit TestServer(Handler handler, const TestPki* pki = nullptr)
      : handler_(std::move(handler)) {
    if (pki != nullptr) {
      ctx_ = SSL_CTX_new(TLS_server_method());
      SSL_CTX_use_certificate(ctx_, pki->cert.get());
      SSL_CTX_use_PrivateKey(ctx_, pki->key.get());
    }
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), len), 0);
    EXPECT_EQ(::listen(listen_fd_, 16), 0);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }

  ~TestServer() {
    stopping_ = true;
    thread_.join();
    ::close(listen_fd_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  }

  uint16_t port() const { return port_; }
  int connections() const { return connections_; }
  std::string lastHead() {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_head_;
  }
  std::string lastServerName() {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_sni_;
  }

 private:
  void run() {
    while (!stopping_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++connections_;
      SSL* ssl = nullptr;
      if (ctx_ != nullptr) {
        ssl = SSL_new(ctx_);
        SSL_set_fd(ssl, fd);
        timeval tv{5, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (SSL_accept(ssl) != 1) {
          ERR_clear_error();
          SSL_free(ssl);
          ::close(fd);
          continue;
        }
        const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        std::lock_guard<std::mutex> lock(mutex_);
        last_sni_ = sni != nullptr ? sni : "";
      }
      Peer peer(fd, ssl, stopping_, [this](const std::string& head) {
        std::lock_guard<std::mutex> lock(mutex_);
        last_head_ = head;
      });
      handler_(peer);
      if (ssl != nullptr) {
        SSL_shutdown(ssl);
        SSL_free(ssl);
      }
      ::close(fd);
    }
  }

  Handler handler_;
  SSL_CTX* ctx_ = nullptr;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
  std::mutex mutex_;
  std::string last_head_;
  std::string last_sni_;
};

/// The usual answer: reads the request, sends `response`.
TestServer::Handler answer(std::string response) {
  return [response](Peer& p) {
    p.readHead();
    p.send(response);
  };
}

std::string ok(const std::string& body, const std::string& extra_headers = "") {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" + body;
}

// ---- resolver and dialer seams ------------------------------------------------------------

/// Answers from a script: the n-th call gets answers[n] (the last one repeated).
class ScriptedResolver : public HostResolver {
 public:
  explicit ScriptedResolver(std::vector<std::vector<std::string>> answers, std::string error = "")
      : answers_(std::move(answers)), error_(std::move(error)) {}
  std::vector<std::string> resolve(const std::string& host, Deadline, std::string* error) override {
    hosts.push_back(host);
    size_t i = std::min(calls++, answers_.size() - 1);
    if (answers_[i].empty()) *error = error_;
    return answers_[i];
  }
  size_t calls = 0;
  std::vector<std::string> hosts;

 private:
  std::vector<std::vector<std::string>> answers_;
  std::string error_;
};

/// Records the address and port asked for, and connects to the loopback test server instead.
class RedirectingDialer : public Dialer {
 public:
  explicit RedirectingDialer(uint16_t port) : port_(port) {}
  int dial(const std::string& ip, uint16_t port, Deadline deadline, std::string* error,
           bool* timed_out) override {
    dialed.push_back(ip + " port " + std::to_string(port));
    return tcp_->dial("127.0.0.1", port_, deadline, error, timed_out);
  }
  std::vector<std::string> dialed;

 private:
  uint16_t port_;
  std::unique_ptr<Dialer> tcp_ = makeTcpDialer();
};

class JwksHttpTransportTest : public ::testing::Test {
 protected:
  JwksHttpTransportTest() { ::signal(SIGPIPE, SIG_IGN); }  // as the server does (main.cc)

  /// A transport whose names resolve by `answers` and whose connections go to `port`.
  void setUp(std::vector<std::vector<std::string>> answers, uint16_t port) {
    auto resolver = std::make_unique<ScriptedResolver>(std::move(answers), "no such name");
    auto dialer = std::make_unique<RedirectingDialer>(port);
    resolver_ = resolver.get();
    dialer_ = dialer.get();
    transport_ = makeJwksHttpTransport(std::move(resolver), std::move(dialer),
                                       JwksTlsTrust{dir_.file("ca.pem")});
  }

  HttpFetchResult get(const std::string& uri) { return transport_->get(uri, config_); }

  test::TempDir dir_;
  JwksFetchConfig config_;
  ScriptedResolver* resolver_ = nullptr;
  RedirectingDialer* dialer_ = nullptr;
  std::unique_ptr<JwksTransport> transport_;
};

// ---- DNS rebinding, names ------------------------------------------------------------------

TEST_F(JwksHttpTransportTest, ConnectsToTheAddressItCheckedWithTheNameForTlsAndHost) {
  TestPki pki("DNS:jwks.example", dir_.file("ca.pem"));
  TestServer s(answer(ok(kJwks, "Cache-Control: max-age=300\r\n")), &pki);
  // A public address for the check, a loopback one for any second lookup (DNS rebinding).
  setUp({{"93.184.216.34"}, {"127.0.0.1"}}, s.port());

  HttpFetchResult r = get("https://jwks.example/keys?v=1");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, kJwks);
  EXPECT_EQ(r.cache_control, "max-age=300");
  EXPECT_EQ(resolver_->calls, 1u) << "one resolution per fetch";
  EXPECT_EQ(dialer_->dialed, std::vector<std::string>{"93.184.216.34 port 443"});
  EXPECT_EQ(s.lastServerName(), "jwks.example");
  std::string head = s.lastHead();
  EXPECT_EQ(head.rfind("GET /keys?v=1 HTTP/1.1\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("\r\nHost: jwks.example\r\n"), std::string::npos) << head;

  // The next fetch resolves again and gets the loopback answer: refused, nothing dialed.
  r = get("https://jwks.example/keys?v=1");
  EXPECT_EQ(r.error,
            "jwks_uri refused: jwks.example resolves to 127.0.0.1, in 127.0.0.0/8, "
            "loopback (RFC 1122)" +
                std::string(kOptInError));
  EXPECT_EQ(resolver_->calls, 2u);
  EXPECT_EQ(dialer_->dialed.size(), 1u);
  EXPECT_EQ(s.connections(), 1);
}

TEST_F(JwksHttpTransportTest, TheFetchersCallerGetsTheReason) {
  auto resolver = std::make_unique<ScriptedResolver>(
      std::vector<std::vector<std::string>>{{"169.254.169.254"}});
  test::FixedClock clock(1000);
  JwksFetcher fetcher(config_, clock, makeJwksHttpTransport(std::move(resolver), makeTcpDialer()));
  std::string error;
  EXPECT_FALSE(fetcher.get("https://metadata.example/keys", false, &error));
  EXPECT_EQ(error,
            "jwks_uri refused: metadata.example resolves to 169.254.169.254, in "
            "169.254.0.0/16, link-local (RFC 3927)" +
                std::string(kOptInError));
}

TEST_F(JwksHttpTransportTest, AnySpecialAnswerRefusesTheName) {
  TestServer s(answer(ok(kJwks)));
  setUp({{"93.184.216.34", "10.0.0.7"}}, s.port());
  HttpFetchResult r = get("https://jwks.example/");
  EXPECT_EQ(r.error,
            "jwks_uri refused: jwks.example resolves to 10.0.0.7, in 10.0.0.0/8, "
            "private-use (RFC 1918)" +
                std::string(kOptInError));
  EXPECT_TRUE(dialer_->dialed.empty());
  EXPECT_EQ(s.connections(), 0);
}

TEST_F(JwksHttpTransportTest, EverySpecialRangeIsRefusedBeforeConnecting) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"0.1.2.3", "0.0.0.0/8"},
      {"10.9.8.7", "10.0.0.0/8"},
      {"100.64.0.1", "100.64.0.0/10"},
      {"127.0.0.1", "127.0.0.0/8"},
      {"169.254.169.254", "169.254.0.0/16"},
      {"172.20.0.1", "172.16.0.0/12"},
      {"192.0.0.8", "192.0.0.0/24"},
      {"192.0.2.10", "192.0.2.0/24"},
      {"192.168.0.1", "192.168.0.0/16"},
      {"198.18.0.1", "198.18.0.0/15"},
      {"198.19.1.1", "198.18.0.0/15"},
      {"198.51.100.1", "198.51.100.0/24"},
      {"203.0.113.1", "203.0.113.0/24"},
      {"224.0.0.251", "224.0.0.0/4"},
      {"240.1.2.3", "240.0.0.0/4"},
      {"255.255.255.255", "255.255.255.255/32"},
      {"::", "::/128"},
      {"::1", "::1/128"},
      {"::ffff:127.0.0.1", "::ffff:127.0.0.0/104"},
      {"::ffff:192.168.1.1", "::ffff:192.168.0.0/112"},
      {"64:ff9b::a9fe:a9fe", "64:ff9b::/96"},
      {"2002:a00:1::1", "2002::/16"},
      {"2001::1", "2001::/23"},
      {"2001:db8::1", "2001:db8::/32"},
      {"fd00::1", "fc00::/7"},
      {"fe80::1", "fe80::/10"},
      {"ff02::1", "ff00::/8"},
  };
  setUp({{}}, 1);
  for (const auto& [ip, cidr] : cases) {
    auto resolver = std::make_unique<ScriptedResolver>(std::vector<std::vector<std::string>>{{ip}});
    auto dialer = std::make_unique<RedirectingDialer>(1);
    RedirectingDialer* d = dialer.get();
    auto t = makeJwksHttpTransport(std::move(resolver), std::move(dialer));
    HttpFetchResult r = t->get("https://jwks.example/keys", config_);
    std::string expected =
        "jwks_uri refused: jwks.example resolves to " + ip + ", in " + cidr + ", ";
    EXPECT_EQ(r.error.rfind(expected, 0), 0u) << ip << ": " << r.error;
    EXPECT_NE(r.error.find(kOptInError), std::string::npos) << r.error;
    EXPECT_TRUE(d->dialed.empty()) << ip;
  }
  // An address in the URI itself is checked the same way, without resolving.
  HttpFetchResult r = get("https://[fe80::1]/keys");
  EXPECT_EQ(r.error, "jwks_uri refused: the address fe80::1, in fe80::/10, link-local (RFC 4291)" +
                         std::string(kOptInError));
  r = get("https://198.18.0.1/keys");
  EXPECT_EQ(r.error,
            "jwks_uri refused: the address 198.18.0.1, in 198.18.0.0/15, benchmarking "
            "(RFC 2544)" +
                std::string(kOptInError));
  EXPECT_EQ(resolver_->calls, 0u);
  EXPECT_TRUE(dialer_->dialed.empty());
}

TEST_F(JwksHttpTransportTest, CertificateIsVerifiedAgainstTheName) {
  TestPki pki("DNS:other.example", dir_.file("ca.pem"));
  TestServer s(answer(ok(kJwks)), &pki);
  setUp({{"93.184.216.34"}}, s.port());
  HttpFetchResult r = get("https://jwks.example/keys");
  EXPECT_EQ(r.error,
            "jwks_uri refused: the certificate of jwks.example (93.184.216.34 port 443) "
            "is not accepted for jwks.example: hostname mismatch");
  EXPECT_EQ(r.body, "");
}

TEST_F(JwksHttpTransportTest, CertificateFromAnotherCaIsRefused) {
  TestPki pki("DNS:jwks.example", dir_.file("server-ca.pem"));
  TestPki trusted("DNS:jwks.example", dir_.file("ca.pem"), "other CA");  // trusted instead
  TestServer s(answer(ok(kJwks)), &pki);
  setUp({{"93.184.216.34"}}, s.port());
  HttpFetchResult r = get("https://jwks.example/keys");
  EXPECT_EQ(r.error,
            "jwks_uri refused: the certificate of jwks.example (93.184.216.34 port 443) "
            "is not accepted for jwks.example: unable to get local issuer certificate");
}

// ---- schemes and the opt-in ---------------------------------------------------------------

TEST_F(JwksHttpTransportTest, PlainHttpOnlyWithTheOptInAndOnlyToANonPublicAddress) {
  TestServer s(answer(ok(kJwks)));
  setUp({{"93.184.216.34"}}, s.port());

  config_.allow_private_addresses = false;
  EXPECT_EQ(get("http://jwks.example/keys").error,
            "jwks_uri refused: plain http; use https (http is accepted only with <JwksFetch "
            "allowPrivateAddresses=\"true\">, for tests and closed networks, and only to a "
            "non-public address)");
  EXPECT_EQ(get("ftp://jwks.example/keys").error,
            "jwks_uri refused: the scheme must be https, not 'ftp'");
  EXPECT_EQ(get("http://127.0.0.1:" + std::to_string(s.port()) + "/keys").error,
            "jwks_uri refused: plain http; use https (http is accepted only with <JwksFetch "
            "allowPrivateAddresses=\"true\">, for tests and closed networks, and only to a "
            "non-public address)");

  config_.allow_private_addresses = true;
  EXPECT_EQ(get("http://jwks.example/keys").error,
            "jwks_uri refused: plain http to a public address (jwks.example resolves to "
            "93.184.216.34); use https");
  EXPECT_EQ(resolver_->calls, 1u);
  EXPECT_TRUE(dialer_->dialed.empty());
  EXPECT_EQ(s.connections(), 0);

  // The test opt-in: http to loopback.
  HttpFetchResult r = get("http://127.0.0.1:" + std::to_string(s.port()) + "/keys");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.body, kJwks);
  EXPECT_NE(s.lastHead().find("\r\nHost: 127.0.0.1:" + std::to_string(s.port()) + "\r\n"),
            std::string::npos);
}

TEST_F(JwksHttpTransportTest, NameThatDoesNotResolve) {
  setUp({{}}, 1);
  EXPECT_EQ(get("https://nx.example/keys").error,
            "jwks_uri host nx.example does not resolve: no such name");
  EXPECT_EQ(resolver_->hosts, std::vector<std::string>{"nx.example"});
}

// ---- one deadline per fetch ---------------------------------------------------------------

class JwksDeadlineTest : public JwksHttpTransportTest {
 protected:
  JwksDeadlineTest() {
    config_.allow_private_addresses = true;  // the test servers are on loopback
    config_.connect_timeout_ms = 300;
    config_.read_timeout_ms = 900;  // deadline: 1200 ms after the fetch starts
  }

  /// The fetch ends at the deadline: not before it, and well before what the trickle would
  /// take (and before what a per-read timeout would allow).
  HttpFetchResult timedGet(const std::string& uri, int64_t* elapsed_ms) {
    auto start = steady_clock::now();
    HttpFetchResult r = get(uri);
    *elapsed_ms = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start).count();
    return r;
  }
};

TEST_F(JwksDeadlineTest, TricklingBodyStopsAtTheDeadline) {
  // 64 KiB announced, sent 256 bytes at a time every 40 ms: 10 s in all, never idle for long.
  TestServer s([](Peer& p) {
    p.readHead();
    if (!p.send("HTTP/1.1 200 OK\r\nContent-Length: 65536\r\n\r\n")) return;
    for (int sent = 0; sent < 65536; sent += 256) {
      if (!p.pause(40) || !p.send(std::string(256, ' '))) return;
    }
  });
  setUp({{}}, s.port());
  int64_t elapsed = 0;
  std::string uri = "http://127.0.0.1:" + std::to_string(s.port()) + "/jwks";
  HttpFetchResult r = timedGet(uri, &elapsed);
  std::string prefix = "jwks_uri fetch from 127.0.0.1 (127.0.0.1 port " + std::to_string(s.port()) +
                       ") stopped at its deadline of 1200 ms (connectTimeoutMs + readTimeoutMs) "
                       "while reading the response body, ";
  EXPECT_EQ(r.error.rfind(prefix, 0), 0u) << r.error;
  EXPECT_NE(r.error.find(" bytes received"), std::string::npos) << r.error;
  EXPECT_GE(elapsed, 1190);
  EXPECT_LT(elapsed, 2000);
}

TEST_F(JwksDeadlineTest, TricklingHeadStopsAtTheDeadline) {
  TestServer s([](Peer& p) {
    p.readHead();
    std::string head = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 10000; ++i) head += "X-Filler: " + std::to_string(i) + "\r\n";
    for (char c : head) {
      if (!p.pause(10) || !p.send(std::string(1, c))) return;
    }
  });
  setUp({{}}, s.port());
  int64_t elapsed = 0;
  HttpFetchResult r = timedGet("http://127.0.0.1:" + std::to_string(s.port()) + "/jwks", &elapsed);
  EXPECT_NE(r.error.find("stopped at its deadline of 1200 ms (connectTimeoutMs + readTimeoutMs) "
                         "while reading the response head, "),
            std::string::npos)
      << r.error;
  EXPECT_GE(elapsed, 1190);
  EXPECT_LT(elapsed, 2000);
}

TEST_F(JwksDeadlineTest, SilentTlsServerStopsAtTheDeadline) {
  TestPki pki("DNS:jwks.example", dir_.file("ca.pem"));
  TestServer s([](Peer& p) { p.waitForClose(); });  // accepts, never answers the ClientHello
  setUp({{}}, s.port());
  int64_t elapsed = 0;
  HttpFetchResult r = timedGet("https://127.0.0.1:" + std::to_string(s.port()) + "/jwks", &elapsed);
  EXPECT_EQ(r.error, "jwks_uri fetch from 127.0.0.1 (127.0.0.1 port " + std::to_string(s.port()) +
                         ") stopped at its deadline of 1200 ms (connectTimeoutMs + "
                         "readTimeoutMs) while waiting for the TLS handshake, 0 bytes received");
  EXPECT_GE(elapsed, 1190);
  EXPECT_LT(elapsed, 2000);
}

// ---- responses ----------------------------------------------------------------------------

class JwksResponseTest : public JwksHttpTransportTest {
 protected:
  JwksResponseTest() { config_.allow_private_addresses = true; }

  HttpFetchResult serve(const std::string& response) {
    TestServer s(answer(response));
    setUp({{}}, s.port());
    return get("http://127.0.0.1:" + std::to_string(s.port()) + "/jwks");
  }
};

TEST_F(JwksResponseTest, ChunkedBodyIsDecoded) {
  HttpFetchResult r = serve(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nCache-Control: public\r\n"
      "Cache-Control: max-age=60\r\n\r\n"
      "5;ext=1\r\n{\"key\r\n6\r\ns\":[]}\r\n0\r\nX-Trailer: 1\r\n\r\n");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.body, kJwks);
  EXPECT_EQ(r.cache_control, "public, max-age=60");
}

TEST_F(JwksResponseTest, BodyUntilCloseWithoutFraming) {
  HttpFetchResult r = serve(std::string("HTTP/1.0 200 OK\r\n\r\n") + kJwks);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.body, kJwks);
}

TEST_F(JwksResponseTest, InterimResponsesAreSkipped) {
  HttpFetchResult r = serve("HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n" + ok(kJwks));
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.body, kJwks);
}

TEST_F(JwksResponseTest, SizeLimitApplies) {
  config_.max_bytes = 1024;
  EXPECT_EQ(serve("HTTP/1.1 200 OK\r\nContent-Length: 1025\r\n\r\n").error,
            "jwks_uri response exceeds 1024 bytes");
  EXPECT_EQ(serve("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n200\r\n" +
                  std::string(512, 'a') + "\r\n201\r\n" + std::string(513, 'a') + "\r\n0\r\n\r\n")
                .error,
            "jwks_uri response exceeds 1024 bytes");
  EXPECT_EQ(serve("HTTP/1.0 200 OK\r\n\r\n" + std::string(1025, 'a')).error,
            "jwks_uri response exceeds 1024 bytes");
  HttpFetchResult r = serve(ok(std::string(1024, 'a')));
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.body.size(), 1024u);
}

TEST_F(JwksResponseTest, NotOkAndRedirectsAreErrors) {
  EXPECT_EQ(serve("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n").error,
            "jwks_uri answered HTTP 404");
  HttpFetchResult r =
      serve("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(r.error, "jwks_uri answered HTTP 302");
  EXPECT_EQ(r.status, 302);
}

TEST_F(JwksResponseTest, MalformedFramingIsRefused) {
  auto error = [&](const std::string& response) {
    std::string e = serve(response).error;
    size_t colon = e.rfind(": ");
    return colon == std::string::npos ? e : e.substr(colon + 2);
  };
  EXPECT_EQ(error("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{}"),
            "invalid or conflicting Content-Length");
  EXPECT_EQ(error("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"),
            "both Transfer-Encoding and Content-Length");
  EXPECT_EQ(error("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
            "unsupported Transfer-Encoding");
  EXPECT_EQ(error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), "bad chunk size");
  EXPECT_EQ(error("SSH-2.0-OpenSSH\r\n\r\n"), "not an HTTP/1.x status line");
  EXPECT_EQ(error("HTTP/1.1 200 OK\r\n folded: x\r\n\r\n"), "folded header line");
}

TEST_F(JwksResponseTest, ShortBodyIsAnError) {
  HttpFetchResult r = serve("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"keys\":[]}");
  EXPECT_NE(r.error.find(" closed the connection while reading the response body ("),
            std::string::npos)
      << r.error;
}

// ---- the system resolver ------------------------------------------------------------------

TEST(JwksSystemResolverTest, NumericNameResolvesToItself) {
  std::string error;
  auto addresses = makeSystemHostResolver()->resolve(
      "127.0.0.1", steady_clock::now() + std::chrono::seconds(5), &error);
  EXPECT_EQ(addresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(error, "");
}

}  // namespace
}  // namespace idgate
