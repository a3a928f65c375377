// The OpenSSL object behind an accepted TLS socket. Poco 1.11 keeps a SecureStreamSocket's
// SSL* private and drives its handshake and reads blocking, so a client sending a record a
// byte at a time holds the thread for as long as bytes keep coming. With the SSL* the server
// steps TLS on a non-blocking descriptor instead (Connection) and parks the connection when a
// record is incomplete. Poco calls SSL_new inside acceptConnection, on the accepting thread;
// OpenSSL calls an ex_data "new" callback from SSL_new, which records the object there.
#pragma once

#include <openssl/ssl.h>

namespace idgate::tls {

/// Installs the callback; call before the first TLS socket is accepted (idempotent).
void watchSslCreation();

/// The SSL object created last on this thread since the previous call, or nullptr; clears it.
SSL* takeCreatedSsl();

}  // namespace idgate::tls
