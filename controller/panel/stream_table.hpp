// The panel's stream status table: one row per camera stream (main and sub), with its state and
// statistics, sorted with problem streams first unless the operator sorts by a column.
// Threads: pure functions over snapshots taken by the caller.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "controller/core/config.hpp"
#include "streams/stream_channel.hpp"

namespace vw::controller::panel {

struct StreamRow {
  std::string camera_id;
  std::string camera_name;
  std::string street;
  std::string stream;    // "main" or "sub"
  bool running = false;  // a channel exists (the stream is wanted or lingering)
  streams::StreamState state = streams::StreamState::Idle;
  streams::StreamStats stats;
  std::optional<streams::PictureQuality> quality;  // none: not diagnosed (not on the wall)
};

enum class StreamColumn {
  Camera,      // camera_name, then stream
  State,       // problem_rank
  Fps,         // stats.fps_in
  Bitrate,     // stats.bitrate_kbps
  Resolution,  // width * height
  Codec,
  Decoder,  // hardware first when descending
  Drops,    // stats.frames_dropped
  Reconnects,
  Quality,  // faults held by the quality diagnosis; diagnosed before not diagnosed
  LastError,
};

// How much a state needs an operator's eye: AuthFailed / NotFound 4, Stalled 3,
// Reconnecting 2, Connecting 1, Playing 0, Idle (not shown anywhere) -1.
int problem_rank(streams::StreamState state);

// One row per configured stream (main, and sub when the camera has one), in config order, with
// the state and stats of its channel when one is running (channel key "<camera id>/main|sub");
// a stream without a channel is Idle with empty stats. `stopped` finds the channel of a stream
// that no longer runs (StreamManager::channel): its last picture-quality verdict, left by a
// visit of the diagnosis to a camera off the wall, is kept in the row.
std::vector<StreamRow> collect_stream_rows(
    const std::vector<CameraConfig>& cameras,
    const std::vector<std::shared_ptr<streams::StreamChannel>>& channels,
    const std::function<std::shared_ptr<streams::StreamChannel>(const std::string&)>& stopped = {});

// No column: problem_rank descending, then camera name, then stream ("main" before "sub").
// A column: by that column (ascending or not); ties by problem_rank descending, then camera
// name, then stream. Stable.
void sort_stream_rows(std::vector<StreamRow>* rows, std::optional<StreamColumn> column,
                      bool ascending);

}  // namespace vw::controller::panel
