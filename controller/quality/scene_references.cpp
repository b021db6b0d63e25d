#include "controller/quality/scene_references.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>

#include "controller/quality/file_names.hpp"

namespace vw::controller::quality {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxSide = 4096;  // far above the analysis size: anything larger is not ours

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Writes `bytes` to `path` through a temporary file that is synced and renamed over it.
bool write_atomically(const fs::path& path, const std::string& bytes, std::string& error) {
  const fs::path temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = std::error_code(errno, std::generic_category()).message();
    return false;
  }
  const bool written = write_all(fd, bytes.data(), bytes.size()) && ::fsync(fd) == 0;
  const int write_errno = errno;
  ::close(fd);
  if (!written || ::rename(temporary.c_str(), path.c_str()) != 0) {
    error = std::error_code(written ? errno : write_errno, std::generic_category()).message();
    ::unlink(temporary.c_str());
    return false;
  }
  return true;
}

// Reads one of our PGM files: "P5", "# generation N", "W H", "255", then W*H bytes.
bool read_reference(const fs::path& path, std::uint64_t& generation, cv::Mat& picture,
                    std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot be read";
    return false;
  }
  std::string magic, comment;
  int width = 0, height = 0, max = 0;
  std::getline(in, magic);
  std::getline(in, comment);
  std::istringstream words(comment);
  std::string hash, label;
  words >> hash >> label >> generation;
  in >> width >> height >> max;
  in.get();  // the one whitespace byte before the pixels
  if (magic != "P5" || hash != "#" || label != "generation" || !words || !in || max != 255 ||
      width < 1 || height < 1 || width > kMaxSide || height > kMaxSide) {
    error = "is not a reference picture of this daemon";
    return false;
  }
  picture.create(height, width, CV_8UC1);
  in.read(reinterpret_cast<char*>(picture.data), static_cast<std::streamsize>(picture.total()));
  if (in.gcount() != static_cast<std::streamsize>(picture.total())) {
    error = "is cut short";
    return false;
  }
  return true;
}

}  // namespace

std::string reference_file_name(const std::string& camera) {
  // A long id keeps its first 100 bytes and a hash of all (file names stop at 255 bytes).
  if (camera.size() <= 120) return hex_of(camera) + ".pgm";
  return hex_of(std::string_view(camera).substr(0, 100)) + "-" + short_hash(camera) + ".pgm";
}

SceneReferences::SceneReferences(fs::path dir) : dir_(std::move(dir)) {}

fs::path SceneReferences::file_of(const std::string& camera) const {
  return dir_ / reference_file_name(camera);
}

const cv::Mat* SceneReferences::find(const std::string& camera, std::uint64_t generation) {
  if (auto it = held_.find(camera); it != held_.end())
    return it->second.generation == generation ? &it->second.picture : nullptr;
  if (dir_.empty()) return nullptr;
  const fs::path path = file_of(camera);
  std::error_code exists_error;
  if (!fs::exists(path, exists_error)) return nullptr;
  Held held;
  std::string error;
  if (!read_reference(path, held.generation, held.picture, error)) {
    spdlog::warn("quality: the reference picture of camera {} ({}) {}; a new one is taken", camera,
                 path.string(), error);
    return nullptr;
  }
  if (held.generation != generation) return nullptr;  // an older confirmation: taken anew
  return &held_.insert_or_assign(camera, std::move(held)).first->second.picture;
}

void SceneReferences::set(const std::string& camera, std::uint64_t generation,
                          const cv::Mat& picture) {
  Held& held = held_[camera];
  held.generation = generation;
  held.picture = picture.clone();
  if (dir_.empty()) return;
  std::error_code ec;
  fs::create_directories(dir_, ec);
  std::string bytes = "P5\n# generation " + std::to_string(generation) + "\n" +
                      std::to_string(picture.cols) + " " + std::to_string(picture.rows) + "\n255\n";
  for (int row = 0; row < held.picture.rows; ++row)
    bytes.append(reinterpret_cast<const char*>(held.picture.ptr(row)),
                 static_cast<std::size_t>(held.picture.cols));
  std::string error;
  if (ec || !write_atomically(file_of(camera), bytes, error))
    spdlog::error("quality: the reference picture of camera {} cannot be saved in {}: {}", camera,
                  dir_.string(), ec ? ec.message() : error);
}

void SceneReferences::keep_only(const std::map<std::string, std::uint64_t>& wanted) {
  for (auto it = held_.begin(); it != held_.end();) {
    if (wanted.count(it->first)) {
      ++it;
      continue;
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove(file_of(it->first), ec);
    it = held_.erase(it);
  }
  if (swept_ || dir_.empty()) return;
  swept_ = true;
  std::map<std::string, bool> named;  // file name -> wanted
  for (const auto& [camera, generation] : wanted) named[reference_file_name(camera)] = true;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (!named.count(name) && (name.ends_with(".pgm") || name.ends_with(".pgm.tmp"))) {
      std::error_code remove_error;
      fs::remove(entry.path(), remove_error);
    }
  }
}

}  // namespace vw::controller::quality
