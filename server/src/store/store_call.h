// Runs one store operation and turns whatever the database layer throws into a StoreError that
// names the store (the request path maps it to 500 server_error, never to a "no").
#pragma once

#include <Poco/Exception.h>

#include <string>

#include "store/store_error.h"

namespace idgate {

template <typename F>
auto storeCall(const char* store, F&& operation) -> decltype(operation()) {
  try {
    return operation();
  } catch (const StoreError&) {
    throw;
  } catch (const Poco::Exception& e) {
    throw StoreError(std::string(store) + ": " + e.displayText());
  } catch (const std::exception& e) {
    throw StoreError(std::string(store) + ": " + e.what());
  }
}

}  // namespace idgate
