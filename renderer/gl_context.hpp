// The renderer's OpenGL 3.3 core context, in one of two backends:
//  - headless: EGL on Mesa's surfaceless platform; no window, no X server, no default
//    framebuffer (everything is drawn into framebuffer objects);
//  - windowed: a GLFW 3.3 window with vsync.
// GL entry points come through libepoxy in both.
// Threads: a context is created, used and destroyed on the render thread only; for GLFW that
// must be the process's main thread. post_empty_event() is the one call safe from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

struct GLFWwindow;

namespace vw::renderer {

class GlContext {
 public:
  virtual ~GlContext() = default;

  virtual bool windowed() const = 0;
  virtual GLFWwindow* glfw_window() const { return nullptr; }  // the windowed backend's window

  // Windowed backend only; the headless backend answers with no-ops.
  virtual void framebuffer_size(int* width, int* height) const {
    *width = 0;
    *height = 0;
  }
  virtual void swap_buffers() {}
  // Processes window events, waiting up to `timeout_s` for one (or a post_empty_event()).
  virtual void wait_events(double /*timeout_s*/) {}
  virtual bool should_close() const { return false; }
  // True once after the window was resized or needs repainting.
  virtual bool take_window_dirty() { return false; }
};

struct WindowConfig {
  int width = 1280;
  int height = 720;
  std::string title = "videowall";
  // Called on the render thread, from wait_events(), for each key press (GLFW key code).
  std::function<void(int key)> on_key;
};

// Each returns null and sets *error to a reason ("EGL: no surfaceless platform", ...) when the
// context cannot be made. On success the context is current on the calling thread.
std::unique_ptr<GlContext> create_headless_context(std::string* error);
std::unique_ptr<GlContext> create_window_context(const WindowConfig& config, std::string* error);

// Resets GLFW's window hints to a double-buffered OpenGL 3.3 core window (the wall's and the
// operator UI's own window ask for the same context).
void set_gl33_core_window_hints();

// Wakes a GLFW wait_events() from any thread; does nothing while GLFW is not initialized.
// Suitable as a streams::Wakeup hook.
void post_empty_event();

}  // namespace vw::renderer
