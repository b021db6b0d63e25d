// The one GL thread (design invariant 1): owns the GL context, every GL name, the font atlas.
// run() must be called on the thread that creates the window (the main thread for GLFW). Every
// other method is safe from any thread and never waits for the render thread to do work.
//
// Each frame: take the newest frame of every visible stream (mailbox), upload it as planes
// (R8 / RG8 textures), convert YUV->RGB in the fragment shader (BT.601/709, limited/full range
// as the frame says), draw tiles per the current WallView with borders, labels and state text,
// into an offscreen framebuffer of the wall's output size, with the case overlays and the alarm
// banner above the video; then present (window) and serve captures. The framebuffer keeps its
// content: a composite redraws only the tiles whose content changed and the overlays over them
// (see wall_composer.hpp). When nothing changed it draws nothing and sleeps until woken.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "renderer/case_view.hpp"
#include "renderer/output_tap.hpp"
#include "renderer/render_path.hpp"
#include "renderer/ui_types.hpp"
#include "renderer/wall_view.hpp"
#include "streams/wakeup.hpp"

namespace vw::renderer {

// One composite, as RendererOptions::on_composite reports it.
struct CompositeTiming {
  double wall_ms = 0;              // frame uploads + drawing + glFinish
  double cpu_ms = 0;               // CPU time of the whole process over the same span
  int uploads = 0;                 // frames uploaded for this composite
  int tile_draws = 0;              // tiles redrawn (each clipped to a redrawn region)
  bool full = false;               // the whole wall was redrawn
  std::uint64_t view_version = 0;  // WallView::version this composite shows
};

struct RendererOptions {
  // Headless: no window at all (EGL surfaceless on Mesa); otherwise a GLFW window.
  bool headless = false;
  int window_width = 1280;  // the window scales the wall output to fit
  int window_height = 720;
  std::string window_title = "videowall";
  std::string font_path;  // empty: fontconfig's match for "Noto Sans CJK SC"
  int max_fps = 60;       // cap when not synced to a display
  RenderPath path = RenderPath::Auto;
  // false: every composite redraws the whole wall (for comparison; captures are the same).
  bool incremental = true;
  // A new CaseView is drawn at most this often; a capture or a new WallView draws it at once.
  std::chrono::milliseconds case_redraw_interval{250};
  // Measurement hook (benchmarks), called on the render thread after each composite; must not
  // block. While set, each composite ends with glFinish so that its time includes the
  // rasterizer's work (llvmpipe: its worker threads).
  std::function<void(const CompositeTiming&)> on_composite;
  // The operator UI (windowed renderers only); placement Off: none.
  UiOptions ui;
};

// RGBA8 pixels of the composite, top row first.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgba;
  std::uint32_t pixel(int x, int y) const;  // 0xRRGGBBAA
};

struct RenderStats {
  std::uint64_t frames_presented = 0;      // composites drawn
  std::uint64_t frames_skipped = 0;        // loop turns where nothing changed
  std::uint64_t view_version = 0;          // version of the WallView last drawn
  std::uint64_t frames_refused = 0;        // malformed frames not uploaded (logged once per stream)
  std::string gl_renderer;                 // GL_RENDERER, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"
  std::string render_path;                 // "gpu" or "cpu" (RenderPath) once the context is made
  std::uint64_t full_redraws = 0;          // composites that redrew the whole wall
  std::uint64_t tile_draws = 0;            // tiles redrawn, all composites together
  std::uint64_t case_version = 0;          // CaseView::version last drawn (0: none yet)
  int overlays_not_placed = 0;             // overlay panels of the current view that found no room
  std::uint64_t output_reads_skipped = 0;  // output reads skipped, every buffer still in flight
  // How long composites take: from the turn's start to drawn and presented (no glFinish: on a GPU
  // its share may land in a later turn). Per bucket of kCompositeBucketsMs (upper bounds; the last
  // slot counts the slower ones), and the sum.
  static constexpr std::array<double, 8> kCompositeBucketsMs{5, 10, 20, 40, 80, 160, 320, 640};
  std::array<std::uint64_t, 9> composite_ms_buckets{};
  double composite_ms_sum = 0;
};

// Writes `image` as a PNG; returns an empty string or the error.
std::string write_png(const std::string& path, const Image& image);

class Renderer {
 public:
  // `wakeup`: the Wakeup the stream channels notify (null: the renderer polls them every
  // ~100 ms). Windowed, the constructor sets its hook (GLFW's empty event): construct the
  // Renderer before any producer runs. The wakeup must outlive the Renderer.
  Renderer(RendererOptions options, streams::Wakeup* wakeup);
  // run() must have returned (its thread joined) before the Renderer is destroyed. Captures and
  // snapshots still pending fail; queued snapshot writes finish first.
  ~Renderer();
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  // Replaces what is shown; the next drawn frame uses it.
  void publish(WallViewPtr view);

  // Replaces the case figures the overlays show (null: none, "等待数据"). Drawn at most every
  // case_redraw_interval; a capture requested after this call shows it.
  void publish_cases(CaseViewPtr cases);

  // The next composite drawn with a view of at least `min_view_version`, read back.
  std::future<Image> capture(std::uint64_t min_view_version = 0);

  // Captures and writes a PNG off the render thread; the future holds "" or the error.
  std::future<std::string> snapshot(std::string path, std::uint64_t min_view_version = 0);

  // Replaces the live outputs' taps of the composite (output_tap.hpp); an empty list stops them.
  void set_outputs(std::vector<OutputTap> taps);

  // Called on the render thread for each key press (GLFW key code); must not block.
  void set_key_handler(std::function<void(int key)> handler);

  void request_stop();

  // The operator UI, from any thread. Each injected UiInput is applied to one UI frame, in order.
  void inject_ui(std::vector<UiInput> frames);
  void set_ui_visible(bool visible);
  UiStats ui_stats() const;
  // The next UI frame as shown: Overlay, the wall's window with the UI over it; Window, the
  // panel window. Fails when there is no UI or it is hidden when the renderer stops.
  std::future<Image> capture_ui();

  // Creates the context and loops until request_stop() or the window closes. Returns 0, or
  // non-zero after logging why the context could not be made.
  int run();

  RenderStats stats() const;
  // Turns of the render loop so far: at least ~10 a second while it runs, whether it drew or
  // not (the service watchdog's sign of life). Never locks.
  std::uint64_t loop_turns() const;
  // Test hook of the watchdog's tests: the render thread stops at its next turn for `duration`
  // (or until request_stop), as a hung driver would hold it.
  void debug_stall(std::chrono::milliseconds duration);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vw::renderer
