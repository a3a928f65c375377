#include "http/io_loops.h"

#include <sched.h>

#include <Poco/Logger.h>

namespace idgate {

IoLoops::IoLoops(int count) {
  for (int i = 0; i < std::max(count, 1); ++i) {
    auto context = std::make_unique<boost::asio::io_context>(1);  // one thread each: no locking
    auto guard = boost::asio::make_work_guard(*context);
    loops_.push_back(std::make_unique<Loop>(Loop{std::move(context), std::move(guard), {}}));
  }
}

IoLoops::~IoLoops() { stop(); }

void IoLoops::start() {
  for (auto& l : loops_) {
    l->thread = std::thread([ctx = l->context.get()] {
      for (;;) {
        try {
          ctx->run();
          return;
        } catch (const std::exception& e) {
          // Handlers do not throw by design; a loop survives one that does.
          Poco::Logger::get("idgate.http").error(std::string("event loop: ") + e.what());
        }
      }
    });
  }
}

void IoLoops::stop() {
  for (auto& l : loops_) {
    l->guard.reset();
    l->context->stop();
  }
  for (auto& l : loops_) {
    if (l->thread.joinable()) l->thread.join();
  }
}

int IoLoops::autoCount() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(CPU_COUNT(&set), 1);
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace idgate
