// The HTTP/1.1 request head parser and body framing rules, and ServerExchange's body decoding
// and response writing over a scripted connection.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "http/connection.h"
#include "http/request_head.h"
#include "http/server_exchange.h"

namespace idgate {
namespace {

HeadStatus parse(const std::string& text, RequestHead* head, size_t* consumed = nullptr,
                 std::string* error = nullptr) {
  size_t c = 0;
  std::string e;
  HeadStatus s = parseRequestHead(text, head, consumed ? consumed : &c, error ? error : &e);
  return s;
}

TEST(RequestHead, ParsesRequestLineAndFields) {
  RequestHead head;
  size_t consumed = 0;
  std::string text = "POST /oauth2/token?x=1 HTTP/1.1\r\nHost: idp\r\nX-A:  v 1 \t\r\n\r\nbody";
  ASSERT_EQ(parse(text, &head, &consumed), HeadStatus::kComplete);
  EXPECT_EQ(consumed, text.size() - 4);
  EXPECT_EQ(head.method, "POST");
  EXPECT_EQ(head.target, "/oauth2/token?x=1");
  EXPECT_EQ(head.minor_version, 1);
  ASSERT_EQ(head.headers.size(), 2u);
  EXPECT_EQ(head.headers[1].first, "X-A");
  EXPECT_EQ(head.headers[1].second, "v 1");
  EXPECT_TRUE(head.keepAlive());
}

TEST(RequestHead, IncompleteUntilTheEmptyLine) {
  RequestHead head;
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: x\r\n", &head), HeadStatus::kIncomplete);
  EXPECT_EQ(parse("", &head), HeadStatus::kIncomplete);
}

TEST(RequestHead, RefusesWhatCouldBeReadTwoWays) {
  const std::pair<std::string, std::string> cases[] = {
      {"GET / HTTP/1.1 x\r\nHost: x\r\n\r\n", "malformed request line"},
      {"GET / HTTP/1.2\r\nHost: x\r\n\r\n", "unsupported HTTP version"},
      {"GET / HTTP/1.1\r\nHost: x\r\n\tfold\r\n\r\n", "obsolete header line folding"},
      {"GET / HTTP/1.1\r\nHost x\r\n\r\n", "malformed header field"},
      {"GET / HTTP/1.1\r\nHo st: x\r\n\r\n", "malformed header field name"},
      {"GET / HTTP/1.1\r\nHost: x\r\nA: \x7f\r\n\r\n", "control character in a header field"},
      {"GET / HTTP/1.1\r\n\r\n", "missing Host header"},
      {"GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n", "malformed request target"},
      {"GET / HTTP/1.1\r\nHost: x\r\nhost: y\r\n\r\n", "more than one Host header"},
      {"GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Basic a\r\nauthorization: Bearer b\r\n\r\n",
       "more than one Authorization header"},
      {"GET / HTTP/1.1\r\nHost: x\r\nProxy-Authorization: a\r\nProxy-Authorization: a\r\n\r\n",
       "more than one Proxy-Authorization header"},
  };
  for (const auto& [text, why] : cases) {
    RequestHead head;
    std::string error;
    EXPECT_EQ(parse(text, &head, nullptr, &error), HeadStatus::kBad) << text;
    EXPECT_EQ(error, why) << text;
  }
}

TEST(RequestHead, LimitsSizeAndFieldCount) {
  RequestHead head;
  std::string error;
  std::string big = "GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(kMaxRequestHeadBytes, 'a');
  EXPECT_EQ(parse(big, &head, nullptr, &error), HeadStatus::kTooLarge);
  EXPECT_EQ(parse(big + "\r\n\r\n", &head, nullptr, &error), HeadStatus::kTooLarge);
  std::string many = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (size_t i = 0; i < kMaxRequestHeaderFields; ++i) many += "X: y\r\n";
  EXPECT_EQ(parse(many + "\r\n", &head, nullptr, &error), HeadStatus::kBad);
  EXPECT_EQ(error, "more than 100 header fields");
}

TEST(RequestHead, ListHasTokenIgnoresCaseAndBlanks) {
  EXPECT_TRUE(listHasToken("keep-alive, X-Private", "x-private"));
  EXPECT_TRUE(listHasToken(" close ", "Close"));
  EXPECT_FALSE(listHasToken("X-Private-2", "X-Private"));
  EXPECT_FALSE(listHasToken("", "close"));
}

TEST(RequestHead, KeepAliveByVersionAndConnection) {
  RequestHead head;
  ASSERT_EQ(parse("GET / HTTP/1.0\r\n\r\n", &head), HeadStatus::kComplete);
  EXPECT_FALSE(head.keepAlive());
  ASSERT_EQ(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &head),
            HeadStatus::kComplete);
  EXPECT_TRUE(head.keepAlive());
  ASSERT_EQ(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: te, close\r\n\r\n", &head),
            HeadStatus::kComplete);
  EXPECT_FALSE(head.keepAlive());
}

BodyFraming framingOf(const std::string& fields) {
  RequestHead head;
  EXPECT_EQ(parse("POST / HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n", &head),
            HeadStatus::kComplete);
  return bodyFraming(head);
}

TEST(BodyFramingRule, NoTransferEncodingFromHttp10) {
  RequestHead head;
  ASSERT_EQ(parse("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", &head),
            HeadStatus::kComplete);
  BodyFraming f = bodyFraming(head);
  EXPECT_EQ(f.kind, BodyFraming::Kind::kInvalid);
  EXPECT_EQ(f.error, "Transfer-Encoding is not allowed in HTTP/1.0");
}

TEST(BodyFramingRule, LengthChunkedAndAmbiguity) {
  EXPECT_EQ(framingOf("").kind, BodyFraming::Kind::kNone);
  EXPECT_EQ(framingOf("Content-Length: 0\r\n").kind, BodyFraming::Kind::kNone);
  BodyFraming f = framingOf("Content-Length: 12\r\ncontent-length: 12\r\n");
  EXPECT_EQ(f.kind, BodyFraming::Kind::kLength);
  EXPECT_EQ(f.length, 12);
  EXPECT_EQ(framingOf("Transfer-Encoding: Chunked\r\n").kind, BodyFraming::Kind::kChunked);
  for (const char* bad : {"Content-Length: 1\r\nContent-Length: 2\r\n", "Content-Length: +1\r\n",
                          "Content-Length: 1 2\r\n", "Content-Length: 9999999999999999999\r\n",
                          "Transfer-Encoding: gzip, chunked\r\n",
                          "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n",
                          "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"}) {
    EXPECT_EQ(framingOf(bad).kind, BodyFraming::Kind::kInvalid) << bad;
  }
}

/// A connection fed by the test: each send() is what one fill() receives (so bodies arrive in
/// pieces); after shutdownSend() a fill() past the sent pieces is the end of the stream. What
/// the server side writes collects in `wire`.
class ScriptedConnection : public Connection {
 public:
  bool fill() override {
    if (next_ >= pieces_.size()) return false;
    receiveBuffer() += pieces_[next_++];
    return true;
  }
  bool write(std::string_view data) override {
    wire.append(data);
    return true;
  }
  void send(std::string piece) { pieces_.push_back(std::move(piece)); }
  std::string wire;

 private:
  std::vector<std::string> pieces_;
  size_t next_ = 0;
};

struct Loopback {
  ScriptedConnection server;
  struct Client {
    ScriptedConnection& c;
    void sendBytes(const char* data, int n) { c.send(std::string(data, static_cast<size_t>(n))); }
    void shutdownSend() {}
  } client{server};
  std::string readAll() { return server.wire; }
};

struct Exchange {
  RequestHead head;
  std::unique_ptr<ServerExchange> ex;
  explicit Exchange(Loopback& l, const std::string& head_text) {
    while (std::string(l.server.buffered()).find("\r\n\r\n") == std::string::npos) {
      if (!l.server.fill()) break;
    }
    size_t consumed = 0;
    std::string error;
    EXPECT_EQ(parseRequestHead(l.server.buffered(), &head, &consumed, &error),
              HeadStatus::kComplete);
    l.server.consume(consumed);
    ex = std::make_unique<ServerExchange>(l.server, head);
    (void)head_text;
  }
};

TEST(ServerExchangeTest, DecodesChunkedBodyAcrossReads) {
  Loopback l;
  std::string head = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  l.client.sendBytes(head.data(), static_cast<int>(head.size()));
  Exchange e(l, head);
  std::string rest = "3;name=value\r\nabc\r\nA\r\n0123456789\r\n0\r\nT: 1\r\n\r\n";
  l.client.sendBytes(rest.data(), static_cast<int>(rest.size()));
  std::string body;
  EXPECT_EQ(e.ex->readAll(100, &body), ServerExchange::ReadResult::kOk);
  EXPECT_EQ(body, "abc0123456789");
  EXPECT_TRUE(e.ex->bodyRead());
  HttpResponseData res;
  res.body = "{}";
  EXPECT_TRUE(e.ex->send(res, "rid"));
  EXPECT_TRUE(e.ex->reusable());
  std::string wire = l.readAll();
  EXPECT_EQ(wire.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << wire;
  EXPECT_NE(wire.find("\r\nX-Request-Id: rid\r\n"), std::string::npos);
  EXPECT_NE(wire.find("\r\nContent-Length: 2\r\n\r\n{}"), std::string::npos);
  EXPECT_EQ(wire.find("Connection:"), std::string::npos);
}

TEST(ServerExchangeTest, TooLargeAndMalformedBodies) {
  {
    Loopback l;
    std::string req = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world";
    l.client.sendBytes(req.data(), static_cast<int>(req.size()));
    Exchange e(l, req);
    std::string body;
    EXPECT_EQ(e.ex->readAll(10, &body), ServerExchange::ReadResult::kTooLarge);
  }
  {
    Loopback l;
    std::string req =
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcdX\r\n";
    l.client.sendBytes(req.data(), static_cast<int>(req.size()));
    Exchange e(l, req);
    std::string body;
    EXPECT_EQ(e.ex->readAll(100, &body), ServerExchange::ReadResult::kBroken);
    EXPECT_FALSE(e.ex->bodyRead());
  }
  {
    Loopback l;  // the client stops in the middle of the body
    std::string req = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc";
    l.client.sendBytes(req.data(), static_cast<int>(req.size()));
    Exchange e(l, req);
    l.client.shutdownSend();
    std::string body;
    EXPECT_EQ(e.ex->readAll(100, &body), ServerExchange::ReadResult::kBroken);
  }
}

TEST(ServerExchangeTest, ChunkLinesAreStrict) {
  for (const std::string bad :
       {"5 x\r\nabcde\r\n0\r\n\r\n", "5;\x7f\r\nabcde\r\n0\r\n\r\n", "\r\nabc\r\n",
        "5\rx\r\nabcde\r\n0\r\n\r\n", "10000000000000000\r\n"}) {
    Loopback l;
    std::string req = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + bad;
    l.client.sendBytes(req.data(), static_cast<int>(req.size()));
    l.client.shutdownSend();
    Exchange e(l, req);
    std::string body;
    EXPECT_EQ(e.ex->readAll(1 << 20, &body), ServerExchange::ReadResult::kBroken) << bad;
  }
  Loopback l;  // blanks before an extension are allowed
  std::string req =
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5 "
      "\t;n=\"v\"\r\nabcde\r\n0\r\n\r\n";
  l.client.sendBytes(req.data(), static_cast<int>(req.size()));
  Exchange e(l, req);
  std::string body;
  EXPECT_EQ(e.ex->readAll(100, &body), ServerExchange::ReadResult::kOk);
  EXPECT_EQ(body, "abcde");
}

TEST(ServerExchangeTest, UnreadBodyClosesTheConnection) {
  Loopback l;
  std::string req = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n";
  l.client.sendBytes(req.data(), static_cast<int>(req.size()));
  Exchange e(l, req);
  HttpResponseData res;
  res.status = 401;
  res.body = "{}";
  EXPECT_TRUE(e.ex->send(res, "r"));
  EXPECT_FALSE(e.ex->reusable());
  EXPECT_NE(l.readAll().find("\r\nConnection: close\r\n"), std::string::npos);
}

TEST(ServerExchangeTest, StreamsChunkedResponse) {
  Loopback l;
  std::string req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  l.client.sendBytes(req.data(), static_cast<int>(req.size()));
  Exchange e(l, req);
  EXPECT_TRUE(e.ex->sendHead(201, "Made", {{"Date", "fixed"}, {"X-Up", "1"}}, std::nullopt, false));
  EXPECT_TRUE(e.ex->sendBodyPart("hello "));
  EXPECT_TRUE(e.ex->sendBodyPart("world!"));
  EXPECT_TRUE(e.ex->finish());
  EXPECT_TRUE(e.ex->reusable());
  EXPECT_EQ(l.readAll(),
            "HTTP/1.1 201 Made\r\nServer: idgate\r\nDate: fixed\r\nX-Up: 1\r\n"
            "Transfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n6\r\nworld!\r\n0\r\n\r\n");
}

TEST(ServerExchangeTest, FixedLengthResponseCutShortIsNotReusable) {
  Loopback l;
  std::string req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  l.client.sendBytes(req.data(), static_cast<int>(req.size()));
  Exchange e(l, req);
  EXPECT_TRUE(e.ex->sendHead(200, "OK", {}, 10, false));
  EXPECT_TRUE(e.ex->sendBodyPart("12345"));
  EXPECT_FALSE(e.ex->sendBodyPart("123456"));  // more than declared
  EXPECT_FALSE(e.ex->finish());
  EXPECT_FALSE(e.ex->reusable());
}

}  // namespace
}  // namespace idgate
