#include "login/page_templates.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "config/config_error.h"
#include "login/default_templates.h"

namespace fs = std::filesystem;

namespace idgate {
namespace {

const std::set<std::string>& knownPlaceholders() {
  static const std::set<std::string> kNames = {
      "assets",     "action",   "client_name",  "error_block", "ix",
      "csrf_token", "username", "scope_list",   "error",       "description",
      "title",      "message",  "redirect_uri", "inputs",      "script_nonce"};
  return kNames;
}

/// Calls `f(raw, name)` for each placeholder, `text(chunk)` for the text between.
template <typename Text, typename Placeholder>
bool walk(const std::string& t, Text text, Placeholder f) {
  size_t pos = 0;
  while (true) {
    size_t open = t.find("{{", pos);
    if (open == std::string::npos) {
      text(std::string_view(t).substr(pos));
      return true;
    }
    text(std::string_view(t).substr(pos, open - pos));
    bool raw = t.compare(open, 3, "{{{") == 0;
    size_t start = open + (raw ? 3 : 2);
    size_t close = t.find(raw ? "}}}" : "}}", start);
    if (close == std::string::npos) return false;
    if (!f(raw, t.substr(start, close - start))) return false;
    pos = close + (raw ? 3 : 2);
  }
}

std::optional<std::string> readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string htmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

PageTemplates::PageTemplates(const std::string& dir) {
  for (const auto& [name, content] : defaultTemplateFiles()) {
    files_[std::string(name)] = std::string(content);
  }
  if (!dir.empty() && fs::is_directory(dir)) {
    for (const auto& [name, unused] : defaultTemplateFiles()) {
      fs::path p = fs::path(dir) / std::string(name);
      if (!fs::exists(p)) continue;
      auto content = readFile(p);
      if (!content) throw ConfigError(p.string() + ": cannot be read");
      files_[std::string(name)] = *content;
    }
    fs::path png = fs::path(dir) / "logo.png";
    if (fs::exists(png)) {
      auto content = readFile(png);
      if (!content) throw ConfigError(png.string() + ": cannot be read");
      files_["logo.png"] = *content;
    }
  }
  for (const auto& [name, content] : files_) {
    if (name.size() < 5 || name.compare(name.size() - 5, 5, ".html") != 0) continue;
    std::string bad;
    bool closed = walk(
        content, [](std::string_view) {},
        [&](bool, const std::string& placeholder) {
          if (knownPlaceholders().count(placeholder)) return true;
          bad = placeholder;
          return false;
        });
    std::string file = (fs::path(dir) / name).string();
    if (!bad.empty()) {
      std::string known;
      for (const auto& k : knownPlaceholders()) known += (known.empty() ? "" : ", ") + k;
      throw ConfigError(file + ": unknown placeholder {{" + bad + "}} (known: " + known + ")");
    }
    if (!closed) throw ConfigError(file + ": a {{ placeholder is not closed");
  }
}

std::string PageTemplates::render(const std::string& name, const Vars& vars) const {
  auto it = files_.find(name);
  if (it == files_.end()) return {};
  std::string out;
  walk(
      it->second, [&](std::string_view chunk) { out += chunk; },
      [&](bool raw, const std::string& placeholder) {
        for (const auto& [k, v] : vars) {
          if (k == placeholder) {
            out += raw ? v : htmlEscape(v);
            break;
          }
        }
        return true;
      });
  return out;
}

std::optional<PageTemplates::Asset> PageTemplates::asset(const std::string& name) const {
  static const std::map<std::string, std::string> kTypes = {
      {"style.css", "text/css; charset=utf-8"},
      {"logo.svg", "image/svg+xml"},
      {"logo.png", "image/png"}};
  auto type = kTypes.find(name);
  auto file = files_.find(name);
  if (type == kTypes.end() || file == files_.end()) return std::nullopt;
  return Asset{type->second, file->second};
}

void writeDefaultTemplates(const std::string& dir) {
  fs::create_directories(dir);
  for (const auto& [name, content] : defaultTemplateFiles()) {
    fs::path p = fs::path(dir) / std::string(name);
    if (fs::exists(p)) continue;
    std::ofstream out(p, std::ios::binary);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + p.string());
  }
}

}  // namespace idgate
