#include "renderer/picture_marks.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>

namespace vw::renderer {

bool mask_area(const TileDraw& tile, int width, int height, MaskArea* area) {
  if (tile.kind != TileDraw::Kind::Video || tile.masks == nullptr || tile.masks->empty())
    return false;
  int frame_w = 0, frame_h = 0;
  if (tile.image != nullptr) {
    frame_w = tile.image->source_w();
    frame_h = tile.image->source_h();
  } else if (tile.video != nullptr) {
    frame_w = tile.video->width();
    frame_h = tile.video->height();
  }
  const PixelRect r = to_pixels(tile.rect, width, height);
  if (frame_w <= 0 || frame_h <= 0 || empty(r)) return false;
  const Placement p = place_frame(r, frame_w, frame_h, tile.fit);
  const double du = std::max(1e-6f, p.u1 - p.u0), dv = std::max(1e-6f, p.v1 - p.v0);
  area->clip = r;
  area->xy.clear();
  area->xy.reserve(tile.masks->size() * 2);
  for (const layouts::Point& m : *tile.masks) {
    area->xy.push_back(static_cast<float>(p.x + (m.x - p.u0) / du * p.w));
    area->xy.push_back(static_cast<float>(p.y + (m.y - p.v0) / dv * p.h));
  }
  return true;
}

std::vector<MaskArea> mask_areas(const std::vector<TileDraw>& draws, int width, int height) {
  std::vector<MaskArea> areas;
  MaskArea area;
  for (const TileDraw& tile : draws) {
    if (mask_area(tile, width, height, &area)) areas.push_back(area);
  }
  return areas;
}

MaskArea map_area(const MaskArea& area, int x0, int y0, double sx, double sy) {
  MaskArea out;
  // The clip grows outwards to whole pixels: a mask's edge never shows a sliver.
  const double cx0 = (area.clip.x - x0) * sx, cy0 = (area.clip.y - y0) * sy;
  const double cx1 = (area.clip.x + area.clip.w - x0) * sx;
  const double cy1 = (area.clip.y + area.clip.h - y0) * sy;
  out.clip = {static_cast<int>(std::floor(cx0)), static_cast<int>(std::floor(cy0)), 0, 0};
  out.clip.w = static_cast<int>(std::ceil(cx1)) - out.clip.x;
  out.clip.h = static_cast<int>(std::ceil(cy1)) - out.clip.y;
  out.xy.resize(area.xy.size());
  for (std::size_t i = 0; i + 1 < area.xy.size(); i += 2) {
    out.xy[i] = static_cast<float>((area.xy[i] - x0) * sx);
    out.xy[i + 1] = static_cast<float>((area.xy[i + 1] - y0) * sy);
  }
  return out;
}

void fill_masks(std::uint8_t* rgba, int stride, int width, int height, const MaskArea& area) {
  const PixelRect bounds = intersect(area.clip, {0, 0, width, height});
  if (empty(bounds)) return;
  for (std::size_t t = 0; t + 5 < area.xy.size(); t += 6) {
    const float ax = area.xy[t], ay = area.xy[t + 1];
    const float bx = area.xy[t + 2], by = area.xy[t + 3];
    const float cx = area.xy[t + 4], cy = area.xy[t + 5];
    const float turn = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    if (turn == 0) continue;
    const float sign = turn > 0 ? 1.0f : -1.0f;
    auto lo = [](float a, float b, float c) { return std::min({a, b, c}); };
    auto hi = [](float a, float b, float c) { return std::max({a, b, c}); };
    const int x0 = std::max(bounds.x, static_cast<int>(std::floor(lo(ax, bx, cx))));
    const int y0 = std::max(bounds.y, static_cast<int>(std::floor(lo(ay, by, cy))));
    const int x1 = std::min(bounds.x + bounds.w, static_cast<int>(std::ceil(hi(ax, bx, cx))));
    const int y1 = std::min(bounds.y + bounds.h, static_cast<int>(std::ceil(hi(ay, by, cy))));
    for (int y = y0; y < y1; ++y) {
      const float py = static_cast<float>(y) + 0.5f;
      std::uint8_t* row = rgba + static_cast<std::ptrdiff_t>(y) * stride;
      for (int x = x0; x < x1; ++x) {
        const float px = static_cast<float>(x) + 0.5f;
        const float e0 = sign * ((bx - ax) * (py - ay) - (by - ay) * (px - ax));
        const float e1 = sign * ((cx - bx) * (py - by) - (cy - by) * (px - bx));
        const float e2 = sign * ((ax - cx) * (py - cy) - (ay - cy) * (px - cx));
        if (e0 < 0 || e1 < 0 || e2 < 0) continue;
        std::uint8_t* p = row + static_cast<std::ptrdiff_t>(x) * 4;
        p[0] = p[1] = p[2] = kMaskGrey;
        p[3] = 255;
      }
    }
  }
}

std::string Watermark::line(const std::string& text, const std::string& id) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
  return text + " · " + stamp + " · " + id;
}

void Watermark::draw(FontRasterizer& font, const std::string& line, std::uint8_t* rgba, int stride,
                     int width, int height) {
  const int size = std::max(10, static_cast<int>(std::lround(height * 0.028)));
  if (line != line_ || size != size_) {
    line_ = line;
    size_ = size;
    rasterize(font);
  }
  if (text_.width == 0 || text_.height == 0) return;
  const int margin = std::max(4, static_cast<int>(std::lround(height * 0.015)));
  const int left = std::max(0, width - margin - outline_.width);
  const int top = std::max(0, height - margin - outline_.height);
  const int w = std::min(outline_.width, width - left);
  const int h = std::min(outline_.height, height - top);
  // The dark outline first, then the white glyphs: it reads on any picture.
  for (int y = 0; y < h; ++y) {
    std::uint8_t* row = rgba + static_cast<std::ptrdiff_t>(top + y) * stride +
                        static_cast<std::ptrdiff_t>(left) * 4;
    const std::size_t line_at =
        static_cast<std::size_t>(y) * static_cast<std::size_t>(outline_.width);
    for (int x = 0; x < w; ++x) {
      const int dark = outline_.coverage[line_at + static_cast<std::size_t>(x)];
      const int light = text_.coverage[line_at + static_cast<std::size_t>(x)];
      if (dark == 0 && light == 0) continue;
      std::uint8_t* p = row + static_cast<std::ptrdiff_t>(x) * 4;
      for (int c = 0; c < 3; ++c) {
        int v = p[c] * (255 - dark) / 255;
        v = (v * (255 - light) + 255 * light) / 255;
        p[c] = static_cast<std::uint8_t>(v);
      }
    }
  }
}

void Watermark::rasterize(FontRasterizer& font) {
  const TextBitmap glyphs = font.rasterize(line_, size_);
  text_ = {};
  outline_ = {};
  if (glyphs.width == 0 || glyphs.height == 0) return;
  // Both bitmaps are the glyphs' box grown by the outline's width on every side.
  const int grow = std::max(1, size_ / 14);
  const int w = glyphs.width + 2 * grow, h = glyphs.height + 2 * grow;
  const auto cells = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);
  text_ = {w, h, std::vector<std::uint8_t>(cells, 0)};
  outline_ = {w, h, std::vector<std::uint8_t>(cells, 0)};
  auto at = [w](int x, int y) {
    return static_cast<std::size_t>(y) * static_cast<std::size_t>(w) + static_cast<std::size_t>(x);
  };
  for (int y = 0; y < glyphs.height; ++y) {
    for (int x = 0; x < glyphs.width; ++x) {
      const std::uint8_t c =
          glyphs.coverage[static_cast<std::size_t>(y) * static_cast<std::size_t>(glyphs.width) +
                          static_cast<std::size_t>(x)];
      if (c == 0) continue;
      text_.coverage[at(x + grow, y + grow)] = static_cast<std::uint8_t>(c * 15 / 16);
      const auto dark = static_cast<std::uint8_t>(c * 3 / 4);
      for (int dy = 0; dy <= 2 * grow; ++dy)
        for (int dx = 0; dx <= 2 * grow; ++dx) {
          std::uint8_t& o = outline_.coverage[at(x + dx, y + dy)];
          o = std::max(o, dark);
        }
    }
  }
}

}  // namespace vw::renderer
