// The render paths (see docs/design.md, "Render paths"): names, parsing and the choice made at
// start. Pure functions, no GL: the config reads them too.
// Threads: any.
#pragma once

#include <optional>
#include <string_view>

namespace vw::renderer {

// How tiles get their pixels, chosen once when the context is made (RenderStats::render_path).
// Gpu: each new frame's YUV planes are uploaded and converted by the fragment shader at the
// tile's size. Cpu: each stream scales its frames to its tile on its own streaming thread
// (streams/frame_scaler.hpp) and the renderer copies the finished pixels into the composite; for
// software GL (Mesa llvmpipe), where every shaded pixel costs CPU time. Auto: Cpu when
// GL_RENDERER names a software rasterizer, else Gpu.
enum class RenderPath { Auto, Gpu, Cpu };
std::string_view to_string(RenderPath path);  // "auto", "gpu", "cpu"
std::optional<RenderPath> parse_render_path(std::string_view text);
RenderPath choose_render_path(RenderPath requested, std::string_view gl_renderer);

}  // namespace vw::renderer
