// The form decoder: no crash, and percentEncode/percentDecode are a round trip.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "http/form_decoder.h"

using namespace idgate;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  decodeForm(in, {"scope", "resource", "audience"});
  percentDecode(in);
  auto back = percentDecode(percentEncode(in));
  if (!back || *back != in) std::abort();
  return 0;
}
