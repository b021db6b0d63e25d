#include "renderer/tile_sources.hpp"

#include <spdlog/spdlog.h>

#include <string>
#include <unordered_set>

namespace vw::renderer {

using streams::StreamChannel;
using streams::StreamState;

namespace {

// Software path: frames resized for other tiles than the one a stream's frames are made for.
constexpr std::size_t kResizedKept = 8;

}  // namespace

// One stream's newest frame as the render thread holds it, and what it knows of the stream.
struct TileSources::Slot {
  std::shared_ptr<StreamChannel> channel;  // keeps the key (the pointer) unique while held
  PlaneTextures planes;                    // GPU path: the YUV planes on the GPU
  // Software path: RGBA at the size of the first tile showing the stream (that tile's
  // ScaleTarget, also asked of the stream), and the same frame for other tiles of other sizes.
  streams::FramePtr image;
  std::vector<std::pair<streams::ScaleTarget, streams::FramePtr>> resized;
  std::optional<streams::ScaleTarget> requested;  // what the channel was asked for
  std::uint64_t target_turn = 0;                  // turn the request was last looked at
  std::uint64_t last_sequence = 0;                // of the frame in `planes` or `image`
  bool has_frame = false;  // `planes` holds a frame of the current Playing spell
  bool state_seen = false;
  StreamState last_state = StreamState::Idle;
  std::uint64_t refreshed_turn = 0;
  std::uint64_t uploads = 0;  // frames uploaded into `planes`
  bool refused_logged = false;

  bool live() const { return last_state == StreamState::Playing && has_frame; }
};

TileSources::Turn TileSources::prepare(const WallView& view, int out_w, int out_h,
                                       std::vector<TileDraw>* draws) {
  ++turn_;
  result_ = {};
  draws->resize(view.tiles.size());
  for (std::size_t i = 0; i < view.tiles.size(); ++i) {
    const TileView& tile = view.tiles[i];
    TileDraw& d = (*draws)[i];
    d.rect = tile.rect;
    d.fit = tile.fit;
    d.label = tile.label.empty() ? std::string_view(tile.camera_id) : tile.label;
    d.video = nullptr;
    d.image = nullptr;
    d.content = 0;
    d.state = StreamState::Idle;
    d.quality.clear();
    d.masks = tile.masks.get();
    d.masks_lifted = view.masks_lifted;
    if (tile.camera_id.empty()) {
      d.kind = TileDraw::Kind::Empty;
      continue;
    }
    const PixelRect px = to_pixels(tile.rect, out_w, out_h);
    if (covered(view, i, px, out_w, out_h)) {
      d.kind = TileDraw::Kind::Empty;  // never seen: its stream's frames are not taken
      continue;
    }
    d.kind = TileDraw::Kind::State;
    const auto* preferred = tile.preferred == StreamChoice::Main ? &tile.main : &tile.sub;
    const auto* other = tile.preferred == StreamChoice::Main ? &tile.sub : &tile.main;
    if (!*preferred) std::swap(preferred, other);
    if (!*preferred) continue;  // no stream at all: "offline"
    Slot& p = refresh(*preferred, px, tile.fit);
    d.state = p.last_state;
    if (p.live()) {
      show(p, px, tile.fit, &d);
      continue;
    }
    if (*other) {
      // The preferred stream has nothing live yet: keep showing the other one if it is live.
      Slot& o = refresh(*other, px, tile.fit);
      if (o.live()) show(o, px, tile.fit, &d);
    }
  }
  return result_;
}

// Tile `index` lies wholly under a later tile (drawn over it).
bool TileSources::covered(const WallView& view, std::size_t index, const PixelRect& r, int out_w,
                          int out_h) const {
  for (std::size_t j = index + 1; j < view.tiles.size(); ++j) {
    if (intersect(to_pixels(view.tiles[j].rect, out_w, out_h), r) == r) return true;
  }
  return false;
}

// The tile shows the slot's live frame: YUV planes, or (software path) RGBA of the tile's
// exact size, resized here from the slot's image when the tile is not the one it was made for.
void TileSources::show(Slot& slot, const PixelRect& tile, FitMode fit, TileDraw* d) {
  d->kind = TileDraw::Kind::Video;
  d->content = slot.uploads;
  if (const auto quality = slot.channel->quality(); quality && !quality->faults.empty())
    d->quality = quality->faults.front();
  if (!slot.image) {
    d->video = &slot.planes;
    return;
  }
  const streams::VideoFrame& image = *slot.image;
  const streams::ScaleTarget target =
      place_image(tile, image.source_w(), image.source_h(), fit).target;
  if (slot.target_turn != turn_) {
    // The first tile showing the stream this turn is the size its frames are made at.
    slot.target_turn = turn_;
    // Trimmed only here, before any tile of this turn points into the list.
    if (slot.resized.size() > kResizedKept) {
      slot.resized.erase(slot.resized.begin(),
                         slot.resized.end() - static_cast<std::ptrdiff_t>(kResizedKept));
    }
    if (slot.requested != target) {
      slot.channel->set_scale_target(target);
      slot.requested = target;
    }
  }
  if (streams::satisfies(image, target)) {
    d->image = &image;
    return;
  }
  for (const auto& [made_for, frame] : slot.resized) {
    if (made_for == target) {
      d->image = frame.get();
      return;
    }
  }
  // A new layout before the stream's next frame, or a second tile of another size. Kept until
  // the next frame; layouts switched many times over one frame keep only the latest few.
  if (streams::FramePtr resized = streams::scale_frame(image, target)) {
    d->image = resized.get();
    slot.resized.emplace_back(target, std::move(resized));
  } else {
    d->kind = TileDraw::Kind::State;
  }
}

TileSources::Slot& TileSources::refresh(const std::shared_ptr<StreamChannel>& channel,
                                        const PixelRect& tile, FitMode fit) {
  std::unique_ptr<Slot>& held = slots_[channel.get()];
  if (!held) {
    held = std::make_unique<Slot>();
    held->channel = channel;
  }
  Slot& slot = *held;
  if (slot.refreshed_turn == turn_) return slot;  // shown by two tiles: one look per turn
  // A stream nobody looked at last turn may hold an old frame: start from its newest.
  const bool continuous = slot.refreshed_turn + 1 == turn_;
  slot.refreshed_turn = turn_;

  const StreamState state = channel->state();
  if (!slot.state_seen || state != slot.last_state) {
    result_.changed = true;
    slot.state_seen = true;
    slot.last_state = state;
  }
  if (state != StreamState::Playing || !continuous) {
    // Never show a frame from before this Playing spell as live.
    slot.has_frame = false;
    slot.last_sequence = 0;
    slot.image.reset();
    slot.resized.clear();
    if (state != StreamState::Playing) return slot;
  }
  streams::FrameMailbox& mailbox = channel->mailbox();
  streams::FramePtr frame = mailbox.take_newer(slot.last_sequence);
  if (!frame && slot.last_sequence > 0) {
    // Sequences restart with a rebuilt pipeline: a lower one in the slot is a newer frame.
    if (auto peeked = mailbox.peek(); peeked && peeked->sequence < slot.last_sequence) {
      frame = mailbox.take_newer(0);
    }
  }
  if (!frame) return slot;
  slot.last_sequence = frame->sequence;
  if (const std::string why = check_frame(*frame, max_size_); !why.empty()) {
    ++result_.refused;
    if (!slot.refused_logged) {
      spdlog::warn("renderer: {}: frame {} refused ({}); later ones are counted, not logged",
                   channel->key(), frame->sequence, why);
      slot.refused_logged = true;
    }
    return slot;
  }
  if (cpu_path_ || frame->format == streams::PixelFormat::RGBA) {
    // Software path: RGBA at this tile's size, scaled here only when the stream did not (its
    // first frames, before it was asked; a frame made for a layout just replaced).
    const streams::ScaleTarget target =
        place_image(tile, frame->source_w(), frame->source_h(), fit).target;
    if (!streams::satisfies(*frame, target) || frame->strides[0] % 4 != 0) {
      frame = streams::scale_frame(*frame, target);
      if (!frame) {
        ++result_.refused;  // nothing the scaler can make of it: counted like a malformed frame
        return slot;
      }
    }
    slot.image = std::move(frame);
    slot.resized.clear();
  } else {
    slot.image.reset();
    slot.planes.upload(*frame);
  }
  ++slot.uploads;
  ++result_.uploads;
  slot.has_frame = true;
  result_.changed = true;
  return slot;  // `frame` is released here: the decoder's buffer goes back at once
}

void TileSources::prune(const WallView& view) {
  std::unordered_set<const StreamChannel*> wanted;
  for (const TileView& t : view.tiles) {
    wanted.insert(t.main.get());
    wanted.insert(t.sub.get());
  }
  std::erase_if(slots_, [&](auto& item) {
    if (wanted.contains(item.first)) return false;
    item.second->channel->set_scale_target(std::nullopt);  // unseen: frames stay as decoded
    return true;
  });
}

TileSources::TileSources(bool cpu_path, int max_texture_size)
    : cpu_path_(cpu_path), max_size_(max_texture_size) {}

TileSources::~TileSources() {
  for (auto& [key, slot] : slots_) slot->channel->set_scale_target(std::nullopt);
}

}  // namespace vw::renderer
