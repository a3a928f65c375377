#include "crypto/password_hash.h"

#include <openssl/evp.h>

#include <charconv>
#include <optional>
#include <stdexcept>
#include <vector>

#include <idgate/jose/base64url.h>
#include "crypto/constant_time.h"
#include "crypto/random.h"

namespace idgate::crypto {
namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";

std::string derive(std::string_view password, std::string_view salt, int iterations) {
  std::string out(32, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(out.size()),
                        reinterpret_cast<unsigned char*>(out.data())) != 1) {
    throw std::runtime_error("PBKDF2 failed");
  }
  return out;
}

struct Parsed {
  int iterations;
  std::string salt;
  std::string hash;
};

std::optional<Parsed> parse(std::string_view encoded) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= encoded.size(); ++i) {
    if (i == encoded.size() || encoded[i] == '$') {
      parts.push_back(encoded.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() != 4 || parts[0] != kScheme) return std::nullopt;
  int iterations = 0;
  auto [p, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations);
  if (ec != std::errc() || p != parts[1].data() + parts[1].size() || iterations < 1000 ||
      iterations > 10000000) {
    return std::nullopt;
  }
  auto salt = base64UrlDecode(parts[2]);
  auto hash = base64UrlDecode(parts[3]);
  if (!salt || !hash || salt->size() < 16 || hash->size() != 32) return std::nullopt;
  return Parsed{iterations, *salt, *hash};
}

}  // namespace

std::string hashPassword(std::string_view password, int iterations) {
  std::string salt = randomBytes(16);
  return std::string(kScheme) + "$" + std::to_string(iterations) + "$" + base64UrlEncode(salt) +
         "$" + base64UrlEncode(derive(password, salt, iterations));
}

bool verifyPassword(std::string_view password, std::string_view encoded) {
  auto parsed = parse(encoded);
  if (!parsed) return false;
  return constantTimeEquals(derive(password, parsed->salt, parsed->iterations), parsed->hash);
}

bool isPasswordHash(std::string_view encoded) { return parse(encoded).has_value(); }

}  // namespace idgate::crypto
