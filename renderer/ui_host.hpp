// Hosts the operator UI (Dear ImGui) on the render thread: the ImGui context, Debian's GLFW and
// OpenGL3 backends, a font atlas with the common Chinese characters, and where the UI is shown:
//  - Overlay: over the wall's window, after the composite is scaled into it. The toggle key
//    shows and hides it; while shown, the window's keys belong to the UI.
//  - Window: a window of its own (sharing the wall's GL objects, so the wall's composite can be
//    shown as a miniature), optionally filling another monitor. The toggle key in either window
//    shows and hides it.
// Hidden, the UI builds no frames and draws nothing. Visible, it builds a frame after input, when
// injected input is queued, and at least every UiOptions::refresh. Each present draws the last
// built frame over the wall: directly while the operator interacts (frames come fast), from a
// texture of the window's size while the panel idles (one quad per present, where ImGui's many
// clipped draw calls cost llvmpipe several ms; figures in docs/benchmark.md).
// Threads: render thread only, with the wall's context current on entry and on return.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "renderer/gl_util.hpp"
#include "renderer/renderer.hpp"
#include "renderer/ui_types.hpp"

struct GLFWwindow;
struct ImGuiContext;

namespace vw::renderer {

class UiHost {
 public:
  using Clock = std::chrono::steady_clock;

  // `wall_window`: the wall's GLFW window (its context current). `font_path`: the font file and
  // face index the wall's text uses (the UI loads the same face). On failure ok() is false and
  // error() says why; the wall keeps running without a UI.
  UiHost(const UiOptions& options, GLFWwindow* wall_window, const std::string& font_file,
         long font_index);
  ~UiHost();
  UiHost(const UiHost&) = delete;
  UiHost& operator=(const UiHost&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  bool overlay() const { return options_.placement == UiPlacement::Overlay; }
  bool visible() const { return visible_; }
  void set_visible(bool visible);

  // A key pressed in the wall's window: true when the UI takes it (the toggle key, or any key
  // while the overlay is shown), so the wall's key handler must not see it.
  bool take_wall_key(int key);

  // Queues injected input, one UI frame each.
  void inject(std::deque<UiInput> frames);
  std::size_t injected_pending() const { return injected_.size(); }

  // Whether a UI frame should be built now; next_due() is when one will be (for the loop's wait).
  bool frame_due(Clock::time_point now) const;
  Clock::time_point next_due() const;

  // Builds a UI frame. Window placement: draws it into the panel window and leaves that
  // window's context current until finish_window_frame(); read_back_window() in between reads
  // it. Overlay: only builds; draw_overlay() draws the last built frame into the bound
  // framebuffer (the wall window's back buffer) and read_back_overlay() reads that.
  void build(const UiFrame& frame);
  Image read_back_window();
  void finish_window_frame();  // swaps the panel window; the wall's context is current again
  void draw_overlay();
  Image read_back_overlay(int width, int height) const;

  UiStats stats() const;

 private:
  bool create_panel_window(GLFWwindow* wall_window);
  bool load_font(const std::string& font_file, long font_index);
  void apply_injected();
  bool render_overlay_cache();  // the built frame into cache_ (overlay); false: minimized
  void note_input();            // from the GLFW callbacks

  friend struct UiCallbacks;

  UiOptions options_;
  bool ok_ = false;
  std::string error_;
  GLFWwindow* wall_window_ = nullptr;
  GLFWwindow* panel_window_ = nullptr;  // Window placement only
  GLFWwindow* ui_window_ = nullptr;     // the window ImGui is bound to
  ImGuiContext* context_ = nullptr;
  bool backends_ = false;
  bool visible_ = false;
  bool built_ = false;   // a frame has been built since shown: draw_overlay has data
  int frames_owed_ = 0;  // extra frames after input, for hover and release states to settle
  bool input_seen_ = false;
  Clock::time_point last_build_{};
  std::deque<UiInput> injected_;
  bool injected_mouse_ = false;  // injected input owns the mouse from the first injection on
  float mouse_x_ = -1, mouse_y_ = -1;
  bool buttons_[3] = {false, false, false};
  std::vector<int> keys_held_;  // injected keys to release next frame
  std::vector<unsigned short> glyph_ranges_;
  // Overlay: the last built frame, premultiplied alpha, and what blends it over the wall.
  gl::Framebuffer cache_fbo_;
  gl::Texture cache_;
  int cache_width_ = 0;
  int cache_height_ = 0;
  bool cached_ = false;  // the last built frame is in cache_ (else drawn from ImGui's lists)
  gl::Program blend_program_;
  gl::QuadUniforms blend_uniforms_;
  gl::VertexArray quad_vao_;
  UiStats stats_;
};

}  // namespace vw::renderer
