// For the configuration targets: the input written to a file of this process's own (the loaders
// read files, as the server does), and the check that a refusal names that file.
#pragma once
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>

#include "config/config_error.h"

namespace fuzz {

/// A folder of this process's own under /dev/shm (or TMPDIR) holding `name`.
inline std::string folder() {
  static const std::string dir = [] {
    const char* base = std::getenv("TMPDIR");
    std::string d =
        std::string(base ? base : "/dev/shm") + "/idgate-fuzz-" + std::to_string(getpid());
    std::string cmd = "mkdir -p '" + d + "'";
    if (std::system(cmd.c_str()) != 0) std::abort();
    // Removed at exit; the command is kept in a buffer that outlives the static string.
    static char remove[512];
    std::snprintf(remove, sizeof remove, "rm -rf '%s'", d.c_str());
    std::atexit([] { [[maybe_unused]] int rc = std::system(remove); });
    return d;
  }();
  return dir;
}

inline std::string write(const std::string& name, const char* data, size_t size) {
  std::string path = folder() + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(data, static_cast<long>(size));
  return path;
}

/// A refusal must be a ConfigError naming the file (what the operator is told at startup);
/// anything else escaping the loader is a finding.
template <typename Load>
void expectConfigErrorOnly(const std::string& path, Load load) {
  try {
    load();
  } catch (const idgate::ConfigError& e) {
    // IDGATE_FUZZ_DEBUG=1: each refusal printed (to see why a seed is refused).
    if (std::getenv("IDGATE_FUZZ_DEBUG")) std::fprintf(stderr, "refused: %s\n", e.what());
    if (std::string(e.what()).find(path) == std::string::npos) {
      std::fprintf(stderr, "ConfigError without the file name: %s\n", e.what());
      std::abort();
    }
  }
}

}  // namespace fuzz
