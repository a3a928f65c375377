#include <idgate/jose/utf8.h>

#include <cstdint>
#include <cstdio>

namespace idgate {

size_t utf8SequenceLength(std::string_view s, size_t i) {
  unsigned char lead = static_cast<unsigned char>(s[i]);
  size_t more;
  uint32_t cp;
  if (lead >= 0xC2 && lead <= 0xDF) {
    more = 1;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    more = 2;
    cp = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    more = 3;
    cp = lead & 0x07;
  } else {
    return 0;
  }
  if (i + more >= s.size()) return 0;  // truncated
  for (size_t k = 1; k <= more; ++k) {
    unsigned char c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[more] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return more + 1;
}

bool isValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t n = utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string logSafe(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Most lines are printable ASCII without a backslash: copied as they are, in one step.
  size_t clean = 0;
  while (clean < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[clean]);
    if (c < 0x20 || c >= 0x7f || c == '\\') break;
    ++clean;
  }
  std::string out(s.substr(0, clean));
  if (clean == s.size()) return out;
  out.reserve(s.size() + 16);
  for (size_t i = clean; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      if (c == '\\') out += '\\';
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c >= 0x80) {
      size_t n = utf8SequenceLength(s, i);
      // C1 controls (U+0080-U+009F, encoded C2 80-C2 9F) act as terminal escapes too; line and
      // paragraph separators and the bidirectional controls reorder or split what a reader sees.
      bool c1 = n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0;
      unsigned cp = 0;
      if (n == 3 && c == 0xE2) {  // U+2000-U+2FFF
        cp = 0x2000 | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
             (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
      }
      if (cp == 0x200E || cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) ||
          (cp >= 0x2066 && cp <= 0x2069)) {
        char buf[12];
        std::snprintf(buf, sizeof(buf), "\\u%04x", cp);
        out += buf;
        i += n;
        continue;
      }
      if (n != 0 && !c1) {
        out.append(s.data() + i, n);
        i += n;
        continue;
      }
    }
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
    ++i;
  }
  return out;
}

}  // namespace idgate
