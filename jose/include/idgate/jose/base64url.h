// Base64url without padding (RFC 7515 §2), strict on decode.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace idgate {

std::string base64UrlEncode(std::string_view bytes);

/// Canonical base64url only: no padding, no '+' '/', no whitespace, no unused bits set.
std::optional<std::string> base64UrlDecode(std::string_view text);

/// Standard Base64 with padding (for HTTP Basic and PEM).
std::string base64Encode(std::string_view bytes);

}  // namespace idgate
