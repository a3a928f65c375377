#include "http/form_decoder.h"

#include <Poco/String.h>

#include <cctype>
#include <map>

#include <idgate/jose/utf8.h>

namespace idgate {

std::optional<std::string> percentDecode(const std::string& in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  auto hex = [](char h) -> int {
    if (h >= '0' && h <= '9') return h - '0';
    if (h >= 'a' && h <= 'f') return h - 'a' + 10;
    if (h >= 'A' && h <= 'F') return h - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+' && plus_is_space) {
      out += ' ';
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

FormDecodeResult decodeForm(const std::string& body, const std::set<std::string>& repeatable) {
  FormDecodeResult r;
  std::map<std::string, int> seen;
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    std::string pair = body.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto name = percentDecode(pair.substr(0, eq));
    auto value = percentDecode(eq == std::string::npos ? "" : pair.substr(eq + 1));
    if (!name || !value) {
      r.error = "malformed form encoding";
      return r;
    }
    if (!isValidUtf8(*name)) {
      r.error = "a parameter name is not valid UTF-8 after percent-decoding";
      return r;
    }
    if (!isValidUtf8(*value)) {
      r.error = "parameter '" + *name + "' is not valid UTF-8 after percent-decoding";
      return r;
    }
    if (value->empty()) continue;
    if (++seen[*name] > 1 && repeatable.count(*name) == 0) {
      r.error = "parameter '" + *name + "' is repeated";
      return r;
    }
    r.params.emplace_back(std::move(*name), std::move(*value));
  }
  return r;
}

bool isFormContentType(const std::string& content_type) {
  std::string media = Poco::toLower(Poco::trim(content_type.substr(0, content_type.find(';'))));
  return media == "application/x-www-form-urlencoded";
}

std::optional<std::string> formParam(const FormParams& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::string percentEncode(std::string_view in) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace idgate
