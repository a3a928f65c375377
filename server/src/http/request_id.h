// The id of the request the current thread serves: sent as X-Request-Id, and prefixed to
// every log line written while serving it.
#pragma once

#include <string>

namespace idgate {

const std::string& currentRequestId();
void setCurrentRequestId(const std::string& id);
std::string newRequestId();

}  // namespace idgate
