#include "renderer/overlay_painter.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <functional>
#include <optional>

namespace vw::renderer {

namespace {

constexpr Rgba kPanel{0.03f, 0.05f, 0.08f, 0.72f};
constexpr Rgba kTitle{0.55f, 0.78f, 1.0f, 1};
constexpr Rgba kLabel{0.80f, 0.84f, 0.90f, 1};
constexpr Rgba kNumber{1, 1, 1, 1};
constexpr Rgba kGood{0.45f, 0.90f, 0.55f, 1};
constexpr Rgba kBad{1.0f, 0.45f, 0.35f, 1};
constexpr Rgba kMarker{1.0f, 0.75f, 0.25f, 1};
constexpr Rgba kWaiting{0.62f, 0.64f, 0.68f, 1};
constexpr Rgba kBar{0.25f, 0.60f, 0.95f, 0.95f};
constexpr Rgba kBadge{0.86f, 0.10f, 0.10f, 0.95f};
constexpr Rgba kBanner{0.78f, 0.06f, 0.06f, 0.92f};
constexpr Rgba kWhite{1, 1, 1, 1};

constexpr std::array<double, 3> kScales{1.0, 0.8, 0.64};  // tried in turn when room is short

enum class Feed { Waiting, Stale, Live };

int px(double v) {
  return std::max(12, static_cast<int>(std::lround(v)));
}

std::string percent(double rate) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", std::clamp(rate, 0.0, 1.0) * 100);
  return buf;
}

std::string clock_text(std::chrono::system_clock::time_point t) {
  if (t.time_since_epoch().count() == 0) return "--:--";
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm local{};
  localtime_r(&seconds, &local);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d", local.tm_hour, local.tm_min);
  return buf;
}

void move(OverlayPanel& panel, int dx, int dy) {
  panel.rect.x += dx;
  panel.rect.y += dy;
  for (OverlayPrim& p : panel.prims) {
    p.rect.x += dx;
    p.rect.y += dy;
  }
}

// Builds one panel in its own coordinates (top-left at 0,0); move() places it.
class PanelBuilder {
 public:
  explicit PanelBuilder(TextCache& text) : text_(text) {}

  // Adds `s` with its top-left at (x, y); returns its width (0 without a font).
  int text(const std::string& s, int size, int x, int y, const Rgba& colour) {
    const auto* e = text_.get(s, size);
    if (e == nullptr) return 0;
    prims_.push_back({OverlayPrim::Kind::Text, {x, y, e->width, e->height}, s, size, colour});
    return e->width;
  }
  int measure(const std::string& s, int size) {
    const auto* e = text_.get(s, size);
    return e != nullptr ? e->width : 0;
  }
  int line_height(int size) {
    const auto* e = text_.get("国", size);
    return e != nullptr ? e->height : size * 3 / 2;
  }
  void fill(const PixelRect& r, const Rgba& colour) {
    prims_.push_back({OverlayPrim::Kind::Fill, r, {}, 0, colour});
  }
  // The panel: a background of w x h under everything added.
  OverlayPanel finish(int w, int h, const Rgba& background) {
    OverlayPanel panel;
    panel.rect = {0, 0, w, h};
    panel.prims.push_back({OverlayPrim::Kind::Fill, {0, 0, w, h}, {}, 0, background});
    for (OverlayPrim& p : prims_) panel.prims.push_back(std::move(p));
    prims_.clear();
    return panel;
  }

 private:
  TextCache& text_;
  std::vector<OverlayPrim> prims_;
};

class Layouter {
 public:
  Layouter(const OverlayInput& in, TextCache& text, int width, int height)
      : in_(in), b_(text), w_(width), h_(height), margin_(std::max(4, height / 90)) {
    zh_ = in.view->language == Language::Chinese;
    feed_ = in.cases == nullptr ? Feed::Waiting : in.cases->stale ? Feed::Stale : Feed::Live;
    for (const PixelRect& band : in.label_bands) {
      if (!empty(band)) forbidden_.push_back(band);
    }
  }

  OverlayLayout run() {
    const auto& wanted = in_.view->overlays;
    auto has = [&](Overlay o) {
      return std::find(wanted.begin(), wanted.end(), o) != wanted.end();
    };
    if (has(Overlay::Badges) && feed_ == Feed::Live) badges();
    if (has(Overlay::Counters)) place([this](double s) { return counters(s); }, false);
    if (has(Overlay::Categories)) place([this](double s) { return categories(s); }, false);
    if (has(Overlay::Ticker)) place([this](double s) { return ticker(s); }, true);
    if (has(Overlay::Streets)) place([this](double s) { return streets(s); }, true);
    if (!in_.view->alarm_banner.empty()) banner();
    return std::move(out_);
  }

 private:
  std::string marker() const {
    if (feed_ == Feed::Waiting) return zh_ ? "等待数据" : "Waiting for data";
    return zh_ ? "数据中断" : "Feed interrupted";
  }
  Rgba marker_colour() const { return feed_ == Feed::Waiting ? kWaiting : kMarker; }

  // The lowest free spot along the bottom edge (left or right), clear of label bands, badges
  // and the panels placed before; tries smaller sizes when there is none.
  void place(const std::function<OverlayPanel(double)>& build, bool right) {
    for (double scale : kScales) {
      OverlayPanel panel = build(scale);
      const int w = panel.rect.w, h = panel.rect.h;
      if (w > w_ - 2 * margin_ || h > h_ - 2 * margin_) continue;
      // Hug the side: the lowest free spot nearest the edge, moving inwards up to half the wall.
      const int step = std::max(1, h_ / 200);
      const int max_shift = std::min(w_ / 2, w_ - 2 * margin_ - w);
      for (int shift = 0; shift <= max_shift; shift += std::max(1, w_ / 100)) {
        const int x = right ? w_ - margin_ - w - shift : margin_ + shift;
        for (int y = h_ - margin_ - h; y >= margin_; y -= step) {
          const PixelRect spaced{x - margin_ / 2, y - margin_ / 2, w + margin_, h + margin_};
          auto hits = [&](const PixelRect& o) { return intersects(o, spaced); };
          if (std::any_of(forbidden_.begin(), forbidden_.end(), hits)) continue;
          move(panel, x, y);
          forbidden_.push_back(panel.rect);
          out_.panels.push_back(std::move(panel));
          return;
        }
      }
    }
    ++out_.not_placed;
  }

  OverlayPanel counters(double scale) {
    const int size = px(0.035 * h_ * scale);
    const int pad_x = size / 2, pad_y = size / 5;
    int x = pad_x;
    auto seg = [&](const std::string& s, const Rgba& c) { x += b_.text(s, size, x, pad_y, c); };
    if (feed_ == Feed::Live) {
      const CaseView& c = *in_.cases;
      seg(zh_ ? "今日上报 " : "Reported today ", kLabel);
      seg(std::to_string(c.reported_today), kNumber);
      seg(zh_ ? " · 办结率 " : " · Closed ", kLabel);
      seg(percent(c.closure_rate), kGood);
      seg(zh_ ? " · 超期 " : " · Overdue ", kLabel);
      seg(std::to_string(c.overdue), c.overdue > 0 ? kBad : kNumber);
      seg(zh_ ? " · 在办 " : " · Open ", kLabel);
      seg(std::to_string(c.open), kNumber);
    } else {
      seg(zh_ ? "今日上报 — · 办结率 — · 超期 —   " : "Reported today — · Closed — · Overdue —   ",
          kWaiting);
      seg(marker(), marker_colour());
    }
    return b_.finish(x + pad_x, b_.line_height(size) + 2 * pad_y, kPanel);
  }

  // A title, then rows of (name, number); `bars` draws a bar per row scaled to the largest.
  OverlayPanel table(const std::string& title,
                     const std::vector<std::pair<std::string, std::int64_t>>& rows, int size,
                     bool bars) {
    const int pad = size / 2;
    const int lh = b_.line_height(size);
    const int row = lh + size / 6;
    int y = pad;
    int width = b_.text(title, size, pad, y, kTitle);
    y += row + size / 4;
    if (feed_ != Feed::Live) {
      width = std::max(width, b_.text(marker(), size, pad, y, marker_colour()));
      return b_.finish(width + 2 * pad, y + lh + pad, kPanel);
    }
    if (rows.empty()) {
      width = std::max(width, b_.text(zh_ ? "暂无" : "None", size, pad, y, kWaiting));
      return b_.finish(width + 2 * pad, y + lh + pad, kPanel);
    }
    int name_w = 0, num_w = 0;
    std::int64_t most = 1;
    for (const auto& [name, n] : rows) {
      name_w = std::max(name_w, b_.measure(name, size));
      num_w = std::max(num_w, b_.measure(std::to_string(n), size));
      most = std::max(most, n);
    }
    const int bar_x = pad + name_w + size / 2;
    const int bar_max = bars ? 7 * size : 0;
    const int num_x = bar_x + bar_max + (bars ? size / 2 : 0);
    for (const auto& [name, n] : rows) {
      b_.text(name, size, pad, y, kLabel);
      if (bars && n > 0) {
        // 64-bit: a tall wall's bar (7 × a large font) times a count of 10^7 passes int.
        const int w = static_cast<int>(std::max<std::int64_t>(2, bar_max * n / most));
        b_.fill({bar_x, y + lh / 4, w, lh / 2}, kBar);
      }
      const std::string number = std::to_string(n);
      b_.text(number, size, num_x + num_w - b_.measure(number, size), y, kNumber);
      y += row;
    }
    width = std::max(width, num_x + num_w - pad);
    return b_.finish(width + 2 * pad, y + pad, kPanel);
  }

  OverlayPanel streets(double scale) {
    std::vector<std::pair<std::string, std::int64_t>> rows;
    if (in_.cases != nullptr) {
      for (const CaseCount& s : in_.cases->streets) rows.emplace_back(s.name, s.open);
    }
    return table(zh_ ? "各街道在办案件" : "Open cases by street", rows, px(0.022 * h_ * scale),
                 true);
  }

  OverlayPanel categories(double scale) {
    std::vector<std::pair<std::string, std::int64_t>> rows;
    if (in_.cases != nullptr) {
      for (const CaseCount& c : in_.cases->categories) {
        if (rows.size() == 5) break;
        rows.emplace_back(std::to_string(rows.size() + 1) + "  " + c.name, c.reported);
      }
    }
    return table(zh_ ? "高发案件类别" : "Top categories", rows, px(0.024 * h_ * scale), false);
  }

  OverlayPanel ticker(double scale) {
    const int size = px(0.022 * h_ * scale);
    const int pad = size / 2;
    const int lh = b_.line_height(size);
    const int row = lh + size / 6;
    int y = pad;
    int width = b_.text(zh_ ? "最新案件" : "Latest cases", size, pad, y, kTitle);
    y += row + size / 4;
    if (feed_ != Feed::Live) {
      width = std::max(width, b_.text(marker(), size, pad, y, marker_colour()));
      y += row;
    } else if (in_.cases->latest.empty()) {
      width = std::max(width, b_.text(zh_ ? "暂无" : "None", size, pad, y, kWaiting));
      y += row;
    } else {
      std::size_t shown = 0;
      for (const CaseTickerItem& item : in_.cases->latest) {
        if (shown++ == 5) break;
        const std::string line = clock_text(item.reported_at) + "  " + item.street + " " +
                                 item.category + " " +
                                 case_status_text(item.status, in_.view->language);
        const bool bad = item.major || item.status == "overdue";
        width = std::max(width, b_.text(line, size, pad, y, bad ? kBad : kLabel));
        y += row;
      }
    }
    return b_.finish(width + 2 * pad, y - row + lh + pad, kPanel);
  }

  // A red badge with the street's open-case count at each such tile's top-right corner (below
  // the label band when the label reaches that far).
  void badges() {
    const CaseView& c = *in_.cases;
    const auto& open = c.streets_with_open_cases;
    for (std::size_t i = 0; i < in_.view->tiles.size() && i < in_.tiles.size(); ++i) {
      const TileView& tile = in_.view->tiles[i];
      if (tile.street.empty() || tile.camera_id.empty()) continue;
      if (std::find(open.begin(), open.end(), tile.street) == open.end()) continue;
      std::string number = "!";
      for (const CaseCount& s : c.streets) {
        if (s.name == tile.street) number = std::to_string(s.open);
      }
      const PixelRect& r = in_.tiles[i];
      const int size = std::clamp(static_cast<int>(std::lround(r.h * 0.07)), 12, 40);
      const int lh = b_.line_height(size);
      const int pad = size / 3;
      const int tw = b_.measure(number, size);
      const int w = std::max(lh, tw + 2 * pad);
      b_.text(number, size, (w - tw) / 2, 0, kWhite);
      OverlayPanel panel = b_.finish(w, lh, kBadge);
      const int inset = std::max(2, size / 4);
      PixelRect spot{r.x + r.w - inset - w, r.y + inset, w, lh};
      if (i < in_.label_bands.size() && intersects(spot, in_.label_bands[i])) {
        spot.y = in_.label_bands[i].y + in_.label_bands[i].h + inset;
      }
      if (!empty(r) && spot.x >= r.x && spot.y + spot.h <= r.y + r.h) {
        move(panel, spot.x, spot.y);
        forbidden_.push_back(panel.rect);
        out_.panels.push_back(std::move(panel));
      } else {
        ++out_.not_placed;  // the tile is too small for it
      }
    }
  }

  // One line, white on red, at the top centre: as high as it can be without covering a label
  // band (within the top quarter), else at the very top.
  void banner() {
    const std::string& message = in_.view->alarm_banner;
    int size = px(0.04 * h_);
    const int max_w = w_ * 9 / 10;
    if (const int tw = b_.measure(message, size); tw > max_w - size) {
      size = std::max(12, size * (max_w - size) / tw);
    }
    const int pad_x = size / 2, pad_y = size / 5;
    const int tw = b_.text(message, size, pad_x, pad_y, kWhite);
    OverlayPanel panel =
        b_.finish(std::min(w_, tw + 2 * pad_x), b_.line_height(size) + 2 * pad_y, kBanner);
    const int x = std::max(0, (w_ - panel.rect.w) / 2);
    int y = margin_;
    for (int t = margin_; t + panel.rect.h <= h_ / 4; t += std::max(1, h_ / 200)) {
      const PixelRect r{x, t, panel.rect.w, panel.rect.h};
      auto hits = [&](const PixelRect& band) { return intersects(band, r); };
      if (std::none_of(in_.label_bands.begin(), in_.label_bands.end(), hits)) {
        y = t;
        break;
      }
    }
    move(panel, x, y);
    out_.panels.push_back(std::move(panel));
  }

  const OverlayInput& in_;
  PanelBuilder b_;
  int w_, h_, margin_;
  bool zh_ = true;
  Feed feed_ = Feed::Waiting;
  std::vector<PixelRect> forbidden_;  // label bands and the panels placed so far
  OverlayLayout out_;
};

}  // namespace

const char* case_status_text(const std::string& status, Language language) {
  const bool zh = language == Language::Chinese;
  if (status == "reported") return zh ? "已上报" : "reported";
  if (status == "dispatched") return zh ? "已派遣" : "dispatched";
  if (status == "closed") return zh ? "已办结" : "closed";
  if (status == "overdue") return zh ? "已超期" : "overdue";
  return zh ? "处理中" : "in progress";
}

OverlayLayout layout_overlays(const OverlayInput& input, TextCache& text, int width, int height) {
  if (input.view == nullptr) return {};
  return Layouter(input, text, width, height).run();
}

void paint_panel(const OverlayPanel& panel, TileCompositor& compositor) {
  for (const OverlayPrim& p : panel.prims) {
    if (p.kind == OverlayPrim::Kind::Fill) {
      compositor.fill(p.rect, p.colour);
    } else if (const auto* e = compositor.text().get(p.text, p.size)) {
      compositor.draw_text(*e, p.rect.x, p.rect.y, p.colour);
    }
  }
}

}  // namespace vw::renderer
