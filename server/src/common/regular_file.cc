#include "common/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace idgate {

RegularFileRead readRegularFile(const std::string& path, int64_t max_bytes) {
  RegularFileRead r;
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    r.outcome = RegularFileRead::Outcome::kCannotOpen;
    r.error = errno;
    return r;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    r.outcome = RegularFileRead::Outcome::kNotRegular;
    return r;
  }
  if (st.st_size > max_bytes) {
    ::close(fd);
    r.outcome = RegularFileRead::Outcome::kTooLarge;
    r.size = st.st_size;
    return r;
  }
  r.bytes.assign(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < r.bytes.size()) {
    ssize_t n = ::read(fd, r.bytes.data() + got, r.bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got != r.bytes.size()) {
    r.outcome = RegularFileRead::Outcome::kChanged;
    r.bytes.clear();
  }
  return r;
}

}  // namespace idgate
