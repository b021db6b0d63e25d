// SnapshotWriter: encodes and writes snapshot PNGs on its own thread, so the render thread
// never waits on disk.
// Threads: enqueue() from the render thread; the writer's own thread encodes, writes and
// fulfils the promises; the destructor (owner's thread) finishes the queued writes, then joins.
#pragma once

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "renderer/renderer.hpp"

namespace vw::renderer {

// Encodes and writes snapshot PNGs on its own thread, so the render thread never waits on disk.
// The destructor finishes the queued writes, then joins.
class SnapshotWriter {
 public:
  SnapshotWriter() : thread_([this] { loop(); }) {}
  ~SnapshotWriter() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  void enqueue(std::string path, Image image, std::promise<std::string> promise) {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back({std::move(path), std::move(image), std::move(promise)});
    }
    cv_.notify_one();
  }

 private:
  struct Job {
    std::string path;
    Image image;
    std::promise<std::string> promise;
  };

  void loop() {
    for (;;) {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return done_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      Job job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      std::string result;
      try {
        result = write_png(job.path, job.image);
      } catch (const std::exception& e) {
        result = job.path + ": " + e.what();
      }
      if (!result.empty()) spdlog::warn("renderer: snapshot failed: {}", result);
      job.promise.set_value(std::move(result));
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool done_ = false;
  std::thread thread_;  // last: starts after the members it uses exist
};

}  // namespace vw::renderer
