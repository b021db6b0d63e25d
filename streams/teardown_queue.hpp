// Tears pipelines down (state NULL + unref) on its own thread, because going to NULL sends PAUSE
// and TEARDOWN to the camera and can block up to rtspsrc's tcp-timeout on a dead peer. Neither
// the supervisor nor any caller ever waits on it. A teardown still running after `cut_after`
// (rtspsrc stuck reading a reply that a hostile or broken camera never finishes) gets its camera
// connection cut (StreamPipeline::connection_cutter) by a watchdog thread, and then completes.
//
// Threads: post() from the supervisor (or the manager's destructor); shutdown() from the
// manager's destructor; the worker thread destroys the pipelines. Its state is reference counted
// so that a worker stuck past shutdown()'s bound can be detached without touching freed memory.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>

#include "streams/stream_pipeline.hpp"

namespace vw::streams {

class TeardownQueue {
 public:
  explicit TeardownQueue(std::chrono::milliseconds cut_after = std::chrono::milliseconds(500));
  ~TeardownQueue();  // shutdown(2 s) if not done yet
  TeardownQueue(const TeardownQueue&) = delete;
  TeardownQueue& operator=(const TeardownQueue&) = delete;

  // Hands a pipeline over; never blocks on the teardown itself.
  void post(std::unique_ptr<StreamPipeline> pipeline);

  // Waits at most `bound` for every posted pipeline to be torn down, then joins the worker. If a
  // teardown is still stuck, logs it and detaches the worker: that pipeline (and any still
  // queued behind it) is leaked rather than hanging the caller. Returns true if all finished.
  // Later calls do not wait: they return whether all have finished by now.
  bool shutdown(std::chrono::milliseconds bound);

  std::size_t pending() const;            // queued or in progress
  std::uint64_t connections_cut() const;  // by the watchdog, since construction

 private:
  struct State;
  static void run(std::shared_ptr<State> state);
  static void watch(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
  std::thread worker_, watchdog_;
};

}  // namespace vw::streams
