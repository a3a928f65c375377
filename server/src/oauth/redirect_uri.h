// What may be a redirect URI (RFC 9700 §2.1, RFC 8252 §7): registration refuses anything
// else, and the authorization endpoint refuses a URI registered under older rules.
#pragma once

#include <optional>
#include <string>

namespace idgate {

/// Why `u` cannot be a redirect URI, or nullopt: https; http only to a loopback host (a native
/// app's local listener); or a private-use scheme with a dot in it (reverse domain name, RFC
/// 8252 §7.1). Never a fragment, user information, spaces or controls, or a host with
/// characters other than letters, digits, '.' and '-' (an IPv6 literal: also ':').
std::optional<std::string> redirectUriProblem(const std::string& u);

}  // namespace idgate
