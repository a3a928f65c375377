// OIDC Core §5.4: which of a user's claims each scope releases (profile, email, address,
// phone), for the ID token and the userinfo endpoint alike.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace idgate {

/// The members of `claims_json` (a JSON object) that `scopes` release, as (name, JSON value),
/// in the object's order. Claims no standard scope names are never released this way.
std::vector<std::pair<std::string, std::string>> claimsForScopes(
    const std::string& claims_json, const std::vector<std::string>& scopes);

/// The standard claims each scope releases, for discovery's claims_supported.
std::vector<std::string> standardClaimNames();

}  // namespace idgate
