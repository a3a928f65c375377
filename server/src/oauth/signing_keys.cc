#include "oauth/signing_keys.h"

#include <Poco/String.h>

#include "crypto/jwk.h"
#include "crypto/keys.h"

namespace idgate {

namespace {

constexpr const char* kRetiredInfix = ".retired-until.";

const KeystoreEntry& signingEntry(const Keystore& keystore, const std::string& alias,
                                  std::string* alg) {
  const KeystoreEntry* e = keystore.find(alias);
  if (e == nullptr) throw KeystoreError("keystore has no entry with alias '" + alias + "'");
  if (e->kind != KeystoreEntry::Kind::kPrivateKey || !e->key) {
    throw KeystoreError("keystore entry '" + alias + "' is not a private key entry");
  }
  auto a = crypto::signingAlgorithmFor(e->key.get());
  if (!a) throw KeystoreError("keystore entry '" + alias + "' has an unsupported key type");
  *alg = *a;
  return *e;
}

}  // namespace

std::string SigningKeys::retiredAlias(const std::string& alias, int64_t until) {
  return alias + kRetiredInfix + std::to_string(until);
}

int64_t SigningKeys::retiredUntil(const std::string& alias, const std::string& entry_alias) {
  const std::string prefix = Poco::toLower(alias + kRetiredInfix);
  if (entry_alias.size() <= prefix.size() ||
      Poco::toLower(entry_alias.substr(0, prefix.size())) != prefix) {
    return -1;
  }
  const std::string digits = entry_alias.substr(prefix.size());
  if (digits.size() > 12 || digits.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoll(digits);
}

SigningKeys::SigningKeys(const Keystore& keystore, std::string alias,
                         std::vector<RetiredKeyConfig> retired)
    : alias_(std::move(alias)), configured_retired_(std::move(retired)) {
  state_ = build(keystore);
}

std::shared_ptr<const SigningKeys::State> SigningKeys::build(const Keystore& keystore) const {
  auto s = std::make_shared<State>();
  std::string alg;
  const KeystoreEntry& e = signingEntry(keystore, alias_, &alg);
  crypto::PublicJwk jwk = crypto::publicJwk(e.key.get(), "", alg);
  s->signer = std::make_shared<const crypto::JwsSigner>(e.key, alg, jwk.thumbprint);
  s->current_jwk = jwk.json;
  for (const auto& r : configured_retired_) {
    std::string ralg;
    const KeystoreEntry& re = signingEntry(keystore, r.alias, &ralg);
    s->retired.emplace_back(crypto::publicJwk(re.key.get(), "", ralg).json, r.publish_until);
  }
  for (const auto& entry : keystore.entries()) {
    int64_t until = retiredUntil(alias_, entry.alias);
    if (until < 0 || entry.kind != KeystoreEntry::Kind::kPrivateKey || !entry.key) continue;
    auto ralg = crypto::signingAlgorithmFor(entry.key.get());
    if (!ralg) continue;
    s->retired.emplace_back(crypto::publicJwk(entry.key.get(), "", *ralg).json, until);
  }
  return s;
}

std::shared_ptr<const SigningKeys::State> SigningKeys::state() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return state_;
}

void SigningKeys::reload(const Keystore& keystore) {
  auto next = build(keystore);
  std::lock_guard<std::mutex> lock(mutex_);
  state_ = std::move(next);
}

std::string SigningKeys::check(const Keystore& keystore) const {
  try {
    build(keystore);
    return {};
  } catch (const KeystoreError& e) {
    return e.what();
  }
}

std::shared_ptr<const crypto::JwsSigner> SigningKeys::signer() const { return state()->signer; }

std::string SigningKeys::jwksJson(int64_t now) const {
  auto s = state();
  std::string keys = s->current_jwk;
  for (const auto& [jwk, until] : s->retired) {
    if (now < until) keys += "," + jwk;
  }
  return "{\"keys\":[" + keys + "]}";
}

}  // namespace idgate
