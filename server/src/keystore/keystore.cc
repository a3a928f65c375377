#include "keystore/keystore.h"

#include "common/ascii.h"
#include "common/regular_file.h"
#include "keystore/jks_codec.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace idgate {
namespace {

std::string sysError(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

}  // namespace

Keystore Keystore::load(const std::string& path, const std::string& type,
                        const std::string& password, const std::string& key_password) {
  // A regular file of sane size: a FIFO would block the reader (startup, or the watcher that
  // re-reads the file), and a huge file would be read whole.
  using Outcome = RegularFileRead::Outcome;
  RegularFileRead read = readRegularFile(path, kMaxKeystoreBytes);
  switch (read.outcome) {
    case Outcome::kOk:
      break;
    case Outcome::kCannotOpen:
      throw KeystoreError("cannot read keystore file " + path + ": " + std::strerror(read.error));
    case Outcome::kNotRegular:
      throw KeystoreError("keystore file " + path + " is not a regular file");
    case Outcome::kTooLarge:
      throw KeystoreError("keystore file " + path + " is larger than " +
                          std::to_string(kMaxKeystoreBytes >> 20) + " MiB");
    case Outcome::kChanged:
      throw KeystoreError("cannot read keystore file " + path + ": changed while read");
  }
  const std::string& bytes = read.bytes;
  Format actual = looksLikeJks(bytes) ? Format::kJks : Format::kPkcs12;
  if (!type.empty()) {
    auto wanted = parseKeystoreType(type);
    if (!wanted)
      throw KeystoreError("keystore type " + type + " is not supported (PKCS12 and JKS are)");
    if (*wanted != actual) {
      throw KeystoreError(path + " is a " + toString(actual) + " keystore, not " +
                          toString(*wanted));
    }
  }
  if (actual == Format::kJks)
    return Keystore(decodeJks(bytes, password, key_password), Format::kJks);
  return Keystore(decodePkcs12(bytes, password, key_password.empty() ? password : key_password),
                  Format::kPkcs12);
}

const char* toString(Keystore::Format format) {
  return format == Keystore::Format::kJks ? "JKS" : "PKCS12";
}

std::optional<Keystore::Format> parseKeystoreType(const std::string& type) {
  std::string t = asciiLower(type);
  if (t == "pkcs12" || t == "p12") return Keystore::Format::kPkcs12;
  if (t == "jks") return Keystore::Format::kJks;
  return std::nullopt;
}

void Keystore::save(const std::string& path, const std::string& password,
                    const std::string& key_password) const {
  std::string bytes;
  if (format_ == Format::kJks) {
    int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    bytes = encodeJks(entries_, password, key_password, now_ms);
  } else {
    bytes = encodePkcs12(entries_, password, key_password.empty() ? password : key_password);
  }
  writeFileAtomically(path, bytes, 0600);
}

const KeystoreEntry* Keystore::find(const std::string& alias) const {
  std::string want = asciiLower(alias);
  for (const auto& e : entries_) {
    if (asciiLower(e.alias) == want) return &e;
  }
  return nullptr;
}

void Keystore::put(KeystoreEntry entry) {
  remove(entry.alias);
  entries_.push_back(std::move(entry));
}

bool Keystore::remove(const std::string& alias) {
  std::string want = asciiLower(alias);
  auto it = std::remove_if(entries_.begin(), entries_.end(),
                           [&](const KeystoreEntry& e) { return asciiLower(e.alias) == want; });
  bool removed = it != entries_.end();
  entries_.erase(it, entries_.end());
  return removed;
}

void writeFileAtomically(const std::string& path, const std::string& bytes, unsigned mode) {
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw KeystoreError(sysError("cannot create", tmp));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      throw KeystoreError(sysError("cannot write", tmp));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw KeystoreError(sysError("cannot sync", tmp));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw KeystoreError(sysError("cannot rename into", path));
  }
  std::string dir =
      path.substr(0, path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/'));
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace idgate
