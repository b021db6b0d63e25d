#include "renderer/gl_util.hpp"

#include <stdexcept>
#include <vector>

namespace vw::renderer::gl {

namespace {

std::string shader_log(GLuint shader) {
  GLint length = 0;
  glGetShaderiv(shader, GL_INFO_LOG_LENGTH, &length);
  std::vector<char> log(static_cast<std::size_t>(length > 0 ? length : 1), '\0');
  glGetShaderInfoLog(shader, static_cast<GLsizei>(log.size()), nullptr, log.data());
  return log.data();
}

std::string program_log(GLuint program) {
  GLint length = 0;
  glGetProgramiv(program, GL_INFO_LOG_LENGTH, &length);
  std::vector<char> log(static_cast<std::size_t>(length > 0 ? length : 1), '\0');
  glGetProgramInfoLog(program, static_cast<GLsizei>(log.size()), nullptr, log.data());
  return log.data();
}

Shader compile(const std::string& name, GLenum type, const char* source) {
  Shader shader(glCreateShader(type));
  if (!shader) throw std::runtime_error(name + ": glCreateShader failed");
  glShaderSource(shader.get(), 1, &source, nullptr);
  glCompileShader(shader.get());
  GLint ok = GL_FALSE;
  glGetShaderiv(shader.get(), GL_COMPILE_STATUS, &ok);
  if (ok != GL_TRUE) {
    throw std::runtime_error(name + (type == GL_VERTEX_SHADER ? ": vertex" : ": fragment") +
                             " shader does not compile: " + shader_log(shader.get()));
  }
  return shader;
}

}  // namespace

Program build_program(const std::string& name, const char* vertex_source,
                      const char* fragment_source) {
  Shader vertex = compile(name, GL_VERTEX_SHADER, vertex_source);
  Shader fragment = compile(name, GL_FRAGMENT_SHADER, fragment_source);
  Program program = Program::create();
  if (!program) throw std::runtime_error(name + ": glCreateProgram failed");
  glAttachShader(program.get(), vertex.get());
  glAttachShader(program.get(), fragment.get());
  glLinkProgram(program.get());
  GLint ok = GL_FALSE;
  glGetProgramiv(program.get(), GL_LINK_STATUS, &ok);
  glDetachShader(program.get(), vertex.get());
  glDetachShader(program.get(), fragment.get());
  if (ok != GL_TRUE) {
    throw std::runtime_error(name + ": program does not link: " + program_log(program.get()));
  }
  return program;
}

const char* const kQuadVertexShader = R"(#version 330 core
uniform vec4 u_rect;
uniform vec2 u_target;
uniform vec4 u_uv;
uniform float u_flip;
out vec2 v_uv;
void main() {
  vec2 corner = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));
  vec2 pos = u_rect.xy + corner * u_rect.zw;
  v_uv = mix(u_uv.xy, u_uv.zw, corner);
  gl_Position =
      vec4(pos.x / u_target.x * 2.0 - 1.0, u_flip * (1.0 - pos.y / u_target.y * 2.0), 0.0, 1.0);
}
)";

void QuadUniforms::locate(GLuint program, Rows rows) {
  rect = glGetUniformLocation(program, "u_rect");
  target = glGetUniformLocation(program, "u_target");
  uv = glGetUniformLocation(program, "u_uv");
  glUseProgram(program);
  glUniform1f(glGetUniformLocation(program, "u_flip"), rows == Rows::TopFirst ? -1.0f : 1.0f);
}

void QuadUniforms::set(float x, float y, float w, float h, float target_w, float target_h, float u0,
                       float v0, float u1, float v1) const {
  glUniform4f(rect, x, y, w, h);
  glUniform2f(target, target_w, target_h);
  glUniform4f(uv, u0, v0, u1, v1);
}

Texture make_texture(bool linear) {
  Texture texture = Texture::create();
  glBindTexture(GL_TEXTURE_2D, texture.get());
  const GLint filter = linear ? GL_LINEAR : GL_NEAREST;
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAX_LEVEL, 0);
  return texture;
}

}  // namespace vw::renderer::gl
