// What the daemon's HTTP endpoints (metrics_server, whep_server) share around cpp-httplib:
//  - BoundedTaskQueue, httplib's connection queue with a bound: a fixed number of workers and at
//    most `max_queued` waiting connections; a full queue makes the listener serve the connection
//    itself, which stops it accepting until then (the kernel's listen backlog bounds the rest);
//  - bound_server(), which sets it and the timeouts on a server;
//  - bind_and_listen(), which binds and runs the listener on its own thread.
// Threads: enqueue() from httplib's listener; shutdown() once, from the server's stop;
// bind_and_listen() from the owner's thread.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace vw::controller::service {

class BoundedTaskQueue : public httplib::TaskQueue {
 public:
  BoundedTaskQueue(std::size_t workers, std::size_t max_queued) : max_queued_(max_queued) {
    for (std::size_t i = 0; i < workers; ++i) workers_.emplace_back([this] { work(); });
  }
  void enqueue(std::function<void()> task) override {
    {
      std::lock_guard lock(mutex_);
      if (queue_.size() < max_queued_) {
        queue_.push_back(std::move(task));
        wake_.notify_one();
        return;
      }
    }
    task();
  }
  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

 private:
  void work() {
    while (true) {
      std::function<void()> task;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and everything queued was served
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();
    }
  }
  const std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

// Bounds `server`: `workers` workers and `max_queued` waiting connections (BoundedTaskQueue),
// requests read and replies written within `timeout_s`, a connection kept for at most 16 requests.
inline void bound_server(httplib::Server& server, std::size_t workers, std::size_t max_queued,
                         int timeout_s) {
  server.new_task_queue = [workers, max_queued] {
    return new BoundedTaskQueue(workers, max_queued);
  };
  server.set_read_timeout(timeout_s, 0);
  server.set_write_timeout(timeout_s, 0);
  server.set_keep_alive_timeout(timeout_s);
  server.set_keep_alive_max_count(16);
}

// Binds `host`:`port` (0: any free port) and runs the listener on `listener`; returns the port
// bound, or 0 when it cannot (in use, or not an address of this machine).
inline int bind_and_listen(httplib::Server& server, const std::string& host, int port,
                           std::thread& listener) {
  int bound = 0;
  if (port == 0) {
    bound = server.bind_to_any_port(host);
  } else if (server.bind_to_port(host, port)) {
    bound = port;
  }
  if (bound <= 0) return 0;
  listener = std::thread([&server] { server.listen_after_bind(); });
  // stop() does nothing before the listener runs, so a destructor right after construction would
  // wait for ever: return only once it runs (a few microseconds).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!server.is_running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return bound;
}

}  // namespace vw::controller::service
