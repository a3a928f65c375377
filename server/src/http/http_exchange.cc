#include "http/http_exchange.h"

#include <algorithm>
#include <cctype>

namespace idgate {

bool sameHeaderName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

const std::string* findHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (sameHeaderName(k, name)) return &v;
  }
  return nullptr;
}

const std::string* HttpRequestData::header(std::string_view name) const {
  return findHeader(headers, name);
}

std::optional<std::string> HttpRequestData::cookie(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (!sameHeaderName(k, "Cookie")) continue;
    size_t pos = 0;
    while (pos <= v.size()) {
      size_t end = v.find(';', pos);
      if (end == std::string::npos) end = v.size();
      size_t b = v.find_first_not_of(' ', pos);
      if (b != std::string::npos && b < end) {
        size_t eq = v.find('=', b);
        if (eq != std::string::npos && eq < end && std::string_view(v).substr(b, eq - b) == name) {
          size_t e = v.find_last_not_of(' ', end - 1);
          return v.substr(eq + 1, e >= eq + 1 ? e - eq : 0);
        }
      }
      pos = end + 1;
    }
  }
  return std::nullopt;
}

}  // namespace idgate
