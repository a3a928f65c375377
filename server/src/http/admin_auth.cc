#include "http/admin_auth.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <Poco/String.h>

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
      cache_key_(crypto::randomBytes(32)) {}

bool AdminAuth::check(const std::string& authorization) {
  if (authorization.size() < 6 || Poco::icompare(authorization.substr(0, 6), "basic ") != 0)
    return false;
  auto decoded = decodeStdBase64(Poco::trim(authorization.substr(6)));
  if (!decoded) return false;
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return false;
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
    if (now < remembered_until_ && crypto::constantTimeEquals(digest, remembered_)) return true;
  }
  bool user_ok = crypto::constantTimeEquals(user, username_);
  bool password_ok = crypto::verifyPassword(password, password_hash_);
  if (!(user_ok && password_ok)) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  remembered_ = digest;
  remembered_until_ = now + kRememberSeconds;
  return true;
}

}  // namespace idgate
