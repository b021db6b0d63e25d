// Renderer: the loop of the one GL thread.
// Threads: Renderer::Impl's `shared_` members (guarded by `mutex_`) are written from any thread
// (publish, publish_cases, capture, snapshot, key handler, stats) and read by the render thread.
// RenderLoop and everything it owns (context, textures, programs, the WallComposer and its
// framebuffer) live on the render thread only, inside run(). Snapshot PNGs are encoded and written
// on the SnapshotWriter's own thread.
#include "renderer/renderer.hpp"

#include <epoxy/gl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "renderer/gl_context.hpp"
#include "renderer/gl_util.hpp"
#include "renderer/snapshot_writer.hpp"
#include "renderer/wall_composer.hpp"
#include "renderer/yuv_program.hpp"

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

// A capture or snapshot waiting for a composite with a view of at least min_version.
struct PendingCapture {
  std::uint64_t ticket = 0;  // order of request
  std::uint64_t min_version = 0;
  std::optional<std::promise<Image>> image;
  std::string snapshot_path;
  std::optional<std::promise<std::string>> snapshot;
};

void fail_capture(PendingCapture& capture, const std::string& why) {
  if (capture.image) {
    capture.image->set_exception(std::make_exception_ptr(std::runtime_error(why)));
  }
  if (capture.snapshot) {
    capture.snapshot->set_value(capture.snapshot_path + ": snapshot not taken: " + why);
  }
}

}  // namespace

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
    {
      std::lock_guard lock(mutex);
      captures.swap(pending);
    }
    for (auto& c : captures) fail_capture(c, why);
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

  mutable std::mutex mutex;  // guards the members below
  WallViewPtr published;
  CaseViewPtr cases;                  // the latest publish_cases()
  std::uint64_t cases_published = 0;  // publish_cases() calls so far
  std::vector<PendingCapture> pending;
  std::uint64_t next_ticket = 0;
  std::function<void(int)> key_handler;
  RenderStats stats;
  bool finished = false;  // run() has returned: captures fail at once

  SnapshotWriter writer;
};

namespace {

// One stream's textures and what the render thread knows of it.
struct ChannelSlot {
  std::shared_ptr<StreamChannel> channel;  // keeps the key (the pointer) unique while held
  PlaneTextures planes;
  std::uint64_t last_sequence = 0;  // of the frame in `planes`
  bool has_frame = false;           // `planes` holds a frame of the current Playing spell
  bool state_seen = false;
  StreamState last_state = StreamState::Idle;
  std::uint64_t refreshed_turn = 0;
  std::uint64_t uploads = 0;  // frames uploaded into `planes`
  bool refused_logged = false;

  bool live() const { return last_state == StreamState::Playing && has_frame; }
};

class RenderLoop {
 public:
  RenderLoop(RendererShared& impl, GlContext& context)
      : impl_(impl), context_(context), composer_(impl.options.font_path, max_texture_size()) {
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max_texture_size_);
    view_ = std::make_shared<const WallView>();  // black 1920x1080 until the first publish
  }

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
        if (context_.windowed()) {
          context_.wait_events(std::chrono::duration<double>(timeout).count());
        } else {
          impl_.wakeup->wait_for(timeout);
        }
      }
      first = false;
      if (impl_.stop.load()) break;
      if (context_.should_close()) {
        spdlog::info("renderer: window closed");
        break;
      }
      ++turn_;
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
      }
      if (latest && latest != view_) {
        view_ = std::move(latest);
        view_changed_ = true;
        prune_channels();
      }
      const bool window_dirty = context_.take_window_dirty();
      uploads_ = 0;
      const bool content_changed = prepare_tiles();
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
      if (!(view_changed_ || window_dirty || content_changed || capture_due || cases_changed)) {
        std::lock_guard lock(impl_.mutex);
        ++impl_.stats.frames_skipped;
        continue;
      }
      const ComposeResult composed = composite(cases_changed);
      if (context_.windowed()) present();
      view_changed_ = false;
      next_draw = Clock::now() + interval;
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
      }
      serve_captures(ticket_limit);
    }
  }

 private:
  // Decides what every tile shows, taking and uploading newer frames of the streams that may be
  // shown. Returns true when anything visible changed (a frame, a state).
  bool prepare_tiles() {
    bool changed = false;
    draws_.resize(view_->tiles.size());
    for (std::size_t i = 0; i < view_->tiles.size(); ++i) {
      const TileView& tile = view_->tiles[i];
      TileDraw& d = draws_[i];
      d.rect = tile.rect;
      d.fit = tile.fit;
      d.label = tile.label.empty() ? std::string_view(tile.camera_id) : tile.label;
      d.video = nullptr;
      d.content = 0;
      d.state = StreamState::Idle;
      if (tile.camera_id.empty()) {
        d.kind = TileDraw::Kind::Empty;
        continue;
      }
      d.kind = TileDraw::Kind::State;
      const auto* preferred = tile.preferred == StreamChoice::Main ? &tile.main : &tile.sub;
      const auto* other = tile.preferred == StreamChoice::Main ? &tile.sub : &tile.main;
      if (!*preferred) std::swap(preferred, other);
      if (!*preferred) continue;  // no stream at all: "offline"
      ChannelSlot& p = refresh(*preferred, &changed);
      d.state = p.last_state;
      if (p.live()) {
        d.kind = TileDraw::Kind::Video;
        d.video = &p.planes;
        d.content = p.uploads;
        continue;
      }
      if (*other) {
        // The preferred stream has nothing live yet: keep showing the other one if it is live.
        ChannelSlot& o = refresh(*other, &changed);
        if (o.live()) {
          d.kind = TileDraw::Kind::Video;
          d.video = &o.planes;
          d.content = o.uploads;
        }
      }
    }
    return changed;
  }

  ChannelSlot& refresh(const std::shared_ptr<StreamChannel>& channel, bool* changed) {
    auto [it, inserted] = channels_.try_emplace(channel.get());
    ChannelSlot& slot = it->second;
    if (inserted) slot.channel = channel;
    if (slot.refreshed_turn == turn_) return slot;  // shown by two tiles: one look per turn
    // A stream nobody looked at last turn may hold an old frame: start from its newest.
    const bool continuous = slot.refreshed_turn + 1 == turn_;
    slot.refreshed_turn = turn_;

    const StreamState state = channel->state();
    if (!slot.state_seen || state != slot.last_state) {
      *changed = true;
      slot.state_seen = true;
      slot.last_state = state;
    }
    if (state != StreamState::Playing || !continuous) {
      // Never show a frame from before this Playing spell as live.
      slot.has_frame = false;
      slot.last_sequence = 0;
      if (state != StreamState::Playing) return slot;
    }
    streams::FrameMailbox& mailbox = channel->mailbox();
    streams::FramePtr frame = mailbox.take_newer(slot.last_sequence);
    if (!frame && slot.last_sequence > 0) {
      // Sequences restart with a rebuilt pipeline: a lower one in the slot is a newer frame.
      if (auto peeked = mailbox.peek(); peeked && peeked->sequence < slot.last_sequence) {
        frame = mailbox.take_newer(0);
      }
    }
    if (!frame) return slot;
    slot.last_sequence = frame->sequence;
    if (const std::string why = check_frame(*frame, max_texture_size_); !why.empty()) {
      {
        std::lock_guard lock(impl_.mutex);
        ++impl_.stats.frames_refused;
      }
      if (!slot.refused_logged) {
        spdlog::warn("renderer: {}: frame {} refused ({}); later ones are counted, not logged",
                     channel->key(), frame->sequence, why);
        slot.refused_logged = true;
      }
      return slot;
    }
    slot.planes.upload(*frame);
    ++slot.uploads;
    ++uploads_;
    slot.has_frame = true;
    *changed = true;
    return slot;  // `frame` is released here: the decoder's buffer goes back at once
  }

  // Drops the textures of streams the new view does not show.
  void prune_channels() {
    std::unordered_set<const StreamChannel*> wanted;
    for (const TileView& t : view_->tiles) {
      wanted.insert(t.main.get());
      wanted.insert(t.sub.get());
    }
    std::erase_if(channels_, [&](const auto& item) { return !wanted.contains(item.first); });
  }

  static int max_texture_size() {
    GLint size = 4096;
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &size);
    return size;
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

  // Scales the composite into the window, aspect kept, black around it.
  void present() {
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
    glBlitFramebuffer(0, 0, composer_.width(), composer_.height(), x, y, x + w, y + h,
                      GL_COLOR_BUFFER_BIT, GL_LINEAR);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    context_.swap_buffers();
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
  GLint max_texture_size_ = 4096;
  WallComposer composer_;
  WallViewPtr view_;
  bool view_changed_ = true;
  std::uint64_t turn_ = 0;
  std::vector<TileDraw> draws_;  // label views point into view_
  std::unordered_map<const StreamChannel*, ChannelSlot> channels_;
  CaseViewPtr cases_;             // drawn by the overlays
  std::uint64_t cases_seen_ = 0;  // RendererShared::cases_published when cases_ was taken
  bool cases_waiting_ = false;    // a newer case view is held back until cases_due_
  Clock::time_point cases_due_{};
  int uploads_ = 0;  // this turn
  bool gl_error_logged_ = false;
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
    {
      std::lock_guard lock(mutex);
      stats.gl_renderer = renderer_name;
    }
    try {
      RenderLoop loop(*this, *context);  // every GL name dies with it, before the context
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

void Renderer::set_key_handler(std::function<void(int key)> handler) {
  std::lock_guard lock(impl_->mutex);
  impl_->key_handler = std::move(handler);
}

void Renderer::request_stop() {
  impl_->stop.store(true);
  impl_->wakeup->notify();
}

int Renderer::run() {
  return impl_->run();
}

RenderStats Renderer::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

}  // namespace vw::renderer
