#include "renderer/gl_context.hpp"

#include <epoxy/egl.h>
#include <epoxy/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <mutex>
#include <string_view>

namespace vw::renderer {

namespace {

bool has_word(const char* list, std::string_view word) {
  if (list == nullptr) return false;
  std::string_view rest(list);
  while (!rest.empty()) {
    const auto space = rest.find(' ');
    if (rest.substr(0, space) == word) return true;
    if (space == std::string_view::npos) break;
    rest.remove_prefix(space + 1);
  }
  return false;
}

std::string egl_error_name(EGLint code) {
  switch (code) {
    case EGL_SUCCESS:
      return "EGL_SUCCESS";
    case EGL_NOT_INITIALIZED:
      return "EGL_NOT_INITIALIZED";
    case EGL_BAD_ACCESS:
      return "EGL_BAD_ACCESS";
    case EGL_BAD_ALLOC:
      return "EGL_BAD_ALLOC";
    case EGL_BAD_ATTRIBUTE:
      return "EGL_BAD_ATTRIBUTE";
    case EGL_BAD_CONFIG:
      return "EGL_BAD_CONFIG";
    case EGL_BAD_CONTEXT:
      return "EGL_BAD_CONTEXT";
    case EGL_BAD_DISPLAY:
      return "EGL_BAD_DISPLAY";
    case EGL_BAD_MATCH:
      return "EGL_BAD_MATCH";
    case EGL_BAD_PARAMETER:
      return "EGL_BAD_PARAMETER";
    case EGL_BAD_SURFACE:
      return "EGL_BAD_SURFACE";
    default:
      return "EGL error " + std::to_string(code);
  }
}

// ---- EGL surfaceless -------------------------------------------------------------------------

// The surfaceless display is one per process: count its users so that one renderer's teardown
// does not terminate it under another's feet.
std::mutex egl_display_mutex;
int egl_display_users = 0;

class EglDisplayRef {
 public:
  // Acquires the surfaceless display, initializing it for the first user.
  static EglDisplayRef acquire(std::string* error) {
    const char* client_extensions = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
    if (!has_word(client_extensions, "EGL_MESA_platform_surfaceless")) {
      *error =
          "EGL: no surfaceless platform (EGL_MESA_platform_surfaceless missing; client "
          "extensions: " +
          std::string(client_extensions ? client_extensions : "none") + ")";
      return EglDisplayRef();
    }
    if (!has_word(client_extensions, "EGL_EXT_platform_base")) {
      *error = "EGL: no EGL_EXT_platform_base";
      return EglDisplayRef();
    }
    // The EXT entry point: with no display yet, libepoxy cannot see that EGL is 1.5.
    EGLDisplay display =
        eglGetPlatformDisplayEXT(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
    if (display == EGL_NO_DISPLAY) {
      *error = "EGL: no surfaceless display (" + egl_error_name(eglGetError()) + ")";
      return EglDisplayRef();
    }
    std::lock_guard lock(egl_display_mutex);
    if (egl_display_users == 0) {
      EGLint major = 0, minor = 0;
      if (eglInitialize(display, &major, &minor) != EGL_TRUE) {
        *error = "EGL: cannot initialize the surfaceless display (" +
                 egl_error_name(eglGetError()) + ")";
        return EglDisplayRef();
      }
      spdlog::debug("renderer: EGL {}.{} surfaceless display initialized", major, minor);
    }
    ++egl_display_users;
    return EglDisplayRef(display);
  }

  EglDisplayRef() = default;
  ~EglDisplayRef() {
    if (display_ == EGL_NO_DISPLAY) return;
    std::lock_guard lock(egl_display_mutex);
    if (--egl_display_users == 0) eglTerminate(display_);
  }
  EglDisplayRef(EglDisplayRef&& other) noexcept : display_(other.display_) {
    other.display_ = EGL_NO_DISPLAY;
  }
  EglDisplayRef& operator=(EglDisplayRef&&) = delete;
  EglDisplayRef(const EglDisplayRef&) = delete;

  EGLDisplay get() const { return display_; }

 private:
  explicit EglDisplayRef(EGLDisplay display) : display_(display) {}
  EGLDisplay display_ = EGL_NO_DISPLAY;
};

class EglContext final : public GlContext {
 public:
  EglContext(EglDisplayRef display, EGLContext context)
      : display_(std::move(display)), context_(context) {}
  ~EglContext() override {
    eglMakeCurrent(display_.get(), EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    eglDestroyContext(display_.get(), context_);
    eglReleaseThread();
  }
  EglContext(const EglContext&) = delete;
  EglContext& operator=(const EglContext&) = delete;

  bool windowed() const override { return false; }
  EGLDisplay display() const { return display_.get(); }

 private:
  EglDisplayRef display_;  // destroyed after the context (declared first)
  EGLContext context_;
};

// ---- GLFW ------------------------------------------------------------------------------------

// GLFW is process-global: initialized for the first window, terminated after the last one.
// post_empty_event() checks glfw_alive under the same mutex, so it never races terminate.
std::mutex glfw_mutex;
int glfw_users = 0;
bool glfw_alive = false;

void glfw_error(int code, const char* description) {
  spdlog::warn("renderer: GLFW error {:#x}: {}", code, description ? description : "?");
}

std::string glfw_last_error() {
  const char* description = nullptr;
  const int code = glfwGetError(&description);
  if (code == GLFW_NO_ERROR) return "no detail";
  return description ? description : "error " + std::to_string(code);
}

bool glfw_acquire(std::string* error) {
  std::lock_guard lock(glfw_mutex);
  if (glfw_users == 0) {
    glfwSetErrorCallback(glfw_error);
    if (glfwInit() != GLFW_TRUE) {
      *error = "GLFW: cannot initialize (" + glfw_last_error() + ")";
      return false;
    }
    glfw_alive = true;
  }
  ++glfw_users;
  return true;
}

void glfw_release() {
  std::lock_guard lock(glfw_mutex);
  if (--glfw_users == 0) {
    glfw_alive = false;
    glfwTerminate();
  }
}

class GlfwContext final : public GlContext {
 public:
  GlfwContext(GLFWwindow* window, std::function<void(int)> on_key)
      : window_(window), on_key_(std::move(on_key)) {
    glfwSetWindowUserPointer(window_, this);
    glfwSetKeyCallback(window_, [](GLFWwindow* w, int key, int, int action, int) {
      auto* self = static_cast<GlfwContext*>(glfwGetWindowUserPointer(w));
      if (action == GLFW_PRESS && self->on_key_) self->on_key_(key);
    });
    glfwSetFramebufferSizeCallback(window_, [](GLFWwindow* w, int, int) {
      static_cast<GlfwContext*>(glfwGetWindowUserPointer(w))->dirty_ = true;
    });
    glfwSetWindowRefreshCallback(window_, [](GLFWwindow* w) {
      static_cast<GlfwContext*>(glfwGetWindowUserPointer(w))->dirty_ = true;
    });
  }
  ~GlfwContext() override {
    glfwMakeContextCurrent(nullptr);
    glfwDestroyWindow(window_);
    glfw_release();
  }
  GlfwContext(const GlfwContext&) = delete;
  GlfwContext& operator=(const GlfwContext&) = delete;

  bool windowed() const override { return true; }
  GLFWwindow* glfw_window() const override { return window_; }
  void framebuffer_size(int* width, int* height) const override {
    glfwGetFramebufferSize(window_, width, height);
  }
  void swap_buffers() override { glfwSwapBuffers(window_); }
  void wait_events(double timeout_s) override {
    if (timeout_s <= 0) {
      glfwPollEvents();
    } else {
      glfwWaitEventsTimeout(timeout_s);
    }
  }
  bool should_close() const override { return glfwWindowShouldClose(window_) == GLFW_TRUE; }
  bool take_window_dirty() override { return std::exchange(dirty_, false); }

 private:
  GLFWwindow* window_;
  std::function<void(int)> on_key_;
  bool dirty_ = true;
};

}  // namespace

std::unique_ptr<GlContext> create_headless_context(std::string* error) {
  EglDisplayRef display = EglDisplayRef::acquire(error);
  if (display.get() == EGL_NO_DISPLAY) return nullptr;
  if (!has_word(eglQueryString(display.get(), EGL_EXTENSIONS), "EGL_KHR_surfaceless_context")) {
    *error = "EGL: the surfaceless display lacks EGL_KHR_surfaceless_context";
    return nullptr;
  }
  if (eglBindAPI(EGL_OPENGL_API) != EGL_TRUE) {
    *error = "EGL: desktop OpenGL is not available (" + egl_error_name(eglGetError()) + ")";
    return nullptr;
  }
  const EGLint config_attribs[] = {EGL_SURFACE_TYPE,
                                   EGL_PBUFFER_BIT,
                                   EGL_RENDERABLE_TYPE,
                                   EGL_OPENGL_BIT,
                                   EGL_RED_SIZE,
                                   8,
                                   EGL_GREEN_SIZE,
                                   8,
                                   EGL_BLUE_SIZE,
                                   8,
                                   EGL_NONE};
  EGLConfig config = nullptr;
  EGLint count = 0;
  if (eglChooseConfig(display.get(), config_attribs, &config, 1, &count) != EGL_TRUE || count < 1) {
    if (!has_word(eglQueryString(display.get(), EGL_EXTENSIONS), "EGL_KHR_no_config_context")) {
      *error = "EGL: no config for desktop OpenGL on the surfaceless display";
      return nullptr;
    }
    config = EGL_NO_CONFIG_KHR;
  }
  const EGLint context_attribs[] = {EGL_CONTEXT_MAJOR_VERSION,
                                    3,
                                    EGL_CONTEXT_MINOR_VERSION,
                                    3,
                                    EGL_CONTEXT_OPENGL_PROFILE_MASK,
                                    EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
                                    EGL_NONE};
  EGLContext context = eglCreateContext(display.get(), config, EGL_NO_CONTEXT, context_attribs);
  if (context == EGL_NO_CONTEXT) {
    *error =
        "EGL: cannot create an OpenGL 3.3 core context (" + egl_error_name(eglGetError()) + ")";
    return nullptr;
  }
  auto result = std::make_unique<EglContext>(std::move(display), context);
  if (eglMakeCurrent(result->display(), EGL_NO_SURFACE, EGL_NO_SURFACE, context) != EGL_TRUE) {
    *error = "EGL: cannot make the context current (" + egl_error_name(eglGetError()) + ")";
    return nullptr;
  }
  return result;
}

void set_gl33_core_window_hints() {
  glfwDefaultWindowHints();
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_DOUBLEBUFFER, GLFW_TRUE);
}

std::unique_ptr<GlContext> create_window_context(const WindowConfig& config, std::string* error) {
  if (!glfw_acquire(error)) return nullptr;
  set_gl33_core_window_hints();
  GLFWwindow* window = glfwCreateWindow(config.width > 0 ? config.width : 1280,
                                        config.height > 0 ? config.height : 720,
                                        config.title.c_str(), nullptr, nullptr);
  if (window == nullptr) {
    *error = "GLFW: cannot create an OpenGL 3.3 core window (" + glfw_last_error() + ")";
    glfw_release();
    return nullptr;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(1);
  return std::make_unique<GlfwContext>(window, config.on_key);
}

void post_empty_event() {
  std::lock_guard lock(glfw_mutex);
  if (glfw_alive) glfwPostEmptyEvent();
}

}  // namespace vw::renderer
