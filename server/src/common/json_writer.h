// A small writer for JSON objects with members in the order written (stable, readable output).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace idgate {

std::string jsonQuote(std::string_view s);
/// Appends `s` to `out` as a JSON string (quotes included).
void appendJsonQuoted(std::string& out, std::string_view s);

class JsonWriter {
 public:
  JsonWriter& field(std::string_view name, std::string_view value);
  JsonWriter& field(std::string_view name, const char* value) {
    return field(name, std::string_view(value));
  }
  JsonWriter& field(std::string_view name, int64_t value);
  JsonWriter& field(std::string_view name, bool value);
  JsonWriter& field(std::string_view name, const std::vector<std::string>& values);
  /// `json` must already be valid JSON.
  JsonWriter& raw(std::string_view name, std::string_view json);
  std::string finish() const { return body_ + "}"; }

 private:
  void name(std::string_view n);
  std::string body_ = "{";
};

std::string jsonArray(const std::vector<std::string>& raw_json_items);

}  // namespace idgate
