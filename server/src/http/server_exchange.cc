#include "http/server_exchange.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <cctype>
#include <ctime>

namespace idgate {
namespace {

constexpr size_t kMaxChunkLineBytes = 4096;
constexpr size_t kMaxFramingBytes = 64 * 1024;  ///< chunk extensions and trailers of one body

/// The Date field value (RFC 9110 §6.6.1), formatted once a second per thread.
const std::string& httpDate() {
  thread_local std::time_t last = 0;
  thread_local std::string text;
  std::time_t now = std::time(nullptr);
  if (now != last) {
    last = now;
    text = Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(now),
                                           Poco::DateTimeFormat::HTTP_FORMAT);
  }
  return text;
}

}  // namespace

ServerExchange::ServerExchange(Connection& connection, const RequestHead& head)
    : connection_(connection),
      head_(head),
      framing_(bodyFraming(head)),
      keep_alive_(head.keepAlive()),
      body_done_(framing_.kind == BodyFraming::Kind::kNone) {
  if (framing_.kind == BodyFraming::Kind::kLength) remaining_ = framing_.length;
  const std::string* expect = findHeader(head.headers, "Expect");
  expect_continue_ = !body_done_ && head.minor_version == 1 && expect != nullptr &&
                     sameHeaderName(*expect, "100-continue") && !connection.continueSent();
}

bool ServerExchange::readChunkLine(std::string* line) {
  for (;;) {
    std::string_view buf = connection_.buffered();
    size_t eol = buf.find("\r\n");
    if (eol != std::string_view::npos) {
      if (eol > kMaxChunkLineBytes) return false;
      line->assign(buf.substr(0, eol));
      connection_.consume(eol + 2);
      // A bare CR or LF inside the line is read differently by other parsers: refused.
      return line->find_first_of("\r\n") == std::string::npos;
    }
    if (buf.size() > kMaxChunkLineBytes || !connection_.fill()) return false;
  }
}

long ServerExchange::readBody(char* out, size_t n) { return readBodyStep(out, n); }

bool ServerExchange::readChunkHeader() {
  // RFC 9112 §7.1: chunk-size [ BWS ";" extensions ] CRLF; after the last chunk, trailer
  // fields and CRLF. Extensions and trailers are dropped but must be visible text, and count
  // towards a bound on framing bytes (no data, but bytes on the wire).
  std::string line;
  if (!readChunkLine(&line)) return false;
  size_t digits = 0;
  while (digits < line.size() && std::isxdigit(static_cast<unsigned char>(line[digits]))) {
    ++digits;
  }
  size_t rest = digits;
  while (rest < line.size() && (line[rest] == ' ' || line[rest] == '\t')) ++rest;
  if (digits == 0 || digits > 15 || (rest < line.size() && line[rest] != ';') ||
      !isFieldValue(std::string_view(line).substr(rest))) {
    return false;
  }
  framing_bytes_ += line.size() - digits;
  if (framing_bytes_ > kMaxFramingBytes) return false;
  remaining_ = std::stoll(line.substr(0, digits), nullptr, 16);
  if (remaining_ > 0) {
    in_chunk_ = true;
    return true;
  }
  do {
    if (!readChunkLine(&line) || (framing_bytes_ += line.size() + 2) > kMaxFramingBytes) {
      return false;
    }
  } while (!line.empty());
  body_done_ = true;
  return true;
}

long ServerExchange::readBodyStep(char* out, size_t n) {
  if (body_broken_) return -1;
  if (body_done_) return 0;
  if (expect_continue_) {
    expect_continue_ = false;
    if (!started_ && !connection_.write("HTTP/1.1 100 Continue\r\n\r\n")) return broken();
  }
  if (framing_.kind == BodyFraming::Kind::kChunked && !in_chunk_) {
    if (!readChunkHeader()) return broken();
    if (body_done_) return 0;
  }
  long got = connection_.read(
      out, static_cast<size_t>(std::min<int64_t>(remaining_, static_cast<int64_t>(n))));
  if (got <= 0) return broken();
  remaining_ -= got;
  if (remaining_ > 0) return got;
  if (framing_.kind == BodyFraming::Kind::kLength) {
    body_done_ = true;
    return got;
  }
  in_chunk_ = false;
  std::string crlf;
  if (!readChunkLine(&crlf) || !crlf.empty()) return broken();
  return got;
}

ServerExchange::ReadResult ServerExchange::readAll(int64_t max_bytes, std::string* body) {
  if (framing_.kind == BodyFraming::Kind::kLength && framing_.length > max_bytes) {
    return ReadResult::kTooLarge;
  }
  char buf[16384];
  for (;;) {
    long n = readBody(buf, sizeof(buf));
    if (n == 0) return ReadResult::kOk;
    if (n < 0) return ReadResult::kBroken;
    body->append(buf, static_cast<size_t>(n));
    if (static_cast<int64_t>(body->size()) > max_bytes) return ReadResult::kTooLarge;
  }
}

bool ServerExchange::reusable() const {
  return keep_alive_ && body_done_ && !body_broken_ && complete_;
}

std::string ServerExchange::beginHead(int status, std::string_view reason,
                                      const HeaderList& headers) {
  started_ = true;
  // A request body left unread cannot be told apart from the next request.
  if (!body_done_) keep_alive_ = false;
  std::string out;
  out.reserve(256);
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += reason.empty() ? Poco::Net::HTTPResponse::getReasonForStatus(
                              static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status))
                        : std::string(reason);
  out += "\r\n";
  if (findHeader(headers, "Date") == nullptr) {
    out += "Date: ";
    out += httpDate();
    out += "\r\n";
  }
  if (findHeader(headers, "Server") == nullptr) out += "Server: idgate\r\n";
  for (const auto& [k, v] : headers) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  return out;
}

void ServerExchange::endHead(std::string* out) const {
  if (!keep_alive_) {
    *out += "Connection: close\r\n";
  } else if (head_.minor_version == 0) {
    *out += "Connection: keep-alive\r\n";
  }
  *out += "\r\n";
}

bool ServerExchange::send(const HttpResponseData& res, const std::string& request_id) {
  std::string out = beginHead(res.status, {}, res.headers);
  out += "X-Request-Id: ";
  out += request_id;
  out += "\r\n";
  const bool body = res.status != 204 && res.status != 304 && !res.body.empty();
  if (body) {
    out += "Content-Type: ";
    out += res.content_type;
    out += "\r\n";
  }
  if (res.status != 204 && res.status != 304) {
    out += "Content-Length: ";
    out += std::to_string(body ? res.body.size() : 0);
    out += "\r\n";
  }
  endHead(&out);
  if (body && head_.method != "HEAD") out += res.body;
  complete_ = connection_.write(out);
  return complete_;
}

bool ServerExchange::sendHead(int status, std::string_view reason, const HeaderList& headers,
                              std::optional<int64_t> length, bool no_body) {
  std::string out = beginHead(status, reason, headers);
  // A chunked body needs HTTP/1.1 at the other end; for 1.0 the end of the body is the close.
  chunked_out_ = !no_body && !length && head_.minor_version == 1;
  no_body_out_ = no_body || head_.method == "HEAD";
  close_delimited_ = !no_body && !length && !chunked_out_;
  if (close_delimited_) keep_alive_ = false;
  out_remaining_ = no_body_out_ ? 0 : length.value_or(0);
  if (status == 204 || status < 200) {
    // RFC 9110 §8.6: no Content-Length (nor a body) on 1xx and 204.
  } else if (length) {
    out += "Content-Length: " + std::to_string(*length) + "\r\n";
  } else if (chunked_out_) {
    out += "Transfer-Encoding: chunked\r\n";
  }
  endHead(&out);
  return connection_.write(out);
}

bool ServerExchange::sendBodyPart(std::string_view data) {
  if (no_body_out_ || data.empty()) return true;
  if (chunked_out_) {
    char size[24];
    int k = std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
    std::string out;
    out.reserve(static_cast<size_t>(k) + data.size() + 2);
    out.append(size, static_cast<size_t>(k)).append(data).append("\r\n");
    return connection_.write(out);
  }
  if (!close_delimited_) {
    if (static_cast<int64_t>(data.size()) > out_remaining_) return false;
    out_remaining_ -= static_cast<int64_t>(data.size());
  }
  return connection_.write(data);
}

bool ServerExchange::finish() {
  if (chunked_out_ && !no_body_out_ && !connection_.write("0\r\n\r\n")) return false;
  complete_ = out_remaining_ == 0 || no_body_out_ || close_delimited_;
  return complete_;
}

}  // namespace idgate
