// `idgate-server init DIR`: creates a complete server home: conf/ copied from the bundled
// templates (the repository's conf/), the bundled dropins, a keystore with a fresh signing key,
// and bootstrap.properties with the secrets conf/server.xml refers to as ${variables}.
// With `shared_conf` the home gets no conf/ or dropins/ of its own: it serves a conf/ kept
// elsewhere (./run.sh: the checkout's conf/ and dropins/).
#pragma once

#include <optional>
#include <string>

namespace idgate {

struct InitOptions {
  std::string home;
  std::optional<std::string> admin_password;  ///< generated and printed once when absent
  std::string issuer;                         ///< empty: derived from the listener
  std::string bundled_dropins;                ///< folder whose *.so files are copied
  std::string bundled_conf;                   ///< server.xml and identity.xml to copy
  std::string shared_conf;                    ///< non-empty: the conf/ this home will serve
};

/// Throws std::runtime_error when the home exists and is not empty, or anything fails.
/// Returns the generated admin password, if one was generated.
std::optional<std::string> initHome(const InitOptions& options);

}  // namespace idgate
