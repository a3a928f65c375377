#include "http/connection.h"

#include <algorithm>
#include <cstring>

namespace idgate {

void Connection::consume(size_t n) {
  pos_ += n;
  if (pos_ >= in_.size()) {
    in_.clear();
    pos_ = 0;
    if (in_.capacity() > 32768) in_.shrink_to_fit();  // a waiting connection keeps little
  }
}

std::string& Connection::receiveBuffer() {
  if (pos_ > 0 && pos_ >= in_.size() / 2) {
    in_.erase(0, pos_);
    pos_ = 0;
  }
  return in_;
}

long Connection::read(char* out, size_t n) {
  if (buffered().empty() && !fill()) return -1;
  const size_t k = std::min(n, buffered().size());
  std::memcpy(out, buffered().data(), k);
  consume(k);
  return static_cast<long>(k);
}

}  // namespace idgate
