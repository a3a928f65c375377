// Parsing an HTTP/1.x request head (request line and header fields) from received bytes, with
// the limits idgate enforces on every listener. No I/O: the connection feeds it bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/http_exchange.h"

namespace idgate {

struct RequestHead {
  std::string method;
  std::string target;     ///< request-target as sent (origin-form: path[?query])
  int minor_version = 1;  ///< HTTP/1.<minor_version>
  HeaderList headers;     ///< in order, values without surrounding whitespace

  /// HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "Connection: keep-alive".
  bool keepAlive() const;
};

/// A field name is a token (RFC 9110 §5.1); a value has no control characters but HTAB.
bool isFieldName(std::string_view name);
bool isFieldValue(std::string_view value);

/// `list` is a comma-separated field value (RFC 9110 §5.6.1) holding `token`, compared
/// without regard to case ("Connection: keep-alive, Upgrade").
bool listHasToken(std::string_view list, std::string_view token);

/// A message with these fields may be followed by another on its connection: HTTP/1.1 unless
/// "Connection: close"; HTTP/1.0 only with "Connection: keep-alive" (RFC 9112 §9.3).
bool keepsAlive(const HeaderList& headers, int minor_version);

/// How a request body is delimited (RFC 9112 §6.3).
struct BodyFraming {
  enum class Kind { kNone, kLength, kChunked, kInvalid };
  Kind kind = Kind::kNone;
  int64_t length = 0;  ///< for kLength
  std::string error;   ///< for kInvalid
};

/// Refuses what a proxy and idgate could read differently: a Transfer-Encoding other than
/// exactly "chunked", one beside Content-Length, or Content-Length values that disagree.
BodyFraming bodyFraming(const RequestHead& head);

enum class HeadStatus { kIncomplete, kComplete, kBad, kTooLarge };

/// The header field lines of a head, each ending with CRLF (without the empty line), appended
/// to `headers`: names are tokens, values visible text without surrounding blanks, no obsolete
/// folding, at most kMaxRequestHeaderFields. False with `*error` on the first that is not.
bool parseFieldLines(std::string_view lines, HeaderList* headers, std::string* error);

inline constexpr size_t kMaxRequestHeadBytes = 32 * 1024;
inline constexpr size_t kMaxRequestHeaderFields = 100;

/// Parses the head at the start of `data`. kComplete sets `*consumed` to its length (through
/// the empty line); kBad and kTooLarge set `*error`. kIncomplete: more bytes are needed (and
/// fewer than kMaxRequestHeadBytes were given).
HeadStatus parseRequestHead(std::string_view data, RequestHead* head, size_t* consumed,
                            std::string* error);

}  // namespace idgate
