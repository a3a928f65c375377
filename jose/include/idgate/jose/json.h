// A strict JSON reader for untrusted token contents (RFC 8259): duplicate member names,
// nesting deeper than a limit, invalid UTF-8 escapes and trailing data are errors.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace idgate::jose {

class Json {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  Type type() const { return type_; }
  bool isString() const { return type_ == Type::kString; }
  bool isNumber() const { return type_ == Type::kNumber; }
  bool isObject() const { return type_ == Type::kObject; }
  bool isArray() const { return type_ == Type::kArray; }

  const std::string& str() const { return string_; }
  double number() const { return number_; }
  bool boolean() const { return bool_; }
  const std::vector<Json>& items() const { return items_; }
  const std::vector<std::pair<std::string, Json>>& members() const { return members_; }

  /// Member lookup on an object; nullptr when absent (or not an object).
  const Json* get(std::string_view name) const;
  /// The member if it is a string.
  std::optional<std::string> getString(std::string_view name) const;

  static Json makeNull() { return Json(Type::kNull); }

 private:
  friend class JsonParser;
  explicit Json(Type t) : type_(t) {}

  Type type_;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<Json> items_;
  std::vector<std::pair<std::string, Json>> members_;
};

struct JsonLimits {
  int max_depth = 16;
  size_t max_bytes = 64 * 1024;
};

/// Registered client metadata (it may embed a JWK set): the host that stores it and the plugins
/// that read it must agree, or a client registered fine would fail at the token endpoint.
inline constexpr JsonLimits kClientMetadataLimits{16, 1024 * 1024};

/// nullopt on any syntax error, duplicate member, excess depth or size.
std::optional<Json> parseJson(std::string_view text, const JsonLimits& limits = {});

/// Appends `s` as a JSON string (quotes included): control characters escaped, bytes that are
/// not well-formed UTF-8 replaced by U+FFFD.
void appendJsonString(std::string& out, std::string_view s);

/// `value` as compact JSON text (members in their order; integral numbers below 2^53 without a
/// fraction, others with 17 significant digits).
std::string toJsonText(const Json& value);

}  // namespace idgate::jose
