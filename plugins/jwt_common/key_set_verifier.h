// Verifies a JWS signature with the keys of whoever signed it: an inline JWK set, a jwks_uri
// fetched through the host's cache (one throttled refetch when the kid is unknown: the signer
// may have rotated), or a certificate from the server keystore. Never with keys from the token
// header. Shared by private_key_jwt (a client's keys) and the JWT bearer grant (a trusted
// issuer's keys).
#pragma once

#include <idgate/jose/jws.h>
#include <idgate/jose/key_cache.h>
#include <idgate/sdk.h>

#include <optional>
#include <string>

namespace idgate::plugins {

/// The result of a signature check: empty reason = verified.
struct SignatureCheck {
  std::string reason;
  bool server_error = false;
};

class KeySetVerifier {
 public:
  /// `signer` names the key owner in reasons: "client" (client keys unavailable...), "issuer".
  KeySetVerifier(idgate::sdk::Host& host, std::string signer)
      : host_(host), signer_(std::move(signer)) {}

  /// `set` is a JWKS object; `cache_key` identifies it (its JSON text).
  SignatureCheck withSet(const jose::CompactJws& jws, const jose::Json& set,
                         const std::string& cache_key);
  SignatureCheck withUri(const jose::CompactJws& jws, const std::string& uri);
  /// A DER certificate; `check_validity`: refuse it outside notBefore..notAfter. `owner` names
  /// whose certificate it is in a warning.
  SignatureCheck withCertificate(const jose::CompactJws& jws, const std::string& der,
                                 bool check_validity, const std::string& owner);

 private:
  std::optional<std::string> fetch(const std::string& uri, bool refresh);
  jose::ImportedKeys importSet(const jose::Json& set);
  std::shared_ptr<const jose::ImportedKeys> importText(const std::string& text);
  SignatureCheck checkWithSet(const jose::CompactJws& jws, const jose::ImportedKeys& imported);

  idgate::sdk::Host& host_;
  std::string signer_;
  jose::KeyCache keys_;
};

}  // namespace idgate::plugins
