#include "http/request_id.h"

#include "crypto/random.h"

namespace idgate {
namespace {
thread_local std::string t_request_id;
}

const std::string& currentRequestId() { return t_request_id; }
void setCurrentRequestId(const std::string& id) { t_request_id = id; }
std::string newRequestId() { return crypto::randomToken(9); }

}  // namespace idgate
