// A dropin's shared library, loaded from a private copy of the file's bytes (a memfd), so a
// new build written over the same path loads as a new library next to the old one (the
// dynamic loader would hand back the old handle for the same path), and an old library is
// unloaded when the last instance made by it is gone.
#pragma once

#include <boost/dll/shared_library.hpp>

#include <memory>
#include <string>

namespace idgate {

/// A dropin file's bytes and their SHA-256 (hex), read without blocking: the file is opened
/// with O_NONBLOCK and checked with fstat before anything reads it (a FIFO named x.so must not
/// block the server). false with `why` set when it is not a regular ELF file.
bool readPluginFile(const std::string& path, std::string* bytes, std::string* sha256,
                    std::string* why);

class PluginLibrary {
 public:
  /// Loads `bytes` (read by readPluginFile from `file`); nullptr with `why` set when the
  /// dynamic loader refuses it.
  static std::shared_ptr<PluginLibrary> load(const std::string& file, const std::string& bytes,
                                             std::string sha256, std::string* why);
  ~PluginLibrary();
  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;

  boost::dll::shared_library& library() { return library_; }
  const std::string& sha256() const { return sha256_; }

 private:
  PluginLibrary() = default;
  boost::dll::shared_library library_;
  std::string sha256_;
  int fd_ = -1;  ///< the memfd stays open while loaded: its /proc/self/fd path stays unique
};

}  // namespace idgate
