// The TLS configuration of every HTTPS listener (<Tls> in server.xml): TLS 1.2 and 1.3 only,
// AEAD cipher suites with forward secrecy, the server's order of preference, no compression,
// no renegotiation. Applied to an OpenSSL SSL_CTX, so the same settings serve whatever socket
// layer owns the context.
#pragma once

#include <openssl/ssl.h>

#include <string>

#include "config/server_config.h"

namespace idgate {

/// The TLS 1.2 list when <Tls ciphers> is not set: ECDHE with AES-GCM or ChaCha20-Poly1305.
inline constexpr const char* kDefaultTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
/// The TLS 1.3 list when <Tls cipherSuites> is not set (every TLS 1.3 suite is AEAD with FS).
inline constexpr const char* kDefaultTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

/// Applies `tls` to `ctx`. "" on success, else which attribute is wrong and why (for a
/// ConfigError naming <Tls>).
std::string applyTlsSettings(SSL_CTX* ctx, const TlsConfig& tls);

}  // namespace idgate
