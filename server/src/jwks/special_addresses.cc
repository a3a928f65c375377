#include "jwks/special_addresses.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <vector>

namespace idgate {
namespace {

struct Block {
  int family;  ///< AF_INET or AF_INET6
  std::array<unsigned char, 16> net;
  int bits;
  const char* cidr;
  const char* name;
};

struct Entry {
  const char* cidr;
  const char* name;
};

// In order: the first match names the address, so a narrower block comes before a wider one.
constexpr Entry kIpv4[] = {
    {"0.0.0.0/8", "\"this network\" (RFC 791)"},
    {"10.0.0.0/8", "private-use (RFC 1918)"},
    {"100.64.0.0/10", "shared address space, carrier-grade NAT (RFC 6598)"},
    {"127.0.0.0/8", "loopback (RFC 1122)"},
    {"169.254.0.0/16", "link-local (RFC 3927)"},
    {"172.16.0.0/12", "private-use (RFC 1918)"},
    {"192.0.0.0/24", "IETF protocol assignments (RFC 6890)"},
    {"192.0.2.0/24", "documentation, TEST-NET-1 (RFC 5737)"},
    {"192.31.196.0/24", "AS112-v4 (RFC 7535)"},
    {"192.52.193.0/24", "AMT (RFC 7450)"},
    {"192.88.99.0/24", "deprecated 6to4 relay anycast (RFC 7526)"},
    {"192.168.0.0/16", "private-use (RFC 1918)"},
    {"192.175.48.0/24", "direct delegation AS112 service (RFC 7534)"},
    {"198.18.0.0/15", "benchmarking (RFC 2544)"},
    {"198.51.100.0/24", "documentation, TEST-NET-2 (RFC 5737)"},
    {"203.0.113.0/24", "documentation, TEST-NET-3 (RFC 5737)"},
    {"224.0.0.0/4", "multicast (RFC 5771)"},
    {"255.255.255.255/32", "limited broadcast (RFC 919)"},
    {"240.0.0.0/4", "reserved (RFC 1112)"},
};

constexpr Entry kIpv6[] = {
    {"::/128", "unspecified (RFC 4291)"},
    {"::1/128", "loopback (RFC 4291)"},
    {"64:ff9b::/96", "IPv4/IPv6 translation, NAT64 (RFC 6052)"},
    {"64:ff9b:1::/48", "local-use IPv4/IPv6 translation (RFC 8215)"},
    {"100::/64", "discard-only (RFC 6666)"},
    {"2001::/23", "IETF protocol assignments, Teredo among them (RFC 2928, RFC 4380)"},
    {"2001:db8::/32", "documentation (RFC 3849)"},
    {"2002::/16", "6to4 (RFC 3056)"},
    {"2620:4f:8000::/48", "direct delegation AS112 service (RFC 7534)"},
    {"3fff::/20", "documentation (RFC 9637)"},
    {"5f00::/16", "segment routing SIDs (RFC 9602)"},
    {"fc00::/7", "unique-local (RFC 4193)"},
    {"fe80::/10", "link-local (RFC 4291)"},
    {"fec0::/10", "deprecated site-local (RFC 3879)"},
    {"ff00::/8", "multicast (RFC 4291)"},
    // Everything else outside global unicast: reserved space, IPv4-compatible addresses.
    {"::/3", "not global unicast, outside 2000::/3 (RFC 4291)"},
    {"4000::/2", "not global unicast, outside 2000::/3 (RFC 4291)"},
    {"8000::/1", "not global unicast, outside 2000::/3 (RFC 4291)"},
};

Block parseBlock(const Entry& e) {
  Block b{};
  b.cidr = e.cidr;
  b.name = e.name;
  std::string text(e.cidr);
  size_t slash = text.find('/');
  std::string net = text.substr(0, slash);
  b.bits = std::stoi(text.substr(slash + 1));
  b.family = net.find(':') == std::string::npos ? AF_INET : AF_INET6;
  ::inet_pton(b.family, net.c_str(), b.net.data());
  return b;
}

const std::vector<Block>& blocks(int family) {
  static const std::vector<Block> v4 = [] {
    std::vector<Block> v;
    for (const auto& e : kIpv4) v.push_back(parseBlock(e));
    return v;
  }();
  static const std::vector<Block> v6 = [] {
    std::vector<Block> v;
    for (const auto& e : kIpv6) v.push_back(parseBlock(e));
    return v;
  }();
  return family == AF_INET ? v4 : v6;
}

bool inBlock(const unsigned char* addr, const Block& b) {
  int whole = b.bits / 8;
  if (std::memcmp(addr, b.net.data(), static_cast<size_t>(whole)) != 0) return false;
  int rest = b.bits % 8;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (addr[whole] & mask) == (b.net[whole] & mask);
}

std::optional<SpecialRange> find(int family, const unsigned char* addr) {
  for (const Block& b : blocks(family)) {
    if (inBlock(addr, b)) return SpecialRange{b.cidr, b.name};
  }
  return std::nullopt;
}

}  // namespace

std::optional<SpecialRange> specialAddressRange(const std::string& ip) {
  unsigned char addr[16];
  if (::inet_pton(AF_INET, ip.c_str(), addr) == 1) return find(AF_INET, addr);
  if (::inet_pton(AF_INET6, ip.c_str(), addr) != 1) {
    return SpecialRange{"", "not a numeric IP address"};  // fail closed
  }
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(addr, kMapped, sizeof(kMapped)) == 0) {
    // ::ffff:a.b.c.d reaches a.b.c.d: judged as that IPv4 address.
    auto v4 = find(AF_INET, addr + 12);
    if (!v4) return std::nullopt;
    std::string cidr = v4->cidr;
    size_t slash = cidr.find('/');
    v4->cidr = "::ffff:" + cidr.substr(0, slash) + "/" +
               std::to_string(96 + std::stoi(cidr.substr(slash + 1)));
    v4->name = "IPv4-mapped " + v4->name;
    return v4;
  }
  return find(AF_INET6, addr);
}

}  // namespace idgate
