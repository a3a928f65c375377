#include "http/json_writer.h"

#include <cstdio>

namespace idgate {

std::string jsonQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
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
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

void JsonWriter::name(std::string_view n) {
  if (body_.size() > 1) body_ += ",";
  body_ += jsonQuote(n) + ":";
}

JsonWriter& JsonWriter::field(std::string_view n, std::string_view value) {
  name(n);
  body_ += jsonQuote(value);
  return *this;
}

JsonWriter& JsonWriter::field(std::string_view n, int64_t value) {
  name(n);
  body_ += std::to_string(value);
  return *this;
}

JsonWriter& JsonWriter::field(std::string_view n, bool value) {
  name(n);
  body_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::field(std::string_view n, const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  for (const auto& v : values) quoted.push_back(jsonQuote(v));
  return raw(n, jsonArray(quoted));
}

JsonWriter& JsonWriter::raw(std::string_view n, std::string_view json) {
  name(n);
  body_ += json;
  return *this;
}

std::string jsonArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
  return out + "]";
}

}  // namespace idgate
