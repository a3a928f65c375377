// A strict reader over an XML configuration file: every element and attribute must be known,
// and every error names the file, the element path and the attribute.
#pragma once

#include <Poco/AutoPtr.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "config/config_error.h"

namespace idgate {

class ConfigVariables;

class XmlElement {
 public:
  XmlElement(const std::string* file, Poco::XML::Element* element, std::string path)
      : file_(file), element_(element), path_(std::move(path)) {}

  const std::string& name() const;
  const std::string& path() const { return path_; }

  /// Refuses child elements and attributes not listed (ignores namespace declarations).
  void allowOnly(std::initializer_list<const char*> children,
                 std::initializer_list<const char*> attributes) const;

  std::optional<XmlElement> child(const std::string& name) const;  ///< at most one allowed
  std::vector<XmlElement> children(const std::string& name) const;

  /// Trimmed text content; an element with child elements is an error.
  std::string text() const;
  std::optional<std::string> attribute(const std::string& name) const;
  std::string requiredAttribute(const std::string& name) const;
  int64_t intAttribute(const std::string& name, int64_t fallback, int64_t min, int64_t max) const;
  bool boolAttribute(const std::string& name, bool fallback) const;
  /// Text of child element `name`, or `fallback` when the child is absent.
  std::string childText(const std::string& name, const std::string& fallback) const;
  int64_t childInt(const std::string& name, int64_t fallback, int64_t min, int64_t max) const;

  [[noreturn]] void fail(const std::string& message) const;
  [[noreturn]] void failAttribute(const std::string& attribute, const std::string& message) const;

 private:
  const std::string* file_;
  Poco::XML::Element* element_;
  std::string path_;
};

/// A parsed configuration file; keeps the DOM alive for its XmlElements.
/// Larger configuration files are refused: parsing is not linear in every construct (a 12 MB
/// comment took 10 s), and no real server.xml or identity.xml comes near this.
constexpr int64_t kMaxConfigFileBytes = 1 << 20;

/// The whole file, which must be a regular file of at most kMaxConfigFileBytes (a FIFO is
/// refused without blocking). Throws ConfigError naming the file.
std::string readConfigFile(const std::string& path);

class XmlFile {
 public:
  /// Throws ConfigError naming the file when it is missing or not well-formed.
  explicit XmlFile(std::string path);
  /// The same, with every `${name}` in attribute values and text expanded from `variables`; a
  /// variable without a value is a ConfigError naming the file, the element and the attribute.
  XmlFile(std::string path, const ConfigVariables& variables);
  XmlElement root() const;
  /// Root element must be `expected`.
  XmlElement root(const std::string& expected) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  Poco::AutoPtr<Poco::XML::Document> doc_;
};

int64_t parseInteger(const std::string& text, bool* ok);

}  // namespace idgate
