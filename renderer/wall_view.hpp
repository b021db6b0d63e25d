// What the wall should show, as one immutable value: built by the controller, published to the
// renderer, read only by the render thread. A new view replaces the old one whole.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "layouts/layout.hpp"
#include "layouts/privacy_mask.hpp"
#include "streams/stream_channel.hpp"

namespace vw::renderer {

enum class FitMode { Letterbox, Fill };
enum class StreamChoice { Main, Sub };
enum class Language { Chinese, English };

// Case-feed overlays a layout may show (the controller fills WallView::overlays per layout from
// the YAML config). Drawn above the video, never over a tile's label band.
enum class Overlay {
  Counters,  // strip at the bottom-left: 今日上报 N · 办结率 NN.N% · 超期 N · 在办 N
  Streets,   // bar chart of open cases per street, right side
  Categories,  // top 5 categories by reports, bottom-left above the counters
  Ticker,      // the latest cases, newest first, bottom-right
  Badges,      // a red badge with the open-case count at the top-right of each tile whose
               // TileView::street has open cases (CaseView::streets_with_open_cases)
};

struct TileView {
  layouts::Rect rect;     // normalized to the wall output
  std::string camera_id;  // empty: nothing assigned, the tile is drawn empty
  std::string label;      // camera's display name (Chinese), drawn top-left
  std::string street;     // the camera's street (街道), as CaseView names it; for badges
  std::shared_ptr<streams::StreamChannel> main;  // may be null when only a sub exists
  std::shared_ptr<streams::StreamChannel> sub;   // may be null
  // Which stream the tile should show. The renderer shows the preferred stream once it has a
  // live frame and keeps showing the other one (if it is live) until then: a seamless switch.
  StreamChoice preferred = StreamChoice::Main;
  FitMode fit = FitMode::Letterbox;
  // The camera's privacy masks: triangles (three points each) normalized to its picture
  // (layouts/privacy_mask.hpp); null when it has none.
  std::shared_ptr<const std::vector<layouts::Point>> masks;

  // The stream the tile is meant to show (the preferred one); may be null.
  const std::shared_ptr<streams::StreamChannel>& shown() const {
    return preferred == StreamChoice::Sub ? sub : main;
  }
};

struct WallView {
  int width = 1920;  // output size in pixels
  int height = 1080;
  std::vector<TileView> tiles;
  std::string layout_name;
  Language language = Language::Chinese;
  std::vector<Overlay> overlays;  // case overlays of this layout; empty: none
  std::string alarm_banner;       // non-empty: a red one-line banner at the top centre
  // The wall shows what the masks hide (masks.lift, an admin's audited Command). Outputs never do.
  bool masks_lifted = false;
  std::uint64_t version = 0;  // increases with each published view

  // The stream each tile shows (its main when it has no sub), each once: what the wall decodes
  // for display, and what the picture-quality diagnosis samples.
  std::vector<std::shared_ptr<streams::StreamChannel>> shown_streams() const {
    std::vector<std::shared_ptr<streams::StreamChannel>> shown;
    for (const auto& tile : tiles) {
      const auto& channel = tile.shown() ? tile.shown() : (tile.main ? tile.main : tile.sub);
      if (channel && std::find(shown.begin(), shown.end(), channel) == shown.end())
        shown.push_back(channel);
    }
    return shown;
  }
};

using WallViewPtr = std::shared_ptr<const WallView>;

}  // namespace vw::renderer
