// Shared helpers for the unit tests: temporary folders, files, a clock tests control.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/clock.h"

namespace idgate::test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "idgate-test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void writeFile(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

class FixedClock : public Clock {
 public:
  explicit FixedClock(int64_t seconds) : ms_(seconds * 1000) {}
  int64_t nowMillis() const override { return ms_; }
  void advance(int64_t seconds) { ms_ += seconds * 1000; }
  void advanceMillis(int64_t ms) { ms_ += ms; }

 private:
  int64_t ms_;
};

/// Build-tree folders, passed by CMake.
inline std::string bundledDropins() { return IDGATE_TEST_BUNDLED_DROPINS; }
inline std::string fixtureDropins() { return IDGATE_TEST_FIXTURE_DROPINS; }

/// libpq connection string of the throwaway PostgreSQL the ctest fixture started, or empty.
inline std::string postgresConnection() {
  std::ifstream in(std::string(IDGATE_TEST_BUILD_DIR) + "/postgres/connection");
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace idgate::test
