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
#include <unordered_map>
#include <unordered_set>

#include "renderer/gl_util.hpp"
#include "renderer/renderer_shared.hpp"
#include "renderer/text_atlas.hpp"
#include "renderer/ui_host.hpp"
#include "renderer/wall_composer.hpp"
#include "renderer/yuv_program.hpp"

namespace vw::renderer {

using streams::StreamChannel;
using streams::StreamState;
using Clock = std::chrono::steady_clock;

namespace {

// How often the loop looks at stream states when nothing wakes it: states change without frames.
constexpr auto kStatePoll = std::chrono::milliseconds(100);
// Software path: frames resized for other tiles than the one a stream's frames are made for.
constexpr std::size_t kResizedKept = 8;

double process_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// One stream's newest frame as the render thread holds it, and what it knows of the stream.
struct ChannelSlot {
  std::shared_ptr<StreamChannel> channel;  // keeps the key (the pointer) unique while held
  PlaneTextures planes;                    // GPU path: the YUV planes on the GPU
  // Software path: RGBA at the size of the first tile showing the stream (that tile's
  // ScaleTarget, also asked of the stream), and the same frame for other tiles of other sizes.
  streams::FramePtr image;
  std::vector<std::pair<streams::ScaleTarget, streams::FramePtr>> resized;
  std::optional<streams::ScaleTarget> requested;  // what the channel was asked for
  std::uint64_t target_turn = 0;                  // turn the request was last looked at
  std::uint64_t last_sequence = 0;                // of the frame in `planes` or `image`
  bool has_frame = false;  // `planes` holds a frame of the current Playing spell
  bool state_seen = false;
  StreamState last_state = StreamState::Idle;
  std::uint64_t refreshed_turn = 0;
  std::uint64_t uploads = 0;  // frames uploaded into `planes`
  bool refused_logged = false;

  bool live() const { return last_state == StreamState::Playing && has_frame; }
};

class RenderLoop {
 public:
  RenderLoop(RendererShared& impl, GlContext& context, RenderPath path)
      : impl_(impl),
        context_(context),
        cpu_path_(path == RenderPath::Cpu),
        composer_(impl.options.font_path, max_texture_size()) {
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max_texture_size_);
    view_ = std::make_shared<const WallView>();  // black 1920x1080 until the first publish
    start_ui();
  }
  ~RenderLoop() {
    impl_.ui_key_filter = nullptr;
    for (auto& [key, slot] : channels_) slot.channel->set_scale_target(std::nullopt);
  }
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
      bool window_dirty = context_.take_window_dirty();
      bool ui_capture_due = false;
      if (ui_) window_dirty |= take_ui_requests(&ui_capture_due);
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
      const bool ui_due = ui_ && ui_->visible() && (ui_capture_due || ui_->frame_due(turn_start));
      const bool wall_due =
          view_changed_ || content_changed || capture_due || cases_changed || window_dirty;
      if (!wall_due && !ui_due) {
        std::lock_guard lock(impl_.mutex);
        ++impl_.stats.frames_skipped;
        continue;
      }
      next_draw = Clock::now() + interval;
      if (!wall_due) {
        build_ui();
        if (ui_->overlay()) present(true);  // the UI changed over an unchanged composite
        continue;
      }
      const ComposeResult composed = composite(cases_changed);
      if (ui_due) build_ui();  // after the composite: a miniature shows this turn's wall
      if (context_.windowed()) present(ui_due);
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
    const auto [out_w, out_h] = composer_.output_size(*view_);
    for (std::size_t i = 0; i < view_->tiles.size(); ++i) {
      const TileView& tile = view_->tiles[i];
      TileDraw& d = draws_[i];
      d.rect = tile.rect;
      d.fit = tile.fit;
      d.label = tile.label.empty() ? std::string_view(tile.camera_id) : tile.label;
      d.video = nullptr;
      d.image = nullptr;
      d.content = 0;
      d.state = StreamState::Idle;
      if (tile.camera_id.empty()) {
        d.kind = TileDraw::Kind::Empty;
        continue;
      }
      const PixelRect px = to_pixels(tile.rect, out_w, out_h);
      if (covered(i, px, out_w, out_h)) {
        d.kind = TileDraw::Kind::Empty;  // never seen: its stream's frames are not taken
        continue;
      }
      d.kind = TileDraw::Kind::State;
      const auto* preferred = tile.preferred == StreamChoice::Main ? &tile.main : &tile.sub;
      const auto* other = tile.preferred == StreamChoice::Main ? &tile.sub : &tile.main;
      if (!*preferred) std::swap(preferred, other);
      if (!*preferred) continue;  // no stream at all: "offline"
      ChannelSlot& p = refresh(*preferred, &changed, px, tile.fit);
      d.state = p.last_state;
      if (p.live()) {
        show(p, px, tile.fit, &d);
        continue;
      }
      if (*other) {
        // The preferred stream has nothing live yet: keep showing the other one if it is live.
        ChannelSlot& o = refresh(*other, &changed, px, tile.fit);
        if (o.live()) show(o, px, tile.fit, &d);
      }
    }
    return changed;
  }

  // Tile `index` lies wholly under a later tile (drawn over it).
  bool covered(std::size_t index, const PixelRect& r, int out_w, int out_h) const {
    for (std::size_t j = index + 1; j < view_->tiles.size(); ++j) {
      if (intersect(to_pixels(view_->tiles[j].rect, out_w, out_h), r) == r) return true;
    }
    return false;
  }

  // The tile shows the slot's live frame: YUV planes, or (software path) RGBA of the tile's
  // exact size, resized here from the slot's image when the tile is not the one it was made for.
  void show(ChannelSlot& slot, const PixelRect& tile, FitMode fit, TileDraw* d) {
    d->kind = TileDraw::Kind::Video;
    d->content = slot.uploads;
    if (!slot.image) {
      d->video = &slot.planes;
      return;
    }
    const streams::VideoFrame& image = *slot.image;
    const streams::ScaleTarget target =
        place_image(tile, image.source_w(), image.source_h(), fit).target;
    if (slot.target_turn != turn_) {
      // The first tile showing the stream this turn is the size its frames are made at.
      slot.target_turn = turn_;
      // Trimmed only here, before any tile of this turn points into the list.
      if (slot.resized.size() > kResizedKept) {
        slot.resized.erase(slot.resized.begin(),
                           slot.resized.end() - static_cast<std::ptrdiff_t>(kResizedKept));
      }
      if (slot.requested != target) {
        slot.channel->set_scale_target(target);
        slot.requested = target;
      }
    }
    if (streams::satisfies(image, target)) {
      d->image = &image;
      return;
    }
    for (const auto& [made_for, frame] : slot.resized) {
      if (made_for == target) {
        d->image = frame.get();
        return;
      }
    }
    // A new layout before the stream's next frame, or a second tile of another size. Kept until
    // the next frame; layouts switched many times over one frame keep only the latest few.
    if (streams::FramePtr resized = streams::scale_frame(image, target)) {
      d->image = resized.get();
      slot.resized.emplace_back(target, std::move(resized));
    } else {
      d->kind = TileDraw::Kind::State;
    }
  }

  ChannelSlot& refresh(const std::shared_ptr<StreamChannel>& channel, bool* changed,
                       const PixelRect& tile, FitMode fit) {
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
      slot.image.reset();
      slot.resized.clear();
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
    if (cpu_path_ || frame->format == streams::PixelFormat::RGBA) {
      // Software path: RGBA at this tile's size, scaled here only when the stream did not (its
      // first frames, before it was asked; a frame made for a layout just replaced).
      const streams::ScaleTarget target =
          place_image(tile, frame->source_w(), frame->source_h(), fit).target;
      if (!streams::satisfies(*frame, target) || frame->strides[0] % 4 != 0) {
        frame = streams::scale_frame(*frame, target);
        if (!frame) return slot;
      }
      slot.image = std::move(frame);
      slot.resized.clear();
    } else {
      slot.image.reset();
      slot.planes.upload(*frame);
    }
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
    std::erase_if(channels_, [&](auto& item) {
      if (wanted.contains(item.first)) return false;
      item.second.channel->set_scale_target(std::nullopt);  // unseen: frames stay as decoded
      return true;
    });
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
  const bool cpu_path_;
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
