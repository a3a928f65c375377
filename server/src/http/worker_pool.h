// A bounded pool of threads for work that may block (a plugin call, a database round trip, a
// jwks_uri fetch, a gateway exchange): the event loops hand such work here and get the result
// posted back, so a loop never waits. The queue is bounded too: when it is full, submit()
// refuses and the caller answers 503 instead of queueing without limit.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace idgate {

class WorkerPool {
 public:
  WorkerPool(std::string name, int threads, size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues `work`; false (and `work` dropped) when the queue is full or the pool stopped.
  bool submit(std::function<void()> work);
  /// Joins the threads after the work that is running; work still queued is dropped (its
  /// connections are closed by then).
  void stop();

  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  void run();

  std::string name_;
  size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace idgate
