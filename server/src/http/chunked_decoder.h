// Decoding an HTTP/1.1 chunked body (RFC 9112 §7.1) incrementally, from bytes as they arrive, with
// the rules ServerExchange applies to request bodies. No I/O: the caller feeds it bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace idgate {

/// Chunk-size lines are at most kMaxChunkLineBytes; chunk extensions and trailer lines of one
/// body count towards kMaxFramingBytes (bytes on the wire that are no data). Extensions must be
/// field text; they and the trailer lines (checked for line ends and length only, as
/// ServerExchange does) are dropped.
class ChunkedDecoder {
 public:
  static constexpr size_t kMaxChunkLineBytes = 4096;
  static constexpr size_t kMaxFramingBytes = 64 * 1024;

  enum class Status { kNeedMore, kDone, kMalformed };

  /// Decodes as much of `in` as it can: data bytes are appended to `out`, `*consumed` says how
  /// many bytes of `in` were used (the caller drops them). kNeedMore: all usable bytes taken,
  /// more input needed (an incomplete line is left unconsumed, unless it is already longer than
  /// the line limit: then kMalformed). kDone: the body and its trailer ended; bytes after it
  /// are not consumed (a pipelined next message). Once kDone or kMalformed, stays so.
  Status feed(std::string_view in, size_t* consumed, std::string* out);

  /// The body and its trailer ended.
  bool done() const { return state_ == State::kDone; }

 private:
  enum class State { kSize, kData, kDataEnd, kTrailer, kDone, kMalformed };

  /// Handles the chunk-size line `line` (without its CRLF).
  bool sizeLine(std::string_view line);

  State state_ = State::kSize;
  int64_t remaining_ = 0;     ///< data bytes left in the current chunk
  size_t framing_bytes_ = 0;  ///< extensions and trailer lines so far
};

}  // namespace idgate
