// identity.xml loading (EventListener, Property and the extension elements): any input is either
// a configuration or a ConfigError naming the file.
#include <cstdint>

#include "config/identity_config.h"
#include "config_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string path = fuzz::write("identity.xml", reinterpret_cast<const char*>(data), size);
  fuzz::expectConfigErrorOnly(path, [&] { idgate::loadIdentityConfig(path); });
  return 0;
}
