#include "renderer/wall_composer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

namespace vw::renderer {

void add_disjoint(std::vector<PixelRect>* set, const PixelRect& r) {
  if (empty(r)) return;
  std::vector<PixelRect> pieces{r};
  for (const PixelRect& s : *set) {
    std::vector<PixelRect> next;
    for (const PixelRect& p : pieces) {
      const PixelRect i = intersect(p, s);
      if (empty(i)) {
        next.push_back(p);
        continue;
      }
      // The parts of p around i: above and below (p's width), left and right (i's rows).
      if (i.y > p.y) next.push_back({p.x, p.y, p.w, i.y - p.y});
      if (i.y + i.h < p.y + p.h) next.push_back({p.x, i.y + i.h, p.w, p.y + p.h - (i.y + i.h)});
      if (i.x > p.x) next.push_back({p.x, i.y, i.x - p.x, i.h});
      if (i.x + i.w < p.x + p.w) next.push_back({i.x + i.w, i.y, p.x + p.w - (i.x + i.w), i.h});
    }
    pieces.swap(next);
    if (pieces.empty()) return;
  }
  set->insert(set->end(), pieces.begin(), pieces.end());
}

WallComposer::WallComposer(const std::string& font_path, int max_texture_size)
    : compositor_(font_path), max_texture_size_(max_texture_size) {}

std::pair<int, int> WallComposer::output_size(const WallView& view) const {
  return {std::clamp(view.width, 16, max_texture_size_),
          std::clamp(view.height, 16, max_texture_size_)};
}

bool WallComposer::ensure_target(int width, int height) {
  if (fbo_ && width == width_ && height == height_) return false;
  color_ = gl::make_texture(true);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  if (!fbo_) fbo_ = gl::Framebuffer::create();
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_.get());
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, color_.get(), 0);
  const GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
  if (status != GL_FRAMEBUFFER_COMPLETE) {
    throw std::runtime_error("the offscreen framebuffer " + std::to_string(width) + "x" +
                             std::to_string(height) + " is incomplete (status " +
                             std::to_string(status) + ")");
  }
  width_ = width;
  height_ = height;
  valid_ = false;
  spdlog::info("renderer: wall output {}x{}", width, height);
  return true;
}

ComposeResult WallComposer::compose(const WallView& view, const std::vector<TileDraw>& draws,
                                    const CaseView* cases, bool view_changed, bool cases_changed,
                                    bool full) {
  ComposeResult result;
  const auto [out_w, out_h] = output_size(view);
  ensure_target(out_w, out_h);
  full = full || view_changed || !valid_ || drawn_.size() != draws.size();
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_.get());
  compositor_.begin(width_, height_, color_.get());
  const PixelRect whole{0, 0, width_, height_};

  std::vector<PixelRect> tiles(draws.size());
  for (std::size_t i = 0; i < draws.size(); ++i) {
    tiles[i] = to_pixels(draws[i].rect, width_, height_);
  }
  std::vector<PixelRect> regions;
  if (full) add_disjoint(&regions, whole);

  drawn_.resize(draws.size());
  for (std::size_t i = 0; i < draws.size(); ++i) {
    const TileDraw& d = draws[i];
    const TileSignature now{d.kind, d.video, d.image, d.content, d.state, d.quality};
    if (now == drawn_[i]) continue;
    drawn_[i] = now;
    if (!full) add_disjoint(&regions, tiles[i]);
  }

  if (full || cases_changed) {
    OverlayInput in;
    in.view = &view;
    in.cases = cases;
    in.tiles = tiles;
    for (const TileDraw& d : draws) in.label_bands.push_back(compositor_.label_band(d));
    OverlayLayout layout = layout_overlays(in, compositor_.text(), width_, height_);
    if (!full) {
      auto contains = [](const std::vector<OverlayPanel>& list, const OverlayPanel& p) {
        return std::find(list.begin(), list.end(), p) != list.end();
      };
      for (const OverlayPanel& p : panels_) {
        if (!contains(layout.panels, p)) add_disjoint(&regions, intersect(p.rect, whole));
      }
      for (const OverlayPanel& p : layout.panels) {
        if (!contains(panels_, p)) add_disjoint(&regions, intersect(p.rect, whole));
      }
    }
    if (layout.not_placed > 0 && layout.not_placed != not_placed_) {
      spdlog::warn("renderer: layout {}: {} overlay panel(s) find no room clear of the labels",
                   view.layout_name, layout.not_placed);
    }
    panels_ = std::move(layout.panels);
    not_placed_ = layout.not_placed;
  }

  // Software path: the copied video of each tile. A copy that no tile below it overlaps goes
  // first, before anything is drawn: on llvmpipe a copy into the composite waits for the drawing
  // queued before it, so the copies cost one wait per composite, not one per tile.
  std::vector<PixelRect> copied;
  std::vector<bool> copied_first(draws.size(), false);
  for (std::size_t i = 0; i < draws.size(); ++i) {
    const PixelRect r = compositor_.copied_rect(draws[i]);
    if (empty(r)) continue;
    copied.push_back(r);
    copied_first[i] = std::none_of(tiles.begin(), tiles.begin() + static_cast<std::ptrdiff_t>(i),
                                   [&](const PixelRect& below) { return intersects(below, r); });
  }
  for (const PixelRect& region : regions) {
    for (std::size_t i = 0; i < draws.size(); ++i) {
      if (copied_first[i] && intersects(tiles[i], region)) compositor_.copy_video(draws[i], region);
    }
  }
  for (const PixelRect& region : regions) {
    // Clear only what no copied video overwrites: on software GL a clear is a shaded quad.
    std::vector<PixelRect> uncovered = copied;
    const std::size_t first = uncovered.size();
    add_disjoint(&uncovered, region);
    for (std::size_t k = first; k < uncovered.size(); ++k) compositor_.clear(uncovered[k]);
    for (std::size_t i = 0; i < draws.size(); ++i) {
      if (!intersects(tiles[i], region)) continue;
      compositor_.draw(draws[i], view.language, region, copied_first[i]);
      ++result.tile_draws;
    }
    for (const OverlayPanel& panel : panels_) {
      const PixelRect clip = intersect(panel.rect, region);
      if (empty(clip)) continue;
      compositor_.set_clip(clip);
      paint_panel(panel, compositor_);
    }
  }
  compositor_.end();
  valid_ = true;
  result.drew = !regions.empty();
  result.full = full;
  result.regions = static_cast<int>(regions.size());
  result.overlays_not_placed = not_placed_;
  return result;
}

Image WallComposer::read_back() const {
  Image image;
  image.width = width_;
  image.height = height_;
  image.rgba.resize(static_cast<std::size_t>(width_) * 4 * static_cast<std::size_t>(height_));
  // The composite is top row first (gl::Rows::TopFirst): read as it is.
  glBindFramebuffer(GL_READ_FRAMEBUFFER, fbo_.get());
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glPixelStorei(GL_PACK_ROW_LENGTH, 0);
  glReadPixels(0, 0, width_, height_, GL_RGBA, GL_UNSIGNED_BYTE, image.rgba.data());
  glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
  return image;
}

}  // namespace vw::renderer
