// The sign-in pages' templates and assets: <home>/conf/templates/<name> when the operator put
// one there, else the default compiled in from the repository's conf/templates/. A template is HTML
// with
// {{name}} (the value HTML-escaped) and {{{name}}} (HTML the server built itself, its own parts
// escaped); a placeholder the server does not know stops startup, naming the file.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace idgate {

/// & < > " ' as entities.
std::string htmlEscape(std::string_view text);

class PageTemplates {
 public:
  /// Throws ConfigError naming the file of a template that cannot be read or has an unknown
  /// placeholder.
  explicit PageTemplates(const std::string& dir);

  using Vars = std::vector<std::pair<std::string, std::string>>;
  /// `name`: login.html, consent.html, error.html, logout.html, signed_out.html, form_post.html.
  std::string render(const std::string& name, const Vars& vars) const;

  struct Asset {
    std::string content_type;
    std::string body;
  };
  /// style.css, logo.svg or logo.png (the operator's, when present).
  std::optional<Asset> asset(const std::string& name) const;

 private:
  std::map<std::string, std::string> files_;
};

/// Writes the default templates into `dir` (`init`), each file 0644; existing files are kept.
void writeDefaultTemplates(const std::string& dir);

}  // namespace idgate
