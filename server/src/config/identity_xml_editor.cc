#include "config/identity_xml_editor.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace idgate {
namespace {

/// The start of `tag` ("<EventListener", "</EventListeners") at or after `from`, outside
/// comments, CDATA sections and processing instructions; npos when there is none.
size_t findTag(const std::string& xml, const std::string& tag, size_t from) {
  size_t i = from;
  while ((i = xml.find('<', i)) != std::string::npos) {
    if (xml.compare(i, 4, "<!--") == 0) {
      size_t end = xml.find("-->", i + 4);
      if (end == std::string::npos) return std::string::npos;
      i = end + 3;
      continue;
    }
    if (xml.compare(i, 9, "<![CDATA[") == 0) {
      size_t end = xml.find("]]>", i + 9);
      if (end == std::string::npos) return std::string::npos;
      i = end + 3;
      continue;
    }
    if (xml.compare(i, 2, "<?") == 0) {
      size_t end = xml.find("?>", i + 2);
      if (end == std::string::npos) return std::string::npos;
      i = end + 2;
      continue;
    }
    if (xml.compare(i, tag.size(), tag) == 0) {
      char next = i + tag.size() < xml.size() ? xml[i + tag.size()] : '\0';
      if (std::isspace(static_cast<unsigned char>(next)) || next == '>' || next == '/') return i;
    }
    ++i;
  }
  return std::string::npos;
}

/// The index of the '>' closing the start tag at `start` (quotes respected).
size_t tagEnd(const std::string& xml, size_t start) {
  char quote = 0;
  for (size_t i = start; i < xml.size(); ++i) {
    char c = xml[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i;
    }
  }
  return std::string::npos;
}

struct Attribute {
  size_t value_begin = 0;  ///< after the opening quote
  size_t value_end = 0;    ///< at the closing quote
};

/// Attribute `name` of the start tag xml[start, end), or nullopt.
std::optional<Attribute> findAttribute(const std::string& xml, size_t start, size_t end,
                                       const std::string& name) {
  size_t i = start + 1;
  while (i < end && !std::isspace(static_cast<unsigned char>(xml[i]))) ++i;  // the tag name
  while (i < end) {
    while (i < end && std::isspace(static_cast<unsigned char>(xml[i]))) ++i;
    size_t n = i;
    while (i < end && xml[i] != '=' && !std::isspace(static_cast<unsigned char>(xml[i])) &&
           xml[i] != '/' && xml[i] != '>') {
      ++i;
    }
    std::string attr = xml.substr(n, i - n);
    while (i < end && std::isspace(static_cast<unsigned char>(xml[i]))) ++i;
    if (i >= end || xml[i] != '=') {
      ++i;
      continue;
    }
    ++i;
    while (i < end && std::isspace(static_cast<unsigned char>(xml[i]))) ++i;
    if (i >= end || (xml[i] != '"' && xml[i] != '\'')) return std::nullopt;
    char q = xml[i];
    size_t close = xml.find(q, i + 1);
    if (close == std::string::npos || close > end) return std::nullopt;
    if (attr == name) return Attribute{i + 1, close};
    i = close + 1;
  }
  return std::nullopt;
}

/// Sets attribute `name` of the start tag at `start` to `value`: replaced in place, or added
/// before the tag's end.
void setAttribute(std::string& xml, size_t start, const std::string& name,
                  const std::string& value) {
  size_t end = tagEnd(xml, start);
  if (auto a = findAttribute(xml, start, end, name)) {
    xml.replace(a->value_begin, a->value_end - a->value_begin, value);
    return;
  }
  size_t at = end;
  if (at > start && xml[at - 1] == '/') --at;
  while (at > start && std::isspace(static_cast<unsigned char>(xml[at - 1]))) --at;
  xml.insert(at, " " + name + "=\"" + value + "\"");
}

/// An attribute value as the XML reader gives it: the predefined entities and character
/// references decoded, then trimmed (as XmlElement::requiredAttribute does).
std::string attributeValue(const std::string& raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out += raw[i];
      continue;
    }
    size_t end = raw.find(';', i);
    if (end == std::string::npos) {
      out += raw.substr(i);
      break;
    }
    std::string entity = raw.substr(i + 1, end - i - 1);
    static const std::pair<const char*, char> kNamed[] = {
        {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
    bool done = false;
    for (const auto& [name, c] : kNamed) {
      if (entity == name) {
        out += c;
        done = true;
      }
    }
    if (!done && entity.size() > 1 && entity[0] == '#') {
      long code = entity[1] == 'x' ? std::strtol(entity.c_str() + 2, nullptr, 16)
                                   : std::strtol(entity.c_str() + 1, nullptr, 10);
      if (code > 0 && code < 128) {
        out += static_cast<char>(code);
        done = true;
      }
    }
    if (!done) out += raw.substr(i, end - i + 1);
    i = end;
  }
  size_t b = out.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  size_t e = out.find_last_not_of(" \t\r\n");
  return out.substr(b, e - b + 1);
}

}  // namespace

std::optional<std::string> setEventListener(std::string& xml, const std::vector<std::string>& names,
                                            const std::string& insert_name, bool enable,
                                            int64_t order_id) {
  const std::string open = "<EventListener";
  std::vector<size_t> matches;
  for (size_t i = findTag(xml, open, 0); i != std::string::npos; i = findTag(xml, open, i + 1)) {
    size_t end = tagEnd(xml, i);
    if (end == std::string::npos) break;
    auto name = findAttribute(xml, i, end, "name");
    if (!name) continue;
    std::string value =
        attributeValue(xml.substr(name->value_begin, name->value_end - name->value_begin));
    if (std::find(names.begin(), names.end(), value) != names.end()) matches.push_back(i);
  }
  if (matches.size() > 1) {
    return "several <EventListener> elements name plugin '" + insert_name +
           "'; keep one and try again";
  }
  if (matches.size() == 1) {
    // orderId first: setting it cannot move the element's start.
    setAttribute(xml, matches[0], "orderId", std::to_string(order_id));
    setAttribute(xml, matches[0], "enable", enable ? "true" : "false");
    return std::nullopt;
  }
  std::string element =
      "    <EventListener type=\"org.wso2.carbon.identity.core.handler.AbstractIdentityHandler\"\n"
      "                   name=\"" +
      insert_name + "\" orderId=\"" + std::to_string(order_id) + "\" enable=\"" +
      (enable ? "true" : "false") + "\"/>\n";
  size_t close = findTag(xml, "</EventListeners", 0);
  if (close != std::string::npos) {
    size_t line = xml.rfind('\n', close);
    size_t at = line != std::string::npos && xml.find_first_not_of(" \t", line + 1) == close
                    ? line + 1
                    : close;
    xml.insert(at, element);
    return std::nullopt;
  }
  size_t server = findTag(xml, "</Server", 0);
  if (server == std::string::npos) return std::string("no </Server> to add an <EventListeners> to");
  xml.insert(server, "  <EventListeners>\n" + element + "  </EventListeners>\n");
  return std::nullopt;
}

}  // namespace idgate
