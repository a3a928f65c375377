// Reading a whole file that must be a regular file of bounded size: a FIFO or a device is
// refused without blocking (opened non-blocking, checked with fstat), and a file over the limit
// is refused before it is read. The configuration files and the keystore are read this way.
#pragma once

#include <cstdint>
#include <string>

namespace idgate {

struct RegularFileRead {
  enum class Outcome { kOk, kCannotOpen, kNotRegular, kTooLarge, kChanged };
  Outcome outcome = Outcome::kOk;
  std::string bytes;  ///< the content (kOk)
  int64_t size = 0;   ///< the file's size (kTooLarge)
  int error = 0;      ///< errno (kCannotOpen)
};

RegularFileRead readRegularFile(const std::string& path, int64_t max_bytes);

}  // namespace idgate
