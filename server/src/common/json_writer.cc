#include "common/json_writer.h"

#include <cstdio>

#include <idgate/jose/json.h>

namespace idgate {

void appendJsonQuoted(std::string& out, std::string_view s) { jose::appendJsonString(out, s); }

std::string jsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  appendJsonQuoted(out, s);
  return out;
}

void JsonWriter::name(std::string_view n) {
  if (body_.size() > 1) body_ += ',';
  appendJsonQuoted(body_, n);
  body_ += ':';
}

JsonWriter& JsonWriter::field(std::string_view n, std::string_view value) {
  name(n);
  appendJsonQuoted(body_, value);
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
  name(n);
  body_ += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) body_ += ',';
    appendJsonQuoted(body_, values[i]);
  }
  body_ += ']';
  return *this;
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
