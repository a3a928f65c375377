// Liberty's <authFilter>: which requests an <openidConnectClient> applies to. Every condition
// must hold; within a condition, values separated by '|' are alternatives.
#pragma once

#include "config/resource_server_config.h"
#include "resource/request_origin.h"

namespace idgate {

bool filterMatches(const AuthFilterConfig& filter, const RequestOrigin& request);

/// One condition (exposed for tests).
bool conditionHolds(const FilterCondition& condition, const RequestOrigin& request);

}  // namespace idgate
