#include "http/request_id.h"

#include <atomic>
#include <cstdio>

#include "crypto/random.h"

namespace idgate {
namespace {
thread_local std::string t_request_id;
std::atomic<uint64_t> g_counter{0};
}  // namespace

const std::string& currentRequestId() { return t_request_id; }
void setCurrentRequestId(const std::string& id) { t_request_id = id; }

std::string newRequestId() {
  // A random prefix per process and a counter: unique across processes and restarts without a
  // trip to the random generator per request (an id is a label, not a secret).
  static const std::string prefix = crypto::randomToken(6);
  char n[24];
  std::snprintf(n, sizeof(n), "-%llx", static_cast<unsigned long long>(++g_counter));
  return prefix + n;
}

}  // namespace idgate
