// write_image_file, write_png (the PNG bytes come from encode_png) and Image::pixel. Runs on
// whichever thread calls it (the Renderer calls write_png on its snapshot writer thread, never on
// the render thread).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
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

namespace {

// Bytes in the regular files directly inside `folder` (what a snapshot quota counts).
std::uint64_t folder_bytes(const std::filesystem::path& folder) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const auto size = it->file_size(size_ec);
      if (!size_ec) total += size;
    }
  }
  return total;
}

}  // namespace

std::string write_image_file(const std::string& path, const std::vector<std::uint8_t>& bytes,
                             std::uint64_t folder_quota_bytes) {
  namespace fs = std::filesystem;
  if (folder_quota_bytes > 0) {
    const fs::path folder = fs::path(path).parent_path();
    const std::uint64_t used = folder_bytes(folder.empty() ? fs::path(".") : folder);
    if (used + bytes.size() > folder_quota_bytes) {
      return path + ": not written: the snapshot folder holds " + std::to_string(used >> 20) +
             " MiB and its quota is " + std::to_string(folder_quota_bytes >> 20) +
             " MiB (storage.snapshot_quota_mb); delete old snapshots";
    }
  }
  // Written to a temporary name and renamed: a reader never sees half an image. Every step is
  // checked, so a full disk is an error, never a truncated file reported as written. The
  // temporary is created anew (O_EXCL) and never through a symbolic link someone planted.
  const std::string temporary = path + ".part";
  (void)::unlink(temporary.c_str());  // a leftover of a crash; removes a link, not its target
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
  if (fd < 0) return path + ": cannot open for writing: " + std::strerror(errno);
  std::string error;
  std::size_t done = 0;
  while (done < bytes.size() && error.empty()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = path + ": write failed: " + (n < 0 ? std::strerror(errno) : "no space written");
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (error.empty() && ::fdatasync(fd) != 0)
    error = path + ": write failed: " + std::strerror(errno);
  if (::close(fd) != 0 && error.empty()) error = path + ": write failed: " + std::strerror(errno);
  std::error_code ec;
  if (error.empty()) {
    fs::rename(temporary, path, ec);
    if (ec) error = path + ": cannot rename " + temporary + ": " + ec.message();
  }
  if (!error.empty()) fs::remove(temporary, ec);
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
