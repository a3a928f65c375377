#include "config/config_variables.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <cstdlib>
#include <filesystem>

#include "config/config_error.h"
#include "config/xml_element.h"

namespace idgate {

ConfigVariables ConfigVariables::load(const std::string& file) {
  ConfigVariables v;
  v.file_ = file;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return v;
  readConfigFile(file);  // a regular file of sane size, or a ConfigError naming it
  try {
    Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> props(
        new Poco::Util::PropertyFileConfiguration(file));
    Poco::Util::AbstractConfiguration::Keys keys;
    props->keys(keys);
    // Keys with dots are a hierarchy to Poco: walk it.
    std::vector<std::string> pending(keys.begin(), keys.end());
    while (!pending.empty()) {
      std::string key = pending.back();
      pending.pop_back();
      if (props->hasProperty(key)) v.values_[key] = props->getRawString(key);
      Poco::Util::AbstractConfiguration::Keys sub;
      props->keys(key, sub);
      for (const auto& s : sub) pending.push_back(key + "." + s);
    }
  } catch (const Poco::Exception& e) {
    throw ConfigError(file + ": not a properties file: " + e.displayText());
  }
  return v;
}

std::optional<std::string> ConfigVariables::value(const std::string& name) const {
  if (name.rfind("env.", 0) == 0) {
    const char* env = std::getenv(name.substr(4).c_str());
    if (env == nullptr) return std::nullopt;
    return std::string(env);
  }
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

ConfigVariables::Expanded ConfigVariables::expand(const std::string& text) const {
  Expanded out;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out.text += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") == 0) {
      size_t end = text.find('}', i + 2);
      if (end != std::string::npos) {
        std::string name = text.substr(i + 2, end - i - 2);
        auto v = value(name);
        if (!v) {
          out.undefined = name;
          return out;
        }
        out.text += *v;
        i = end + 1;
        continue;
      }
    }
    out.text += text[i++];
  }
  return out;
}

}  // namespace idgate
