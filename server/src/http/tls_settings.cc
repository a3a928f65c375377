#include "http/tls_settings.h"

#include <openssl/err.h>
#include <openssl/objects.h>

namespace idgate {

std::string applyTlsSettings(SSL_CTX* ctx, const TlsConfig& tls) {
  SSL_CTX_set_min_proto_version(ctx, tls.tls12 ? TLS1_2_VERSION : TLS1_3_VERSION);
  SSL_CTX_set_max_proto_version(ctx, tls.tls13 ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_options(
      ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_clear_options(ctx, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
  const std::string ciphers = tls.ciphers.empty() ? kDefaultTls12Ciphers : tls.ciphers;
  const std::string suites = tls.cipher_suites.empty() ? kDefaultTls13Suites : tls.cipher_suites;
  if (SSL_CTX_set_cipher_list(ctx, ciphers.c_str()) != 1) {
    ERR_clear_error();
    return "'ciphers': OpenSSL knows none of '" + ciphers + "'";
  }
  if (SSL_CTX_set_ciphersuites(ctx, suites.c_str()) != 1) {
    ERR_clear_error();
    return "'cipherSuites': not a list of TLS 1.3 suites: '" + suites + "'";
  }
  // Every TLS 1.2 cipher left must be AEAD with an ephemeral key exchange.
  STACK_OF(SSL_CIPHER)* list = SSL_CTX_get_ciphers(ctx);
  for (int i = 0; i < sk_SSL_CIPHER_num(list); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(list, i);
    int kx = SSL_CIPHER_get_kx_nid(c);
    if (kx == NID_kx_any) continue;  // a TLS 1.3 suite: AEAD with (EC)DHE by design
    if (!SSL_CIPHER_is_aead(c) || (kx != NID_kx_ecdhe && kx != NID_kx_dhe)) {
      return std::string("'ciphers': ") + SSL_CIPHER_get_name(c) +
             " is not an AEAD cipher with forward secrecy (use ECDHE with GCM or "
             "CHACHA20-POLY1305, e.g. the default " +
             kDefaultTls12Ciphers + ")";
    }
  }
  return {};
}

}  // namespace idgate
