// The demo's clip cache: short pre-encoded H.264 clips (one per simulated camera and stream size)
// that SimCameraServer loops, so that demo mode spends its CPU on the wall and not on encoding
// 32 live test patterns.
//
// build_demo_cache() encodes each missing clip with GStreamer (videotestsrc with moving content
// per variant, the camera name and a running timecode burnt in with textoverlay/timeoverlay,
// x264enc with a key frame every second, mp4mux) to "<output>.part-<pid>" and renames it into
// place only when complete, so an interrupted build never leaves a truncated clip behind. Clips
// already present whose embedded fingerprint matches their spec are skipped.
//
// load_h264_clip() reads a clip back once into memory as Annex-B access units (no decoding).
//
// Threads: all functions are blocking and may be called from any thread except a GStreamer
// streaming thread; they use their own pipelines and never the default GMainContext.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

namespace vw::streams {

struct DemoClipSpec {
  std::filesystem::path output;  // "<cache>/cam01-main.mp4"; parent folders are created
  std::string label;             // burnt-in camera name, UTF-8, e.g. "花楼街-01"
  int width = 1920;
  int height = 1080;
  int fps = 25;
  int seconds = 4;
  int variant = 0;  // picks the pattern, colours and motion, so cameras look different

  bool operator==(const DemoClipSpec&) const = default;
};

// Identifies the content a spec produces; stored in the clip (mp4 comment tag) and compared on
// the next build to decide whether a clip is still valid.
std::string demo_clip_fingerprint(const DemoClipSpec& spec);

struct DemoCacheProgress {
  std::size_t index = 0;  // 0-based position of this clip in the spec list
  std::size_t count = 0;  // number of specs
  std::string label;
  std::filesystem::path output;
  bool cached = false;  // true: valid clip already present, skipped; false: about to encode
};
// Called once per clip before it is encoded or skipped, from the thread that builds it (the
// caller's thread, or one of the worker threads when parallel = 2); calls never overlap.
using DemoCacheProgressFn = std::function<void(const DemoCacheProgress&)>;

struct DemoCacheResult {
  std::size_t built = 0;
  std::size_t skipped = 0;
  std::vector<std::string> errors;  // one line per failed clip, naming its output path
  bool cancelled = false;
  bool ok() const { return errors.empty() && !cancelled; }
};

// Encodes one clip (blocking; bounded by `timeout_s`). Returns false with `error` set on failure;
// the output path is then left untouched.
bool build_demo_clip(const DemoClipSpec& spec, std::string* error, std::stop_token stop = {},
                     int timeout_s = 120);

// True if `spec.output` exists, parses, has the spec's size and enough frames, and carries the
// spec's fingerprint.
bool demo_clip_valid(const DemoClipSpec& spec);

// Builds every missing or stale clip; `parallel` is 1 or 2 clips at a time. Stops early (result
// .cancelled) when `stop` is requested; a clip in progress is abandoned, never half-written.
DemoCacheResult build_demo_cache(const std::vector<DemoClipSpec>& specs,
                                 const DemoCacheProgressFn& progress = {}, int parallel = 1,
                                 std::stop_token stop = {});

// An H.264 clip held in memory as Annex-B access units (SPS/PPS repeated before each key frame),
// ready to be pushed into an appsrc. Immutable once loaded; share it freely between threads.
struct H264Clip {
  struct Unit {
    std::size_t offset = 0;  // into bytes
    std::size_t size = 0;
    bool keyframe = false;
  };
  int width = 0;
  int height = 0;
  int fps_num = 0;  // from the container; 0 if unknown
  int fps_den = 1;
  std::string fingerprint;  // the comment tag, empty if none
  std::vector<std::uint8_t> bytes;
  std::vector<Unit> units;  // in decode order (the demo clips have no B-frames)
};

// Reads an .mp4/.mov (qtdemux) or raw Annex-B .h264/.264 file. Returns null and sets `error` on
// failure or if the file holds no H.264 frames. Bounded by `timeout_s`.
std::shared_ptr<const H264Clip> load_h264_clip(const std::filesystem::path& path,
                                               std::string* error, int timeout_s = 30);

}  // namespace vw::streams
