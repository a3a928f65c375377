// The resource server's KeyResolver over the running server: its keystore, truststore, signing
// keys and JWKS fetcher.
#pragma once

#include <memory>

#include "resource/key_resolver.h"

namespace idgate {

class Runtime;

std::unique_ptr<KeyResolver> makeRuntimeKeyResolver(Runtime& runtime);

}  // namespace idgate
