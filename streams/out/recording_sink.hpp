// A recording of a live output (issue "The wall goes out"): the output's encoded access units,
// attached like any sink (LiveOutput::attach), written as MP4 segments by splitmuxsink
// (appsrc ! h264parse ! splitmuxsink muxer=mp4mux), one file per `segment_s` seconds, named
// <id>-YYYYMMDD-HHMMSS.mp4 (local time of the segment's start) in its own folder. A segment is
// finished (its index written) when the next begins, so a crash loses at most the one being
// written. The folder is bounded: after each finished segment the oldest ones go until the
// folder holds at most `max_bytes` (the one being written is never removed).
// Threads: start(), stop() from the owner's thread; stats() from any; the rest runs on
// GStreamer's streaming threads.
#pragma once

#include <gst/gst.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>

namespace vw::streams {

struct RecordingOptions {
  std::string id;  // the output's id: the files' prefix
  std::filesystem::path dir;
  int segment_s = 60;
  std::uint64_t max_bytes = 1024ull * 1024 * 1024;
};

struct RecordingStats {
  int segments = 0;  // files of this recording in the folder now
  std::uint64_t bytes = 0;
  std::uint64_t removed = 0;  // segments removed to keep the folder under max_bytes
  std::string error;          // the pipeline's error, if it failed
};

// The file for a segment that begins at `start`: <id>-YYYYMMDD-HHMMSS.mp4, or with _02, _03...
// when that name is taken (two segments in one second: a restart, a scene cut), so the names
// still sort in the order the segments began. Any thread.
std::filesystem::path segment_path(const RecordingOptions& options, std::time_t start);

class RecordingSink {
 public:
  explicit RecordingSink(RecordingOptions options);
  ~RecordingSink();  // stop()
  RecordingSink(const RecordingSink&) = delete;
  RecordingSink& operator=(const RecordingSink&) = delete;

  // Makes the folder and plays the pipeline. "" or what failed.
  std::string start();
  // Finishes the segment being written (waits for it at most `bound`), then stops.
  void stop(std::chrono::milliseconds bound = std::chrono::seconds(3));

  // The appsrc to attach to the output, and the key to detach it with (valid while started).
  GstElement* appsrc() const;
  const void* key() const { return this; }

  RecordingStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vw::streams
