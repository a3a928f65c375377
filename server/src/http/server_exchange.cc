#include "http/server_exchange.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>

namespace idgate {
namespace {

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

long ServerExchange::readBody(char* out, size_t n) { return readBodyStep(out, n); }

long ServerExchange::readBodyStep(char* out, size_t n) {
  if (body_broken_) return -1;
  if (body_done_ && decoded_.empty()) return 0;
  if (expect_continue_) {
    expect_continue_ = false;
    if (!started_ && !connection_.write("HTTP/1.1 100 Continue\r\n\r\n")) return broken();
  }
  if (framing_.kind == BodyFraming::Kind::kChunked) {
    // The same decoder (and rules) as the event loop's bodies: data of the chunks received
    // so far, then more bytes until some data or the end.
    while (decoded_.empty() && !body_done_) {
      size_t used = 0;
      const ChunkedDecoder::Status status = chunked_.feed(connection_.buffered(), &used, &decoded_);
      connection_.consume(used);
      if (status == ChunkedDecoder::Status::kMalformed) return broken();
      if (status == ChunkedDecoder::Status::kDone) {
        body_done_ = true;
      } else if (decoded_.empty() && !connection_.fill()) {
        return broken();
      }
    }
    const size_t k = std::min(n, decoded_.size());
    std::memcpy(out, decoded_.data(), k);
    decoded_.erase(0, k);
    return static_cast<long>(k);
  }
  long got = connection_.read(
      out, static_cast<size_t>(std::min<int64_t>(remaining_, static_cast<int64_t>(n))));
  if (got <= 0) return broken();
  remaining_ -= got;
  if (remaining_ == 0) body_done_ = true;
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
