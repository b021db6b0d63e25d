// A machine-readable clock burnt into a simulated camera's picture, for the latency benchmark
// (videowall-bench-latency): the wall clock in milliseconds (CLOCK_REALTIME mod 2^32) as 32
// blocks in a row across the middle of the picture, white for 1 and black for 0, most
// significant first, and under them the same bits inverted (a reading whose rows disagree is
// refused). The blocks are laid out in fractions of the picture, so the stamp reads back at any
// scale the picture is shown at (a tile filling the wall, an output of the wall).
// Threads: plain functions.
#pragma once

#include <cstdint>
#include <optional>

namespace vw::streams {

// Milliseconds of CLOCK_REALTIME, mod 2^32: what a stamp carries (a browser's Date.now() is the
// same clock).
std::uint32_t clock_stamp_now_ms();

// Stamps `ms` into a luminance plane (I420's Y) of `width` x `height` with `stride` bytes a row.
void stamp_clock(std::uint8_t* luma, int stride, int width, int height, std::uint32_t ms);

// Reads the stamp back from a luminance (or grey) plane; nullopt when the rows disagree (no
// stamp there, or a damaged one).
std::optional<std::uint32_t> read_clock_stamp(const std::uint8_t* luma, int stride, int width,
                                              int height);

// Where the stamp's block `bit` (0 = most significant) of row `row` (0, or 1 inverted) has its
// centre, in fractions of the picture's width and height (what a reader in a browser samples).
double clock_stamp_x(int bit);
double clock_stamp_y(int row);

}  // namespace vw::streams
