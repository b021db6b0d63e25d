#include "controller/panel/stream_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <unordered_map>

namespace vw::controller::panel {
namespace {

// Three-way comparisons: -1, 0 or 1, so a column can be reversed and chained with tie-breaks.
template <typename T>
int compare3(const T& a, const T& b) {
  if (a < b) return -1;
  if (b < a) return 1;
  return 0;
}

// NaN (a statistic never measured properly) sorts below every number and equal to other NaNs,
// keeping the order a strict weak ordering whatever the stats hold.
int compare_double(double a, double b) {
  const bool a_nan = std::isnan(a);
  const bool b_nan = std::isnan(b);
  if (a_nan || b_nan) return compare3(!a_nan, !b_nan);
  return compare3(a, b);
}

int compare_text(std::string_view a, std::string_view b) {
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// "main" before "sub" whatever else a stream might be called.
int stream_order(std::string_view stream) {
  return stream == "main" ? 0 : 1;
}

int compare_stream(const StreamRow& a, const StreamRow& b) {
  const int c = compare3(stream_order(a.stream), stream_order(b.stream));
  return c != 0 ? c : compare_text(a.stream, b.stream);
}

std::int64_t pixels(const streams::StreamStats& stats) {
  return static_cast<std::int64_t>(stats.width) * static_cast<std::int64_t>(stats.height);
}

int compare_column(const StreamRow& a, const StreamRow& b, StreamColumn column) {
  const auto& sa = a.stats;
  const auto& sb = b.stats;
  switch (column) {
    case StreamColumn::Camera: {
      const int c = compare_text(a.camera_name, b.camera_name);
      return c != 0 ? c : compare_stream(a, b);
    }
    case StreamColumn::State:
      return compare3(problem_rank(a.state), problem_rank(b.state));
    case StreamColumn::Fps:
      return compare_double(sa.fps_in, sb.fps_in);
    case StreamColumn::Bitrate:
      return compare_double(sa.bitrate_kbps, sb.bitrate_kbps);
    case StreamColumn::Resolution:
      return compare3(pixels(sa), pixels(sb));
    case StreamColumn::Codec:
      return compare_text(sa.codec, sb.codec);
    case StreamColumn::Decoder: {
      // Hardware ranks above software, so descending (the natural "best first") puts it on top.
      const int c = compare3(sa.hardware_decoder, sb.hardware_decoder);
      return c != 0 ? c : compare_text(sa.decoder, sb.decoder);
    }
    case StreamColumn::Drops:
      return compare3(sa.frames_dropped, sb.frames_dropped);
    case StreamColumn::Reconnects:
      return compare3(sa.reconnects, sb.reconnects);
    case StreamColumn::Quality: {
      auto faults = [](const StreamRow& r) {
        return r.quality ? static_cast<int>(r.quality->faults.size()) : -1;
      };
      return compare3(faults(a), faults(b));
    }
    case StreamColumn::LastError:
      return compare_text(sa.last_error, sb.last_error);
  }
  return 0;
}

// The order without a column, and every column's tie-break: problems first, then by name.
int compare_default(const StreamRow& a, const StreamRow& b) {
  int c = compare3(problem_rank(b.state), problem_rank(a.state));  // descending
  if (c != 0) return c;
  c = compare_text(a.camera_name, b.camera_name);
  if (c != 0) return c;
  return compare_stream(a, b);
}

}  // namespace

int problem_rank(streams::StreamState state) {
  using streams::StreamState;
  switch (state) {
    case StreamState::AuthFailed:
    case StreamState::NotFound:
    case StreamState::Unsupported:
      return 4;
    case StreamState::Stalled:
      return 3;
    case StreamState::Reconnecting:
      return 2;
    case StreamState::Connecting:
      return 1;
    case StreamState::Playing:
      return 0;
    case StreamState::Idle:
      return -1;
  }
  return -1;
}

std::vector<StreamRow> collect_stream_rows(
    const std::vector<CameraConfig>& cameras,
    const std::vector<std::shared_ptr<streams::StreamChannel>>& channels,
    const std::function<std::shared_ptr<streams::StreamChannel>(const std::string&)>& stopped) {
  std::unordered_map<std::string_view, const streams::StreamChannel*> by_key;
  for (const auto& channel : channels) {
    if (channel) by_key.emplace(channel->key(), channel.get());
  }

  std::vector<StreamRow> rows;
  rows.reserve(cameras.size() * 2);
  auto add = [&](const CameraConfig& camera, std::string_view stream) {
    StreamRow row;
    row.camera_id = camera.id;
    row.camera_name = camera.name;
    row.street = camera.street;
    row.stream = std::string(stream);
    const std::string key = camera.id + "/" + row.stream;  // as WallController names channels
    if (auto it = by_key.find(key); it != by_key.end()) {
      row.running = true;
      row.state = it->second->state();
      row.stats = it->second->stats();
      row.quality = it->second->quality();
    } else if (const auto channel = stopped ? stopped(key) : nullptr) {
      row.quality = channel->quality();  // the verdict of its last visit, if any
    }
    rows.push_back(std::move(row));
  };
  for (const auto& camera : cameras) {
    add(camera, "main");
    if (!camera.sub_url.empty()) add(camera, "sub");
  }
  return rows;
}

void sort_stream_rows(std::vector<StreamRow>* rows, std::optional<StreamColumn> column,
                      bool ascending) {
  if (rows == nullptr) return;
  std::stable_sort(rows->begin(), rows->end(), [&](const StreamRow& a, const StreamRow& b) {
    if (column) {
      const int c = compare_column(a, b, *column);
      if (c != 0) return ascending ? c < 0 : c > 0;
    }
    return compare_default(a, b) < 0;
  });
}

}  // namespace vw::controller::panel
