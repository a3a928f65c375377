// A database failure. Callers on the request path turn it into 500 server_error.
#pragma once

#include <stdexcept>

namespace idgate {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace idgate
