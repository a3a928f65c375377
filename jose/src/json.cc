#include <idgate/jose/json.h>
#include <idgate/jose/utf8.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace idgate::jose {

const Json* Json::get(std::string_view name) const {
  if (type_ != Type::kObject) return nullptr;
  for (const auto& [k, v] : members_) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::optional<std::string> Json::getString(std::string_view name) const {
  const Json* v = get(name);
  if (v == nullptr || !v->isString()) return std::nullopt;
  return v->str();
}

class JsonParser {
 public:
  JsonParser(std::string_view text, const JsonLimits& limits) : s_(text), limits_(limits) {}

  std::optional<Json> parse() {
    if (s_.size() > limits_.max_bytes) return std::nullopt;
    Json out = Json::makeNull();
    if (!value(out, 0)) return std::nullopt;
    ws();
    if (pos_ != s_.size()) return std::nullopt;
    return out;
  }

 private:
  void ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool value(Json& out, int depth) {
    if (depth > limits_.max_depth) return false;
    ws();
    if (pos_ >= s_.size()) return false;
    char c = s_[pos_];
    if (c == '{') return object(out, depth);
    if (c == '[') return array(out, depth);
    if (c == '"') {
      out = Json(Json::Type::kString);
      return string(out.string_);
    }
    if (c == 't' || c == 'f') {
      out = Json(Json::Type::kBool);
      out.bool_ = c == 't';
      return literal(c == 't' ? "true" : "false");
    }
    if (c == 'n') {
      out = Json(Json::Type::kNull);
      return literal("null");
    }
    return number(out);
  }

  bool object(Json& out, int depth) {
    out = Json(Json::Type::kObject);
    ++pos_;
    ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      ws();
      std::string key;
      if (pos_ >= s_.size() || s_[pos_] != '"' || !string(key)) return false;
      for (const auto& m : out.members_) {
        if (m.first == key) return false;  // duplicate member name
      }
      ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') return false;
      ++pos_;
      Json v = Json::makeNull();
      if (!value(v, depth + 1)) return false;
      out.members_.emplace_back(std::move(key), std::move(v));
      ws();
      if (pos_ >= s_.size()) return false;
      if (s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (s_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return false;
    }
  }

  bool array(Json& out, int depth) {
    out = Json(Json::Type::kArray);
    ++pos_;
    ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      Json v = Json::makeNull();
      if (!value(v, depth + 1)) return false;
      out.items_.push_back(std::move(v));
      ws();
      if (pos_ >= s_.size()) return false;
      if (s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return false;
    }
  }

  static void utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  /// Copies one well-formed UTF-8 sequence starting with `lead` (already consumed): no
  /// overlong forms, no surrogates, nothing above U+10FFFF (RFC 3629). Strings are compared
  /// and stored as bytes, so invalid sequences are refused here rather than downstream.
  bool utf8Sequence(unsigned char, std::string& out) {
    size_t n = utf8SequenceLength(s_, pos_ - 1);
    if (n == 0) return false;
    out.append(s_.data() + pos_ - 1, n);
    pos_ += n - 1;
    return true;
  }

  bool hex4(uint32_t& v) {
    if (pos_ + 4 > s_.size()) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) {
      char h = s_[pos_++];
      v <<= 4;
      if (h >= '0' && h <= '9')
        v |= h - '0';
      else if (h >= 'a' && h <= 'f')
        v |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F')
        v |= h - 'A' + 10;
      else
        return false;
    }
    return true;
  }

  bool string(std::string& out) {
    ++pos_;  // opening quote
    while (pos_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[pos_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c >= 0x80) {
        if (!utf8Sequence(c, out)) return false;
        continue;
      }
      if (c != '\\') {
        out += static_cast<char>(c);
        continue;
      }
      if (pos_ >= s_.size()) return false;
      char e = s_[pos_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          uint32_t cp;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (pos_ + 2 > s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u') return false;
            pos_ += 2;
            if (!hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return false;  // lone low surrogate
          } else if (cp == 0) {
            return false;  // NUL: no identifier or claim needs it, and databases refuse it
          }
          utf8(out, cp);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  bool number(Json& out) {
    size_t start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    if (pos_ >= s_.size()) return false;
    if (s_[pos_] == '0') {
      ++pos_;
    } else if (s_[pos_] >= '1' && s_[pos_] <= '9') {
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    } else {
      return false;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      size_t digits = pos_;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      if (pos_ == digits) return false;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      size_t digits = pos_;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      if (pos_ == digits) return false;
    }
    std::string text(s_.substr(start, pos_ - start));
    out = Json(Json::Type::kNumber);
    out.number_ = std::strtod(text.c_str(), nullptr);
    return std::isfinite(out.number_);
  }

  std::string_view s_;
  const JsonLimits& limits_;
  size_t pos_ = 0;
};

std::optional<Json> parseJson(std::string_view text, const JsonLimits& limits) {
  return JsonParser(text, limits).parse();
}

void appendJsonString(std::string& out, std::string_view s) {
  out += '"';
  size_t run = 0;  // start of the pending run of characters that need no escape
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') continue;
    if (c >= 0x80) {
      // Only well-formed UTF-8 leaves: anything else becomes U+FFFD.
      if (size_t n = utf8SequenceLength(s, i)) {
        i += n - 1;
        continue;
      }
    }
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        if (c >= 0x80) {
          out += "\\ufffd";
          break;
        }
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\u%04x", c);
        out += buf;
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

namespace {

void append(std::string& out, const Json& v) {
  switch (v.type()) {
    case Json::Type::kNull:
      out += "null";
      return;
    case Json::Type::kBool:
      out += v.boolean() ? "true" : "false";
      return;
    case Json::Type::kNumber: {
      double d = v.number();
      char buf[40];
      if (d > -9007199254740992.0 && d < 9007199254740992.0 &&
          d == static_cast<double>(static_cast<int64_t>(d))) {
        std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(d));
      } else {
        std::snprintf(buf, sizeof(buf), "%.17g", d);
      }
      out += buf;
      return;
    }
    case Json::Type::kString:
      appendJsonString(out, v.str());
      return;
    case Json::Type::kArray:
      out += '[';
      for (size_t i = 0; i < v.items().size(); ++i) {
        if (i > 0) out += ',';
        append(out, v.items()[i]);
      }
      out += ']';
      return;
    case Json::Type::kObject:
      out += '{';
      for (size_t i = 0; i < v.members().size(); ++i) {
        if (i > 0) out += ',';
        appendJsonString(out, v.members()[i].first);
        out += ':';
        append(out, v.members()[i].second);
      }
      out += '}';
      return;
  }
}

}  // namespace

std::string toJsonText(const Json& value) {
  std::string out;
  append(out, value);
  return out;
}

}  // namespace idgate::jose
