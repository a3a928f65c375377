// The jwks_uri transport: one GET over a connection this code makes itself.
//   - https only; plain http only under the test and closed-network opt-in
//     (<JwksFetch allowPrivateAddresses="true">) and only to a non-public address;
//   - the name is resolved once, every address checked (special-purpose ranges refused unless
//     allowed), and the connection goes to a checked address: TLS SNI, certificate verification
//     and the Host header use the name;
//   - one deadline for the whole fetch (resolution, connection, TLS handshake, request,
//     response): connectTimeoutMs for resolution and connection, connectTimeoutMs +
//     readTimeoutMs for all of it, however slowly the server sends;
//   - the body is limited to maxBytes (Content-Length, chunked or until close); redirects are
//     not followed.
// Every refusal and failure is an error text saying what was refused or failed, and why.
#pragma once

#include <memory>
#include <string>

#include "jwks/jwks_fetcher.h"
#include "jwks/jwks_network.h"

namespace idgate {

struct JwksTlsTrust {
  std::string ca_file;  ///< PEM file of the CAs to trust; empty: the system's CAs
};

std::unique_ptr<JwksTransport> makeJwksHttpTransport(std::unique_ptr<HostResolver> resolver,
                                                     std::unique_ptr<Dialer> dialer,
                                                     JwksTlsTrust trust = {});

}  // namespace idgate
