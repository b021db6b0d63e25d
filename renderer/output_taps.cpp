#include "renderer/output_taps.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace vw::renderer {

OutputTaps::~OutputTaps() {
  for (auto& slot : slots_) {
    for (GLsync& fence : slot->fences) {
      if (fence != nullptr) glDeleteSync(fence);
    }
  }
}

OutputTaps::Clock::duration OutputTaps::interval(const Slot& slot) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(1)) /
         std::max(1, slot.tap.fps);
}

void OutputTaps::set(std::vector<OutputTap> taps) {
  std::vector<std::unique_ptr<Slot>> next;
  for (OutputTap& tap : taps) {
    if (tap.width < 2 || tap.height < 2 || !tap.deliver) continue;
    auto same = std::find_if(slots_.begin(), slots_.end(), [&](const std::unique_ptr<Slot>& s) {
      return s && s->tap.id == tap.id && s->tap.width == tap.width && s->tap.height == tap.height &&
             s->tap.fps == tap.fps;
    });
    std::unique_ptr<Slot> slot;
    if (same != slots_.end()) {
      slot = std::move(*same);
    } else {
      slot = std::make_unique<Slot>();
    }
    const bool moved = slot->tap.source != tap.source;
    slot->tap = std::move(tap);
    if (!slot->buffers[0]) make_target(*slot);
    slot->dirty = slot->dirty || moved;
    next.push_back(std::move(slot));
  }
  for (auto& old : slots_) {  // taps that went: their fences with them
    if (!old) continue;
    for (GLsync& fence : old->fences) {
      if (fence != nullptr) glDeleteSync(fence);
      fence = nullptr;
    }
  }
  slots_ = std::move(next);
}

void OutputTaps::make_target(Slot& slot) {
  for (gl::Buffer& buffer : slot.buffers) buffer = gl::Buffer::create();
  slot.buffer_bytes = 0;  // sized at the first read
  if (!scale_on_gpu_) return;
  slot.color = gl::make_texture(true);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, slot.tap.width, slot.tap.height, 0, GL_RGBA,
               GL_UNSIGNED_BYTE, nullptr);
  glBindTexture(GL_TEXTURE_2D, 0);
  slot.framebuffer = gl::Framebuffer::create();
  glBindFramebuffer(GL_FRAMEBUFFER, slot.framebuffer.get());
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, slot.color.get(), 0);
  if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
    spdlog::error("renderer: output {}: the {}x{} framebuffer is incomplete", slot.tap.id,
                  slot.tap.width, slot.tap.height);
  }
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

void OutputTaps::composited() {
  for (auto& slot : slots_) slot->dirty = true;
}

void OutputTaps::serve(GLuint framebuffer, int width, int height,
                       const std::vector<TileDraw>& draws, Clock::time_point now) {
  const std::time_t second = std::time(nullptr);
  std::vector<MaskArea> masks;
  bool masks_made = false;
  for (auto& slot : slots_) {
    collect(*slot);
    if (second != slot->last_second) slot->dirty = true;  // the watermark's clock moved
    if (slot->dirty && now + std::chrono::milliseconds(2) >= slot->last_read + interval(*slot)) {
      if (!masks_made) masks = mask_areas(draws, width, height);
      masks_made = true;
      start_read(*slot, framebuffer, width, height, masks, now);
      if (!slot->dirty) slot->last_second = second;
      collect(*slot);  // llvmpipe: done already
    }
  }
}

void OutputTaps::start_read(Slot& slot, GLuint framebuffer, int width, int height,
                            const std::vector<MaskArea>& masks, Clock::time_point now) {
  const std::size_t i = slot.next;
  if (slot.fences[i] != nullptr) {  // every buffer still in flight: this read is skipped
    ++skipped_;
    return;
  }
  const auto& s = slot.tap.source;
  auto px = [](float v, int size) {
    return static_cast<GLint>(std::lround(std::clamp(v, 0.0f, 1.0f) * static_cast<float>(size)));
  };
  const GLint x0 = px(s[0], width), y0 = px(s[1], height);
  const GLint x1 = std::max(x0 + 2, px(s[2], width)), y1 = std::max(y0 + 2, px(s[3], height));
  // Even sizes: the encoder's 4:2:0 picture.
  const int read_w = scale_on_gpu_ ? slot.tap.width : ((x1 - x0) & ~1);
  const int read_h = scale_on_gpu_ ? slot.tap.height : ((y1 - y0) & ~1);
  const std::size_t bytes = static_cast<std::size_t>(read_w) * 4 * static_cast<std::size_t>(read_h);
  glDisable(GL_SCISSOR_TEST);
  if (bytes > slot.buffer_bytes) {
    for (gl::Buffer& buffer : slot.buffers) {
      glBindBuffer(GL_PIXEL_PACK_BUFFER, buffer.get());
      glBufferData(GL_PIXEL_PACK_BUFFER, static_cast<GLsizeiptr>(bytes), nullptr, GL_STREAM_READ);
    }
    slot.buffer_bytes = bytes;
  }
  GLint read_x = x0, read_y = y0;
  if (scale_on_gpu_) {
    glBindFramebuffer(GL_READ_FRAMEBUFFER, framebuffer);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, slot.framebuffer.get());
    // Both are top row first: no flip.
    glBlitFramebuffer(x0, y0, x1, y1, 0, 0, read_w, read_h, GL_COLOR_BUFFER_BIT, GL_LINEAR);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, slot.framebuffer.get());
    read_x = read_y = 0;
  } else {
    glBindFramebuffer(GL_READ_FRAMEBUFFER, framebuffer);
  }
  glBindBuffer(GL_PIXEL_PACK_BUFFER, slot.buffers[i].get());
  glPixelStorei(GL_PACK_ALIGNMENT, 4);
  glPixelStorei(GL_PACK_ROW_LENGTH, 0);
  glReadPixels(read_x, read_y, read_w, read_h, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  slot.fences[i] = glFenceSync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0);
  slot.started[i] = now;
  slot.read_width[i] = read_w;
  slot.read_height[i] = read_h;
  slot.masks[i].clear();
  const double sx = static_cast<double>(read_w) / (x1 - x0);
  const double sy = static_cast<double>(read_h) / (y1 - y0);
  for (const MaskArea& area : masks) {
    if (intersects(area.clip, {x0, y0, x1 - x0, y1 - y0}))
      slot.masks[i].push_back(
          map_area(area, x0, y0, scale_on_gpu_ ? sx : 1.0, scale_on_gpu_ ? sy : 1.0));
  }
  slot.next = (i + 1) % kRing;
  slot.dirty = false;
  slot.last_read = now;
}

void OutputTaps::collect(Slot& slot) {
  // Oldest first, so frames leave in the order they were read.
  for (std::size_t k = 0; k < kRing; ++k) {
    const std::size_t i = (slot.next + k) % kRing;
    GLsync& fence = slot.fences[i];
    if (fence == nullptr) continue;
    const GLenum done = glClientWaitSync(fence, GL_SYNC_FLUSH_COMMANDS_BIT, 0);
    if (done != GL_ALREADY_SIGNALED && done != GL_CONDITION_SATISFIED) return;
    glDeleteSync(fence);
    fence = nullptr;
    const int w = slot.read_width[i], h = slot.read_height[i];
    const std::size_t bytes = static_cast<std::size_t>(w) * 4 * static_cast<std::size_t>(h);
    glBindBuffer(GL_PIXEL_PACK_BUFFER, slot.buffers[i].get());
    const void* mapped =
        glMapBufferRange(GL_PIXEL_PACK_BUFFER, 0, static_cast<GLsizeiptr>(bytes), GL_MAP_READ_BIT);
    if (mapped != nullptr) {
      std::shared_ptr<std::uint8_t[]> memory(new std::uint8_t[bytes]);
      std::memcpy(memory.get(), mapped, bytes);
      glUnmapBuffer(GL_PIXEL_PACK_BUFFER);
      for (const MaskArea& area : slot.masks[i]) fill_masks(memory.get(), w * 4, w, h, area);
      slot.watermark.draw(font_, Watermark::line(slot.tap.watermark, slot.tap.id), memory.get(),
                          w * 4, w, h);
      auto frame = std::make_shared<streams::VideoFrame>();
      frame->format = streams::PixelFormat::RGBA;
      frame->width = w;
      frame->height = h;
      frame->full_range = true;
      frame->plane_count = 1;
      frame->planes = {memory.get(), nullptr, nullptr};
      frame->strides = {w * 4, 0, 0};
      frame->received = slot.started[i];
      frame->storage = std::move(memory);
      slot.tap.deliver(std::move(frame));
    }
    glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
  }
}

OutputTaps::Clock::time_point OutputTaps::next_due() const {
  auto due = Clock::time_point::max();
  for (const auto& slot : slots_) {
    for (std::size_t i = 0; i < kRing; ++i) {
      // A read in flight is looked at again a millisecond later (not in a spin).
      if (slot->fences[i] != nullptr)
        due = std::min(due, slot->started[i] + std::chrono::milliseconds(1));
    }
    if (slot->dirty) due = std::min(due, slot->last_read + interval(*slot));
  }
  if (!slots_.empty()) {  // the watermarks' next second
    const auto wall = std::chrono::system_clock::now().time_since_epoch();
    const auto into = wall - std::chrono::duration_cast<std::chrono::seconds>(wall);
    due = std::min(due, Clock::now() + (std::chrono::seconds(1) - into));
  }
  return due;
}

}  // namespace vw::renderer
