// `idgate-server init DIR`: creates a complete server home.
#pragma once

#include <optional>
#include <string>

namespace idgate {

struct InitOptions {
  std::string home;
  std::optional<std::string> admin_password;  ///< generated and printed once when absent
  std::string issuer;                         ///< empty: derived from the listener
  std::string bundled_dropins;                ///< folder whose *.so files are copied
};

/// Throws std::runtime_error when the home exists and is not empty, or anything fails.
/// Returns the generated admin password, if one was generated.
std::optional<std::string> initHome(const InitOptions& options);

}  // namespace idgate
