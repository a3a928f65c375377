// The identity headers idgate hands to what sits behind it (gateway upstreams, and the proxy
// of a forward-auth call): X-Auth-Subject, X-Auth-Unique-Id, X-Auth-Realm, X-Auth-Groups,
// X-Auth-Client-Id. Any header a caller sent with the X-Auth- prefix is removed first.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "resource/subject.h"

namespace idgate {

/// Control characters are dropped (no header injection from claims); in X-Auth-Groups the
/// group ids are separated by ',' and a ',' or '%' inside one is percent-encoded.
std::vector<std::pair<std::string, std::string>> identityHeaders(const Subject& subject);

/// True for header names a caller must not be able to set: X-Auth-*, case-insensitive, with
/// '_' taken as '-'.
bool isIdentityHeader(const std::string& name);

}  // namespace idgate
