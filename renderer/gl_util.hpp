// RAII owners of GL names and small GL helpers.
// Threads: render thread only. Every object here must be created and destroyed while the
// renderer's context is current on that thread (the Renderer destroys them before the context).
#pragma once

#include <epoxy/gl.h>

#include <string>
#include <utility>

namespace vw::renderer::gl {

struct TextureTraits {
  static GLuint create() {
    GLuint name = 0;
    glGenTextures(1, &name);
    return name;
  }
  static void destroy(GLuint name) { glDeleteTextures(1, &name); }
};

struct FramebufferTraits {
  static GLuint create() {
    GLuint name = 0;
    glGenFramebuffers(1, &name);
    return name;
  }
  static void destroy(GLuint name) { glDeleteFramebuffers(1, &name); }
};

struct VertexArrayTraits {
  static GLuint create() {
    GLuint name = 0;
    glGenVertexArrays(1, &name);
    return name;
  }
  static void destroy(GLuint name) { glDeleteVertexArrays(1, &name); }
};

struct BufferTraits {
  static GLuint create() {
    GLuint name = 0;
    glGenBuffers(1, &name);
    return name;
  }
  static void destroy(GLuint name) { glDeleteBuffers(1, &name); }
};

struct ProgramTraits {
  static GLuint create() { return glCreateProgram(); }
  static void destroy(GLuint name) { glDeleteProgram(name); }
};

struct ShaderTraits {
  static void destroy(GLuint name) { glDeleteShader(name); }
};

// Move-only owner of one GL name; 0 means "none".
template <typename Traits>
class Handle {
 public:
  Handle() = default;
  explicit Handle(GLuint name) : name_(name) {}
  ~Handle() { reset(); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : name_(std::exchange(other.name_, 0)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      name_ = std::exchange(other.name_, 0);
    }
    return *this;
  }

  static Handle create() { return Handle(Traits::create()); }

  GLuint get() const { return name_; }
  explicit operator bool() const { return name_ != 0; }
  void reset() {
    if (name_ != 0) Traits::destroy(name_);
    name_ = 0;
  }

 private:
  GLuint name_ = 0;
};

using Texture = Handle<TextureTraits>;
using Framebuffer = Handle<FramebufferTraits>;
using VertexArray = Handle<VertexArrayTraits>;
using Buffer = Handle<BufferTraits>;
using Program = Handle<ProgramTraits>;
using Shader = Handle<ShaderTraits>;

// Compiles and links a program; throws std::runtime_error with the info log on failure.
// `name` only labels the error message.
Program build_program(const std::string& name, const char* vertex_source,
                      const char* fragment_source);

// The vertex shader every quad program shares: no vertex buffers, the four corners of a
// triangle strip come from gl_VertexID. Uniforms: u_rect (x, y, w, h in target pixels, y
// down), u_target (target size in pixels), u_uv (u0, v0, u1, v1 at the rect's top-left and
// bottom-right corners), u_flip (set by QuadUniforms::locate). Passes v_uv to the fragment
// shader.
extern const char* const kQuadVertexShader;

// How a target stores its rows. A window's framebuffer has GL's own bottom row first; the wall's
// composite keeps its top row first, so that a tile's pixels are copied into it as they come
// (the software path) and read back without flipping.
enum class Rows { BottomFirst, TopFirst };

// Uniform locations of the shared vertex shader, looked up once per program.
struct QuadUniforms {
  GLint rect = -1;
  GLint target = -1;
  GLint uv = -1;
  // Looks the uniforms up and fixes the program's row order (leaves the program in use).
  void locate(GLuint program, Rows rows);
  // Sets the destination rectangle (pixels, y down) and the texture coordinates.
  void set(float x, float y, float w, float h, float target_w, float target_h, float u0 = 0,
           float v0 = 0, float u1 = 1, float v1 = 1) const;
};

// A texture with sampling parameters set: linear or nearest, clamped to the edge.
Texture make_texture(bool linear);

}  // namespace vw::renderer::gl
