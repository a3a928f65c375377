#include <idgate/jose/numeric_date.h>

#include <cmath>

namespace idgate::jose {

NumericResult numericDate(const Json& payload, const char* name, int64_t* out) {
  constexpr double kMaxTime = 253402300799.0;  // 9999-12-31T23:59:59Z
  const Json* v = payload.get(name);
  if (v == nullptr) return NumericResult::kAbsent;
  if (!v->isNumber()) return NumericResult::kInvalid;
  double d = v->number();
  if (!std::isfinite(d) || d < 0 || d > kMaxTime) return NumericResult::kInvalid;
  *out = static_cast<int64_t>(std::floor(d));
  return NumericResult::kValid;
}

}  // namespace idgate::jose
