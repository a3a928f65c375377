// The request head parser (RFC 9112): no crash, a complete head is self-delimiting (the same
// bytes alone parse to the same head), and a head has exactly one body framing: never both a
// length and chunked, never a length without a Content-Length, never chunked without exactly
// "Transfer-Encoding: chunked".
#include <cstdint>
#include <cstdlib>
#include <string>

#include "http/request_head.h"

using namespace idgate;

namespace {

size_t count(const HeaderList& headers, std::string_view name) {
  size_t n = 0;
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        })) {
      ++n;
    }
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  RequestHead head;
  size_t consumed = 0;
  std::string error;
  if (parseRequestHead(in, &head, &consumed, &error) != HeadStatus::kComplete) return 0;
  if (consumed == 0 || consumed > size) std::abort();
  RequestHead again;
  size_t consumed_again = 0;
  if (parseRequestHead(in.substr(0, consumed), &again, &consumed_again, &error) !=
          HeadStatus::kComplete ||
      consumed_again != consumed || again.headers != head.headers) {
    std::abort();
  }
  BodyFraming f = bodyFraming(head);
  const size_t te = count(head.headers, "transfer-encoding");
  const size_t cl = count(head.headers, "content-length");
  if (f.kind == BodyFraming::Kind::kChunked && (te == 0 || cl != 0)) std::abort();
  if (f.kind == BodyFraming::Kind::kLength && (cl == 0 || te != 0 || f.length < 0)) std::abort();
  // No body: no Transfer-Encoding at all (a Content-Length of 0 is a body of none).
  if (f.kind == BodyFraming::Kind::kNone && te != 0) std::abort();
  return 0;
}
