// The picture of a simulated street camera, with or without a known defect (for the tests and
// benchmarks of the picture-quality diagnosis, 视频质量诊断).
//
// The scene: a textured background (buildings, windows, road surface; fixed per variant) with
// vehicles crossing it and a pedestrian walking, drawn into each I420 frame. A defect starts
// `onset_frames` frames into the stream, so a camera can be seen clean first (its baseline learnt)
// and then go wrong:
//   black        the picture goes black (黑屏)
//   frozen       the last clean frame repeats while frames keep coming (画面冻结)
//   blur         a Gaussian of the normal content, as a lens out of focus (模糊)
//   covered      a flat board over the lower half (遮挡)
//   colour_cast  chroma pushed towards red (偏色)
//   noise        the content mixed with snow (噪声/雪花)
//   too_dark     luminance scaled down, detail kept (过暗)
//   too_bright   luminance lifted and flattened, as against the sun (过亮)
//   shaking      each frame shifted by a few pixels at random, a loose mount in the wind (画面抖动)
//   scene_changed  the camera turned away: another stretch of street, same traffic (场景变更)
// The names are the diagnosis' check names.
// Threads: a ScenePainter belongs to one thread at a time (a GStreamer streaming thread).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace vw::streams {

enum class SimDefect {
  None,
  Black,
  Frozen,
  Blur,
  Covered,
  ColourCast,
  Noise,
  TooDark,
  TooBright,
  Shaking,
  Moved
};

// "none", "black", ... (the table above); nullopt for an unknown name.
std::optional<SimDefect> sim_defect_from_name(std::string_view name);
std::string_view sim_defect_name(SimDefect defect);
// Every name sim_defect_from_name() accepts, comma separated (for error messages).
std::string sim_defect_names();

struct ScenePlanes {  // one writable I420 frame
  std::array<std::uint8_t*, 3> data{};
  std::array<int, 3> stride{};
  int width = 0;
  int height = 0;
};

class ScenePainter {
 public:
  ScenePainter(int width, int height, int variant, SimDefect defect, std::int64_t onset_frames);
  ~ScenePainter();
  ScenePainter(const ScenePainter&) = delete;
  ScenePainter& operator=(const ScenePainter&) = delete;

  // Draws frame number `index` (0, 1, 2, ... of this stream) into `frame`, whose size must be
  // the painter's.
  void paint(const ScenePlanes& frame, std::int64_t index);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace vw::streams
