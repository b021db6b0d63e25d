// Renderer: the calls from any thread. Threads: RendererShared's members under its mutex are
// written here and read by the render thread (render_loop.cpp).
#include "renderer/renderer.hpp"

#include <deque>
#include <mutex>
#include <stdexcept>

#include "renderer/renderer_shared.hpp"

namespace vw::renderer {

struct Renderer::Impl : RendererShared {
  using RendererShared::RendererShared;
};

Renderer::Renderer(RendererOptions options, streams::Wakeup* wakeup)
    : impl_(std::make_unique<Impl>(std::move(options), wakeup)) {}

Renderer::~Renderer() = default;

void Renderer::publish_cases(CaseViewPtr cases) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->cases = std::move(cases);
    ++impl_->cases_published;
  }
  impl_->wakeup->notify();
}

void Renderer::publish(WallViewPtr view) {
  if (!view) return;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->published = std::move(view);
  }
  impl_->wakeup->notify();
}

std::future<Image> Renderer::capture(std::uint64_t min_view_version) {
  PendingCapture c;
  c.min_version = min_view_version;
  c.image.emplace();
  std::future<Image> future = c.image->get_future();
  impl_->add_capture(std::move(c));
  return future;
}

std::future<std::string> Renderer::snapshot(std::string path, std::uint64_t min_view_version) {
  PendingCapture c;
  c.min_version = min_view_version;
  c.snapshot_path = std::move(path);
  c.snapshot.emplace();
  std::future<std::string> future = c.snapshot->get_future();
  impl_->add_capture(std::move(c));
  return future;
}

void Renderer::set_outputs(std::vector<OutputTap> taps) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->outputs = std::move(taps);
    impl_->outputs_changed = true;
  }
  impl_->wakeup->notify();
}

void Renderer::set_key_handler(std::function<void(int key)> handler) {
  std::lock_guard lock(impl_->mutex);
  impl_->key_handler = std::move(handler);
}

void Renderer::request_stop() {
  impl_->stop.store(true);
  impl_->wakeup->notify();
}

void Renderer::inject_ui(std::vector<UiInput> frames) {
  {
    std::lock_guard lock(impl_->mutex);
    for (auto& f : frames) impl_->ui_inputs.push_back(std::move(f));
  }
  impl_->wakeup->notify();
}

void Renderer::set_ui_visible(bool visible) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->ui_visible_request = visible;
  }
  impl_->wakeup->notify();
}

UiStats Renderer::ui_stats() const {
  std::lock_guard lock(impl_->mutex);
  UiStats s = impl_->ui_stats;
  s.injected_queued += impl_->ui_inputs.size();  // queued but not yet handed to the UI
  return s;
}

std::future<Image> Renderer::capture_ui() {
  std::promise<Image> promise;
  std::future<Image> future = promise.get_future();
  bool accepted = false;
  {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->finished && impl_->options.ui.placement != UiPlacement::Off) {
      impl_->ui_captures.push_back(std::move(promise));
      accepted = true;
    }
  }
  if (!accepted) {
    promise.set_exception(std::make_exception_ptr(std::runtime_error("no operator UI running")));
  }
  impl_->wakeup->notify();
  return future;
}

int Renderer::run() {
  return impl_->run();
}

RenderStats Renderer::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

std::uint64_t Renderer::loop_turns() const {
  return impl_->turns.load();
}

void Renderer::debug_stall(std::chrono::milliseconds duration) {
  impl_->stall_ms.store(duration.count());
  impl_->wakeup->notify();
}

}  // namespace vw::renderer
