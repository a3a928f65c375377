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

/// A JWS algorithm's message digest (SHA-256/384/512 by its last three characters, as in
/// RS256, PS384, ES512); nullptr for EdDSA and anything else.
const EVP_MD* jwsDigest(std::string_view alg);

/// The JWS algorithm's digest of `input` into `out` (EVP_MAX_MD_SIZE bytes); false on failure.
bool digestOf(std::string_view alg, std::string_view input, unsigned char* out, size_t* len);

}  // namespace idgate::jose
