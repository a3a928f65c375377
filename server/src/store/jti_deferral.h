// The jti rows one request inserts, decided without a waiting thread. While a JtiDeferral is
// active on a thread (the token endpoint sets one up for the request it handles), the host's
// jti check-and-insert queues the row with the store and answers "fresh" provisionally; the
// response is then held until every queued row's fate is durable, and sent only if all were
// fresh. A row found replayed, or a store failure, replaces the response with that error, so
// the semantics stay: atomic, after every other check, on disk before the token leaves, one
// winner across nodes, a store failure is a 500. No thread sleeps while the commit runs.
#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include "store/jti_store.h"

namespace idgate {

class JtiDeferral {
 public:
  /// kReplayed: a client assertion's jti was used before (invalid_client); kGrantReplayed: a
  /// grant assertion's (invalid_grant).
  enum class Verdict { kFresh, kReplayed, kGrantReplayed, kFailed };

  /// Active on this thread until destroyed (not nested).
  JtiDeferral();
  ~JtiDeferral();
  JtiDeferral(const JtiDeferral&) = delete;
  JtiDeferral& operator=(const JtiDeferral&) = delete;

  /// The deferral active on this thread, or null.
  static JtiDeferral* current();

  /// One more row: the returned callback goes to JtiStore::checkAndInsertAsync.
  JtiStore::Done add(bool grant_assertion = false);
  /// No row was queued.
  bool empty() const;

  /// Calls `then` once, with the combined verdict, when every row queued so far is decided
  /// and durable: at once (on the calling thread) when they all are, else on the store's
  /// thread; `then` must not block. Usable after the deferral ended.
  using WhenDurable = std::function<void(std::function<void(Verdict)> then)>;
  WhenDurable whenDurable() const;

 private:
  struct State {
    std::mutex mutex;
    int pending = 0;
    bool added = false;
    Verdict verdict = Verdict::kFresh;
    std::function<void(Verdict)> then;
  };
  std::shared_ptr<State> state_;
  JtiDeferral* previous_;
};

}  // namespace idgate
