#include <idgate/jose/client_assertion.h>
#include <idgate/jose/numeric_date.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace idgate::jose {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

std::optional<std::string> assertionSubject(const Json& payload, std::string* reason) {
  auto iss = payload.getString("iss");
  auto sub = payload.getString("sub");
  if (!iss || !sub || iss->empty()) {
    *reason = "iss and sub are required strings";
    return std::nullopt;
  }
  if (*iss != *sub) {
    *reason = "iss and sub must both equal the client id";
    return std::nullopt;
  }
  return *sub;
}

bool assertionTypAllowed(const std::string& typ) {
  std::string t = lower(typ);
  if (t.rfind("application/", 0) == 0) t = t.substr(12);
  return t.empty() || t == "jwt" || t == "client-authentication+jwt";
}

std::optional<AssertionClaims> checkAssertionClaims(const Json& payload, const AssertionPolicy& p,
                                                    int64_t now, std::string* reason) {
  AssertionClaims c;
  if (p.subject_is_issuer) {
    std::string why;
    auto subject = assertionSubject(payload, &why);
    if (!subject) {
      *reason = why;
      return std::nullopt;
    }
    c.iss = c.sub = *subject;
  } else {
    auto iss = payload.getString("iss");
    auto sub = payload.getString("sub");
    if (!iss || !sub || iss->empty() || sub->empty()) {
      *reason = "iss and sub are required strings";
      return std::nullopt;
    }
    c.iss = *iss;
    c.sub = *sub;
  }

  int64_t exp = 0, nbf = 0, iat = 0;
  NumericResult rexp = numericDate(payload, "exp", &exp);
  NumericResult rnbf = numericDate(payload, "nbf", &nbf);
  NumericResult riat = numericDate(payload, "iat", &iat);
  if (rexp == NumericResult::kAbsent) {
    *reason = "exp is required";
    return std::nullopt;
  }
  if (rexp == NumericResult::kInvalid || rnbf == NumericResult::kInvalid ||
      riat == NumericResult::kInvalid) {
    *reason = "exp, nbf and iat must be numeric dates";
    return std::nullopt;
  }
  if (now > exp + p.skew_s) {
    *reason = "assertion expired";
    return std::nullopt;
  }
  if (rnbf == NumericResult::kValid && nbf > now + p.skew_s) {
    *reason = "assertion not yet valid";
    return std::nullopt;
  }
  if (riat == NumericResult::kValid && iat > now + p.skew_s) {
    *reason = "assertion issued in the future";
    return std::nullopt;
  }
  if (riat == NumericResult::kValid && p.reject_before_s > 0 &&
      now - iat > p.reject_before_s + p.skew_s) {
    *reason = "assertion too old";
    return std::nullopt;
  }
  if (exp - now > p.max_lifetime_s) {
    *reason = "assertion lifetime too long";
    return std::nullopt;
  }
  c.exp = exp;

  auto jti = payload.getString("jti");
  if (!jti || jti->empty() || jti->size() > 255) {
    *reason = "jti is required (a string of 1-255 characters)";
    return std::nullopt;
  }
  c.jti = *jti;

  const Json* aud = payload.get("aud");
  std::string value;
  if (aud != nullptr && aud->isString()) {
    value = aud->str();
  } else if (aud != nullptr && aud->isArray() && aud->items().size() == 1 &&
             aud->items()[0].isString()) {
    value = aud->items()[0].str();
  } else {
    *reason = "aud not accepted";
    return std::nullopt;
  }
  if (std::find(p.accepted_audiences.begin(), p.accepted_audiences.end(), value) ==
      p.accepted_audiences.end()) {
    *reason = "aud not accepted";
    return std::nullopt;
  }
  return c;
}

}  // namespace idgate::jose
