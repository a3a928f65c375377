// idgate-keytool: see tools/keytool.h.
#include <iostream>
#include <string>
#include <vector>

#include "tools/keytool.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return idgate::runKeytool(args, std::cin, std::cout, std::cerr);
}
