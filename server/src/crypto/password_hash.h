// Salted password hashes: "pbkdf2-sha256$<iterations>$<salt b64url>$<hash b64url>".
#pragma once

#include <string>
#include <string_view>

namespace idgate::crypto {

/// Iterations for operator passwords (OWASP 2023 figure for PBKDF2-HMAC-SHA256).
inline constexpr int kAdminPasswordIterations = 600000;
/// Iterations for local users' passwords (the same OWASP figure).
inline constexpr int kUserPasswordIterations = 600000;
/// Iterations for client secrets: checked on every token request, and generated secrets carry
/// 256 bits of entropy; the count is stored in each hash, so it can be raised later.
inline constexpr int kClientSecretIterations = 10000;

std::string hashPassword(std::string_view password, int iterations);

/// true when `password` matches `encoded`; false for a mismatch or a malformed hash.
bool verifyPassword(std::string_view password, std::string_view encoded);

/// true when `encoded` has the form hashPassword produces.
bool isPasswordHash(std::string_view encoded);

}  // namespace idgate::crypto
