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
  std::optional<std::string> decoded = percentDecode(std::string(raw), false);
  if (!decoded) return std::nullopt;
  // Path parameters (";..." in a segment) are dropped, as servlet containers (Tomcat, Jetty)
  // drop them before resolving: "/shop/admin;x/secret" is /shop/admin/secret to the upstream,
  // so routes and filters must see that path too; and "..;x" or "..%3B" is a dot segment.
  std::string out;
  out.reserve(decoded->size());
  size_t start = 0;
  while (start <= decoded->size()) {
    size_t end = decoded->find('/', start);
    if (end == std::string::npos) end = decoded->size();
    std::string_view seg(decoded->data() + start, end - start);
    seg = seg.substr(0, seg.find(';'));
    if (seg == "." || seg == "..") return std::nullopt;
    out.append(seg);
    if (end < decoded->size()) out += '/';
    start = end + 1;
  }
  return out;
}

}  // namespace idgate
