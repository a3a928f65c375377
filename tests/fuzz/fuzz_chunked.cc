// The chunked body decoder: no crash, and the same answer however the bytes arrive: the whole
// input at once, or cut at an offset taken from the input (what a socket does), give the same
// status, the same data and the same bytes consumed.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "http/chunked_decoder.h"

using namespace idgate;

namespace {

struct Run {
  ChunkedDecoder::Status status = ChunkedDecoder::Status::kNeedMore;
  std::string out;
  size_t consumed = 0;
};

/// Feeds `in` in pieces of at most `piece` bytes, as a connection buffer would (unconsumed
/// bytes stay in front of the next ones).
Run feedInPieces(std::string_view in, size_t piece) {
  Run r;
  ChunkedDecoder d;
  std::string buffer;
  size_t given = 0;
  while (true) {
    size_t take = std::min(piece, in.size() - given);
    buffer.append(in.substr(given, take));
    given += take;
    size_t used = 0;
    r.status = d.feed(buffer, &used, &r.out);
    r.consumed += used;
    buffer.erase(0, used);
    if (r.status != ChunkedDecoder::Status::kNeedMore || given == in.size()) return r;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = 1 + data[0] % 17;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  Run whole = feedInPieces(in, in.size() + 1);
  Run pieces = feedInPieces(in, piece);
  if (whole.status != pieces.status || whole.out != pieces.out) std::abort();
  if (whole.status == ChunkedDecoder::Status::kDone && whole.consumed != pieces.consumed) {
    std::abort();
  }
  return 0;
}
