#include "renderer/render_path.hpp"

namespace vw::renderer {

std::string_view to_string(RenderPath path) {
  switch (path) {
    case RenderPath::Gpu:
      return "gpu";
    case RenderPath::Cpu:
      return "cpu";
    case RenderPath::Auto:
      break;
  }
  return "auto";
}

std::optional<RenderPath> parse_render_path(std::string_view text) {
  for (RenderPath p : {RenderPath::Auto, RenderPath::Gpu, RenderPath::Cpu}) {
    if (text == to_string(p)) return p;
  }
  return std::nullopt;
}

RenderPath choose_render_path(RenderPath requested, std::string_view gl_renderer) {
  if (requested != RenderPath::Auto) return requested;
  // Mesa's software rasterizers; a GPU driver names its hardware.
  for (std::string_view software : {"llvmpipe", "softpipe", "swrast"}) {
    if (gl_renderer.find(software) != std::string_view::npos) return RenderPath::Cpu;
  }
  return RenderPath::Gpu;
}

}  // namespace vw::renderer
