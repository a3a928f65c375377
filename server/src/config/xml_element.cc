#include "config/xml_element.h"

#include "common/regular_file.h"
#include "config/config_variables.h"

#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/NamedNodeMap.h>
#include <Poco/DOM/Node.h>
#include <Poco/DOM/NodeList.h>
#include <Poco/Exception.h>
#include <Poco/SAX/SAXException.h>
#include <Poco/String.h>

#include <charconv>
#include <cstring>

namespace idgate {

using Poco::XML::Element;
using Poco::XML::Node;

int64_t parseInteger(const std::string& text, bool* ok) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  *ok = !text.empty() && ec == std::errc() && p == text.data() + text.size();
  return v;
}

const std::string& XmlElement::name() const { return element_->localName(); }

void XmlElement::fail(const std::string& message) const {
  throw ConfigError(*file_ + ": element <" + path_ + ">: " + message);
}

void XmlElement::failAttribute(const std::string& attribute, const std::string& message) const {
  throw ConfigError(*file_ + ": element <" + path_ + "> attribute '" + attribute + "': " + message);
}

void XmlElement::allowOnly(std::initializer_list<const char*> children,
                           std::initializer_list<const char*> attributes) const {
  for (Node* n = element_->firstChild(); n != nullptr; n = n->nextSibling()) {
    if (n->nodeType() == Node::ELEMENT_NODE) {
      const std::string& local = n->localName();
      bool known = false;
      for (const char* c : children) known = known || local == c;
      if (!known) fail("unknown element <" + local + ">");
    } else if (n->nodeType() == Node::TEXT_NODE && children.size() > 0 &&
               !Poco::trim(n->nodeValue()).empty()) {
      fail("unexpected text '" + Poco::trim(n->nodeValue()) + "'");
    }
  }
  Poco::AutoPtr<Poco::XML::NamedNodeMap> attrs = element_->attributes();
  for (unsigned long i = 0; i < attrs->length(); ++i) {
    Node* a = attrs->item(i);
    const std::string& qname = a->nodeName();
    if (qname == "xmlns" || qname.rfind("xmlns:", 0) == 0 || qname.rfind("xsi:", 0) == 0) continue;
    bool known = false;
    for (const char* c : attributes) known = known || qname == c;
    if (!known) failAttribute(qname, "unknown attribute");
  }
}

std::optional<XmlElement> XmlElement::child(const std::string& name) const {
  auto all = children(name);
  if (all.size() > 1) fail("element <" + name + "> may appear only once");
  if (all.empty()) return std::nullopt;
  return all.front();
}

std::vector<XmlElement> XmlElement::children(const std::string& name) const {
  std::vector<XmlElement> out;
  for (Node* n = element_->firstChild(); n != nullptr; n = n->nextSibling()) {
    if (n->nodeType() == Node::ELEMENT_NODE && n->localName() == name) {
      out.emplace_back(file_, static_cast<Element*>(n), path_ + "/" + name);
    }
  }
  return out;
}

std::string XmlElement::text() const {
  std::string out;
  for (Node* n = element_->firstChild(); n != nullptr; n = n->nextSibling()) {
    if (n->nodeType() == Node::ELEMENT_NODE)
      fail("expected text, found element <" + n->localName() + ">");
    if (n->nodeType() == Node::TEXT_NODE || n->nodeType() == Node::CDATA_SECTION_NODE) {
      out += n->nodeValue();
    }
  }
  return Poco::trim(out);
}

std::optional<std::string> XmlElement::attribute(const std::string& name) const {
  if (!element_->hasAttribute(name)) return std::nullopt;
  return element_->getAttribute(name);
}

std::string XmlElement::requiredAttribute(const std::string& name) const {
  auto v = attribute(name);
  if (!v || Poco::trim(*v).empty()) failAttribute(name, "is required");
  return Poco::trim(*v);
}

int64_t XmlElement::intAttribute(const std::string& name, int64_t fallback, int64_t min,
                                 int64_t max) const {
  auto v = attribute(name);
  if (!v) return fallback;
  bool ok = false;
  int64_t n = parseInteger(Poco::trim(*v), &ok);
  if (!ok || n < min || n > max) {
    failAttribute(name, "must be an integer from " + std::to_string(min) + " to " +
                            std::to_string(max) + ", not '" + *v + "'");
  }
  return n;
}

bool XmlElement::boolAttribute(const std::string& name, bool fallback) const {
  auto v = attribute(name);
  if (!v) return fallback;
  std::string t = Poco::toLower(Poco::trim(*v));
  if (t == "true") return true;
  if (t == "false") return false;
  failAttribute(name, "must be true or false, not '" + *v + "'");
}

std::string XmlElement::childText(const std::string& name, const std::string& fallback) const {
  auto c = child(name);
  if (!c) return fallback;
  c->allowOnly({}, {});
  return c->text();
}

int64_t XmlElement::childInt(const std::string& name, int64_t fallback, int64_t min,
                             int64_t max) const {
  auto c = child(name);
  if (!c) return fallback;
  c->allowOnly({}, {});
  bool ok = false;
  std::string t = c->text();
  int64_t n = parseInteger(t, &ok);
  if (!ok || n < min || n > max) {
    c->fail("must be an integer from " + std::to_string(min) + " to " + std::to_string(max) +
            ", not '" + t + "'");
  }
  return n;
}

std::string readConfigFile(const std::string& path) {
  using Outcome = RegularFileRead::Outcome;
  RegularFileRead r = readRegularFile(path, kMaxConfigFileBytes);
  switch (r.outcome) {
    case Outcome::kOk:
      return std::move(r.bytes);
    case Outcome::kCannotOpen:
      throw ConfigError(path + ": cannot read file: " + std::strerror(r.error));
    case Outcome::kNotRegular:
      throw ConfigError(path + ": not a regular file");
    case Outcome::kTooLarge:
      throw ConfigError(path + ": " + std::to_string(r.size) +
                        " bytes; configuration files are limited to " +
                        std::to_string(kMaxConfigFileBytes) + " bytes (1 MiB)");
    case Outcome::kChanged:
      break;
  }
  throw ConfigError(path + ": cannot read file (changed while read)");
}

XmlFile::XmlFile(std::string path) : path_(std::move(path)) {
  std::string text = readConfigFile(path_);
  try {
    Poco::XML::DOMParser parser;
    parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, true);
    doc_ = parser.parseMemory(text.data(), text.size());
  } catch (const Poco::Exception& e) {
    throw ConfigError(path_ + ": not well-formed XML: " + e.displayText());
  }
}

namespace {

std::string elementPath(Node* n) {
  std::string path;
  for (; n != nullptr && n->nodeType() == Node::ELEMENT_NODE; n = n->parentNode()) {
    path = n->localName() + (path.empty() ? "" : "/" + path);
  }
  return path;
}

void expandVariables(const std::string& file, Node* n, const ConfigVariables& variables) {
  auto undefined = [&](Node* element, const std::string& where, const std::string& name) {
    std::string in = where.empty() ? "" : " attribute '" + where + "'";
    std::string how = name.rfind("env.", 0) == 0
                          ? "set the environment variable " + name.substr(4)
                          : "define it in " + variables.file() + " (" + name + "=...)";
    throw ConfigError(file + ": element <" + elementPath(element) + ">" + in + ": variable ${" +
                      name + "} has no value; " + how);
  };
  for (Node* c = n->firstChild(); c != nullptr; c = c->nextSibling()) {
    if (c->nodeType() == Node::ELEMENT_NODE) {
      // Held by an AutoPtr: an undefined variable throws from inside the loop (the map was
      // leaked on that path; found by the sanitizer run).
      if (Poco::AutoPtr<Poco::XML::NamedNodeMap> attrs = c->attributes()) {
        for (unsigned long i = 0; i < attrs->length(); ++i) {
          Node* a = attrs->item(i);
          auto e = variables.expand(a->nodeValue());
          if (!e.undefined.empty()) undefined(c, a->nodeName(), e.undefined);
          a->setNodeValue(e.text);
        }
      }
      expandVariables(file, c, variables);
    } else if (c->nodeType() == Node::TEXT_NODE || c->nodeType() == Node::CDATA_SECTION_NODE) {
      auto e = variables.expand(c->nodeValue());
      if (!e.undefined.empty()) undefined(n, "", e.undefined);
      c->setNodeValue(e.text);
    }
  }
}

}  // namespace

XmlFile::XmlFile(std::string path, const ConfigVariables& variables) : XmlFile(std::move(path)) {
  expandVariables(path_, doc_, variables);
}

XmlElement XmlFile::root() const {
  Element* r = doc_->documentElement();
  if (r == nullptr) throw ConfigError(path_ + ": empty document");
  return XmlElement(&path_, r, r->localName());
}

XmlElement XmlFile::root(const std::string& expected) const {
  XmlElement r = root();
  if (r.name() != expected) {
    throw ConfigError(path_ + ": root element must be <" + expected + ">, not <" + r.name() + ">");
  }
  return r;
}

}  // namespace idgate
