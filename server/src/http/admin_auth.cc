#include "http/admin_auth.h"

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
      throttle_(clock) {}

AdminAuth::Result AdminAuth::check(const std::string& authorization,
                                   const std::string& remote_address) {
  const std::string address_key = "address:" + remote_address;
  auto refuse = [&] {
    throttle_.failed(address_key);
    return Result{};
  };
  if (authorization.size() < 6 || Poco::icompare(authorization.substr(0, 6), "basic ") != 0)
    return Result{};  // no credentials at all: a challenge, not a guess
  auto decoded = decodeStdBase64(Poco::trim(authorization.substr(6)));
  if (!decoded) return refuse();
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return refuse();
  std::string user = decoded->substr(0, colon);
  std::string password = decoded->substr(colon + 1);

  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), cache_key_.data(), static_cast<int>(cache_key_.size()),
       reinterpret_cast<const unsigned char*>(decoded->data()), decoded->size(), mac, &mac_len);
  std::string digest(reinterpret_cast<char*>(mac), mac_len);
  int64_t now = clock_.nowSeconds();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (now < remembered_until_ && crypto::constantTimeEquals(digest, remembered_)) {
      return Result{true, 0};
    }
  }
  // Throttled keys are refused before the slow hash. Only the configured user has a key of
  // its own: names a guesser makes up are throttled through the address alone.
  bool user_ok = crypto::constantTimeEquals(user, username_);
  const std::string user_key = "user:" + username_;
  int64_t wait = throttle_.retryAfterSeconds(address_key);
  if (user_ok) wait = std::max(wait, throttle_.retryAfterSeconds(user_key));
  if (wait > 0) return Result{false, wait};
  bool password_ok = crypto::verifyPassword(password, password_hash_);  // also for unknown users
  if (!(user_ok && password_ok)) {
    throttle_.failed(address_key);
    if (user_ok) throttle_.failed(user_key);
    return Result{};
  }
  throttle_.succeeded(address_key);
  throttle_.succeeded(user_key);
  std::lock_guard<std::mutex> lock(mutex_);
  remembered_ = digest;
  remembered_until_ = now + kRememberSeconds;
  return Result{true, 0};
}

}  // namespace idgate
