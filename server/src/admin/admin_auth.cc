#include "admin/admin_auth.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <Poco/String.h>

#include <algorithm>

#include <idgate/jose/base64url.h>
#include "crypto/constant_time.h"
#include "crypto/password_hash.h"
#include "crypto/random.h"

namespace idgate {
namespace {

constexpr int64_t kRememberSeconds = 300;

std::optional<std::string> decodeStdBase64(const std::string& in) {
  std::string url = in;
  for (char& c : url) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
    else if (c == '-' || c == '_')
      return std::nullopt;
  }
  while (!url.empty() && url.back() == '=') url.pop_back();
  return base64UrlDecode(url);
}

}  // namespace

AdminAuth::AdminAuth(std::string username, std::string password_hash, const Clock& clock)
    : username_(std::move(username)),
      password_hash_(std::move(password_hash)),
      clock_(clock),
      cache_key_(crypto::randomBytes(32)),
      by_address_(clock),
      for_user_(clock, 5, 1) {}

AdminAuth::Result AdminAuth::check(const std::string& authorization,
                                   const std::string& remote_address) {
  if (authorization.size() < 6 || Poco::icompare(authorization.substr(0, 6), "basic ") != 0)
    return Result{};  // no credentials at all: a challenge, not a guess
  const std::string address_key = addressThrottleKey(remote_address);
  auto decoded = decodeStdBase64(Poco::trim(authorization.substr(6)));
  std::string::size_type colon = decoded ? decoded->find(':') : std::string::npos;
  if (colon == std::string::npos) {
    // Malformed: a failure of the address like a wrong password (no hash needed to tell).
    if (int64_t wait = by_address_.begin(address_key)) return Result{false, wait};
    return Result{};
  }
  return checkPassword(decoded->substr(0, colon), decoded->substr(colon + 1), remote_address);
}

AdminAuth::Result AdminAuth::checkPassword(const std::string& user, const std::string& password,
                                           const std::string& remote_address) {
  const std::string address_key = addressThrottleKey(remote_address);
  const std::string both = user + ":" + password;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), cache_key_.data(), static_cast<int>(cache_key_.size()),
       reinterpret_cast<const unsigned char*>(both.data()), both.size(), mac, &mac_len);
  std::string digest(reinterpret_cast<char*>(mac), mac_len);
  int64_t now = clock_.nowSeconds();
  bool remembered = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    remembered = now < remembered_until_ && crypto::constantTimeEquals(digest, remembered_);
  }
  if (remembered) {
    by_address_.succeeded(address_key);  // this address knows the password
    return Result{true, 0};
  }
  // Each attempt is counted before the slow hash (concurrent guesses count too) and taken
  // back on success. The address backs off exponentially; the admin user, guessed at from
  // anywhere, is held to about one hash a second, which bounds distributed guessing without
  // letting anyone lock the real admin out for long.
  const bool user_ok = crypto::constantTimeEquals(user, username_);
  int64_t wait = by_address_.retryAfterSeconds(address_key);
  if (user_ok) wait = std::max(wait, for_user_.retryAfterSeconds(username_));
  if (wait > 0) return Result{false, wait};
  if (int64_t w = by_address_.begin(address_key)) return Result{false, w};  // lost a race
  if (user_ok) {
    if (int64_t w = for_user_.begin(username_)) return Result{false, w};  // lost a race
  }
  bool password_ok = crypto::verifyPassword(password, password_hash_);  // also for unknown users
  if (!(user_ok && password_ok)) return Result{};
  by_address_.succeeded(address_key);
  for_user_.succeeded(username_);
  std::lock_guard<std::mutex> lock(mutex_);
  remembered_ = digest;
  remembered_until_ = now + kRememberSeconds;
  return Result{true, 0};
}

}  // namespace idgate
