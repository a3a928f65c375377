// JWT NumericDate claims (RFC 7519 §2): a JSON number of seconds, fractions allowed, bounded to
// 0 .. 9999-12-31T23:59:59Z so arithmetic on it cannot overflow.
#pragma once

#include <cstdint>

#include "idgate/jose/json.h"

namespace idgate::jose {

enum class NumericResult { kAbsent, kValid, kInvalid };

/// Reads member `name` of `payload` into `out` (floored to whole seconds).
NumericResult numericDate(const Json& payload, const char* name, int64_t* out);

}  // namespace idgate::jose
