// idgate-keytool: Java keytool's command syntax over idgate's JKS/PKCS12 keystores, so the
// commands operators already type work with the binary name changed.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace idgate {

/// Runs one keytool command line (without the program name). Returns the exit status:
/// 0 success, 1 failure (keytool's own convention).
int runKeytool(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
               std::ostream& err);

}  // namespace idgate
