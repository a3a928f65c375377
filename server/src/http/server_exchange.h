// One request/response on a Connection: the decoded request body (Content-Length or chunked,
// with "100 Continue" when the client asked for it) and the response, whole or streamed
// (Content-Length or chunked). The URL map's responses and the gateway both go through it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/chunked_decoder.h"
#include "http/connection.h"
#include "http/http_exchange.h"
#include "http/request_head.h"

namespace idgate {

/// Bodies (read or streamed out) must move at least kPaceBytes per kBodyTimeout: each
/// kPaceBytes moved opens another kBodyTimeout (enforced by the stream under the exchange).
inline constexpr std::chrono::seconds kBodyTimeout{30};
inline constexpr size_t kPaceBytes = 64 * 1024;

class ServerExchange {
 public:
  /// The body framing comes from `head` (bodyFraming).
  ServerExchange(Connection& connection, const RequestHead& head);
  ~ServerExchange() = default;
  ServerExchange(const ServerExchange&) = delete;
  ServerExchange& operator=(const ServerExchange&) = delete;

  const RequestHead& head() const { return head_; }
  const BodyFraming& framing() const { return framing_; }

  /// Decoded body bytes: > 0 a count, 0 the end of the body, -1 malformed, cut or timed out.
  long readBody(char* out, size_t n);
  enum class ReadResult { kOk, kTooLarge, kBroken };
  /// Reads the whole body; kTooLarge as soon as it is over `max_bytes` (declared or read).
  ReadResult readAll(int64_t max_bytes, std::string* body);

  /// The event loop read and decoded the whole body itself.
  void markBodyRead() { body_done_ = true; }
  /// The request body was read to its end (or there was none).
  bool bodyRead() const { return body_done_ && !body_broken_; }

  void setKeepAlive(bool keep) { keep_alive_ = keep_alive_ && keep; }
  /// The connection can take another request: keep-alive asked for and allowed, the request
  /// body read to its end, the response complete.
  bool reusable() const;

  /// A whole response, with X-Request-Id. False when the client is gone.
  bool send(const HttpResponseData& res, const std::string& request_id);

  /// A streamed response: the head now, the body in parts. `length` empty = chunked.
  bool sendHead(int status, std::string_view reason, const HeaderList& headers,
                std::optional<int64_t> length, bool no_body);
  bool sendBodyPart(std::string_view data);
  bool finish();
  bool started() const { return started_; }

 private:
  long readBodyStep(char* out, size_t n);
  long broken() {
    body_broken_ = true;
    return -1;
  }
  /// Starts a response: the status line, Date and Server unless given, then `headers`. An
  /// unread request body makes this the connection's last response.
  std::string beginHead(int status, std::string_view reason, const HeaderList& headers);
  /// The Connection field the client needs, then the empty line.
  void endHead(std::string* out) const;

  Connection& connection_;
  const RequestHead& head_;
  BodyFraming framing_;
  bool keep_alive_;
  bool expect_continue_ = false;
  bool body_done_;
  bool body_broken_ = false;
  int64_t remaining_ = 0;   ///< of the body (length framing)
  ChunkedDecoder chunked_;  ///< chunked framing
  std::string decoded_;     ///< chunk data decoded and not read yet

  bool started_ = false;
  bool complete_ = false;
  bool chunked_out_ = false;
  bool no_body_out_ = false;
  bool close_delimited_ = false;  ///< HTTP/1.0 without a length: the close ends the body
  int64_t out_remaining_ = 0;
};

}  // namespace idgate
