// The pictures of the moments a stream entered a fault, for the report (视频质量诊断报告): a JPEG
// of the sampled frame (kSnapshotWidth wide at most, colour), written into a folder beside the
// wall state under a size quota: the oldest pictures go first. File names say the time and the
// stream: "20261204-093015-123_<stream id in hex>.jpg", so they sort by time.
// Threads: save() on one thread at a time (the quality monitor's); read() and the free functions
// from any.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "controller/quality/quality_history.hpp"
#include "renderer/renderer.hpp"
#include "streams/video_frame.hpp"

namespace vw::controller::quality {

inline constexpr int kSnapshotWidth = 480;

// `frame` (I420, NV12 or RGBA) as an RGBA picture at most `max_width` wide, its aspect kept;
// nullopt for a frame it cannot read.
std::optional<renderer::Image> small_picture(const streams::VideoFrame& frame, int max_width);

class QualitySnapshots {
 public:
  explicit QualitySnapshots(std::filesystem::path dir,
                            std::uint64_t quota_bytes = 64ull * 1024 * 1024);

  // Saves `frame` as taken from `stream` at `time`; returns its file name within the folder, or
  // "" when it could not be encoded or written (logged, never fatal).
  std::string save(const streams::VideoFrame& frame, const std::string& stream, SystemTime time);
  // The bytes of a picture save() returned (empty when gone: the quota deleted it, or a name
  // that is not one of ours).
  std::vector<std::uint8_t> read(const std::string& name) const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  void make_room(std::uint64_t incoming);  // deletes the oldest pictures past the quota
  const std::filesystem::path dir_;
  const std::uint64_t quota_bytes_;
};

}  // namespace vw::controller::quality
