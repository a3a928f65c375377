// The network steps of a jwks_uri fetch that tests substitute: name resolution and the TCP
// connection. A fetch resolves the name once, checks every address, and connects to a checked
// address itself: nothing resolves the name a second time (no DNS rebinding between the check
// and the connection).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace idgate {

using Deadline = std::chrono::steady_clock::time_point;

class HostResolver {
 public:
  virtual ~HostResolver() = default;
  /// The numeric addresses of `host`, in the order to try them; empty, with `error` saying why,
  /// when the name has no address or no answer came by `deadline`.
  virtual std::vector<std::string> resolve(const std::string& host, Deadline deadline,
                                           std::string* error) = 0;
};

/// getaddrinfo, waited for until the deadline (a late answer is dropped by its own thread).
std::unique_ptr<HostResolver> makeSystemHostResolver();

class Dialer {
 public:
  virtual ~Dialer() = default;
  /// A connected non-blocking TCP socket to `ip` (numeric) port `port`, owned by the caller;
  /// -1, with `error` saying why, when the connection fails or is not made by `deadline`
  /// (`*timed_out` set then).
  virtual int dial(const std::string& ip, uint16_t port, Deadline deadline, std::string* error,
                   bool* timed_out) = 0;
};

/// A plain TCP connection to exactly the address given.
std::unique_ptr<Dialer> makeTcpDialer();

/// poll() one descriptor until `deadline`: 1 ready, 0 deadline passed, -1 error (errno).
int pollUntil(int fd, short events, Deadline deadline);

}  // namespace idgate
