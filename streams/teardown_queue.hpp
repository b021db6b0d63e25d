// Tears pipelines down (state NULL + unref) on its own thread, because going to NULL sends PAUSE
// and TEARDOWN to the camera and can block up to rtspsrc's tcp-timeout on a dead peer. Neither
// the supervisor nor any caller ever waits on it.
//
// Threads: post() from the supervisor (or the manager's destructor); shutdown() from the
// manager's destructor; the worker thread destroys the pipelines. Its state is reference counted
// so that a worker stuck past shutdown()'s bound can be detached without touching freed memory.
#pragma once

#include <chrono>
#include <memory>
#include <thread>

#include "streams/stream_pipeline.hpp"

namespace vw::streams {

class TeardownQueue {
 public:
  TeardownQueue();
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

  std::size_t pending() const;  // queued or in progress

 private:
  struct State;
  static void run(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
  std::thread worker_;
};

}  // namespace vw::streams
