#include "jwks/special_addresses.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace idgate {
namespace {

// One address per block of the IANA IPv4 and IPv6 special-purpose registries (both ends where
// the block is not octet-aligned), multicast, and IPv6 space outside global unicast.
const std::vector<std::pair<std::string, std::string>> kSpecial = {
    {"0.0.0.0", "0.0.0.0/8"},
    {"0.255.255.255", "0.0.0.0/8"},
    {"10.0.0.1", "10.0.0.0/8"},
    {"100.64.0.0", "100.64.0.0/10"},
    {"100.127.255.255", "100.64.0.0/10"},
    {"127.0.0.1", "127.0.0.0/8"},
    {"127.255.255.254", "127.0.0.0/8"},
    {"169.254.169.254", "169.254.0.0/16"},
    {"172.16.0.1", "172.16.0.0/12"},
    {"172.31.255.255", "172.16.0.0/12"},
    {"192.0.0.9", "192.0.0.0/24"},
    {"192.0.0.170", "192.0.0.0/24"},
    {"192.0.2.1", "192.0.2.0/24"},
    {"192.31.196.1", "192.31.196.0/24"},
    {"192.52.193.1", "192.52.193.0/24"},
    {"192.88.99.1", "192.88.99.0/24"},
    {"192.168.1.1", "192.168.0.0/16"},
    {"192.175.48.1", "192.175.48.0/24"},
    {"198.18.0.0", "198.18.0.0/15"},
    {"198.19.255.255", "198.18.0.0/15"},
    {"198.51.100.7", "198.51.100.0/24"},
    {"203.0.113.9", "203.0.113.0/24"},
    {"224.0.0.1", "224.0.0.0/4"},
    {"239.255.255.255", "224.0.0.0/4"},
    {"240.0.0.1", "240.0.0.0/4"},
    {"255.255.255.254", "240.0.0.0/4"},
    {"255.255.255.255", "255.255.255.255/32"},
    {"::", "::/128"},
    {"::1", "::1/128"},
    {"::ffff:127.0.0.1", "::ffff:127.0.0.0/104"},
    {"::ffff:10.1.2.3", "::ffff:10.0.0.0/104"},
    {"::ffff:169.254.169.254", "::ffff:169.254.0.0/112"},
    {"::ffff:198.18.0.1", "::ffff:198.18.0.0/111"},
    {"::ffff:0.0.0.0", "::ffff:0.0.0.0/104"},
    {"64:ff9b::808:808", "64:ff9b::/96"},
    {"64:ff9b::7f00:1", "64:ff9b::/96"},
    {"64:ff9b:1::1", "64:ff9b:1::/48"},
    {"100::1", "100::/64"},
    {"2001::1", "2001::/23"},
    {"2001:1ff:ffff::1", "2001::/23"},
    {"2001:db8::1", "2001:db8::/32"},
    {"2001:db8:ffff::1", "2001:db8::/32"},
    {"2002:7f00:1::1", "2002::/16"},
    {"2002:ffff::1", "2002::/16"},
    {"2620:4f:8000::1", "2620:4f:8000::/48"},
    {"3fff::1", "3fff::/20"},
    {"3fff:fff::1", "3fff::/20"},
    {"5f00::1", "5f00::/16"},
    {"fc00::1", "fc00::/7"},
    {"fd12:3456::1", "fc00::/7"},
    {"fe80::1", "fe80::/10"},
    {"febf::1", "fe80::/10"},
    {"fec0::1", "fec0::/10"},
    {"ff02::1", "ff00::/8"},
    {"::8.8.8.8", "::/3"},  // IPv4-compatible (deprecated)
    {"1fff::1", "::/3"},
    {"4000::1", "4000::/2"},
    {"8000::1", "8000::/1"},
};

TEST(JwksSpecialAddressesTest, EverySpecialBlockIsNamed) {
  for (const auto& [ip, cidr] : kSpecial) {
    auto range = specialAddressRange(ip);
    ASSERT_TRUE(range) << ip;
    EXPECT_EQ(range->cidr, cidr) << ip;
    EXPECT_FALSE(range->name.empty()) << ip;
  }
}

TEST(JwksSpecialAddressesTest, NamesSayWhatTheBlockIs) {
  EXPECT_EQ(specialAddressRange("10.1.2.3")->name, "private-use (RFC 1918)");
  EXPECT_EQ(specialAddressRange("198.18.3.4")->name, "benchmarking (RFC 2544)");
  EXPECT_EQ(specialAddressRange("255.255.255.255")->name, "limited broadcast (RFC 919)");
  EXPECT_EQ(specialAddressRange("64:ff9b::a00:1")->name, "IPv4/IPv6 translation, NAT64 (RFC 6052)");
  EXPECT_EQ(specialAddressRange("::ffff:127.0.0.1")->name, "IPv4-mapped loopback (RFC 1122)");
}

TEST(JwksSpecialAddressesTest, GlobalUnicastIsNotSpecial) {
  // Neighbours of the blocks above, and ordinary public addresses.
  for (const char* ip : {"8.8.8.8",         "1.0.0.1",          "93.184.216.34",
                         "9.255.255.255",   "11.0.0.0",         "100.63.255.255",
                         "100.128.0.0",     "126.255.255.255",  "128.0.0.0",
                         "169.253.255.255", "169.255.0.0",      "172.15.255.255",
                         "172.32.0.0",      "191.255.255.255",  "192.0.1.255",
                         "192.0.3.0",       "192.167.255.255",  "192.169.0.0",
                         "198.17.255.255",  "198.20.0.0",       "198.51.99.255",
                         "198.51.101.0",    "203.0.112.255",    "203.0.114.0",
                         "223.255.255.255", "2606:4700::1111",  "2001:4860:4860::8888",
                         "2001:200::1",     "2001:db7:ffff::1", "2001:db9::1",
                         "2003::1",         "2620:4f:8001::1",  "3ffe::1",
                         "3fff:1000::1",    "::ffff:8.8.8.8",   "::ffff:198.20.0.1"}) {
    EXPECT_FALSE(specialAddressRange(ip)) << ip << " " << specialAddressRange(ip)->cidr;
  }
}

TEST(JwksSpecialAddressesTest, TextThatIsNotAnAddressIsRefused) {
  for (const char* text : {"not-an-ip", "", "fe80::1%eth0", "127.1", "0x7f000001", "1.2.3.4 "}) {
    auto range = specialAddressRange(text);
    ASSERT_TRUE(range) << text;
    EXPECT_EQ(range->name, "not a numeric IP address") << text;
  }
}

}  // namespace
}  // namespace idgate
