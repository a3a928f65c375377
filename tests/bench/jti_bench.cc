// CPU cost of the durable JTI path per assertion (the event-loop issue's target: <= 5 us
// amortised at 10k assertions/s on SQLite). Submits RATE check-and-inserts per second for
// SECONDS, each a fresh jti, and reports the process's CPU time (user + system, every thread:
// the caller, the committer, SQLite) divided by the rows decided, and the commits made.
//   idgate_jti_bench [RATE=10000] [SECONDS=3] [PREFILL_ROWS=0] [async|sync] [COMMIT_WINDOW_US=0]
// async: checkAndInsertAsync from one thread, answers on the committer (no waiting thread).
// sync: checkAndInsert from 16 threads, each waiting for its answer (today's request path).
// The database is SQLite with synchronous=FULL in a temporary folder (as the server runs it).
#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/Logger.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "store/database.h"
#include "store/jti_store.h"

namespace {

double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace idgate;
  const int rate = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 3;
  const int prefill = argc > 3 ? std::atoi(argv[3]) : 0;
  const bool async = argc <= 4 || std::string(argv[4]) != "sync";
  const int64_t window_us = argc > 5 ? std::atoll(argv[5]) : 0;
  if (rate <= 0 || seconds <= 0 || prefill < 0) {
    std::fprintf(stderr, "usage: idgate_jti_bench [RATE] [SECONDS] [PREFILL_ROWS] [async|sync]\n");
    return 2;
  }
  Poco::Logger::root().setChannel(Poco::AutoPtr<Poco::ConsoleChannel>(new Poco::ConsoleChannel));
  Poco::Logger::get("idgate.store").setChannel(Poco::Logger::root().getChannel());
  std::string dir =
      std::filesystem::temp_directory_path() / ("idgate-jti-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  int rc = 0;
  {
    DatabaseConfig config;
    config.path = dir + "/jti.db";
    Database db(config);
    auto store = makeSqlJtiStore(db, window_us);
    const int64_t now = 1'800'000'000;
    for (int i = 0; i < prefill; ++i) {
      store->checkAndInsert("prefill", "p" + std::to_string(i), now + 3600, now);
    }
    const int64_t total = int64_t(rate) * seconds;
    std::atomic<int64_t> fresh{0}, decided{0}, failed{0};
    auto done = [&](JtiStore::Result r, std::exception_ptr error) {
      if (error)
        ++failed;
      else if (r == JtiStore::Result::kFresh)
        ++fresh;
      ++decided;
    };
    const double cpu0 = cpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    if (async) {
      // Paced in 1 ms ticks, like requests arriving.
      int64_t sent = 0;
      for (int64_t tick = 1; sent < total; ++tick) {
        int64_t due = std::min(total, tick * rate / 1000);
        for (; sent < due; ++sent) {
          store->checkAndInsertAsync("bench", "j" + std::to_string(sent), now + 300, now, done);
        }
        std::this_thread::sleep_until(start + std::chrono::milliseconds(tick));
      }
      while (decided.load() < total) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    } else {
      std::vector<std::thread> threads;
      const int n = 16;
      for (int t = 0; t < n; ++t) {
        threads.emplace_back([&, t] {
          for (int64_t i = t, k = 0; i < total; i += n, ++k) {
            auto due = start + std::chrono::microseconds(i * 1'000'000 / rate);
            std::this_thread::sleep_until(due);
            try {
              done(store->checkAndInsert("bench", "j" + std::to_string(i), now + 300, now),
                   nullptr);
            } catch (...) {
              done(JtiStore::Result::kReplayed, std::current_exception());
            }
          }
        });
      }
      for (auto& t : threads) t.join();
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = cpuSeconds() - cpu0;
    std::printf(
        "%s rate=%d/s rows=%lld fresh=%lld failed=%lld wall=%.2fs cpu=%.3fs cpu_per_row=%.2fus "
        "prefill=%d\n",
        async ? "async" : "sync", rate, static_cast<long long>(decided.load()),
        static_cast<long long>(fresh.load()), static_cast<long long>(failed.load()), wall, cpu,
        cpu / double(decided.load()) * 1e6, prefill);
    rc = (fresh.load() == total && failed.load() == 0) ? 0 : 1;
    store.reset();  // logs the group commit count
  }
  std::filesystem::remove_all(dir);
  return rc;
}
