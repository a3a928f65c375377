// Splitting configuration lists and scope strings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace idgate {

/// The non-empty pieces of `text` between any of the `separators` characters.
inline std::vector<std::string> splitAny(std::string_view text, std::string_view separators) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of(separators, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace idgate
