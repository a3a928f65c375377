// The request path as a router decides on it. A path a proxy or upstream could read another way
// than idgate (dot segments, encoded separators or dots, backslashes) is refused, so a route,
// an authFilter and the service behind idgate always agree on which resource is meant.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace idgate {

/// The percent-decoded path without path parameters (";..." in a segment, dropped as servlet
/// containers drop them), or nullopt when it is ambiguous: a "." or ".." segment (also with
/// parameters, "..;x"), "%2e", "%2f" or "%5c" in any case, a backslash, an encoded NUL, or
/// broken %-encoding. Routes and filters decide on this path; the upstream gets the original.
std::optional<std::string> canonicalPath(std::string_view raw_path);

}  // namespace idgate
