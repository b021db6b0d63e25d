// write_image_file, write_png (the PNG bytes come from encode_png) and Image::pixel. Runs on
// whichever thread calls it (the Renderer calls write_png on its snapshot writer thread, never on
// the render thread).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <system_error>

#include "renderer/image_codec.hpp"
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

std::string write_image_file(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  // Written to a temporary name and renamed: a reader never sees half an image. Every step is
  // checked, so a full disk is an error, never a truncated file reported as written.
  const std::string temporary = path + ".part";
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr) return path + ": cannot open for writing: " + std::strerror(errno);
  std::string error;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file) != bytes.size()) {
    error = path + ": write failed: " + std::strerror(errno);
  }
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

std::string write_png(const std::string& path, const Image& image) {
  std::vector<std::uint8_t> bytes;
  try {
    bytes = encode_png(image);
  } catch (const std::exception& e) {
    return path + ": " + e.what();
  }
  return write_image_file(path, bytes);
}

}  // namespace vw::renderer
