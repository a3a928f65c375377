#include <idgate/jose/base64url.h>

#include <array>

namespace idgate {
namespace {

constexpr char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kStdAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string encode(std::string_view in, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  size_t rest = in.size() - i;
  if (rest == 1) {
    unsigned n = static_cast<unsigned char>(in[i]) << 16;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    unsigned n =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    if (pad) out += "=";
  }
  return out;
}

std::array<int, 256> urlTable() {
  std::array<int, 256> t{};
  t.fill(-1);
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kUrlAlphabet[i])] = i;
  return t;
}

}  // namespace

std::string base64UrlEncode(std::string_view bytes) { return encode(bytes, kUrlAlphabet, false); }
std::string base64Encode(std::string_view bytes) { return encode(bytes, kStdAlphabet, true); }

std::optional<std::string> base64UrlDecode(std::string_view text) {
  static const std::array<int, 256> table = urlTable();
  const size_t tail = text.size() % 4;
  if (tail == 1) return std::nullopt;
  std::string out(text.size() / 4 * 3 + (tail ? tail - 1 : 0), '\0');
  auto value = [&](size_t i) { return table[static_cast<unsigned char>(text[i])]; };
  char* o = out.data();
  size_t i = 0;
  // Whole groups of four characters: three bytes each, one invalid-character check per group
  // (a negative value anywhere makes the OR negative).
  for (; i + 4 <= text.size(); i += 4) {
    int a = value(i), b = value(i + 1), c = value(i + 2), d = value(i + 3);
    if ((a | b | c | d) < 0) return std::nullopt;
    unsigned n = (static_cast<unsigned>(a) << 18) | (static_cast<unsigned>(b) << 12) |
                 (static_cast<unsigned>(c) << 6) | static_cast<unsigned>(d);
    *o++ = static_cast<char>(n >> 16);
    *o++ = static_cast<char>(n >> 8);
    *o++ = static_cast<char>(n);
  }
  if (tail == 0) return out;
  // Two or three characters left: one or two bytes. Canonical form: the unused low bits of
  // the last character must be zero.
  int a = value(i), b = value(i + 1), c = tail == 3 ? value(i + 2) : 0;
  if ((a | b | c) < 0) return std::nullopt;
  unsigned n = (static_cast<unsigned>(a) << 18) | (static_cast<unsigned>(b) << 12) |
               (static_cast<unsigned>(c) << 6);
  if (n & (tail == 2 ? 0xffffu : 0xffu)) return std::nullopt;
  *o++ = static_cast<char>(n >> 16);
  if (tail == 3) *o++ = static_cast<char>(n >> 8);
  return out;
}

}  // namespace idgate
