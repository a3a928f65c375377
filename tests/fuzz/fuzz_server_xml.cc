// server.xml loading (the strict XML reader, ${var} expansion from bootstrap.properties, every
// element's rules): any input is either a configuration or a ConfigError naming the file.
#include <cstdint>

#include "config/server_config.h"
#include "config_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string home = [] {
    const char props[] =
        "admin.passwordHash=pbkdf2-sha256$600000$c2FsdHNhbHRzYWx0c2FsdA$"
        "c2FsdHNhbHRzYWx0c2FsdHNhbHRzYWx0c2FsdHNhbHQ\nkeystore.password=changeit\n";
    fuzz::write("bootstrap.properties", props, sizeof props - 1);
    return fuzz::folder();
  }();
  std::string path = fuzz::write("server.xml", reinterpret_cast<const char*>(data), size);
  fuzz::expectConfigErrorOnly(path, [&] { idgate::loadServerConfig(home, path); });
  return 0;
}
