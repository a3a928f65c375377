#include <idgate/jose/base64url.h>
#include <idgate/jose/json.h>
#include <idgate/jose/jwe.h>
#include <idgate/jose/jwk.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <memory>
#include <vector>

namespace idgate::jose {
namespace {

constexpr size_t kMaxJweBytes = 64 * 1024;

struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

JweResult fail(std::string why) {
  ERR_clear_error();
  JweResult r;
  r.error = std::move(why);
  return r;
}

size_t contentKeyBytes(const std::string& enc) {
  if (enc == "A128GCM") return 16;
  if (enc == "A192GCM") return 24;
  if (enc == "A256GCM") return 32;
  return 0;
}

bool rsaOaepDecrypt(EVP_PKEY* key, const std::string& alg, const std::string& wrapped,
                    std::string* cek) {
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  const EVP_MD* md = alg == "RSA-OAEP-256" ? EVP_sha256() : EVP_sha1();
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) != 1) {
    return false;
  }
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(wrapped.data());
  if (EVP_PKEY_decrypt(ctx.get(), nullptr, &len, in, wrapped.size()) != 1) return false;
  cek->resize(len);
  if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(cek->data()), &len, in,
                       wrapped.size()) != 1) {
    return false;
  }
  cek->resize(len);
  return true;
}

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

std::string lengthPrefixed(const std::string& s) {
  return be32(static_cast<uint32_t>(s.size())) + s;
}

/// RFC 7518 §4.6: Z from ECDH with the ephemeral key, then the Concat KDF (NIST SP 800-56A) with
/// SHA-256, AlgorithmID = enc for direct key agreement.
bool ecdhEsKey(EVP_PKEY* key, const Json& header, const std::string& enc, size_t key_bytes,
               std::string* cek, std::string* error) {
  const Json* epk_json = header.get("epk");
  if (epk_json == nullptr || !epk_json->isObject()) {
    *error = "ECDH-ES needs an epk header";
    return false;
  }
  auto epk = importJwk(*epk_json, error);
  if (!epk) return false;
  if (EVP_PKEY_is_a(epk->key.get(), "EC") != 1 || EVP_PKEY_is_a(key, "EC") != 1) {
    *error = "ECDH-ES needs an EC decryption key";
    return false;
  }
  char mine[64] = {0}, theirs[64] = {0};
  size_t n = 0;
  EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, mine, sizeof(mine), &n);
  EVP_PKEY_get_utf8_string_param(epk->key.get(), OSSL_PKEY_PARAM_GROUP_NAME, theirs, sizeof(theirs),
                                 &n);
  if (std::string(mine) != theirs) {
    *error = "epk is on another curve than the decryption key";
    return false;
  }
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  size_t zlen = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), epk->key.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &zlen) != 1) {
    *error = "ECDH failed";
    return false;
  }
  std::string z(zlen, '\0');
  if (EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(z.data()), &zlen) != 1) {
    *error = "ECDH failed";
    return false;
  }
  auto decoded = [&](const char* name, std::string* out) {
    if (const Json* v = header.get(name)) {
      auto d = v->isString() ? base64UrlDecode(v->str()) : std::nullopt;
      if (!d) return false;
      *out = *d;
    }
    return true;
  };
  std::string apu, apv;
  if (!decoded("apu", &apu) || !decoded("apv", &apv)) {
    *error = "apu/apv are not base64url";
    return false;
  }
  std::string other = lengthPrefixed(enc) + lengthPrefixed(apu) + lengthPrefixed(apv) +
                      be32(static_cast<uint32_t>(key_bytes * 8));
  std::string out;
  for (uint32_t counter = 1; out.size() < key_bytes; ++counter) {
    std::string input = be32(counter) + z + other;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(input.data(), input.size(), md, &len, EVP_sha256(), nullptr) != 1) {
      *error = "KDF failed";
      return false;
    }
    out.append(reinterpret_cast<char*>(md), len);
  }
  OPENSSL_cleanse(z.data(), z.size());
  *cek = out.substr(0, key_bytes);
  OPENSSL_cleanse(out.data(), out.size());
  return true;
}

bool aesGcmDecrypt(const std::string& key, const std::string& iv, const std::string& aad,
                   const std::string& ciphertext, const std::string& tag, std::string* plain) {
  const EVP_CIPHER* cipher = key.size() == 16   ? EVP_aes_128_gcm()
                             : key.size() == 24 ? EVP_aes_192_gcm()
                                                : EVP_aes_256_gcm();
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  plain->resize(ciphertext.size());
  auto u = [](const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); };
  bool ok =
      ctx && EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()),
                          nullptr) == 1 &&
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, u(key), u(iv)) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, u(aad), static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain->data()), &len,
                        u(ciphertext), static_cast<int>(ciphertext.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag.size()),
                          const_cast<char*>(tag.data())) == 1;
  int final_len = 0;
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain->data()) + len,
                                 &final_len) == 1;
  if (!ok) {
    plain->clear();
    return false;
  }
  plain->resize(static_cast<size_t>(len + final_len));
  return true;
}

}  // namespace

JweResult decryptCompactJwe(std::string_view token, EVP_PKEY* key) {
  if (token.size() > kMaxJweBytes) return fail("encrypted token too large");
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= token.size(); ++i) {
    if (i == token.size() || token[i] == '.') {
      parts.push_back(token.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() != 5) return fail("not a compact JWE (5 parts)");
  auto header_bytes = base64UrlDecode(parts[0]);
  auto wrapped = base64UrlDecode(parts[1]);
  auto iv = base64UrlDecode(parts[2]);
  auto ciphertext = base64UrlDecode(parts[3]);
  auto tag = base64UrlDecode(parts[4]);
  if (!header_bytes || !wrapped || !iv || !ciphertext || !tag) {
    return fail("JWE segments are not base64url");
  }
  auto header = parseJson(*header_bytes);
  if (!header || !header->isObject()) return fail("JWE header is not a JSON object");
  if (header->get("crit") != nullptr) return fail("JWE crit is not supported");
  if (header->get("zip") != nullptr) return fail("compressed JWE is not accepted");
  auto alg = header->getString("alg");
  auto enc = header->getString("enc");
  if (!alg || !enc) return fail("JWE header needs alg and enc");
  size_t key_bytes = contentKeyBytes(*enc);
  if (key_bytes == 0) return fail("content encryption '" + *enc + "' is not accepted");
  if (iv->size() != 12 || tag->size() != 16) return fail("GCM needs a 96-bit IV and 128-bit tag");
  if (key == nullptr) return fail("no decryption key");

  std::string cek;
  if (*alg == "RSA-OAEP" || *alg == "RSA-OAEP-256") {
    if (EVP_PKEY_is_a(key, "RSA") != 1) return fail("the decryption key is not RSA");
    if (EVP_PKEY_get_bits(key) < 2048) return fail("the RSA decryption key is under 2048 bits");
    // One message for every RSA failure: no padding oracle.
    if (!rsaOaepDecrypt(key, *alg, *wrapped, &cek) || cek.size() != key_bytes) {
      return fail("token cannot be decrypted");
    }
  } else if (*alg == "ECDH-ES") {
    if (!wrapped->empty()) return fail("ECDH-ES (direct) carries no encrypted key");
    std::string error;
    if (!ecdhEsKey(key, *header, *enc, key_bytes, &cek, &error)) return fail(error);
  } else {
    return fail("key management '" + *alg + "' is not accepted");
  }
  JweResult r;
  bool ok = aesGcmDecrypt(cek, *iv, std::string(parts[0]), *ciphertext, *tag, &r.plaintext);
  OPENSSL_cleanse(cek.data(), cek.size());
  if (!ok) return fail("token cannot be decrypted");
  r.ok = true;
  r.cty = header->getString("cty").value_or("");
  return r;
}

}  // namespace idgate::jose
