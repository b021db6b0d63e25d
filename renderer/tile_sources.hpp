// Which picture each tile of a WallView shows: takes the newer frames from the shown streams'
// mailboxes and holds them as the render path wants, one slot per stream. GPU path: the YUV
// planes uploaded as textures. Software path: RGBA of the tile's exact size (scaled here only
// when the stream did not), with each shown stream asked for its tile's pixels (ScaleTarget) so
// that its own streaming thread makes them. A tile that a later tile covers whole takes nothing.
// Threads: render thread only, with the renderer's context current.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "renderer/tile_compositor.hpp"
#include "renderer/wall_view.hpp"
#include "renderer/yuv_program.hpp"
#include "streams/stream_channel.hpp"

namespace vw::renderer {

class TileSources {
 public:
  TileSources(bool cpu_path, int max_texture_size);
  ~TileSources();  // the streams it asked for tile pixels go back to frames as decoded
  TileSources(const TileSources&) = delete;
  TileSources& operator=(const TileSources&) = delete;

  struct Turn {
    bool changed = false;       // anything visible changed (a frame, a state)
    int uploads = 0;            // new frames taken
    std::uint64_t refused = 0;  // malformed frames not shown (logged once per stream)
  };
  // Fills `draws` (one per tile of `view`) for a composite of out_w x out_h; call once per
  // render turn. Label views in `draws` point into `view`.
  Turn prepare(const WallView& view, int out_w, int out_h, std::vector<TileDraw>* draws);

  // Forgets the streams `view` does not show (their textures and frames).
  void prune(const WallView& view);

 private:
  struct Slot;
  bool covered(const WallView& view, std::size_t index, const PixelRect& r, int out_w,
               int out_h) const;
  void show(Slot& slot, const PixelRect& tile, FitMode fit, TileDraw* d);
  Slot& refresh(const std::shared_ptr<streams::StreamChannel>& channel, const PixelRect& tile,
                FitMode fit);

  const bool cpu_path_;
  const int max_size_;
  std::uint64_t turn_ = 0;
  Turn result_;  // of the turn being prepared
  std::unordered_map<const streams::StreamChannel*, std::unique_ptr<Slot>> slots_;
};

}  // namespace vw::renderer
