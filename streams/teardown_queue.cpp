#include "streams/teardown_queue.hpp"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

#include "streams/allocator.hpp"

namespace vw::streams {

struct TeardownQueue::State {
  explicit State(std::chrono::milliseconds cut_after_) : cut_after(cut_after_) {}
  const std::chrono::milliseconds cut_after;
  mutable std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::unique_ptr<StreamPipeline>> queue;
  std::string current;  // key of the pipeline being torn down, empty when idle
  std::chrono::steady_clock::time_point current_since{};
  std::function<bool()> current_cutter;  // its connection_cutter(); reset once it cut
  int attempts = 0;                      // cutter calls for the current teardown
  std::uint64_t cuts = 0;
  bool stopping = false;   // no more posts; the worker exits once the queue is empty
  bool abandoned = false;  // shutdown gave up waiting: the worker no longer logs
};

TeardownQueue::TeardownQueue(std::chrono::milliseconds cut_after)
    : state_(std::make_shared<State>(cut_after)) {
  worker_ = std::thread(run, state_);
  watchdog_ = std::thread(watch, state_);
}

TeardownQueue::~TeardownQueue() {
  if (worker_.joinable()) shutdown(std::chrono::milliseconds(2000));
}

void TeardownQueue::post(std::unique_ptr<StreamPipeline> pipeline) {
  if (!pipeline) return;
  {
    std::lock_guard lock(state_->mutex);
    state_->queue.push_back(std::move(pipeline));
  }
  state_->cv.notify_all();
}

std::size_t TeardownQueue::pending() const {
  std::lock_guard lock(state_->mutex);
  return state_->queue.size() + (state_->current.empty() ? 0 : 1);
}

std::uint64_t TeardownQueue::connections_cut() const {
  std::lock_guard lock(state_->mutex);
  return state_->cuts;
}

bool TeardownQueue::shutdown(std::chrono::milliseconds bound) {
  std::unique_lock lock(state_->mutex);
  if (!worker_.joinable())  // shut down before: say whether all finished, without waiting again
    return state_->queue.empty() && state_->current.empty();
  state_->stopping = true;
  state_->cv.notify_all();
  bool done = state_->cv.wait_for(lock, bound,
                                  [&] { return state_->queue.empty() && state_->current.empty(); });
  if (done) {
    lock.unlock();
    worker_.join();
    watchdog_.join();
    return true;
  }
  // A teardown is stuck on a dead peer. Waiting longer would hang our owner (and with it the
  // daemon's shutdown or a reconfiguration), so the worker is detached and the pipelines it still
  // holds are leaked. The worker keeps only its own reference-counted state, and the pipelines'
  // callbacks hold their own references, so nothing freed here is touched later.
  spdlog::error("stream teardown: '{}' still blocked after {} ms; leaking it and {} queued",
                state_->current, bound.count(), state_->queue.size());
  state_->abandoned = true;
  lock.unlock();
  state_->cv.notify_all();
  worker_.detach();
  watchdog_.detach();
  return false;
}

// Cuts the camera connection of a teardown that has run for `cut_after`. A thread that reads an
// endless reply is often on the CPU rather than blocked, so the cutter is tried every 100 ms until
// it finds the thread in its read.
void TeardownQueue::watch(std::shared_ptr<State> state) {
  std::unique_lock lock(state->mutex);
  while (!state->abandoned &&
         !(state->stopping && state->queue.empty() && state->current.empty())) {
    state->cv.wait_for(lock, std::chrono::milliseconds(100));
    if (state->current.empty() || !state->current_cutter) continue;
    if (std::chrono::steady_clock::now() - state->current_since < state->cut_after) continue;
    std::function<bool()> cutter = state->current_cutter;
    const std::string key = state->current;
    const int attempt = ++state->attempts;
    lock.unlock();
    const bool cut = cutter();  // touches only the pipeline's shared state
    lock.lock();
    if (cut) {
      ++state->cuts;
      if (state->current == key) state->current_cutter = nullptr;
    }
    if (!state->abandoned && (cut || attempt == 20)) {
      if (cut) {
        spdlog::warn(
            "stream {}: teardown blocked on the camera (a reply that does not end); "
            "its connection was cut",
            key);
      } else {
        spdlog::warn("stream {}: teardown blocked for {} s, not on a camera connection", key,
                     (state->cut_after.count() + 100 * attempt) / 1000.0);
      }
    }
  }
}

void TeardownQueue::run(std::shared_ptr<State> state) {
  try {
    std::unique_lock lock(state->mutex);
    for (;;) {
      state->cv.wait(lock, [&] { return !state->queue.empty() || state->stopping; });
      if (state->queue.empty()) return;  // stopping and drained
      std::unique_ptr<StreamPipeline> pipeline = std::move(state->queue.front());
      state->queue.pop_front();
      state->current = pipeline->key();
      state->current_since = std::chrono::steady_clock::now();
      state->current_cutter = pipeline->connection_cutter();
      state->attempts = 0;
      lock.unlock();
      auto started = std::chrono::steady_clock::now();
      try {
        pipeline.reset();  // set_state(NULL) + unref: may block on a dead peer
      } catch (const std::exception& e) {
        spdlog::error("stream teardown: {}", e.what());
      }
      auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
      lock.lock();
      if (!state->abandoned && took.count() > 500) {
        spdlog::warn("stream teardown: '{}' took {} ms", state->current, took.count());
      }
      state->current.clear();
      state->current_cutter = nullptr;
      const bool drained = state->queue.empty();
      state->cv.notify_all();
      // The pipeline's buffers were freed on its threads' arenas; give their pages back once
      // the queue is drained (a rebuild storm trims once). Off the lock: it walks the arenas.
      if (drained) {
        lock.unlock();
        trim_freed_memory();
        lock.lock();
      }
    }
  } catch (const std::exception& e) {
    spdlog::error("stream teardown thread: {}", e.what());
  } catch (...) {
    spdlog::error("stream teardown thread: unknown exception");
  }
}

}  // namespace vw::streams
