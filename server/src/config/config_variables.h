// Liberty-style variables in server.xml: `${name}` in an attribute or text is replaced by the
// value of `name` from the home's bootstrap.properties, and `${env.NAME}` by the environment
// variable NAME. They keep secrets (the admin password hash, the keystore password) out of a
// conf/ that may be shared or kept in version control. `$${` writes a literal `${`.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace idgate {

class ConfigVariables {
 public:
  ConfigVariables() = default;
  /// Reads `file` (Java properties syntax) when it exists; throws ConfigError naming the file
  /// when it cannot be read or parsed.
  static ConfigVariables load(const std::string& file);

  void set(const std::string& name, const std::string& value) { values_[name] = value; }
  const std::string& file() const { return file_; }

  struct Expanded {
    std::string text;
    std::string undefined;  ///< non-empty: the first variable without a value (text unusable)
  };
  Expanded expand(const std::string& text) const;

 private:
  std::optional<std::string> value(const std::string& name) const;
  std::string file_;
  std::map<std::string, std::string> values_;
};

}  // namespace idgate
