// One asynchronous operation of a socket run on the socket's event loop while a worker thread
// waits for it: how the blocking code of the stream pool (the gateway) reads and writes
// sockets that belong to a loop, with a deadline the loop enforces. Never call it on a loop.
#pragma once

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <future>
#include <memory>

namespace idgate {

struct IoResult {
  boost::system::error_code error;
  size_t bytes = 0;
  bool timed_out = false;  ///< the deadline passed: the socket was closed
  bool ok() const { return !error; }
};

/// Calls `start(handler)` on `socket`'s executor, where `start` begins one asynchronous
/// operation on the socket (or a stream over it) that completes with handler(error, bytes).
/// At `deadline` the socket is closed (a late operation is fatal; a close, unlike a cancel,
/// also stops a connect from going on to the name's next address). Blocks until the handler
/// ran.
template <class Socket, class Start>
IoResult runBlocking(Socket& socket, std::chrono::steady_clock::time_point deadline, Start start) {
  std::promise<IoResult> done;
  std::future<IoResult> result = done.get_future();
  boost::asio::post(socket.get_executor(), [&socket, &done, deadline, &start] {
    auto timer = std::make_shared<boost::asio::steady_timer>(socket.get_executor());
    // Both handlers run on the loop's one thread: no lock needed between them.
    auto state = std::make_shared<std::pair<bool, bool>>(false, false);  // finished, timed out
    timer->expires_at(deadline);
    timer->async_wait([&socket, state](const boost::system::error_code& ec) {
      if (ec || state->first) return;  // cancelled, or the operation already ended
      state->second = true;
      boost::system::error_code ignored;
      socket.close(ignored);
    });
    start([&done, timer, state](const boost::system::error_code& ec, size_t bytes) {
      state->first = true;
      timer->cancel();
      done.set_value(IoResult{ec, bytes, state->second});
    });
  });
  return result.get();
}

}  // namespace idgate
