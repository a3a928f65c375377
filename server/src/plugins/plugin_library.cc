#include "plugins/plugin_library.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "crypto/digest.h"

namespace idgate {
namespace {

constexpr size_t kMaxPluginBytes = 256u * 1024 * 1024;

}  // namespace

bool readPluginFile(const std::string& path, std::string* bytes, std::string* sha256,
                    std::string* why) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    *why = std::string("cannot open: ") + std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    *why = std::string("cannot stat: ") + std::strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    *why = S_ISFIFO(st.st_mode)   ? "not a regular file (a FIFO)"
           : S_ISDIR(st.st_mode)  ? "not a regular file (a directory)"
           : S_ISSOCK(st.st_mode) ? "not a regular file (a socket)"
                                  : "not a regular file (a device)";
  } else if (static_cast<size_t>(st.st_size) > kMaxPluginBytes) {
    *why = "larger than 256 MiB";
  } else {
    bytes->clear();
    bytes->reserve(static_cast<size_t>(st.st_size));
    char buffer[65536];
    for (;;) {
      ssize_t n = ::read(fd, buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        *why = std::string("cannot read: ") + std::strerror(errno);
        break;
      }
      if (n == 0) break;
      bytes->append(buffer, static_cast<size_t>(n));
      if (bytes->size() > kMaxPluginBytes) {
        *why = "larger than 256 MiB";
        break;
      }
    }
    if (why->empty() && (bytes->size() < 4 || std::memcmp(bytes->data(),
                                                          "\x7f"
                                                          "ELF",
                                                          4) != 0))
      *why = "not a shared library (no ELF header)";
  }
  ::close(fd);
  if (!why->empty()) return false;
  *sha256 = crypto::sha256Hex(*bytes);
  return true;
}

std::shared_ptr<PluginLibrary> PluginLibrary::load(const std::string& file,
                                                   const std::string& bytes, std::string sha256,
                                                   std::string* why) {
  std::shared_ptr<PluginLibrary> out(new PluginLibrary());
  out->sha256_ = std::move(sha256);
  out->fd_ = ::memfd_create(("idgate-dropin:" + file).c_str(), MFD_CLOEXEC);
  if (out->fd_ < 0) {
    *why = std::string("cannot load: memfd_create: ") + std::strerror(errno);
    return nullptr;
  }
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(out->fd_, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *why = std::string("cannot load: copy: ") + std::strerror(errno);
      return nullptr;
    }
    written += static_cast<size_t>(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(out->fd_);
  if (void* stale = ::dlopen(path.c_str(), RTLD_NOLOAD | RTLD_LAZY)) {
    // A library from an earlier memfd with this number is still resident (see the destructor):
    // the loader would hand it back for this path instead of loading these bytes.
    ::dlclose(stale);
    *why = "cannot load: a previous library is still resident under " + path + "; restart";
    return nullptr;
  }
  try {
    out->library_.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    // The loader names the memfd path; the operator knows the file.
    std::string message = e.what();
    for (size_t at; (at = message.find(path)) != std::string::npos;)
      message.replace(at, path.size(), file);
    *why = "cannot load: " + message;
    return nullptr;
  }
  return out;
}

PluginLibrary::~PluginLibrary() {
  library_.unload();
  if (fd_ < 0) return;
  const std::string path = "/proc/self/fd/" + std::to_string(fd_);
  if (void* still = ::dlopen(path.c_str(), RTLD_NOLOAD | RTLD_LAZY)) {
    // dlclose did not unload it (a thread_local destructor pending, a unique symbol): keep the
    // fd, so its number, which names the library to the loader, is never reused for another.
    ::dlclose(still);
    return;
  }
  ::close(fd_);
}

}  // namespace idgate
