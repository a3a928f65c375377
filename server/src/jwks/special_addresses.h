// Which addresses a jwks_uri fetch must not connect to: every block of the IANA IPv4 and IPv6
// special-purpose address registries (loopback, private-use, shared, link-local, documentation,
// benchmarking, translation and tunnelling prefixes, reserved), multicast, limited broadcast,
// and on IPv6 anything outside global unicast 2000::/3. An IPv4-mapped IPv6 address is judged
// by the IPv4 address it carries.
#pragma once

#include <optional>
#include <string>

namespace idgate {

struct SpecialRange {
  std::string cidr;  ///< e.g. "10.0.0.0/8"; an IPv4-mapped address: "::ffff:10.0.0.0/104"
  std::string name;  ///< e.g. "private-use (RFC 1918)"
};

/// The special range `ip` (a numeric IPv4 or IPv6 address) lies in, or nullopt for a global
/// unicast address. Text that is not a numeric address is special too (fail closed).
std::optional<SpecialRange> specialAddressRange(const std::string& ip);

}  // namespace idgate
