// Encoding captured images in memory, for API replies (snapshots as PNG or JPEG, base64 in
// JSON). Pure functions, safe from any thread; write_png uses encode_png.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "renderer/renderer.hpp"

namespace vw::renderer {

// The PNG file of `image` (RGBA, 8 bits per channel, alpha kept). Throws std::runtime_error for
// an empty or malformed image (rgba shorter than width * height * 4) or when encoding fails.
std::vector<std::uint8_t> encode_png(const Image& image);

// The baseline JPEG of `image` (alpha dropped), `quality` 1..100 (libjpeg's scale, 4:2:0).
// Throws std::runtime_error for a malformed image, a quality outside 1..100, or a libjpeg error.
std::vector<std::uint8_t> encode_jpeg(const Image& image, int quality);

// RFC 4648 base64, standard alphabet, with '=' padding, no line breaks.
std::string base64_encode(const std::uint8_t* data, std::size_t size);

// The one writer of image files (snapshots as PNG or JPEG): a temporary file (mode 0640, created
// with O_EXCL|O_NOFOLLOW) renamed over `path`, every step checked. With `folder_quota_bytes`,
// refuses when the files in path's folder would pass it. Returns "" or the error, naming the
// path; never leaves a partial file.
std::string write_image_file(const std::string& path, const std::vector<std::uint8_t>& bytes,
                             std::uint64_t folder_quota_bytes = 0);

}  // namespace vw::renderer
