#include "streams/out/recording_sink.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <system_error>
#include <vector>

#include "streams/gst_init.hpp"
#include "streams/gst_ptr.hpp"

namespace vw::streams {

namespace fs = std::filesystem;

fs::path segment_path(const RecordingOptions& options, std::time_t start) {
  std::tm local{};
  localtime_r(&start, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  const std::string stem = options.id + "-" + stamp;
  fs::path file = options.dir / (stem + ".mp4");
  // '_' sorts after '.', and two digits after each other.
  for (int n = 2; fs::exists(file) && n < 100; ++n) {
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "_%02d", n);
    file = options.dir / (stem + suffix + ".mp4");
  }
  return file;
}

struct RecordingSink::Impl {
  RecordingOptions options;
  gst::ElementPtr pipeline;
  gst::ElementPtr appsrc;
  mutable std::mutex mutex;  // guards the members below
  RecordingStats stats;
  bool ended = false;  // the pipeline's end-of-stream reached the bus
  std::condition_variable ended_cv;

  bool is_segment(const fs::path& file) const {
    const std::string name = file.filename().string();
    return name.size() > options.id.size() + 5 && name.rfind(options.id + "-", 0) == 0 &&
           file.extension() == ".mp4";
  }

  // This recording's files, oldest first (the names sort by time), with their sizes.
  std::vector<std::pair<fs::path, std::uint64_t>> segments() const {
    std::vector<std::pair<fs::path, std::uint64_t>> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(options.dir, ec)) {
      if (!entry.is_regular_file(ec) || !is_segment(entry.path())) continue;
      out.emplace_back(entry.path(), entry.file_size(ec));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // After a finished segment: the oldest go until the folder is within max_bytes; the newest
  // (being written) always stays.
  void enforce_quota() {
    auto files = segments();
    std::uint64_t total = 0;
    for (const auto& f : files) total += f.second;
    std::uint64_t removed = 0;
    for (std::size_t i = 0; i + 1 < files.size() && total > options.max_bytes; ++i) {
      std::error_code ec;
      if (fs::remove(files[i].first, ec)) {
        total -= files[i].second;
        ++removed;
      } else {
        spdlog::warn("recording {}: cannot remove {}: {}", options.id, files[i].first.string(),
                     ec.message());
      }
    }
    files = segments();
    std::lock_guard lock(mutex);
    stats.removed += removed;
    stats.segments = static_cast<int>(files.size());
    stats.bytes = 0;
    for (const auto& f : files) stats.bytes += f.second;
  }

  static gchar* name_segment(GstElement*, guint, gpointer data) {
    auto* self = static_cast<Impl*>(data);
    return g_strdup(segment_path(self->options, std::time(nullptr)).c_str());
  }

  static GstBusSyncReply on_bus(GstBus*, GstMessage* message, gpointer data) {
    auto* self = static_cast<Impl*>(data);
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ELEMENT) {
      const GstStructure* s = gst_message_get_structure(message);
      if (s != nullptr && gst_structure_has_name(s, "splitmuxsink-fragment-closed"))
        self->enforce_quota();
    } else if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_EOS) {
      {
        std::lock_guard lock(self->mutex);
        self->ended = true;
      }
      self->ended_cv.notify_all();
    } else if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
      const std::string text = gst::error_text(message);
      spdlog::error("recording {}: {}", self->options.id, text);
      {
        std::lock_guard lock(self->mutex);
        self->stats.error = text;
        self->ended = true;  // nothing more will be written
      }
      self->ended_cv.notify_all();
    }
    return GST_BUS_DROP;  // handled here: nothing piles up on the bus
  }
};

RecordingSink::RecordingSink(RecordingOptions options) : impl_(std::make_shared<Impl>()) {
  impl_->options = std::move(options);
}

RecordingSink::~RecordingSink() {
  stop();
}

std::string RecordingSink::start() {
  Impl& m = *impl_;
  if (m.pipeline) return {};
  ensure_gstreamer();
  std::error_code ec;
  fs::create_directories(m.options.dir, ec);
  if (ec) return "cannot make the folder " + m.options.dir.string() + ": " + ec.message();
  const auto segment_ns = static_cast<guint64>(std::max(1, m.options.segment_s)) * GST_SECOND;
  const std::string launch =
      "appsrc name=coded ! h264parse ! splitmuxsink name=mux muxer=mp4mux "
      "max-size-time=" +
      std::to_string(segment_ns);
  GError* raw = nullptr;
  gst::ElementPtr pipeline(gst_parse_launch(launch.c_str(), &raw));
  gst::ErrorPtr error(raw);
  if (!pipeline || error)
    return "cannot build the recording pipeline: " + std::string(error ? error->message : "?");
  gst_object_ref_sink(pipeline.get());
  gst::ElementPtr mux(gst_bin_get_by_name(GST_BIN(pipeline.get()), "mux"));
  g_signal_connect(mux.get(), "format-location", G_CALLBACK(Impl::name_segment), &m);
  gst::BusPtr bus(gst_element_get_bus(pipeline.get()));
  gst_bus_set_sync_handler(bus.get(), Impl::on_bus, &m, nullptr);
  m.appsrc.reset(gst_bin_get_by_name(GST_BIN(pipeline.get()), "coded"));
  // A live source before the pipeline plays: PLAYING at once, so the units LiveOutput stamps in
  // this pipeline's running time are on time (LiveOutput::attach sets the same again).
  g_object_set(m.appsrc.get(), "format", GST_FORMAT_TIME, "is-live", TRUE, "do-timestamp", FALSE,
               nullptr);
  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    gst_element_set_state(pipeline.get(), GST_STATE_NULL);
    m.appsrc.reset();
    return "the recording pipeline does not start (folder " + m.options.dir.string() + ")";
  }
  {
    std::lock_guard lock(m.mutex);
    m.ended = false;
  }
  m.pipeline = std::move(pipeline);
  spdlog::info("recording {}: {}-s segments in {} (at most {:.1f} MB)", m.options.id,
               m.options.segment_s, m.options.dir.string(),
               static_cast<double>(m.options.max_bytes) / (1024.0 * 1024.0));
  return {};
}

void RecordingSink::stop(std::chrono::milliseconds bound) {
  Impl& m = *impl_;
  if (!m.pipeline) return;
  // The output sent (or we send) end-of-stream: the segment being written gets its index.
  gst_element_send_event(m.appsrc.get(), gst_event_new_eos());
  {
    std::unique_lock lock(m.mutex);
    if (!m.ended_cv.wait_for(lock, bound, [&] { return m.ended; }))
      spdlog::warn("recording {}: the last segment did not finish in time", m.options.id);
  }
  gst::BusPtr bus(gst_element_get_bus(m.pipeline.get()));
  gst_element_set_state(m.pipeline.get(), GST_STATE_NULL);
  gst_bus_set_sync_handler(bus.get(), nullptr, nullptr, nullptr);
  m.pipeline.reset();
  m.appsrc.reset();
  m.enforce_quota();
}

GstElement* RecordingSink::appsrc() const {
  return impl_->appsrc.get();
}

RecordingStats RecordingSink::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

}  // namespace vw::streams
