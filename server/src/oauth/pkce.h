// Proof Key for Code Exchange (RFC 7636), S256 only: `plain` would hand the verifier to whoever
// sees the authorization request, so it is refused (RFC 9700 §2.1.1).
#pragma once

#include <string>
#include <string_view>

namespace idgate {

/// RFC 7636 §4.1: 43-128 characters of A-Z a-z 0-9 - . _ ~.
bool isValidCodeVerifier(std::string_view verifier);
/// An S256 challenge: 43 base64url characters (a SHA-256 digest, unpadded).
bool isValidS256Challenge(std::string_view challenge);
/// BASE64URL(SHA256(ASCII(verifier))).
std::string s256Challenge(std::string_view verifier);
/// Whether `verifier` is well formed and its S256 challenge equals `challenge` (compared in
/// constant time).
bool verifiesS256(std::string_view verifier, std::string_view challenge);

}  // namespace idgate
