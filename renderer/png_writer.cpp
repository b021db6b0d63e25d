// write_png and Image::pixel. Runs on whichever thread calls it (the Renderer calls write_png
// on its snapshot writer thread, never on the render thread).
#include <png.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "renderer/renderer.hpp"

namespace vw::renderer {

std::uint32_t Image::pixel(int x, int y) const {
  if (x < 0 || y < 0 || x >= width || y >= height) return 0;
  const std::size_t i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                         static_cast<std::size_t>(x)) *
                        4;
  if (i + 3 >= rgba.size()) return 0;
  return (std::uint32_t{rgba[i]} << 24) | (std::uint32_t{rgba[i + 1]} << 16) |
         (std::uint32_t{rgba[i + 2]} << 8) | std::uint32_t{rgba[i + 3]};
}

std::string write_png(const std::string& path, const Image& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.rgba.size() <
          static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 4) {
    return path + ": image is empty or malformed (" + std::to_string(image.width) + "x" +
           std::to_string(image.height) + ")";
  }
  // Written to a temporary name and renamed: a reader never sees half a PNG.
  const std::string temporary = path + ".part";
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr) return path + ": cannot open for writing: " + std::strerror(errno);

  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = PNG_FORMAT_RGBA;
  const int ok =
      png_image_write_to_stdio(&png, file, 0, image.rgba.data(), image.width * 4, nullptr);
  std::string error;
  if (ok == 0) error = path + ": PNG encoding failed: " + png.message;
  png_image_free(&png);
  if (std::fflush(file) != 0 && error.empty()) {
    error = path + ": write failed: " + std::strerror(errno);
  }
  if (std::fclose(file) != 0 && error.empty()) {
    error = path + ": write failed: " + std::strerror(errno);
  }
  std::error_code ec;
  if (error.empty()) {
    std::filesystem::rename(temporary, path, ec);
    if (ec) error = path + ": cannot rename " + temporary + ": " + ec.message();
  }
  if (!error.empty()) std::filesystem::remove(temporary, ec);
  return error;
}

}  // namespace vw::renderer
