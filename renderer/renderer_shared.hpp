// What the render thread (render_loop.cpp) shares with the callers of Renderer's methods
// (renderer.cpp). Members under `mutex` are written from any thread and read by the render thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "renderer/gl_context.hpp"
#include "renderer/renderer.hpp"
#include "renderer/snapshot_writer.hpp"

namespace vw::renderer {

// A capture or snapshot waiting for a composite with a view of at least min_version.
struct PendingCapture {
  std::uint64_t ticket = 0;  // order of request
  std::uint64_t min_version = 0;
  std::optional<std::promise<Image>> image;
  std::string snapshot_path;
  std::optional<std::promise<std::string>> snapshot;
};

inline void fail_capture(PendingCapture& capture, const std::string& why) {
  if (capture.image) {
    capture.image->set_exception(std::make_exception_ptr(std::runtime_error(why)));
  }
  if (capture.snapshot) {
    capture.snapshot->set_value(capture.snapshot_path + ": snapshot not taken: " + why);
  }
}

// What the render thread shares with the callers of Renderer's methods.
struct RendererShared {
  RendererShared(RendererOptions opts, streams::Wakeup* external)
      : options(std::move(opts)), wakeup(external != nullptr ? external : &own_wakeup) {
    // GLFW's wait is woken by an empty event; the hook must be in place before producers run.
    if (!options.headless) wakeup->set_hook(post_empty_event);
  }

  ~RendererShared() { fail_all("renderer destroyed"); }
  RendererShared(const RendererShared&) = delete;
  RendererShared& operator=(const RendererShared&) = delete;

  void fail_all(const std::string& why) {
    std::vector<PendingCapture> captures;
    std::vector<std::promise<Image>> screens;
    {
      std::lock_guard lock(mutex);
      captures.swap(pending);
      screens.swap(ui_captures);
    }
    for (auto& c : captures) fail_capture(c, why);
    for (auto& p : screens) p.set_exception(std::make_exception_ptr(std::runtime_error(why)));
  }

  void add_capture(PendingCapture capture) {
    bool accepted = false;
    {
      std::lock_guard lock(mutex);
      if (!finished) {
        capture.ticket = next_ticket++;
        pending.push_back(std::move(capture));
        accepted = true;
      }
    }
    if (!accepted) {
      fail_capture(capture, "renderer is not running");
      return;
    }
    wakeup->notify();
  }

  int run();

  const RendererOptions options;
  streams::Wakeup own_wakeup;
  streams::Wakeup* const wakeup;
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> turns{0};    // render loop turns (Renderer::loop_turns)
  std::atomic<std::int64_t> stall_ms{0};  // debug_stall() pending for the next turn

  mutable std::mutex mutex;  // guards the members below
  WallViewPtr published;
  CaseViewPtr cases;                  // the latest publish_cases()
  std::uint64_t cases_published = 0;  // publish_cases() calls so far
  std::vector<PendingCapture> pending;
  std::uint64_t next_ticket = 0;
  std::function<void(int)> key_handler;
  std::vector<OutputTap> outputs;  // set_outputs(), taken by the render thread
  bool outputs_changed = false;
  RenderStats stats;
  bool finished = false;  // run() has returned: captures fail at once
  // The operator UI: requests from any thread, taken by the render thread each turn.
  std::deque<UiInput> ui_inputs;
  std::optional<bool> ui_visible_request;
  std::vector<std::promise<Image>> ui_captures;
  UiStats ui_stats;
  // Render thread only: the UI's say on a key pressed in the wall's window (true: taken).
  std::function<bool(int)> ui_key_filter;

  SnapshotWriter writer;
};

}  // namespace vw::renderer
