// Parsing an HTTP/1.x response head (status line and header fields) received from an upstream,
// and how its body is delimited, as strictly as idgate reads request heads. No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/http_exchange.h"
#include "http/request_head.h"

namespace idgate {

struct ResponseHead {
  int minor_version = 1;  ///< HTTP/1.<minor>
  int status = 0;         ///< 100..999 (3 digits)
  std::string reason;     ///< may be empty
  HeaderList headers;     ///< in order, values trimmed of surrounding SP/HTAB

  /// The connection can be reused after this response: HTTP/1.1 unless "Connection: close";
  /// HTTP/1.0 only with "Connection: keep-alive".
  bool keepAlive() const;
};

/// Parses a status line and header fields at the start of `data`, with the same strictness as
/// parseRequestHead (CRLF line ends — a bare CR or LF is refused —, no obs-fold, field names are
/// tokens, values pass isFieldValue, at most kMaxRequestHeaderFields fields, at most
/// kMaxRequestHeadBytes bytes → kTooLarge). "HTTP/1.0" or "HTTP/1.1" only; status exactly 3
/// digits; the reason phrase must pass isFieldValue (the SP before an empty one may be missing).
/// kComplete sets *consumed (through the empty line); kBad and kTooLarge set *error. A 1xx
/// response is a head of its own: the final one follows it.
HeadStatus parseResponseHead(std::string_view data, ResponseHead* head, size_t* consumed,
                             std::string* error);

/// How a response body is delimited (RFC 9112 §6.3) for a request with `request_method`.
struct ResponseFraming {
  enum class Kind { kNone, kLength, kChunked, kUntilClose, kInvalid };
  Kind kind = Kind::kNone;
  int64_t length = 0;  ///< for kLength (may be 0)
  std::string error;   ///< for kInvalid
};

/// kNone for HEAD requests, 2xx to CONNECT, and 1xx, 204, 304 responses; Transfer-Encoding
/// exactly "chunked" (any other coding, chunked beside Content-Length, or Transfer-Encoding in
/// HTTP/1.0 → kInvalid, since a proxy must not guess); Content-Length (all copies equal, digits
/// only, ≤ 18 digits, else kInvalid); otherwise kUntilClose.
ResponseFraming responseFraming(const ResponseHead& head, std::string_view request_method);

}  // namespace idgate
