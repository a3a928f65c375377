// The client-assertion claim rules over any JSON payload, with time fixed: no crash or signed
// overflow, and an accepted payload really satisfies each rule (iss = sub, a 1-255 character jti,
// exp within the skew and the maximum lifetime, an accepted aud).
#include <cstdint>
#include <cstdlib>
#include <string>

#include <idgate/jose/client_assertion.h>
#include <idgate/jose/json.h>

using namespace idgate::jose;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // The first byte picks the typ check's input or the payload rules.
  if (!in.empty() && in[0] == 'T') {
    bool allowed = assertionTypAllowed(std::string(in.substr(1)));
    if (allowed && in.size() > 1 + 37) std::abort();  // longest accepted typ is 37 characters
    return 0;
  }
  auto payload = parseJson(in);
  if (!payload) return 0;
  constexpr int64_t now = 1800000000;
  for (bool client : {true, false}) {
    AssertionPolicy policy;
    policy.accepted_audiences = {"https://idgate.example/oauth2/token", "idgate"};
    policy.subject_is_issuer = client;
    std::string reason;
    auto claims = checkAssertionClaims(*payload, policy, now, &reason);
    if (!claims) {
      if (reason.empty()) std::abort();  // every refusal names its rule
      continue;
    }
    if (claims->iss.empty() || claims->sub.empty()) std::abort();
    if (client && claims->iss != claims->sub) std::abort();
    if (claims->jti.empty() || claims->jti.size() > 255) std::abort();
    if (now > claims->exp + policy.skew_s || claims->exp - now > policy.max_lifetime_s)
      std::abort();
    std::string why;
    if (client && assertionSubject(*payload, &why) != claims->sub) std::abort();
  }
  return 0;
}
