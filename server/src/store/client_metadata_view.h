// The parts of a client's stored metadata the core decides on, parsed once when the client is
// read from the database (and kept with it by the client cache), not on every request.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace idgate {

struct ClientMetadataView {
  bool readable = false;  ///< false: the stored JSON could not be parsed (a 500, never a "yes")
  /// As registered (registration always stores it, with the default method's plugin filling
  /// in RFC 7591's default); empty, no method authenticates the client (fail closed).
  std::string token_endpoint_auth_method;
  std::vector<std::string> grant_types;
  std::string scope;  ///< space-separated, as registered
  std::string client_name;
  std::vector<std::string> redirect_uris;
  std::vector<std::string> post_logout_redirect_uris;
  bool response_type_code = false;     ///< response_types holds "code"
  bool require_par = false;            ///< require_pushed_authorization_requests
  bool introspection_allowed = false;  ///< may call the introspection endpoint
  bool dpop_bound = false;  ///< dpop_bound_access_tokens: every token request needs a DPoP proof

  bool allowsGrant(const std::string& grant_type) const;
  /// A public client: no client authentication (token_endpoint_auth_method none).
  bool isPublic() const { return token_endpoint_auth_method == "none"; }
};

std::shared_ptr<const ClientMetadataView> parseClientMetadataView(const std::string& json);

}  // namespace idgate
