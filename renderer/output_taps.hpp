// The render thread's side of the live outputs: after a composite, each output's part of the
// wall is read back through a ring of pixel-buffer objects with fences, so the loop never waits
// for a read. On the GPU render path the part is first scaled into a framebuffer of the output's
// size (glBlitFramebuffer); on the software path (llvmpipe, where a scaled blit is a shaded pass
// that cost more than the encoder) it is read at the wall's own resolution and the output's
// encoder scales it (LiveOutput takes pictures of any size)
// (on a GPU the copy completes while the next composite is drawn; on llvmpipe the fence has
// signalled by the time it is looked at). A finished read becomes an RGBA VideoFrame handed to
// the output's `deliver`. A tap reads only when the wall changed since its last read and its
// interval (1 / fps) has passed; a still wall costs nothing (the output repeats its last frame).
// When every buffer of a tap is still in flight, the read is skipped and counted.
// Each finished picture gets, on this thread before it is handed on, every privacy mask of the
// composite it was read from (filled again on the CPU, so a mask lifted on the wall still hides
// on the outputs) and the output's watermark with the time (picture_marks.hpp); a still wall is
// read again once a second so that the watermark's clock keeps going.
// Threads: render thread only (GL).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <memory>
#include <vector>

#include "renderer/gl_util.hpp"
#include "renderer/output_tap.hpp"
#include "renderer/picture_marks.hpp"

namespace vw::renderer {

class OutputTaps {
 public:
  using Clock = std::chrono::steady_clock;

  // `scale_on_gpu`: the render path is Gpu (RenderPath), else reads are at the wall's scale.
  // `font` draws the watermarks; it outlives the taps.
  OutputTaps(bool scale_on_gpu, FontRasterizer& font) : scale_on_gpu_(scale_on_gpu), font_(font) {}
  ~OutputTaps();
  OutputTaps(const OutputTaps&) = delete;
  OutputTaps& operator=(const OutputTaps&) = delete;

  // Replaces the taps. A tap whose id, size and rate stay keeps its buffers and its rhythm.
  void set(std::vector<OutputTap> taps);
  bool empty() const { return slots_.empty(); }

  // The wall was redrawn: every tap has something new to read.
  void composited();

  // Starts the reads that are due from the composite (`framebuffer`, width x height, top row
  // first; `draws` what it shows, for the masks) and delivers the reads that have finished.
  void serve(GLuint framebuffer, int width, int height, const std::vector<TileDraw>& draws,
             Clock::time_point now);

  // When the loop must next run for the taps (a read due or in flight); Clock::time_point::max()
  // when nothing waits.
  Clock::time_point next_due() const;

  std::uint64_t skipped() const { return skipped_; }

 private:
  static constexpr std::size_t kRing = 3;
  struct Slot {
    OutputTap tap;
    gl::Texture color;
    gl::Framebuffer framebuffer;
    std::array<gl::Buffer, kRing> buffers;
    std::array<GLsync, kRing> fences{};
    std::array<Clock::time_point, kRing> started{};
    std::array<int, kRing> read_width{}, read_height{};  // of each buffer's read
    std::array<std::vector<MaskArea>, kRing> masks;      // in each read's pixels
    Watermark watermark;
    std::size_t buffer_bytes = 0;  // what each buffer holds
    std::size_t next = 0;          // the buffer the next read goes into
    bool dirty = true;
    Clock::time_point last_read{};
    std::time_t last_second = 0;  // of the last read's watermark
  };

  static Clock::duration interval(const Slot& slot);
  void make_target(Slot& slot);
  void collect(Slot& slot);
  void start_read(Slot& slot, GLuint framebuffer, int width, int height,
                  const std::vector<MaskArea>& masks, Clock::time_point now);

  const bool scale_on_gpu_;
  FontRasterizer& font_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::uint64_t skipped_ = 0;
};

}  // namespace vw::renderer
