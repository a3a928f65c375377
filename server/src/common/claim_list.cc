#include "common/claim_list.h"

#include "common/json_writer.h"

namespace idgate {

std::string ClaimList::toJson() const {
  JsonWriter w;
  for (const auto& [name, value] : claims_) w.raw(name, value);
  return w.finish();
}

}  // namespace idgate
