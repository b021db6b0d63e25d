// Renderer's loop on the one GL thread (see renderer.hpp). RenderLoop and everything it owns
// (context, textures, programs, the WallComposer and its framebuffer, the operator UI) live on
// the render thread only, inside RendererShared::run(). Snapshot PNGs are encoded and written on
// the SnapshotWriter's own thread.
#include <epoxy/gl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <optional>
#include <thread>

#include "renderer/gl_util.hpp"
#include "renderer/output_taps.hpp"
#include "renderer/renderer_shared.hpp"
#include "renderer/text_atlas.hpp"
#include "renderer/tile_sources.hpp"
#include "renderer/ui_host.hpp"
#include "renderer/wall_composer.hpp"

namespace vw::renderer {

using streams::StreamChannel;
using streams::StreamState;
using Clock = std::chrono::steady_clock;

namespace {

// How often the loop looks at stream states when nothing wakes it: states change without frames.
constexpr auto kStatePoll = std::chrono::milliseconds(100);

double process_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

class RenderLoop {
 public:
  RenderLoop(RendererShared& impl, GlContext& context, RenderPath path)
      : impl_(impl),
        context_(context),
        composer_(impl.options.font_path, max_texture_size()),
        sources_(path == RenderPath::Cpu, max_texture_size()),
        taps_(path != RenderPath::Cpu, composer_.font()) {
    view_ = std::make_shared<const WallView>();  // black 1920x1080 until the first publish
    start_ui();
  }
  ~RenderLoop() { impl_.ui_key_filter = nullptr; }
  RenderLoop(const RenderLoop&) = delete;
  RenderLoop& operator=(const RenderLoop&) = delete;

  void run() {
    const auto interval =
        impl_.options.max_fps > 0
            ? std::chrono::nanoseconds(std::chrono::seconds(1)) / impl_.options.max_fps
            : std::chrono::nanoseconds(0);
    Clock::time_point next_draw{};
    bool first = true;
    while (!impl_.stop.load()) {
      // Cap the rate first, then wait: wakeups during the pause are kept, not lost.
      if (const auto now = Clock::now(); now < next_draw) std::this_thread::sleep_until(next_draw);
      if (!first) {
        auto timeout = std::chrono::duration_cast<std::chrono::nanoseconds>(kStatePoll);
        if (cases_waiting_) {  // wake when the held-back case view is due
          timeout = std::clamp(
              std::chrono::duration_cast<std::chrono::nanoseconds>(cases_due_ - Clock::now()),
              std::chrono::nanoseconds(0), timeout);
        }
        if (!taps_.empty()) {  // wake when an output's read is due or done
          timeout = std::clamp(
              std::chrono::duration_cast<std::chrono::nanoseconds>(taps_.next_due() - Clock::now()),
              std::chrono::nanoseconds(0), timeout);
        }
        if (ui_ && ui_->visible()) {  // wake when the UI's next frame is due
          const auto due = ui_->next_due();
          timeout =
              std::clamp(std::chrono::duration_cast<std::chrono::nanoseconds>(due - Clock::now()),
                         std::chrono::nanoseconds(0), timeout);
        }
        if (context_.windowed()) {
          context_.wait_events(std::chrono::duration<double>(timeout).count());
          impl_.wakeup->consume();  // before reading the mailboxes: later frames signal again
        } else {
          impl_.wakeup->wait_for(timeout);
        }
      }
      first = false;
      impl_.turns.fetch_add(1);
      if (const auto stall = impl_.stall_ms.exchange(0); stall > 0) debug_stall(stall);
      if (impl_.stop.load()) break;
      if (context_.should_close()) {
        spdlog::info("renderer: window closed");
        break;
      }
      const auto turn_start = Clock::now();
      const double cpu_start = impl_.options.on_composite ? process_cpu_ms() : 0;

      // Captures requested from here on wait for the next turn: a capture must see every frame
      // and case view published before it was asked for, and this turn's are taken below.
      WallViewPtr latest;
      CaseViewPtr latest_cases;
      std::uint64_t cases_published = 0;
      std::uint64_t ticket_limit = 0;
      {
        std::lock_guard lock(impl_.mutex);
        latest = impl_.published;
        latest_cases = impl_.cases;
        cases_published = impl_.cases_published;
        ticket_limit = impl_.next_ticket;
        if (impl_.outputs_changed) {
          taps_.set(std::move(impl_.outputs));
          impl_.outputs.clear();
          impl_.outputs_changed = false;
        }
      }
      if (latest && latest != view_) {
        view_ = std::move(latest);
        view_changed_ = true;
        sources_.prune(*view_);
      }
      bool window_dirty = context_.take_window_dirty();
      bool ui_capture_due = false;
      if (ui_) window_dirty |= take_ui_requests(&ui_capture_due);
      const auto [out_w, out_h] = composer_.output_size(*view_);
      const TileSources::Turn sourced = sources_.prepare(*view_, out_w, out_h, &draws_);
      uploads_ = sourced.uploads;
      const bool content_changed = sourced.changed;
      if (sourced.refused > 0) {
        std::lock_guard lock(impl_.mutex);
        impl_.stats.frames_refused += sourced.refused;
      }
      bool capture_due = false;
      {
        std::lock_guard lock(impl_.mutex);
        for (const auto& c : impl_.pending) capture_due |= due(c, ticket_limit);
      }
      // New case figures: drawn at most every case_redraw_interval, at once for a capture.
      bool cases_changed = false;
      cases_waiting_ = cases_published != cases_seen_;
      if (cases_waiting_ && (capture_due || view_changed_ || turn_start >= cases_due_)) {
        cases_ = std::move(latest_cases);
        cases_seen_ = cases_published;
        cases_changed = true;
        cases_waiting_ = false;
        cases_due_ = turn_start + impl_.options.case_redraw_interval;
      }
      const bool ui_due = ui_ && ui_->visible() && (ui_capture_due || ui_->frame_due(turn_start));
      const bool wall_due =
          view_changed_ || content_changed || capture_due || cases_changed || window_dirty;
      if (!wall_due && !ui_due) {
        {
          std::lock_guard lock(impl_.mutex);
          ++impl_.stats.frames_skipped;
        }
        serve_outputs();
        continue;
      }
      next_draw = Clock::now() + interval;
      if (!wall_due) {
        build_ui();
        if (ui_->overlay()) present(true);  // the UI changed over an unchanged composite
        serve_outputs();
        continue;
      }
      const ComposeResult composed = composite(cases_changed);
      taps_.composited();
      serve_outputs();
      if (ui_due) build_ui();  // after the composite: a miniature shows this turn's wall
      if (context_.windowed()) present(ui_due);
      const double composite_ms =
          std::chrono::duration<double, std::milli>(Clock::now() - turn_start).count();
      view_changed_ = false;
      if (impl_.options.on_composite) {
        glFinish();
        CompositeTiming timing;
        timing.wall_ms =
            std::chrono::duration<double, std::milli>(Clock::now() - turn_start).count();
        timing.cpu_ms = process_cpu_ms() - cpu_start;
        timing.uploads = uploads_;
        timing.tile_draws = composed.tile_draws;
        timing.full = composed.full;
        timing.view_version = view_->version;
        impl_.options.on_composite(timing);
      }
      {
        // Before the captures: whoever holds one sees stats that include its composite.
        std::lock_guard lock(impl_.mutex);
        ++impl_.stats.frames_presented;
        impl_.stats.view_version = view_->version;
        impl_.stats.case_version = cases_ ? cases_->version : 0;
        impl_.stats.full_redraws += composed.full ? 1 : 0;
        impl_.stats.tile_draws += static_cast<std::uint64_t>(composed.tile_draws);
        impl_.stats.overlays_not_placed = composed.overlays_not_placed;
        const auto& bounds = RenderStats::kCompositeBucketsMs;
        const auto bucket = std::lower_bound(bounds.begin(), bounds.end(), composite_ms);
        ++impl_.stats.composite_ms_buckets[static_cast<std::size_t>(bucket - bounds.begin())];
        impl_.stats.composite_ms_sum += composite_ms;
      }
      serve_captures(ticket_limit);
    }
  }

 private:
  // Renderer::debug_stall: the thread held as a hung driver would hold it (stop still ends it).
  void debug_stall(std::int64_t ms) {
    spdlog::warn("renderer: debug stall of {} ms (test hook)", ms);
    const auto until = Clock::now() + std::chrono::milliseconds(ms);
    while (!impl_.stop.load() && Clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  static int max_texture_size() {
    GLint size = 4096;
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &size);
    return size;
  }

  // The outputs' reads of the composite (output_taps.hpp), once it has been drawn.
  void serve_outputs() {
    if (taps_.empty() || composer_.framebuffer() == 0) return;
    taps_.serve(composer_.framebuffer(), composer_.width(), composer_.height(), draws_,
                Clock::now());
    std::lock_guard lock(impl_.mutex);
    impl_.stats.output_reads_skipped = taps_.skipped();
  }

  ComposeResult composite(bool cases_changed) {
    const ComposeResult result = composer_.compose(*view_, draws_, cases_.get(), view_changed_,
                                                   cases_changed, !impl_.options.incremental);
    if (const GLenum error = glGetError(); error != GL_NO_ERROR && !gl_error_logged_) {
      spdlog::error("renderer: GL error {:#x} while compositing (logged once)", error);
      gl_error_logged_ = true;
    }
    return result;
  }

  // Scales the composite into the window, aspect kept, black around it, with the overlay UI over
  // it when shown. `ui_built`: a UI frame was built this turn (UI captures are served).
  void present(bool ui_built) {
    int window_w = 0, window_h = 0;
    context_.framebuffer_size(&window_w, &window_h);
    if (window_w <= 0 || window_h <= 0) return;  // minimized
    const double scale = std::min(static_cast<double>(window_w) / composer_.width(),
                                  static_cast<double>(window_h) / composer_.height());
    const int w = static_cast<int>(std::lround(composer_.width() * scale));
    const int h = static_cast<int>(std::lround(composer_.height() * scale));
    const int x = (window_w - w) / 2;
    const int y = (window_h - h) / 2;
    glBindFramebuffer(GL_READ_FRAMEBUFFER, composer_.framebuffer());
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
    glViewport(0, 0, window_w, window_h);
    glClearColor(0, 0, 0, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    // The composite is top row first, the window bottom row first: flipped on the way.
    glBlitFramebuffer(0, 0, composer_.width(), composer_.height(), x, y + h, x + w, y,
                      GL_COLOR_BUFFER_BIT, GL_LINEAR);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    if (ui_ && ui_->overlay() && ui_->visible()) {
      ui_->draw_overlay();
      if (ui_built) serve_ui_captures([&] { return ui_->read_back_overlay(window_w, window_h); });
    }
    context_.swap_buffers();
  }

  // ---- operator UI ----

  void start_ui() {
    const UiOptions& options = impl_.options.ui;
    if (options.placement == UiPlacement::Off) return;
    std::string error;
    if (!context_.windowed()) {
      error = "the operator UI needs a window; a headless wall runs without it";
    } else {
      FontRasterizer font(options.font_path.empty() ? impl_.options.font_path : options.font_path);
      ui_ =
          std::make_unique<UiHost>(options, context_.glfw_window(), font.file(), font.face_index());
      if (!ui_->ok()) {
        error = ui_->error();
        ui_.reset();
      }
    }
    if (!error.empty()) {
      spdlog::error("renderer: no operator UI: {}", error);
      std::lock_guard lock(impl_.mutex);
      impl_.ui_stats.error = error;
      return;
    }
    impl_.ui_key_filter = [this](int key) { return ui_->take_wall_key(key); };
  }

  // Takes injected input and visibility requests; true when the window must be presented again
  // (the overlay was hidden or shown). *capture_due: a UI capture waits.
  bool take_ui_requests(bool* capture_due) {
    std::deque<UiInput> inputs;
    std::optional<bool> visible;
    {
      std::lock_guard lock(impl_.mutex);
      inputs.swap(impl_.ui_inputs);
      visible = std::exchange(impl_.ui_visible_request, std::nullopt);
      *capture_due = !impl_.ui_captures.empty();
    }
    if (!inputs.empty()) ui_->inject(std::move(inputs));
    const bool was_visible = ui_->visible();
    if (visible) ui_->set_visible(*visible);
    {
      std::lock_guard lock(impl_.mutex);
      impl_.ui_stats = ui_->stats();  // queued input and visibility are seen at once
    }
    return ui_->overlay() && ui_->visible() != was_visible;
  }

  void build_ui() {
    UiFrame frame;
    frame.wall_texture = composer_.color_texture();
    frame.wall_width = composer_.width();
    frame.wall_height = composer_.height();
    frame.view = view_.get();
    frame.cases = cases_.get();
    ui_->build(frame);
    if (!ui_->overlay()) {
      serve_ui_captures([&] { return ui_->read_back_window(); });
      ui_->finish_window_frame();
    }
    std::lock_guard lock(impl_.mutex);
    impl_.ui_stats = ui_->stats();
  }

  template <typename ReadBack>
  void serve_ui_captures(ReadBack&& read_back) {
    std::vector<std::promise<Image>> served;
    {
      std::lock_guard lock(impl_.mutex);
      served.swap(impl_.ui_captures);
    }
    if (served.empty()) return;
    const Image image = read_back();
    for (auto& p : served) p.set_value(image);
  }

  bool due(const PendingCapture& c, std::uint64_t ticket_limit) const {
    return c.ticket < ticket_limit && c.min_version <= view_->version;
  }

  void serve_captures(std::uint64_t ticket_limit) {
    std::vector<PendingCapture> served;
    {
      std::lock_guard lock(impl_.mutex);
      auto split =
          std::stable_partition(impl_.pending.begin(), impl_.pending.end(),
                                [&](const PendingCapture& c) { return !due(c, ticket_limit); });
      served.assign(std::make_move_iterator(split), std::make_move_iterator(impl_.pending.end()));
      impl_.pending.erase(split, impl_.pending.end());
    }
    if (served.empty()) return;
    Image image = composer_.read_back();
    for (std::size_t i = 0; i < served.size(); ++i) {
      PendingCapture& c = served[i];
      Image copy;
      if (i + 1 == served.size()) {
        copy = std::move(image);
      } else {
        copy = image;
      }
      if (c.image) c.image->set_value(std::move(copy));
      if (c.snapshot)
        impl_.writer.enqueue(c.snapshot_path, std::move(copy), std::move(*c.snapshot));
    }
  }

  RendererShared& impl_;
  GlContext& context_;
  WallComposer composer_;
  TileSources sources_;
  WallViewPtr view_;
  bool view_changed_ = true;
  std::vector<TileDraw> draws_;   // label views point into view_
  CaseViewPtr cases_;             // drawn by the overlays
  std::uint64_t cases_seen_ = 0;  // RendererShared::cases_published when cases_ was taken
  bool cases_waiting_ = false;    // a newer case view is held back until cases_due_
  Clock::time_point cases_due_{};
  OutputTaps taps_;
  int uploads_ = 0;  // this turn
  bool gl_error_logged_ = false;
  std::unique_ptr<UiHost> ui_;  // last: its GL objects go first
};

const char* gl_string(GLenum name) {
  const auto* s = reinterpret_cast<const char*>(glGetString(name));
  return s ? s : "?";
}

}  // namespace

int RendererShared::run() {
  std::string error;
  std::unique_ptr<GlContext> context;
  if (options.headless) {
    context = create_headless_context(&error);
  } else {
    WindowConfig config;
    config.width = options.window_width;
    config.height = options.window_height;
    config.title = options.window_title;
    config.on_key = [this](int key) {
      if (ui_key_filter && ui_key_filter(key)) return;
      std::function<void(int)> handler;
      {
        std::lock_guard lock(mutex);
        handler = key_handler;
      }
      if (!handler) return;
      try {
        handler(key);
      } catch (const std::exception& e) {
        spdlog::error("renderer: key handler threw: {}", e.what());
      }
    };
    context = create_window_context(config, &error);
  }
  int rc = 0;
  if (!context) {
    spdlog::error("renderer: no OpenGL context: {}", error);
    rc = 1;
  } else if (epoxy_gl_version() < 33 || !epoxy_is_desktop_gl()) {
    spdlog::error("renderer: OpenGL 3.3 core needed, got {} ({})", gl_string(GL_VERSION),
                  gl_string(GL_RENDERER));
    rc = 1;
  } else {
    const std::string renderer_name = gl_string(GL_RENDERER);
    spdlog::info("renderer: {} context, GL_RENDERER {}, GL_VERSION {}",
                 options.headless ? "headless EGL" : "GLFW window", renderer_name,
                 gl_string(GL_VERSION));
    const RenderPath path = choose_render_path(options.path, renderer_name);
    spdlog::info("renderer: render path {} ({})", to_string(path),
                 options.path != RenderPath::Auto ? "as configured"
                 : path == RenderPath::Cpu
                     ? "software GL: tiles are scaled on the streams' threads and copied"
                     : "frames converted by the GPU's shader");
    {
      std::lock_guard lock(mutex);
      stats.gl_renderer = renderer_name;
      stats.render_path = std::string(to_string(path));
    }
    try {
      // Every GL name dies with the loop, before the context.
      RenderLoop loop(*this, *context, path);
      loop.run();
    } catch (const std::exception& e) {
      spdlog::error("renderer: stopped by an error: {}", e.what());
      rc = 2;
    }
  }
  context.reset();
  {
    std::lock_guard lock(mutex);
    finished = true;
  }
  fail_all(rc == 0 ? "renderer stopped" : "renderer failed");
  return rc;
}

}  // namespace vw::renderer
