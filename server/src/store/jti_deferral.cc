#include "store/jti_deferral.h"

namespace idgate {
namespace {
thread_local JtiDeferral* active = nullptr;
}

JtiDeferral::JtiDeferral() : state_(std::make_shared<State>()), previous_(active) { active = this; }

JtiDeferral::~JtiDeferral() { active = previous_; }

JtiDeferral* JtiDeferral::current() { return active; }

JtiStore::Done JtiDeferral::add(bool grant_assertion) {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    ++state_->pending;
    state_->added = true;
  }
  return [state = state_, grant_assertion](JtiStore::Result result, std::exception_ptr error) {
    std::function<void(Verdict)> then;
    Verdict verdict;
    {
      std::lock_guard<std::mutex> lock(state->mutex);
      if (error) {
        state->verdict = Verdict::kFailed;
      } else if (result == JtiStore::Result::kReplayed && state->verdict == Verdict::kFresh) {
        state->verdict = grant_assertion ? Verdict::kGrantReplayed : Verdict::kReplayed;
      }
      if (--state->pending > 0 || !state->then) return;
      then = std::move(state->then);
      state->then = nullptr;
      verdict = state->verdict;
    }
    then(verdict);
  };
}

bool JtiDeferral::empty() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return !state_->added;
}

JtiDeferral::WhenDurable JtiDeferral::whenDurable() const {
  return [state = state_](std::function<void(Verdict)> then) {
    Verdict verdict;
    {
      std::lock_guard<std::mutex> lock(state->mutex);
      if (state->pending > 0) {
        state->then = std::move(then);
        return;
      }
      verdict = state->verdict;
    }
    then(verdict);
  };
}

}  // namespace idgate
