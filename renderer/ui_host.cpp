#include "renderer/ui_host.hpp"

#include <epoxy/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>

#include "renderer/gl_context.hpp"

namespace vw::renderer {

namespace {

double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// Draws a premultiplied-alpha texture (the cached overlay) as it is; blending does the rest.
constexpr const char* kCacheFragmentShader = R"(#version 330 core
uniform sampler2D u_overlay;
in vec2 v_uv;
out vec4 colour;
void main() { colour = texture(u_overlay, v_uv); }
)";

// After an input event the UI builds this many more frames, so that hover, release and drag
// states settle without waiting for the refresh interval.
constexpr int kFramesAfterInput = 3;

Image read_pixels(int width, int height) {
  Image image;
  if (width <= 0 || height <= 0) return image;
  image.width = width;
  image.height = height;
  image.rgba.resize(static_cast<std::size_t>(width) * height * 4);
  std::vector<std::uint8_t> rows(image.rgba.size());
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rows.data());
  const std::size_t stride = static_cast<std::size_t>(width) * 4;
  for (int y = 0; y < height; ++y) {  // GL's rows run bottom-up
    std::copy_n(rows.data() + static_cast<std::size_t>(height - 1 - y) * stride, stride,
                image.rgba.data() + static_cast<std::size_t>(y) * stride);
  }
  return image;
}

}  // namespace

// GLFW callbacks are plain function pointers: the one UI host of the process is reached through
// these statics. Each callback first chains to the one it replaced (ImGui's backend, which in
// turn chains to the wall window's own), then notes that input arrived.
struct UiCallbacks {
  static inline UiHost* host = nullptr;
  static inline GLFWkeyfun key = nullptr;
  static inline GLFWcharfun character = nullptr;
  static inline GLFWmousebuttonfun button = nullptr;
  static inline GLFWscrollfun scroll = nullptr;
  static inline GLFWcursorposfun cursor = nullptr;

  static void on_key(GLFWwindow* w, int k, int scancode, int action, int mods) {
    if (key) key(w, k, scancode, action, mods);
    if (host == nullptr) return;
    // In its own window the toggle key hides the panel; the wall window's goes through
    // take_wall_key() from the renderer's key routing.
    if (w == host->panel_window_ && action == GLFW_PRESS && k == host->options_.toggle_key) {
      host->set_visible(false);
    }
    host->note_input();
  }
  static void on_char(GLFWwindow* w, unsigned int c) {
    if (character) character(w, c);
    if (host) host->note_input();
  }
  static void on_button(GLFWwindow* w, int b, int action, int mods) {
    if (button) button(w, b, action, mods);
    if (host) host->note_input();
  }
  static void on_scroll(GLFWwindow* w, double x, double y) {
    if (scroll) scroll(w, x, y);
    if (host) host->note_input();
  }
  static void on_cursor(GLFWwindow* w, double x, double y) {
    if (cursor) cursor(w, x, y);
    if (host && host->visible_) host->note_input();
  }
  static void on_close(GLFWwindow* w) {
    // Closing the panel window hides it; the wall keeps running and the toggle key brings it
    // back.
    glfwSetWindowShouldClose(w, GLFW_FALSE);
    if (host) host->set_visible(false);
  }

  static void install(UiHost* h, GLFWwindow* w) {
    host = h;
    key = glfwSetKeyCallback(w, on_key);
    character = glfwSetCharCallback(w, on_char);
    button = glfwSetMouseButtonCallback(w, on_button);
    scroll = glfwSetScrollCallback(w, on_scroll);
    cursor = glfwSetCursorPosCallback(w, on_cursor);
  }
  static void uninstall(GLFWwindow* w) {
    glfwSetKeyCallback(w, key);
    glfwSetCharCallback(w, character);
    glfwSetMouseButtonCallback(w, button);
    glfwSetScrollCallback(w, scroll);
    glfwSetCursorPosCallback(w, cursor);
    host = nullptr;
  }
};

UiHost::UiHost(const UiOptions& options, GLFWwindow* wall_window, const std::string& font_file,
               long font_index)
    : options_(options), wall_window_(wall_window) {
  if (UiCallbacks::host != nullptr) {
    error_ = "one operator UI per process";
    return;
  }
  if (wall_window_ == nullptr) {
    error_ = "the operator UI needs a window (headless renderers have none)";
    return;
  }
  if (options_.placement == UiPlacement::Window) {
    if (!create_panel_window(wall_window_)) return;
    ui_window_ = panel_window_;
  } else {
    ui_window_ = wall_window_;
  }
  IMGUI_CHECKVERSION();
  context_ = ImGui::CreateContext();
  ImGui::SetCurrentContext(context_);
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // no imgui.ini in whatever folder the daemon runs in
  io.LogFilename = nullptr;
  ImGui::StyleColorsDark();
  ImGui::GetStyle().WindowRounding = 4;
  // Over live video a see-through panel is hard to read.
  ImGui::GetStyle().Colors[ImGuiCol_WindowBg].w = 0.97f;
  if (!load_font(font_file, font_index)) {
    spdlog::warn("renderer: operator UI: {}; Chinese text will show as '?'", error_);
    error_.clear();
  }
  glfwMakeContextCurrent(ui_window_);
  backends_ = ImGui_ImplGlfw_InitForOpenGL(ui_window_, true);
  backends_ = ImGui_ImplOpenGL3_Init("#version 330 core") && backends_;
  if (backends_) UiCallbacks::install(this, ui_window_);
  glfwMakeContextCurrent(wall_window_);
  if (!backends_) {
    error_ = "Dear ImGui's GLFW/OpenGL3 backends do not initialize";
    return;
  }
  if (overlay()) {
    try {
      blend_program_ = gl::build_program("ui overlay", gl::kQuadVertexShader, kCacheFragmentShader);
    } catch (const std::exception& e) {
      error_ = e.what();
      return;
    }
    blend_uniforms_.locate(blend_program_.get(), gl::Rows::BottomFirst);
    quad_vao_ = gl::VertexArray::create();
    cache_fbo_ = gl::Framebuffer::create();
    cache_ = gl::make_texture(false);
  }
  ok_ = true;
  set_visible(options_.visible);
  spdlog::info("renderer: operator UI ready ({}, {}, toggle key {})",
               overlay() ? "overlay" : "own window", visible_ ? "shown" : "hidden",
               options_.toggle_key);
}

UiHost::~UiHost() {
  if (backends_) {
    glfwMakeContextCurrent(ui_window_);
    UiCallbacks::uninstall(ui_window_);
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
  }
  if (context_ != nullptr) ImGui::DestroyContext(context_);
  if (panel_window_ != nullptr) glfwDestroyWindow(panel_window_);
  if (wall_window_ != nullptr) glfwMakeContextCurrent(wall_window_);
}

bool UiHost::create_panel_window(GLFWwindow* wall_window) {
  int width = options_.window_width > 0 ? options_.window_width : 1280;
  int height = options_.window_height > 0 ? options_.window_height : 800;
  int x = -1, y = -1;
  if (options_.monitor >= 0) {
    int count = 0;
    GLFWmonitor** monitors = glfwGetMonitors(&count);
    if (options_.monitor < count) {
      // Borderless, covering the monitor: the operator's screen, not the wall's.
      glfwGetMonitorWorkarea(monitors[options_.monitor], &x, &y, &width, &height);
    } else {
      spdlog::warn("renderer: operator UI: monitor {} not found ({} connected); using a window",
                   options_.monitor, count);
    }
  }
  set_gl33_core_window_hints();
  glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
  if (x >= 0) glfwWindowHint(GLFW_DECORATED, GLFW_FALSE);
  panel_window_ = glfwCreateWindow(width, height, "videowall 操作面板", nullptr, wall_window);
  if (panel_window_ == nullptr) {
    error_ = "cannot create the panel window";
    return false;
  }
  if (x >= 0) glfwSetWindowPos(panel_window_, x, y);
  glfwSetWindowCloseCallback(panel_window_, UiCallbacks::on_close);
  glfwMakeContextCurrent(panel_window_);
  glfwSwapInterval(0);  // the wall's window paces the loop; never wait twice per turn
  glfwMakeContextCurrent(wall_window);
  return true;
}

bool UiHost::load_font(const std::string& font_file, long font_index) {
  if (font_file.empty()) {
    error_ = "no font file";
    return false;
  }
  ImFontGlyphRangesBuilder builder;
  builder.AddRanges(ImGui::GetIO().Fonts->GetGlyphRangesChineseSimplifiedCommon());
  if (options_.glyph_texts) {
    for (const std::string& text : options_.glyph_texts()) builder.AddText(text.c_str());
  }
  builder.AddText("●▲■◆×↑↓—…·：，。（）【】");
  ImVector<ImWchar> ranges;
  builder.BuildRanges(&ranges);
  glyph_ranges_.assign(ranges.begin(), ranges.end());  // must outlive the atlas build
  ImFontConfig config;
  config.FontNo = static_cast<int>(font_index);
  config.OversampleH = 1;  // CJK glyphs are dense: keep the atlas small
  config.OversampleV = 1;
  config.PixelSnapH = true;
  ImFont* font = ImGui::GetIO().Fonts->AddFontFromFileTTF(font_file.c_str(), options_.font_size,
                                                          &config, glyph_ranges_.data());
  if (font == nullptr) {
    error_ = "font " + font_file + " does not load";
    return false;
  }
  return true;
}

void UiHost::set_visible(bool visible) {
  if (!ok_ || visible == visible_) return;
  visible_ = visible;
  built_ = false;
  frames_owed_ = kFramesAfterInput;
  ImGuiIO& io = ImGui::GetIO();
  // Keys and characters that arrived while hidden were not meant for the UI.
  io.InputQueueCharacters.resize(0);
  std::fill(std::begin(io.KeysDown), std::end(io.KeysDown), false);
  if (panel_window_ != nullptr) {
    if (visible_) {
      glfwShowWindow(panel_window_);
    } else {
      glfwHideWindow(panel_window_);
    }
  }
  spdlog::info("renderer: operator UI {}", visible_ ? "shown" : "hidden");
}

bool UiHost::take_wall_key(int key) {
  if (!ok_) return false;
  if (key == options_.toggle_key) {
    set_visible(!visible_);
    return true;
  }
  return overlay() && visible_;
}

void UiHost::inject(std::deque<UiInput> frames) {
  stats_.injected_queued += frames.size();
  for (auto& f : frames) injected_.push_back(std::move(f));
}

void UiHost::note_input() {
  input_seen_ = true;
}

bool UiHost::frame_due(Clock::time_point now) const {
  if (!ok_ || !visible_) return false;
  return input_seen_ || frames_owed_ > 0 || !injected_.empty() || !built_ ||
         now - last_build_ >= options_.refresh;
}

UiHost::Clock::time_point UiHost::next_due() const {
  if (!ok_ || !visible_) return Clock::time_point::max();
  if (input_seen_ || frames_owed_ > 0 || !injected_.empty() || !built_) return Clock::now();
  return last_build_ + options_.refresh;
}

void UiHost::apply_injected() {
  ImGuiIO& io = ImGui::GetIO();
  for (int k : keys_held_) io.KeysDown[k] = false;
  keys_held_.clear();
  if (!injected_.empty()) {
    UiInput input = std::move(injected_.front());
    injected_.pop_front();
    injected_mouse_ = true;
    ++stats_.injected_used;
    frames_owed_ = kFramesAfterInput;
    if (input.mouse) {
      mouse_x_ = (*input.mouse)[0];
      mouse_y_ = (*input.mouse)[1];
    }
    for (int i = 0; i < 3; ++i) {
      if (input.buttons[i]) buttons_[i] = *input.buttons[i];
    }
    for (int k : input.keys) {
      if (k < 0 || k >= static_cast<int>(std::size(io.KeysDown))) continue;
      io.KeysDown[k] = true;
      keys_held_.push_back(k);
    }
    if (!input.text.empty()) io.AddInputCharactersUTF8(input.text.c_str());
  }
  if (injected_mouse_) {  // after the backend, which polls the real pointer every frame
    io.MousePos = ImVec2(mouse_x_, mouse_y_);
    for (int i = 0; i < 3; ++i) io.MouseDown[i] = buttons_[i];
  }
}

void UiHost::build(const UiFrame& frame) {
  if (!ok_ || !visible_) return;
  const double cpu_start = thread_cpu_ms();
  if (panel_window_ != nullptr) {
    glFlush();  // the composite the miniature shows, finished before the other context reads it
    glfwMakeContextCurrent(panel_window_);
  }
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  // Frames built for input come quickly: drawn directly. A refresh of an idle panel is cached
  // for the presents until the next build.
  const bool interactive = input_seen_ || frames_owed_ > 0 || !injected_.empty();
  if (input_seen_) frames_owed_ = kFramesAfterInput;
  apply_injected();
  ImGui::NewFrame();
  UiFrame f = frame;
  f.width = ImGui::GetIO().DisplaySize.x;
  f.height = ImGui::GetIO().DisplaySize.y;
  f.overlay = overlay();
  if (options_.build) {
    try {
      options_.build(f);
    } catch (const std::exception& e) {
      // ImGui's window stack may be unbalanced now; EndFrame's error recovery closes it.
      spdlog::error("renderer: operator UI build threw: {}", e.what());
    }
  }
  ImGui::Render();
  if (panel_window_ != nullptr) {
    int width = 0, height = 0;
    glfwGetFramebufferSize(panel_window_, &width, &height);
    glViewport(0, 0, width, height);
    glClearColor(0.08f, 0.08f, 0.10f, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  } else if (interactive) {
    cached_ = false;
  } else {
    cached_ = render_overlay_cache();
  }
  input_seen_ = false;
  if (frames_owed_ > 0) --frames_owed_;
  last_build_ = Clock::now();
  built_ = true;
  ++stats_.frames;
  stats_.last_build_ms = thread_cpu_ms() - cpu_start;
  if (options_.on_frame) options_.on_frame(stats_.last_build_ms);
}

Image UiHost::read_back_window() {
  if (panel_window_ == nullptr) return {};
  int width = 0, height = 0;
  glfwGetFramebufferSize(panel_window_, &width, &height);
  return read_pixels(width, height);  // the panel's context is still current after build()
}

void UiHost::finish_window_frame() {
  if (panel_window_ == nullptr || !built_) return;
  glfwSwapBuffers(panel_window_);
  glfwMakeContextCurrent(wall_window_);
}

bool UiHost::render_overlay_cache() {
  int width = 0, height = 0;
  glfwGetFramebufferSize(wall_window_, &width, &height);
  if (width <= 0 || height <= 0) return false;  // minimized: nothing is presented
  GLint previous = 0;
  glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &previous);
  if (width != cache_width_ || height != cache_height_) {
    glBindTexture(GL_TEXTURE_2D, cache_.get());
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    glBindTexture(GL_TEXTURE_2D, 0);
    glBindFramebuffer(GL_FRAMEBUFFER, cache_fbo_.get());
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, cache_.get(), 0);
    cache_width_ = width;
    cache_height_ = height;
  }
  glBindFramebuffer(GL_FRAMEBUFFER, cache_fbo_.get());
  glViewport(0, 0, width, height);
  glClearColor(0, 0, 0, 0);
  glClear(GL_COLOR_BUFFER_BIT);
  // ImGui blends colour with (SRC_ALPHA, 1-SRC_ALPHA) and alpha with (1, 1-SRC_ALPHA): from a
  // transparent start the texture ends up premultiplied.
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(previous));
  return true;
}

void UiHost::draw_overlay() {
  if (!ok_ || !visible_ || !built_ || panel_window_ != nullptr) return;
  if (!cached_) {
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    return;
  }
  int width = 0, height = 0;
  glfwGetFramebufferSize(wall_window_, &width, &height);
  glViewport(0, 0, width, height);
  glUseProgram(blend_program_.get());
  glBindVertexArray(quad_vao_.get());
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, cache_.get());
  // The texture is bottom row first; the quad's top left takes v = 1. A window resized since the
  // frame was built stretches it until the next build (at most UiOptions::refresh).
  blend_uniforms_.set(0, 0, static_cast<float>(width), static_cast<float>(height),
                      static_cast<float>(width), static_cast<float>(height), 0, 1, 1, 0);
  glEnable(GL_BLEND);
  glBlendFunc(GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
  glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
  glDisable(GL_BLEND);
  glBindTexture(GL_TEXTURE_2D, 0);
  glBindVertexArray(0);
  glUseProgram(0);
}

Image UiHost::read_back_overlay(int width, int height) const {
  return read_pixels(width, height);
}

UiStats UiHost::stats() const {
  UiStats s = stats_;
  s.visible = visible_;
  s.error = error_;
  return s;
}

}  // namespace vw::renderer
