// The strict JSON reader: no crash, and every string it accepts is well-formed UTF-8 (the
// reader checks it; the rest of the server relies on it).
#include <cstdint>
#include <cstdlib>
#include <string>

#include <idgate/jose/json.h>
#include <idgate/jose/utf8.h>

using namespace idgate;

namespace {

void check(const jose::Json& j) {
  if (j.isString() && !isValidUtf8(j.str())) std::abort();
  for (const auto& item : j.items()) check(item);
  for (const auto& [name, value] : j.members()) {
    if (!isValidUtf8(name)) std::abort();
    check(value);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto j = jose::parseJson(in)) check(*j);
  return 0;
}
