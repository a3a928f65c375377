#include "http/chunked_decoder.h"

#include <algorithm>

#include "http/request_head.h"

namespace idgate {
namespace {

enum class LineResult { kLine, kNeedMore, kMalformed };

/// The line at the start of `in`, through CRLF: `*line` without it, `*length` with it. A bare CR
/// or LF is malformed as soon as it is seen (other parsers read it differently); so is a line
/// longer than `max_bytes`, complete or not.
LineResult takeLine(std::string_view in, size_t max_bytes, std::string_view* line, size_t* length) {
  // Two memchr scans, no further than the limit allows.
  const std::string_view window = in.substr(0, max_bytes + 2);
  const size_t eol = std::min(window.find('\r'), window.find('\n'));
  if (eol == std::string_view::npos) {
    return in.size() > max_bytes ? LineResult::kMalformed : LineResult::kNeedMore;
  }
  if (eol > max_bytes || in[eol] == '\n') return LineResult::kMalformed;
  if (eol + 1 == in.size()) return LineResult::kNeedMore;  // the LF may follow
  if (in[eol + 1] != '\n') return LineResult::kMalformed;
  *line = in.substr(0, eol);
  *length = eol + 2;
  return LineResult::kLine;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool ChunkedDecoder::sizeLine(std::string_view line) {
  // chunk-size [ BWS ";" extensions ]: the extensions are dropped but must be field text.
  size_t digits = 0;
  int64_t size = 0;
  while (digits < line.size() && hexValue(line[digits]) >= 0) {
    if (digits < 15) size = size * 16 + hexValue(line[digits]);
    ++digits;
  }
  size_t rest = digits;
  while (rest < line.size() && (line[rest] == ' ' || line[rest] == '\t')) ++rest;
  if (digits == 0 || digits > 15 || (rest < line.size() && line[rest] != ';') ||
      !isFieldValue(line.substr(rest))) {
    return false;
  }
  framing_bytes_ += line.size() - digits;
  if (framing_bytes_ > kMaxFramingBytes) return false;
  remaining_ = size;
  state_ = size > 0 ? State::kData : State::kTrailer;
  return true;
}

ChunkedDecoder::Status ChunkedDecoder::feed(std::string_view in, size_t* consumed,
                                            std::string* out) {
  size_t pos = 0;
  for (;;) {
    *consumed = pos;
    const std::string_view rest = in.substr(pos);
    std::string_view line;
    size_t length = 0;
    switch (state_) {
      case State::kDone:
        return Status::kDone;
      case State::kMalformed:
        return Status::kMalformed;
      case State::kData: {
        if (rest.empty()) return Status::kNeedMore;
        const size_t n =
            static_cast<size_t>(std::min<int64_t>(remaining_, static_cast<int64_t>(rest.size())));
        out->append(rest.data(), n);
        pos += n;
        remaining_ -= static_cast<int64_t>(n);
        if (remaining_ == 0) state_ = State::kDataEnd;
        break;
      }
      case State::kDataEnd:  // exactly CRLF after the data
        if (rest.empty()) return Status::kNeedMore;
        if (rest[0] != '\r' || (rest.size() > 1 && rest[1] != '\n')) {
          state_ = State::kMalformed;
          break;
        }
        if (rest.size() == 1) return Status::kNeedMore;
        pos += 2;
        state_ = State::kSize;
        break;
      case State::kSize:
      case State::kTrailer:
        switch (takeLine(rest, kMaxChunkLineBytes, &line, &length)) {
          case LineResult::kNeedMore:
            return Status::kNeedMore;
          case LineResult::kMalformed:
            state_ = State::kMalformed;
            continue;
          case LineResult::kLine:
            break;
        }
        pos += length;
        if (state_ == State::kSize) {
          if (!sizeLine(line)) state_ = State::kMalformed;
        } else if ((framing_bytes_ += line.size() + 2) > kMaxFramingBytes) {
          state_ = State::kMalformed;
        } else if (line.empty()) {
          state_ = State::kDone;
        }
        break;
    }
  }
}

}  // namespace idgate
