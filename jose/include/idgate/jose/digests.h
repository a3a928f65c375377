// Explicitly fetched message digests. OpenSSL 3 resolves EVP_sha256() & co. through the provider
// store on every use (a locked hash-table walk); fetching once per process avoids that cost on
// every signature.
#pragma once

#include <openssl/evp.h>

#include <string_view>

namespace idgate::jose {

/// SHA-256/384/512 by bit size ("256", "384", "512"); nullptr for anything else.
/// The objects live for the whole process.
const EVP_MD* fetchedDigest(std::string_view bits);

}  // namespace idgate::jose
