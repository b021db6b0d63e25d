// The reference pictures of the scene check (场景变更): per camera, the analysis-size luminance
// of the picture the operator confirmed (quality.reference), with the generation of that
// confirmation (the wall state's version at the time, WallState::quality_references). Kept in a
// folder beside the wall state as binary PGM files (any image viewer opens them), named by the
// camera id in hex, the generation in the file's comment line; written to a temporary file,
// synced and renamed, so a crash leaves the old picture or the new one.
// Threads: one (the quality monitor's).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <opencv2/core.hpp>
#include <string>

namespace vw::controller::quality {

class SceneReferences {
 public:
  // `dir` empty: the pictures live in memory only (tests, a daemon without a state folder).
  explicit SceneReferences(std::filesystem::path dir);

  // The picture of `camera` taken for `generation`, read from the folder on first use; nullptr
  // when none was taken for it yet.
  const cv::Mat* find(const std::string& camera, std::uint64_t generation);
  // Keeps `picture` (cloned) as `camera`'s reference for `generation`; a write that fails is
  // logged and the picture still serves until the daemon stops.
  void set(const std::string& camera, std::uint64_t generation, const cv::Mat& picture);
  // Forgets, and deletes the file of, every camera not in `wanted` (camera id -> generation); the
  // first call also deletes the files of cameras the folder holds but `wanted` does not name.
  void keep_only(const std::map<std::string, std::uint64_t>& wanted);

 private:
  struct Held {
    std::uint64_t generation = 0;
    cv::Mat picture;
  };
  std::filesystem::path file_of(const std::string& camera) const;
  const std::filesystem::path dir_;
  std::map<std::string, Held> held_;
  bool swept_ = false;  // the folder's leftovers deleted once
};

// The file name a camera's reference is kept under: its id's UTF-8 bytes in hex, ".pgm" (an id
// longer than 120 bytes: its first 100 in hex and a hash of all).
std::string reference_file_name(const std::string& camera);

}  // namespace vw::controller::quality
