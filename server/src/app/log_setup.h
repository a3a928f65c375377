// Logging: one line per event on stderr, prefixed with the current request id when serving one.
#pragma once

namespace idgate {

void setupLogging(bool verbose);

}  // namespace idgate
