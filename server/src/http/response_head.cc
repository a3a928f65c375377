#include "http/response_head.h"

#include <algorithm>
#include <string>
#include <utility>

namespace idgate {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

/// A CR not followed by LF, or an LF not preceded by CR, in `text` (a CR at its very end may be
/// followed by an LF not received yet).
bool hasBareCrOrLf(std::string_view text) {
  for (size_t i = text.find_first_of("\r\n"); i != std::string_view::npos;
       i = text.find_first_of("\r\n", i + 1)) {
    if (text[i] == '\n') return true;
    if (i + 1 == text.size()) return false;
    if (text[i + 1] != '\n') return true;
    ++i;  // past the LF of this CRLF
  }
  return false;
}

HeadStatus bad(std::string* error, std::string message) {
  *error = std::move(message);
  return HeadStatus::kBad;
}

HeadStatus tooLarge(std::string* error) {
  *error = "response head exceeds " + std::to_string(kMaxRequestHeadBytes) + " bytes";
  return HeadStatus::kTooLarge;
}

ResponseFraming invalid(std::string message) {
  ResponseFraming f;
  f.kind = ResponseFraming::Kind::kInvalid;
  f.error = std::move(message);
  return f;
}

}  // namespace

bool ResponseHead::keepAlive() const { return keepsAlive(headers, minor_version); }

HeadStatus parseResponseHead(std::string_view data, ResponseHead* head, size_t* consumed,
                             std::string* error) {
  const size_t end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (data.size() >= kMaxRequestHeadBytes) return tooLarge(error);
    // A bare CR or LF would never end the head the way the upstream meant: refused now.
    if (hasBareCrOrLf(data)) return bad(error, "bare CR or LF in the response head");
    return HeadStatus::kIncomplete;
  }
  if (end + 4 > kMaxRequestHeadBytes) return tooLarge(error);
  const std::string_view text = data.substr(0, end + 2);  // every line ends with CRLF
  if (hasBareCrOrLf(text)) return bad(error, "bare CR or LF in the response head");

  // status-line = HTTP-version SP 3DIGIT SP [ reason-phrase ]
  size_t eol = text.find("\r\n");
  std::string_view line = text.substr(0, eol);
  std::string_view version = line.substr(0, 8);
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    return bad(error, "unsupported HTTP version");
  }
  if (line.size() < 12 || line[8] != ' ' || line[9] < '1' || line[9] > '9' || !isDigit(line[10]) ||
      !isDigit(line[11]) || (line.size() > 12 && line[12] != ' ')) {
    return bad(error, "malformed status line");
  }
  std::string_view reason = line.size() > 12 ? line.substr(13) : std::string_view();
  if (!isFieldValue(reason)) return bad(error, "control character in the reason phrase");
  head->minor_version = version.back() - '0';
  head->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  head->reason.assign(reason);
  head->headers.clear();

  if (!parseFieldLines(text.substr(eol + 2), &head->headers, error)) return HeadStatus::kBad;
  *consumed = end + 4;
  return HeadStatus::kComplete;
}

ResponseFraming responseFraming(const ResponseHead& head, std::string_view request_method) {
  ResponseFraming f;
  // RFC 9112 §6.3 rules 1 and 2: no body, whatever the fields say.
  if (request_method == "HEAD" || (head.status >= 100 && head.status < 200) || head.status == 204 ||
      head.status == 304 ||
      (request_method == "CONNECT" && head.status >= 200 && head.status < 300)) {
    return f;
  }
  const std::string* te = nullptr;
  const std::string* length = nullptr;
  for (const auto& [k, v] : head.headers) {
    if (sameHeaderName(k, "Transfer-Encoding")) {
      if (te != nullptr) {
        return invalid("Transfer-Encoding must be exactly chunked, without Content-Length");
      }
      te = &v;
    } else if (sameHeaderName(k, "Content-Length")) {
      if (length != nullptr && *length != v) return invalid("conflicting Content-Length values");
      length = &v;
    }
  }
  if (te != nullptr) {
    if (head.minor_version == 0) {  // RFC 9112 §6.1: faulty framing
      return invalid("Transfer-Encoding is not allowed in HTTP/1.0");
    }
    if (!sameHeaderName(*te, "chunked") || length != nullptr) {
      return invalid("Transfer-Encoding must be exactly chunked, without Content-Length");
    }
    f.kind = ResponseFraming::Kind::kChunked;
    return f;
  }
  if (length != nullptr) {
    const std::string& s = *length;
    if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), isDigit)) {
      return invalid("Content-Length is not a number");
    }
    f.kind = ResponseFraming::Kind::kLength;
    f.length = std::stoll(s);
    return f;
  }
  f.kind = ResponseFraming::Kind::kUntilClose;
  return f;
}

}  // namespace idgate
