// Message digests of byte strings.
#pragma once

#include <string>
#include <string_view>

namespace idgate::crypto {

/// The 32-byte SHA-256 digest of `bytes` (raw, not encoded).
std::string sha256(std::string_view bytes);
/// The same digest as 64 lower-case hex characters.
std::string sha256Hex(std::string_view bytes);

}  // namespace idgate::crypto
