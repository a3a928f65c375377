// The event loops: one boost::asio::io_context per thread (<Server ioThreads>, "auto" = the
// cores), each running on its own thread. Every socket lives on one loop; everything done to
// it runs there, so a connection needs no locks.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace idgate {

class IoLoops {
 public:
  explicit IoLoops(int count);
  ~IoLoops();
  IoLoops(const IoLoops&) = delete;
  IoLoops& operator=(const IoLoops&) = delete;

  size_t size() const { return loops_.size(); }
  boost::asio::io_context& loop(size_t i) { return *loops_[i]->context; }
  /// The loops in turn, for accepted connections.
  size_t nextIndex() { return next_.fetch_add(1, std::memory_order_relaxed) % loops_.size(); }

  void start();
  /// Stops every loop (pending handlers are dropped) and joins the threads.
  void stop();

  /// The number of loops "auto" means here: the cores this process may run on.
  static int autoCount();

 private:
  struct Loop {
    std::unique_ptr<boost::asio::io_context> context;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard;
    std::thread thread;
  };
  std::vector<std::unique_ptr<Loop>> loops_;
  std::atomic<size_t> next_{0};
};

}  // namespace idgate
