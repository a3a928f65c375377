// base64url (RFC 4648 §5, no padding): no crash; encode then decode gives the bytes back, and
// text the decoder accepts is the canonical encoding of what it decodes to.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <idgate/jose/base64url.h>

using namespace idgate;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto back = base64UrlDecode(base64UrlEncode(in));
  if (!back || *back != in) std::abort();
  if (auto decoded = base64UrlDecode(in); decoded && base64UrlEncode(*decoded) != in) std::abort();
  return 0;
}
