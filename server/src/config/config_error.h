// A configuration error: stops startup with one message naming file, element and attribute.
#pragma once

#include <stdexcept>
#include <string>

namespace idgate {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace idgate
