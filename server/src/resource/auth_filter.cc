#include "resource/auth_filter.h"

#include <Poco/Net/IPAddress.h>
#include <Poco/String.h>

namespace idgate {
namespace {

bool compare(FilterCondition::Match m, const std::string& actual, const std::string& expected) {
  switch (m) {
    case FilterCondition::Match::kEquals:
      return actual == expected;
    case FilterCondition::Match::kContains:
      return actual.find(expected) != std::string::npos;
    case FilterCondition::Match::kNotContain:
      return actual.find(expected) == std::string::npos;
    default:
      return false;
  }
}

/// greaterThan / lessThan on addresses of the same family; '*' in the configured address is a
/// wildcard octet for equals/contains as in Liberty (10.1.*.*).
bool compareIp(FilterCondition::Match m, const std::string& actual, const std::string& expected) {
  if (m != FilterCondition::Match::kGreaterThan && m != FilterCondition::Match::kLessThan) {
    if (expected.find('*') != std::string::npos) {
      std::string prefix = expected.substr(0, expected.find('*'));
      bool match = actual.rfind(prefix, 0) == 0;
      return m == FilterCondition::Match::kNotContain ? !match : match;
    }
    return compare(m, actual, expected);
  }
  Poco::Net::IPAddress a, e;
  if (!Poco::Net::IPAddress::tryParse(actual, a) || !Poco::Net::IPAddress::tryParse(expected, e) ||
      a.family() != e.family()) {
    return false;
  }
  return m == FilterCondition::Match::kGreaterThan ? e < a : a < e;
}

}  // namespace

bool conditionHolds(const FilterCondition& c, const RequestOrigin& req) {
  std::string actual;
  switch (c.kind) {
    case FilterCondition::Kind::kRequestUrl:
      actual = req.path;  // decoded: /%70artners/ is /partners/ to every router
      break;
    case FilterCondition::Kind::kRemoteAddress:
      for (const auto& v : c.values) {
        if (compareIp(c.match, req.remote_address, v)) return true;
      }
      return false;
    case FilterCondition::Kind::kHost: {
      actual = Poco::toLower(req.host);
      if (!actual.empty() && actual.front() != '[') actual = actual.substr(0, actual.find(':'));
      for (const auto& v : c.values) {
        if (compare(c.match, actual, Poco::toLower(v))) return true;
      }
      return false;
    }
    case FilterCondition::Kind::kUserAgent: {
      const std::string* ua = req.request->header("User-Agent");
      actual = ua ? *ua : "";
      break;
    }
    case FilterCondition::Kind::kRequestHeader: {
      const std::string* h = req.request->header(c.name);
      if (c.values.empty()) {
        bool present = h != nullptr;
        return c.match == FilterCondition::Match::kNotContain ? !present : present;
      }
      if (h == nullptr) return c.match == FilterCondition::Match::kNotContain;
      actual = *h;
      break;
    }
    case FilterCondition::Kind::kCookie: {
      // Liberty's cookie condition names the cookie; match = presence.
      bool present = false;
      for (const auto& v : c.values) present = present || req.request->cookie(v).has_value();
      return c.match == FilterCondition::Match::kNotContain ? !present : present;
    }
  }
  if (c.match == FilterCondition::Match::kNotContain) {
    for (const auto& v : c.values) {
      if (!compare(c.match, actual, v)) return false;  // contains one of them
    }
    return true;
  }
  for (const auto& v : c.values) {
    if (compare(c.match, actual, v)) return true;
  }
  return false;
}

bool filterMatches(const AuthFilterConfig& filter, const RequestOrigin& request) {
  for (const auto& c : filter.conditions) {
    if (!conditionHolds(c, request)) return false;
  }
  return true;
}

}  // namespace idgate
