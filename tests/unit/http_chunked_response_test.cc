// ChunkedDecoder (incremental chunked bodies, ServerExchange's rules) and the response head parser
// and body framing rules of the gateway's upstream side.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>

#include "http/chunked_decoder.h"
#include "http/response_head.h"

namespace idgate {
namespace {

using Status = ChunkedDecoder::Status;

struct Decoded {
  Status status = Status::kNeedMore;
  size_t consumed = 0;  ///< of the whole input
  std::string data;
};

/// Feeds `in` in one piece.
Decoded decodeWhole(std::string_view in) {
  ChunkedDecoder decoder;
  Decoded d;
  d.status = decoder.feed(in, &d.consumed, &d.data);
  return d;
}

/// Feeds `in` one byte at a time, as a connection buffer would: unconsumed bytes stay in front
/// of the next one.
Decoded decodeByteByByte(std::string_view in) {
  ChunkedDecoder decoder;
  Decoded d;
  std::string buffer;
  for (char c : in) {
    buffer.push_back(c);
    size_t used = 0;
    d.status = decoder.feed(buffer, &used, &d.data);
    buffer.erase(0, used);
    d.consumed += used;
    if (d.status != Status::kNeedMore) break;
  }
  return d;
}

/// Both ways, with the same result.
Decoded decode(std::string_view in) {
  Decoded whole = decodeWhole(in);
  Decoded bytes = decodeByteByByte(in);
  EXPECT_EQ(whole.status, bytes.status);
  EXPECT_EQ(whole.data, bytes.data);
  if (whole.status != Status::kMalformed) {
    EXPECT_EQ(whole.consumed, bytes.consumed);
  }
  return whole;
}

TEST(ChunkedDecoder, DecodesInOnePieceAndByteByByte) {
  const std::string body = "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n";
  Decoded d = decode(body);
  EXPECT_EQ(d.status, Status::kDone);
  EXPECT_EQ(d.data, "hello, world");
  EXPECT_EQ(d.consumed, body.size());
}

TEST(ChunkedDecoder, HexSizesInEitherCase) {
  std::string body =
      "1a\r\n" + std::string(26, 'x') + "\r\nA\r\n" + std::string(10, 'y') + "\r\n000\r\n\r\n";
  Decoded d = decode(body);
  EXPECT_EQ(d.status, Status::kDone);
  EXPECT_EQ(d.data, std::string(26, 'x') + std::string(10, 'y'));
}

TEST(ChunkedDecoder, EmptyBody) {
  Decoded d = decode("0\r\n\r\n");
  EXPECT_EQ(d.status, Status::kDone);
  EXPECT_EQ(d.data, "");
  EXPECT_EQ(d.consumed, 5u);
}

TEST(ChunkedDecoder, AcceptsExtensionsAndTrailers) {
  const std::string body =
      "3 \t;ext=1;name=\"quoted value\"\r\nabc\r\n2;x\r\nde\r\n0;last\r\nExpires: never\r\n"
      "X-Checksum: 1234\r\n\r\n";
  Decoded d = decode(body);
  EXPECT_EQ(d.status, Status::kDone);
  EXPECT_EQ(d.data, "abcde");
  EXPECT_EQ(d.consumed, body.size());
}

TEST(ChunkedDecoder, LeavesTheBytesAfterTheEnd) {
  const std::string body = "4\r\nbody\r\n0\r\nT: 1\r\n\r\n";
  const std::string next = "HTTP/1.1 200 OK\r\n\r\n";
  Decoded d = decode(body + next);
  EXPECT_EQ(d.status, Status::kDone);
  EXPECT_EQ(d.data, "body");
  EXPECT_EQ(d.consumed, body.size());
}

TEST(ChunkedDecoder, StaysDoneOrMalformed) {
  ChunkedDecoder done;
  size_t consumed = 99;
  std::string out;
  EXPECT_EQ(done.feed("0\r\n\r\n", &consumed, &out), Status::kDone);
  EXPECT_TRUE(done.done());
  EXPECT_EQ(done.feed("1\r\nx\r\n0\r\n\r\n", &consumed, &out), Status::kDone);
  EXPECT_EQ(consumed, 0u);
  EXPECT_EQ(out, "");

  ChunkedDecoder malformed;
  EXPECT_EQ(malformed.feed("g\r\n", &consumed, &out), Status::kMalformed);
  EXPECT_FALSE(malformed.done());
  EXPECT_EQ(malformed.feed("0\r\n\r\n", &consumed, &out), Status::kMalformed);
  EXPECT_EQ(consumed, 0u);
}

TEST(ChunkedDecoder, NeedsMoreUntilTheEmptyTrailerLine) {
  ChunkedDecoder decoder;
  size_t consumed = 0;
  std::string out;
  // Data is passed on as it arrives, inside a chunk; an incomplete line is left unconsumed.
  EXPECT_EQ(decoder.feed("5\r\nhel", &consumed, &out), Status::kNeedMore);
  EXPECT_EQ(consumed, 6u);
  EXPECT_EQ(out, "hel");
  EXPECT_EQ(decoder.feed("lo\r\n0\r\nTrailer: x\r", &consumed, &out), Status::kNeedMore);
  EXPECT_EQ(consumed, 7u);  // "lo\r\n0\r\n"; the trailer line waits for its LF
  EXPECT_EQ(out, "hello");
  EXPECT_EQ(decoder.feed("Trailer: x\r\n", &consumed, &out), Status::kNeedMore);
  EXPECT_EQ(consumed, 12u);
  EXPECT_FALSE(decoder.done());
  EXPECT_EQ(decoder.feed("\r\n", &consumed, &out), Status::kDone);
  EXPECT_EQ(consumed, 2u);
  EXPECT_TRUE(decoder.done());
}

TEST(ChunkedDecoder, RefusesMalformedFraming) {
  const std::string cases[] = {
      "x\r\nabc\r\n0\r\n\r\n",                   // not hex
      "-1\r\na\r\n0\r\n\r\n",                    // a sign
      ";ext\r\n0\r\n\r\n",                       // no digits
      " 5\r\nhello\r\n0\r\n\r\n",                // whitespace before the size
      "0000000000000005\r\nhello\r\n0\r\n\r\n",  // 16 digits
      "5\nhello\r\n0\r\n\r\n",                   // a bare LF ends the size line
      "5\rx\r\nhello\r\n0\r\n\r\n",              // a bare CR in the size line
      "5\r\nhello\n0\r\n\r\n",                   // a bare LF after the data
      "5\r\nhelloX\r\n0\r\n\r\n",                // data longer than its size
      "5\r\nhello\r\r\n0\r\n\r\n",               // not exactly CRLF after the data
      "5\r\nhello\rX0\r\n\r\n",                  // CR and another byte after the data
      "5 x\r\nhello\r\n0\r\n\r\n",               // text after the size without ';'
      "5x\r\nhello\r\n0\r\n\r\n",                // text after the size without ';'
      "5;a\x01\r\nhello\r\n0\r\n\r\n",           // a control character in an extension
      "0\r\nTrailer: x\n\r\n",                   // a bare LF in a trailer line
      "0\r\n\n",                                 // a bare LF ends the trailer
  };
  for (const std::string& body : cases) {
    SCOPED_TRACE(testing::PrintToString(body));
    EXPECT_EQ(decode(body).status, Status::kMalformed);
  }
}

TEST(ChunkedDecoder, FifteenDigitsAreAllowed) {
  Decoded d = decode("000000000000005\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(d.status, Status::kDone);
  EXPECT_EQ(d.data, "hello");
  // The largest size 15 digits can say: a chunk that has begun.
  ChunkedDecoder decoder;
  size_t consumed = 0;
  std::string out;
  EXPECT_EQ(decoder.feed("fffffffffffffff\r\nab", &consumed, &out), Status::kNeedMore);
  EXPECT_EQ(consumed, 19u);
  EXPECT_EQ(out, "ab");
}

TEST(ChunkedDecoder, LinesUpTo4096Bytes) {
  // A size line of exactly the limit (a digit, ';' and 4094 extension bytes) passes; one byte
  // more does not.
  const std::string line = "1;" + std::string(4094, 'e');
  ASSERT_EQ(line.size(), ChunkedDecoder::kMaxChunkLineBytes);
  Decoded at = decode(line + "\r\nx\r\n0\r\n\r\n");
  EXPECT_EQ(at.status, Status::kDone);
  EXPECT_EQ(at.data, "x");
  EXPECT_EQ(decode(line + "e\r\nx\r\n0\r\n\r\n").status, Status::kMalformed);

  // Incomplete: left unconsumed while it may still end within the limit.
  ChunkedDecoder decoder;
  size_t consumed = 99;
  std::string out;
  EXPECT_EQ(decoder.feed(line, &consumed, &out), Status::kNeedMore);
  EXPECT_EQ(consumed, 0u);
  EXPECT_EQ(decoder.feed(line + "\r", &consumed, &out), Status::kNeedMore);
  EXPECT_EQ(consumed, 0u);
  EXPECT_EQ(decoder.feed(line + "e", &consumed, &out), Status::kMalformed);

  // The same for trailer lines.
  const std::string trailer = "T: " + std::string(4093, 'v');
  ASSERT_EQ(trailer.size(), ChunkedDecoder::kMaxChunkLineBytes);
  EXPECT_EQ(decode("0\r\n" + trailer + "\r\n\r\n").status, Status::kDone);
  EXPECT_EQ(decode("0\r\n" + trailer + "v\r\n\r\n").status, Status::kMalformed);
}

TEST(ChunkedDecoder, TrailerBytesAreBounded) {
  // Trailer lines count with their CRLF, the final empty line too: 15 lines of 4096 + 2 bytes,
  // one of `last` + 2 bytes and the final 2 bytes.
  auto body = [](size_t last) {
    std::string text = "0\r\n";
    for (int i = 0; i < 15; ++i) text += "T:" + std::string(4094, 'v') + "\r\n";
    return text + "T:" + std::string(last - 2, 'v') + "\r\n\r\n";
  };
  ASSERT_EQ(15 * 4098 + 4062 + 2 + 2, ChunkedDecoder::kMaxFramingBytes);
  EXPECT_EQ(decode(body(4062)).status, Status::kDone);
  EXPECT_EQ(decode(body(4063)).status, Status::kMalformed);
}

TEST(ChunkedDecoder, ExtensionBytesAreBounded) {
  // Each size line counts without its digits: 16 chunks with 4095 extension bytes make 65,520;
  // the last chunk's extensions and the final empty line (2 bytes) may add 16 more.
  std::string chunks;
  for (int i = 0; i < 16; ++i) chunks += "1;" + std::string(4094, 'e') + "\r\nx\r\n";
  auto body = [&](size_t last_ext) {
    return chunks + "0;" + std::string(last_ext - 1, 'e') + "\r\n\r\n";
  };
  ASSERT_EQ(16 * 4095 + 14 + 2, ChunkedDecoder::kMaxFramingBytes);
  Decoded d = decode(body(14));
  EXPECT_EQ(d.status, Status::kDone);
  EXPECT_EQ(d.data, std::string(16, 'x'));
  EXPECT_EQ(decode(body(15)).status, Status::kMalformed);  // over by the final empty line
  EXPECT_EQ(decode(body(17)).status, Status::kMalformed);  // over by the size line itself
}

// --- Response heads ---

HeadStatus parse(std::string_view text, ResponseHead* head, size_t* consumed = nullptr,
                 std::string* error = nullptr) {
  size_t c = 0;
  std::string e;
  return parseResponseHead(text, head, consumed ? consumed : &c, error ? error : &e);
}

TEST(ResponseHead, ParsesStatusLineAndFields) {
  ResponseHead head;
  size_t consumed = 0;
  const std::string text =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-A:  v 1 \t\r\n\r\n{}";
  ASSERT_EQ(parse(text, &head, &consumed), HeadStatus::kComplete);
  EXPECT_EQ(consumed, text.size() - 2);
  EXPECT_EQ(head.minor_version, 1);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.reason, "OK");
  ASSERT_EQ(head.headers.size(), 2u);
  EXPECT_EQ(head.headers[0].first, "Content-Type");
  EXPECT_EQ(head.headers[0].second, "application/json");
  EXPECT_EQ(head.headers[1].first, "X-A");
  EXPECT_EQ(head.headers[1].second, "v 1");
}

TEST(ResponseHead, ReasonPhrases) {
  ResponseHead head;
  ASSERT_EQ(parse("HTTP/1.0 404 Not  Found\there\r\n\r\n", &head), HeadStatus::kComplete);
  EXPECT_EQ(head.minor_version, 0);
  EXPECT_EQ(head.status, 404);
  EXPECT_EQ(head.reason, "Not  Found\there");
  ASSERT_EQ(parse("HTTP/1.1 204 \r\n\r\n", &head), HeadStatus::kComplete);
  EXPECT_EQ(head.status, 204);
  EXPECT_EQ(head.reason, "");
  ASSERT_EQ(parse("HTTP/1.1 500\r\n\r\n", &head), HeadStatus::kComplete);  // no SP: no reason
  EXPECT_EQ(head.status, 500);
  EXPECT_EQ(head.reason, "");
  ASSERT_EQ(parse("HTTP/1.1 999 x\r\n\r\n", &head), HeadStatus::kComplete);
  EXPECT_EQ(head.status, 999);
}

TEST(ResponseHead, InterimResponseIsAHeadOfItsOwn) {
  const std::string interim = "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n";
  const std::string final_head = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  const std::string text = interim + final_head;
  ResponseHead head;
  size_t consumed = 0;
  ASSERT_EQ(parse(text, &head, &consumed), HeadStatus::kComplete);
  EXPECT_EQ(consumed, interim.size());
  EXPECT_EQ(head.status, 103);
  EXPECT_EQ(head.reason, "Early Hints");
  ASSERT_EQ(head.headers.size(), 1u);
  EXPECT_EQ(head.headers[0].second, "</a.css>; rel=preload");
  EXPECT_EQ(responseFraming(head, "GET").kind, ResponseFraming::Kind::kNone);
  ASSERT_EQ(parse(std::string_view(text).substr(consumed), &head, &consumed),
            HeadStatus::kComplete);
  EXPECT_EQ(consumed, final_head.size());
  EXPECT_EQ(head.status, 200);
  ASSERT_EQ(head.headers.size(), 1u);  // the interim fields are gone
  EXPECT_EQ(head.headers[0].first, "Content-Length");
}

TEST(ResponseHead, IncompleteUntilTheEmptyLine) {
  ResponseHead head;
  EXPECT_EQ(parse("", &head), HeadStatus::kIncomplete);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nA: b\r\n", &head), HeadStatus::kIncomplete);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nA: b\r\n\r", &head), HeadStatus::kIncomplete);
}

TEST(ResponseHead, RefusesWhatCouldBeReadTwoWays) {
  const std::pair<std::string, std::string> cases[] = {
      {"HTTP/1.2 200 OK\r\n\r\n", "unsupported HTTP version"},
      {"HTTP/2.0 200 OK\r\n\r\n", "unsupported HTTP version"},
      {"http/1.1 200 OK\r\n\r\n", "unsupported HTTP version"},
      {"\r\nHTTP/1.1 200 OK\r\n\r\n", "unsupported HTTP version"},
      {"HTTP/1.10 200 OK\r\n\r\n", "malformed status line"},
      {"HTTP/1.1 20 OK\r\n\r\n", "malformed status line"},
      {"HTTP/1.1 2000 OK\r\n\r\n", "malformed status line"},
      {"HTTP/1.1 099 OK\r\n\r\n", "malformed status line"},
      {"HTTP/1.1 2x0 OK\r\n\r\n", "malformed status line"},
      {"HTTP/1.1  200 OK\r\n\r\n", "malformed status line"},
      {"HTTP/1.1\t200 OK\r\n\r\n", "malformed status line"},
      {"HTTP/1.1 200 O\x01K\r\n\r\n", "control character in the reason phrase"},
      {"HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", "obsolete header line folding"},
      {"HTTP/1.1 200 OK\r\n\tA: b\r\n\r\n", "obsolete header line folding"},
      {"HTTP/1.1 200 OK\r\nA b\r\n\r\n", "malformed header field"},
      {"HTTP/1.1 200 OK\r\nA b: c\r\n\r\n", "malformed header field name"},
      {"HTTP/1.1 200 OK\r\nA : c\r\n\r\n", "malformed header field name"},
      {"HTTP/1.1 200 OK\r\n: c\r\n\r\n", "malformed header field name"},
      {"HTTP/1.1 200 OK\r\nA: \x7f\r\n\r\n", "control character in a header field"},
      {"HTTP/1.1 200 OK\nA: b\r\n\r\n", "bare CR or LF in the response head"},
      {"HTTP/1.1 200 OK\r\nA: b\n\r\n", "bare CR or LF in the response head"},
      {"HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", "bare CR or LF in the response head"},
  };
  for (const auto& [text, message] : cases) {
    SCOPED_TRACE(testing::PrintToString(text));
    ResponseHead head;
    std::string error;
    EXPECT_EQ(parse(text, &head, nullptr, &error), HeadStatus::kBad);
    EXPECT_EQ(error, message);
  }
}

TEST(ResponseHead, BareLineFeedsAreRefusedBeforeTheHeadEnds) {
  // Never a CRLF CRLF: refused at once rather than waited on up to the size limit.
  ResponseHead head;
  std::string error;
  EXPECT_EQ(parse("HTTP/1.1 200 OK\n\n", &head, nullptr, &error), HeadStatus::kBad);
  EXPECT_EQ(error, "bare CR or LF in the response head");
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nA: b\r\r", &head), HeadStatus::kBad);
}

TEST(ResponseHead, TooLarge) {
  ResponseHead head;
  std::string error;
  const std::string start = "HTTP/1.1 200 OK\r\nX: ";
  // Exactly the limit, through the empty line, passes.
  std::string fits = start + std::string(kMaxRequestHeadBytes - start.size() - 4, 'v') + "\r\n\r\n";
  ASSERT_EQ(fits.size(), kMaxRequestHeadBytes);
  EXPECT_EQ(parse(fits, &head), HeadStatus::kComplete);
  std::string over = start + std::string(kMaxRequestHeadBytes - start.size() - 3, 'v') + "\r\n\r\n";
  EXPECT_EQ(parse(over, &head, nullptr, &error), HeadStatus::kTooLarge);
  EXPECT_EQ(error, "response head exceeds 32768 bytes");
  // Without an end, once the limit is reached.
  EXPECT_EQ(parse(start + std::string(kMaxRequestHeadBytes - start.size() - 1, 'v'), &head),
            HeadStatus::kIncomplete);
  EXPECT_EQ(parse(start + std::string(kMaxRequestHeadBytes - start.size(), 'v'), &head),
            HeadStatus::kTooLarge);
}

TEST(ResponseHead, AtMostMaxHeaderFields) {
  std::string text = "HTTP/1.1 200 OK\r\n";
  for (size_t i = 0; i < kMaxRequestHeaderFields; ++i) text += "X-" + std::to_string(i) + ": v\r\n";
  ResponseHead head;
  EXPECT_EQ(parse(text + "\r\n", &head), HeadStatus::kComplete);
  EXPECT_EQ(head.headers.size(), kMaxRequestHeaderFields);
  std::string error;
  EXPECT_EQ(parse(text + "X-last: v\r\n\r\n", &head, nullptr, &error), HeadStatus::kBad);
  EXPECT_EQ(error, "more than 100 header fields");
}

TEST(ResponseHead, KeepAlive) {
  auto keep_alive = [](std::string_view text) {
    ResponseHead head;
    EXPECT_EQ(parse(text, &head), HeadStatus::kComplete);
    return head.keepAlive();
  };
  EXPECT_TRUE(keep_alive("HTTP/1.1 200 OK\r\n\r\n"));
  EXPECT_FALSE(keep_alive("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"));
  EXPECT_FALSE(keep_alive("HTTP/1.1 200 OK\r\nConnection: Upgrade, CLOSE\r\n\r\n"));
  EXPECT_FALSE(
      keep_alive("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n"));
  EXPECT_FALSE(keep_alive("HTTP/1.0 200 OK\r\n\r\n"));
  EXPECT_TRUE(keep_alive("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n\r\n"));
  EXPECT_FALSE(keep_alive("HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\n\r\n"));
}

ResponseFraming framing(std::string_view text, std::string_view method = "GET") {
  ResponseHead head;
  EXPECT_EQ(parse(text, &head), HeadStatus::kComplete) << text;
  return responseFraming(head, method);
}

TEST(ResponseHead, FramingWithoutABody) {
  using Kind = ResponseFraming::Kind;
  EXPECT_EQ(framing("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", "HEAD").kind, Kind::kNone);
  EXPECT_EQ(framing("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "HEAD").kind,
            Kind::kNone);
  EXPECT_EQ(framing("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n").kind, Kind::kNone);
  EXPECT_EQ(framing("HTTP/1.1 204 \r\n\r\n").kind, Kind::kNone);
  EXPECT_EQ(framing("HTTP/1.1 100 Continue\r\n\r\n").kind, Kind::kNone);
  EXPECT_EQ(framing("HTTP/1.1 200 OK\r\n\r\n", "CONNECT").kind, Kind::kNone);
}

TEST(ResponseHead, FramingKinds) {
  using Kind = ResponseFraming::Kind;
  ResponseFraming f = framing("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n");
  EXPECT_EQ(f.kind, Kind::kChunked);
  f = framing("HTTP/1.1 200 OK\r\nContent-Length: 42\r\ncontent-length: 42\r\n\r\n");
  EXPECT_EQ(f.kind, Kind::kLength);
  EXPECT_EQ(f.length, 42);
  f = framing("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(f.kind, Kind::kLength);
  EXPECT_EQ(f.length, 0);
  f = framing("HTTP/1.1 200 OK\r\nContent-Length: 999999999999999999\r\n\r\n");
  EXPECT_EQ(f.kind, Kind::kLength);
  EXPECT_EQ(f.length, 999999999999999999);
  EXPECT_EQ(framing("HTTP/1.1 200 OK\r\n\r\n").kind, Kind::kUntilClose);
  EXPECT_EQ(framing("HTTP/1.0 200 OK\r\n\r\n").kind, Kind::kUntilClose);
  EXPECT_EQ(framing("HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\n", "POST").kind,
            Kind::kLength);
}

TEST(ResponseHead, FramingThatCouldBeReadTwoWays) {
  const std::pair<std::string, std::string> cases[] = {
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
       "Transfer-Encoding must be exactly chunked, without Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
       "Transfer-Encoding must be exactly chunked, without Content-Length"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
       "Transfer-Encoding must be exactly chunked, without Content-Length"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
       "Transfer-Encoding must be exactly chunked, without Content-Length"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
       "Transfer-Encoding must be exactly chunked, without Content-Length"},
      {"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
       "Transfer-Encoding is not allowed in HTTP/1.0"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
       "conflicting Content-Length values"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n", "Content-Length is not a number"},
      {"HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n", "Content-Length is not a number"},
      {"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", "Content-Length is not a number"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000000000\r\n\r\n",
       "Content-Length is not a number"},
  };
  for (const auto& [text, message] : cases) {
    SCOPED_TRACE(testing::PrintToString(text));
    ResponseFraming f = framing(text);
    EXPECT_EQ(f.kind, ResponseFraming::Kind::kInvalid);
    EXPECT_EQ(f.error, message);
  }
}

}  // namespace
}  // namespace idgate
