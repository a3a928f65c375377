#include "http/request_path.h"

#include "http/form_decoder.h"

namespace idgate {

std::optional<std::string> canonicalPath(std::string_view raw) {
  // Encoded separators, dots and NUL first: once decoded they cannot be told from real ones.
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\') return std::nullopt;
    if (raw[i] != '%' || i + 2 >= raw.size()) continue;
    char hi = raw[i + 1], lo = static_cast<char>(raw[i + 2] | 0x20);  // lower-case letter
    if ((hi == '2' && (lo == 'e' || lo == 'f')) || (hi == '5' && lo == 'c') ||
        (hi == '0' && lo == '0')) {
      return std::nullopt;
    }
  }
  std::optional<std::string> out = percentDecode(std::string(raw), false);
  if (!out) return std::nullopt;
  size_t start = 0;
  while (start <= out->size()) {
    size_t end = out->find('/', start);
    if (end == std::string::npos) end = out->size();
    std::string_view seg(out->data() + start, end - start);
    // A path parameter does not hide a dot segment: servlet containers (Tomcat, Jetty) drop
    // ";..." before resolving, so "..;x" or "..%3B" climbs for the upstream.
    seg = seg.substr(0, seg.find(';'));
    if (seg == "." || seg == "..") return std::nullopt;
    start = end + 1;
  }
  return out;
}

}  // namespace idgate
