#include "http/request_path.h"

namespace idgate {

std::optional<std::string> canonicalPath(std::string_view raw) {
  auto hex = [](char h) -> int {
    if (h >= '0' && h <= '9') return h - '0';
    if (h >= 'a' && h <= 'f') return h - 'a' + 10;
    if (h >= 'A' && h <= 'F') return h - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\') return std::nullopt;
    if (c != '%') {
      out += c;
      continue;
    }
    if (i + 2 >= raw.size()) return std::nullopt;
    int hi = hex(raw[i + 1]), lo = hex(raw[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    char d = static_cast<char>(hi * 16 + lo);
    if (d == '/' || d == '\\' || d == '.' || d == '\0') return std::nullopt;
    out += d;
    i += 2;
  }
  size_t start = 0;
  while (start <= out.size()) {
    size_t end = out.find('/', start);
    if (end == std::string::npos) end = out.size();
    std::string_view seg(out.data() + start, end - start);
    if (seg == "." || seg == "..") return std::nullopt;
    start = end + 1;
  }
  return out;
}

}  // namespace idgate
