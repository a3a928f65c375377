#include "http/request_head.h"

#include <algorithm>
#include <cctype>

namespace idgate {
namespace {

// RFC 9110 §5.6.2 tchar.
bool isTokenChar(unsigned char c) {
  return std::isalnum(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool isToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return isTokenChar(static_cast<unsigned char>(c));
  });
}

std::string_view trimWhitespace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

HeadStatus bad(std::string* error, std::string message) {
  *error = std::move(message);
  return HeadStatus::kBad;
}

}  // namespace

bool isFieldName(std::string_view name) { return isToken(name); }

bool listHasToken(std::string_view list, std::string_view token) {
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t end = list.find(',', pos);
    if (end == std::string_view::npos) end = list.size();
    if (sameHeaderName(trimWhitespace(list.substr(pos, end - pos)), token)) return true;
    pos = end + 1;
  }
  return false;
}

// Visible characters, obs-text, space and tab; no other control characters.
bool isFieldValue(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c == '\t' || (c >= 0x20 && c != 0x7f);
  });
}

bool keepsAlive(const HeaderList& headers, int minor_version) {
  bool close = false;
  bool keep = false;
  for (const auto& [k, v] : headers) {
    if (!sameHeaderName(k, "Connection")) continue;
    close = close || listHasToken(v, "close");
    keep = keep || listHasToken(v, "keep-alive");
  }
  return !close && (minor_version >= 1 || keep);
}

bool RequestHead::keepAlive() const { return keepsAlive(headers, minor_version); }

BodyFraming bodyFraming(const RequestHead& head) {
  BodyFraming f;
  const std::string* te = nullptr;
  const std::string* length = nullptr;
  for (const auto& [k, v] : head.headers) {
    if (sameHeaderName(k, "Transfer-Encoding")) {
      if (te != nullptr) {
        f.kind = BodyFraming::Kind::kInvalid;
        f.error = "Transfer-Encoding must be exactly chunked, without Content-Length";
        return f;
      }
      te = &v;
    } else if (sameHeaderName(k, "Content-Length")) {
      if (length != nullptr && *length != v) {
        f.kind = BodyFraming::Kind::kInvalid;
        f.error = "conflicting Content-Length values";
        return f;
      }
      length = &v;
    }
  }
  if (te != nullptr) {
    if (head.minor_version == 0) {  // RFC 9112 §6.1: faulty framing from an HTTP/1.0 client
      f.kind = BodyFraming::Kind::kInvalid;
      f.error = "Transfer-Encoding is not allowed in HTTP/1.0";
      return f;
    }
    if (!sameHeaderName(*te, "chunked") || length != nullptr) {
      f.kind = BodyFraming::Kind::kInvalid;
      f.error = "Transfer-Encoding must be exactly chunked, without Content-Length";
      return f;
    }
    f.kind = BodyFraming::Kind::kChunked;
    return f;
  }
  if (length != nullptr) {
    const std::string& s = *length;
    if (s.empty() || s.size() > 18 ||
        !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      f.kind = BodyFraming::Kind::kInvalid;
      f.error = "Content-Length is not a number";
      return f;
    }
    f.kind = BodyFraming::Kind::kLength;
    f.length = std::stoll(s);
    if (f.length == 0) f.kind = BodyFraming::Kind::kNone;
  }
  return f;
}

bool parseFieldLines(std::string_view lines, HeaderList* headers, std::string* error) {
  size_t pos = 0;
  while (pos < lines.size()) {
    const size_t eol = lines.find("\r\n", pos);
    const std::string_view line = lines.substr(pos, eol - pos);
    pos = eol + 2;
    if (line.empty() || line.front() == ' ' || line.front() == '\t') {
      *error = "obsolete header line folding";  // RFC 9112 §5.2
      return false;
    }
    const size_t colon = line.find(':');
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = colon == std::string_view::npos
                                       ? std::string_view()
                                       : trimWhitespace(line.substr(colon + 1));
    if (colon == std::string_view::npos) {
      *error = "malformed header field";
    } else if (!isToken(name)) {
      *error = "malformed header field name";
    } else if (!isFieldValue(value)) {
      *error = "control character in a header field";
    } else if (headers->size() == kMaxRequestHeaderFields) {
      *error = "more than " + std::to_string(kMaxRequestHeaderFields) + " header fields";
    } else {
      headers->emplace_back(std::string(name), std::string(value));
      continue;
    }
    return false;
  }
  return true;
}

HeadStatus parseRequestHead(std::string_view data, RequestHead* head, size_t* consumed,
                            std::string* error) {
  // RFC 9112 §2.2: empty lines before the request line are ignored.
  size_t start = 0;
  while (start + 1 < data.size() && data[start] == '\r' && data[start + 1] == '\n') start += 2;
  const size_t end = data.find("\r\n\r\n", start);
  if (end == std::string_view::npos) {
    if (data.size() >= kMaxRequestHeadBytes) {
      *error = "request head exceeds " + std::to_string(kMaxRequestHeadBytes) + " bytes";
      return HeadStatus::kTooLarge;
    }
    return HeadStatus::kIncomplete;
  }
  if (end + 4 > kMaxRequestHeadBytes) {
    *error = "request head exceeds " + std::to_string(kMaxRequestHeadBytes) + " bytes";
    return HeadStatus::kTooLarge;
  }
  std::string_view text = data.substr(start, end + 2 - start);  // every line ends with CRLF

  size_t eol = text.find("\r\n");
  std::string_view line = text.substr(0, eol);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return bad(error, "malformed request line");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!isToken(method)) return bad(error, "malformed request method");
  if (target.empty() || !std::all_of(target.begin(), target.end(), [](char ch) {
        auto c = static_cast<unsigned char>(ch);
        return c > 0x20 && c < 0x7f;
      })) {
    return bad(error, "malformed request target");
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return bad(error, "unsupported HTTP version");
  head->method.assign(method);
  head->target.assign(target);
  head->minor_version = version.back() - '0';
  head->headers.clear();

  if (!parseFieldLines(text.substr(eol + 2), &head->headers, error)) return HeadStatus::kBad;
  // Fields that must appear at most once: a second one is ambiguous (which did the client, and
  // which does the upstream, act on?), so it is refused rather than one silently picked.
  static constexpr const char* kSingletons[] = {"Host", "Authorization", "Proxy-Authorization"};
  for (const char* singleton : kSingletons) {
    size_t count = 0;
    for (const auto& field : head->headers) count += sameHeaderName(field.first, singleton) ? 1 : 0;
    if (count > 1) return bad(error, std::string("more than one ") + singleton + " header");
    if (count == 0 && head->minor_version == 1 && singleton == kSingletons[0]) {
      return bad(error, "missing Host header");  // RFC 9112 §3.2
    }
  }
  *consumed = end + 4;
  return HeadStatus::kComplete;
}

}  // namespace idgate
