#include "key_set_verifier.h"

namespace idgate::plugins {
namespace {

constexpr size_t kMaxCandidates = 8;

}  // namespace

SignatureCheck KeySetVerifier::withSet(const jose::CompactJws& jws, const jose::Json& set,
                                       const std::string& cache_key) {
  return checkWithSet(jws, *keys_.get(cache_key, [&] { return importSet(set); }));
}

SignatureCheck KeySetVerifier::withUri(const jose::CompactJws& jws, const std::string& uri) {
  auto text = fetch(uri, false);
  if (!text) return {signer_ + " keys unavailable (jwks_uri)"};
  SignatureCheck r = checkWithSet(jws, *importText(*text));
  if (r.reason == "unknown kid") {
    // The signer may have rotated its keys: one throttled refetch, then the same rule.
    text = fetch(uri, true);
    if (!text) return {signer_ + " keys unavailable (jwks_uri)"};
    r = checkWithSet(jws, *importText(*text));
  }
  return r;
}

SignatureCheck KeySetVerifier::withCertificate(const jose::CompactJws& jws, const std::string& der,
                                               bool check_validity, const std::string& owner) {
  auto imported = keys_.get(der, [&] {
    jose::ImportedKeys out;
    if (auto key = jose::importCertificate(der, &out.error)) {
      out.keys.push_back(std::move(*key));
      out.valid = true;
    }
    return out;
  });
  if (!imported->valid) {
    host_.warn("keystore certificate of " + owner + " unusable: " + imported->error);
    return {signer_ + " certificate unusable"};
  }
  const jose::PublicKey& key = imported->keys.front();
  if (check_validity) {
    int64_t now = host_.nowSeconds();
    if (now > key.not_after) return {signer_ + " certificate expired"};
    if (now < key.not_before) return {signer_ + " certificate not yet valid"};
  }
  if (!jose::keyFitsAlgorithm(key, jws.alg)) return {"algorithm not allowed"};
  if (jose::verifySignature(jws.alg, key, jws.signing_input, jws.signature) != jose::Status::kOk) {
    return {"bad signature"};
  }
  return {};
}

std::optional<std::string> KeySetVerifier::fetch(const std::string& uri, bool refresh) {
  try {
    return host_.fetchJwks(uri, refresh);
  } catch (const idgate::sdk::HostError&) {
    return std::nullopt;
  }
}

// Runs once per distinct key set (the result is cached), so its warning is logged once.
jose::ImportedKeys KeySetVerifier::importSet(const jose::Json& set) {
  jose::ImportedKeys out;
  if (auto keys = jose::importJwks(set, &out.skipped, &out.error)) {
    out.keys = std::move(*keys);
    out.valid = true;
  }
  if (out.skipped > 0) {
    host_.warn("skipped " + std::to_string(out.skipped) + " unusable " + signer_ +
               " key(s): " + out.error);
  }
  return out;
}

std::shared_ptr<const jose::ImportedKeys> KeySetVerifier::importText(const std::string& text) {
  return keys_.get(text, [&] {
    auto json = jose::parseJson(text, jose::JsonLimits{16, 1024 * 1024});
    if (!json) return jose::ImportedKeys{{}, "not JSON", 0, false};
    return importSet(*json);
  });
}

SignatureCheck KeySetVerifier::checkWithSet(const jose::CompactJws& jws,
                                            const jose::ImportedKeys& imported) {
  if (!imported.valid) return {signer_ + " keys unusable"};
  std::vector<const jose::PublicKey*> candidates;
  for (const auto& k : imported.keys) {
    // kid is an exact lookup key inside this signer's keys, nothing more.
    if (!jws.kid.empty() && k.kid != jws.kid) continue;
    candidates.push_back(&k);
  }
  if (!jws.kid.empty() && candidates.empty()) return {"unknown kid"};
  bool any_fits = false;
  for (size_t i = 0; i < candidates.size() && i < kMaxCandidates; ++i) {
    if (!jose::keyFitsAlgorithm(*candidates[i], jws.alg)) continue;
    any_fits = true;
    if (jose::verifySignature(jws.alg, *candidates[i], jws.signing_input, jws.signature) ==
        jose::Status::kOk) {
      return {};
    }
  }
  return {any_fits ? "bad signature" : "algorithm not allowed"};
}

}  // namespace idgate::plugins
