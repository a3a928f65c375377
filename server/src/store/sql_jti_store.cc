// JtiStore over Poco::Data with group commit: concurrent check-and-inserts are queued and one
// committer thread runs them in a single transaction, so N concurrent requests cost one commit
// (one fsync on SQLite) instead of N. Each row is still decided by one atomic statement, so
// concurrent callers (threads or server processes sharing the database) cannot both see "fresh".
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <thread>
#include <vector>

#include "common/metrics.h"
#include "store/database.h"
#include "store/jti_batch_writer.h"
#include "store/jti_store.h"
#include "store/store_error.h"

using namespace Poco::Data::Keywords;

namespace idgate {
namespace {

constexpr size_t kMaxBatch = 256;

class SqlJtiStore : public JtiStore {
 public:
  SqlJtiStore(Database& db, int64_t commit_window_us)
      : db_(db),
        window_(std::chrono::microseconds(commit_window_us)),
        committer_([this] { run(); }) {}

  ~SqlJtiStore() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    grow_.notify_all();
    committer_.join();
    writer_.reset();
    if (transactions_ > 0) {
      Poco::Logger::get("idgate.store")
          .information("jti group commit: " + std::to_string(rows_) + " rows in " +
                       std::to_string(transactions_) + " transactions");
    }
  }

  Result checkAndInsert(const std::string& client_id, const std::string& jti, int64_t expires_at,
                        int64_t now_s) override {
    auto promise = std::make_shared<std::promise<Result>>();
    std::future<Result> result = promise->get_future();
    enqueue(client_id, jti, expires_at, now_s, [promise](Result r, std::exception_ptr error) {
      if (error) {
        promise->set_exception(error);
      } else {
        promise->set_value(r);
      }
    });
    return result.get();  // rethrows StoreError from the committer
  }

  void checkAndInsertAsync(const std::string& client_id, const std::string& jti, int64_t expires_at,
                           int64_t now_s, Done done) override {
    enqueue(client_id, jti, expires_at, now_s, std::move(done));
  }

  int purgeExpired(int64_t now_s, int limit) override {
    try {
      Poco::Data::Session s = db_.session();
      std::vector<std::string> ids;
      Poco::Int64 cutoff = now_s;
      int lim = limit;
      s << db_.sql(
          "DELETE FROM IDN_OIDC_JTI WHERE (CLIENT_ID, JWT_ID) IN (SELECT CLIENT_ID, "
          "JWT_ID FROM IDN_OIDC_JTI WHERE EXP_TIME < ? LIMIT ?) RETURNING CLIENT_ID"),
          use(cutoff), use(lim), into(ids), now;
      return static_cast<int>(ids.size());
    } catch (const Poco::Exception& e) {
      throw StoreError("jti store: " + e.displayText());
    }
  }

 private:
  struct Pending {
    std::string client_id;
    std::string jti;
    int64_t expires_at;
    int64_t now;
    Done done;  ///< called once, by the committer, after the commit (or the failure)
  };

  /// A caller's callback must not take the committer down with it.
  static void deliver(Pending& p, Result r, std::exception_ptr error) {
    try {
      p.done(r, error);
    } catch (const std::exception& e) {
      Poco::Logger::get("idgate.store").error(std::string("jti callback threw: ") + e.what());
    } catch (...) {
      Poco::Logger::get("idgate.store").error("jti callback threw");
    }
  }

  void enqueue(const std::string& client_id, const std::string& jti, int64_t expires_at,
               int64_t now_s, Done done) {
    auto item = std::make_shared<Pending>();
    item->client_id = client_id;
    item->jti = jti;
    item->expires_at = expires_at;
    item->now = now_s;
    item->done = std::move(done);
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (stopping_) {
        lock.unlock();
        item->done(Result::kReplayed,
                   std::make_exception_ptr(StoreError("jti store is shutting down")));
        return;
      }
      queue_.push_back(std::move(item));
      if (queue_.size() >= kMaxBatch) grow_.notify_one();
    }
    wake_.notify_one();
  }
  using Batch = std::vector<std::shared_ptr<Pending>>;

  void run() {
    while (true) {
      Batch batch;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty() && stopping_) return;
        // Let request threads that are ready run first and join this batch (the group in
        // group commit); stop as soon as a yield brings nobody new. Costs nothing when idle.
        for (int i = 0; i < 16 && queue_.size() < kMaxBatch; ++i) {
          size_t before = queue_.size();
          lock.unlock();
          std::this_thread::yield();
          lock.lock();
          if (queue_.size() == before) break;
        }
        if (window_.count() > 0 && last_batch_ > 1) {
          // Busy: let the group grow for up to the window (the first row waits the longest).
          auto until = std::chrono::steady_clock::now() + window_;
          grow_.wait_until(lock, until, [this] { return stopping_ || queue_.size() >= kMaxBatch; });
        }
        while (!queue_.empty() && batch.size() < kMaxBatch) {
          batch.push_back(queue_.front());
          queue_.pop_front();
        }
        last_batch_ = batch.size();
      }
      // One lock order for every batch on every node: no deadlocks between transactions.
      std::sort(batch.begin(), batch.end(), [](const auto& a, const auto& b) {
        return std::tie(a->client_id, a->jti) < std::tie(b->client_id, b->jti);
      });
      commit(batch);
    }
  }

  void commit(Batch& batch) {
    Batch failed = commitTogether(batch);
    if (failed.size() > 1) {
      // One bad row (say, bytes the database refuses) must not fail everybody who shared its
      // transaction: decide each row on its own.
      for (auto& item : failed) {
        Batch one{item};
        commitTogether(one);
      }
    }
  }

  /// Runs the batch in one transaction and fulfils every promise; returns the batch when it
  /// failed before the commit (nothing written), so the caller may retry it. A failure of the
  /// commit itself is final: the rows may or may not be there, and a retry would call a fresh
  /// token a replay, so those callers get a store error (500), never a wrong answer.
  Batch commitTogether(Batch& batch) {
    std::string error;
    bool at_commit = false;
    for (int attempt = 0; attempt < 2 && !at_commit; ++attempt) {
      std::vector<Result> results;
      try {
        if (!writer_) writer_ = makeJtiBatchWriter(db_);
        JtiBatchWriter& w = *writer_;
        const auto started = std::chrono::steady_clock::now();
        w.begin();
        try {
          for (const auto& item : batch) {
            results.push_back(w.upsert(item->client_id, item->jti, item->expires_at, item->now)
                                  ? Result::kFresh
                                  : Result::kReplayed);
          }
        } catch (...) {
          w.rollback();
          throw;
        }
        at_commit = true;
        w.commit();
        ++transactions_;
        rows_ += batch.size();
        Metrics& m = Metrics::get();
        m.jti_commit_rows.observe({}, static_cast<double>(batch.size()));
        m.jti_commit_duration.observe(
            {}, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        for (size_t i = 0; i < batch.size(); ++i) deliver(*batch[i], results[i], nullptr);
        return {};
      } catch (const Poco::Exception& e) {
        error = e.displayText();
      } catch (const std::exception& e) {
        error = e.what();
      }
      writer_.reset();  // a broken connection or statement is not reused
    }
    if (!at_commit && batch.size() > 1) return batch;
    Poco::Logger::get("idgate.store")
        .error("jti batch of " + std::to_string(batch.size()) + " failed" +
               (at_commit ? " at commit: " : ": ") + error);
    auto failure = std::make_exception_ptr(StoreError("jti store: " + error));
    for (const auto& p : batch) deliver(*p, Result::kReplayed, failure);
    return {};
  }

  Database& db_;
  std::unique_ptr<JtiBatchWriter> writer_;  // committer thread only
  uint64_t transactions_ = 0;               // committer thread only
  uint64_t rows_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable grow_;  ///< a full group ends the commit window early
  const std::chrono::microseconds window_;
  size_t last_batch_ = 0;  // committer thread only (under mutex_)
  std::deque<std::shared_ptr<Pending>> queue_;
  bool stopping_ = false;
  std::thread committer_;
};

}  // namespace

std::unique_ptr<JtiStore> makeSqlJtiStore(Database& db, int64_t commit_window_us) {
  return std::make_unique<SqlJtiStore>(db, commit_window_us);
}

}  // namespace idgate
