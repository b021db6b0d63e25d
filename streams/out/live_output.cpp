#include "streams/out/live_output.hpp"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "streams/gst_init.hpp"
#include "streams/gst_ptr.hpp"
#include "streams/out/h264_encoders.hpp"

namespace vw::streams {

namespace {

using Clock = std::chrono::steady_clock;

// Pictures waiting in the encoder's appsrc before the next one is dropped: one being encoded and
// one waiting keeps the encoder busy without adding latency.
constexpr guint64 kEncoderQueue = 2;
// Access units waiting in a sink's appsrc before the sink drops to the next key frame (2 s at
// 25 fps: a network hiccup passes, a client that stopped reading does not pile up memory).
constexpr guint64 kSinkQueue = 50;

struct Sink {
  const void* key = nullptr;
  gst::ElementPtr appsrc;
  bool started = false;  // has had its first key frame
  // Sink running time minus encoder time, fixed at the sink's first key frame: the units keep the
  // feeder's regular spacing however bunched the encoder delivers them.
  bool has_offset = false;
  GstClockTimeDiff offset = 0;
};

// Running time of the pipeline `element` is in, or none when it is not playing yet.
GstClockTime running_time_of(GstElement* element) {
  if (GST_STATE(element) != GST_STATE_PLAYING) return GST_CLOCK_TIME_NONE;
  GstClock* clock = gst_element_get_clock(element);
  if (clock == nullptr) return GST_CLOCK_TIME_NONE;
  const GstClockTime now = gst_clock_get_time(clock);
  gst_object_unref(clock);
  const GstClockTime base = gst_element_get_base_time(element);
  return now >= base ? now - base : 0;
}

// Time of `t` shifted by `offset`, never before zero.
GstClockTime shifted(GstClockTime t, GstClockTimeDiff offset) {
  if (!GST_CLOCK_TIME_IS_VALID(t)) return t;
  const GstClockTimeDiff v = static_cast<GstClockTimeDiff>(t) + offset;
  return v > 0 ? static_cast<GstClockTime>(v) : 0;
}

}  // namespace

struct LiveOutput::Impl {
  std::string id;
  OutputEncoding encoding;

  mutable std::mutex mutex;  // guards the members below
  FramePtr latest;
  std::vector<Sink> sinks;
  LiveOutputStats stats;
  std::condition_variable wake;
  bool stopping = false;
  bool accepting = false;  // between start() and stop(): push() keeps pictures

  gst::ElementPtr pipeline;  // owner thread (start/stop) and the feeder
  gst::ElementPtr raw;
  gst::BusPtr bus;
  std::thread feeder;

  // The encoder pipeline with `factory` as its encoder (h264_encoders.hpp).
  std::string launch(const std::string& factory) const {
    const auto& e = encoding;
    return "appsrc name=raw is-live=true format=time caps=video/x-raw,format=RGBA,width=" +
           std::to_string(e.width) + ",height=" + std::to_string(e.height) +
           ",framerate=" + std::to_string(e.fps) + "/1 ! " + encoder_stage(factory, e) +
           " ! h264parse config-interval=-1 ! "
           "video/x-h264,stream-format=byte-stream,alignment=au ! "
           "appsink name=coded sync=false emit-signals=false enable-last-sample=false";
  }

  static GstFlowReturn on_coded(GstAppSink* sink, gpointer data) {
    auto* self = static_cast<Impl*>(data);
    gst::SamplePtr sample(gst_app_sink_pull_sample(sink));
    GstBuffer* buffer = sample ? gst_sample_get_buffer(sample.get()) : nullptr;
    if (buffer == nullptr) return GST_FLOW_OK;
    const bool key = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
    const GstClockTime pts = GST_BUFFER_PTS(buffer);
    struct Target {
      GstElement* appsrc;
      GstClockTimeDiff offset;
    };
    std::vector<Target> targets;
    {
      std::lock_guard lock(self->mutex);
      ++self->stats.frames_encoded;
      self->stats.bytes_encoded += gst_buffer_get_size(buffer);
      for (Sink& s : self->sinks) {
        GstAppSrc* src = GST_APP_SRC(s.appsrc.get());
        if (s.started && gst_app_src_get_current_level_buffers(src) >= kSinkQueue) {
          s.started = false;  // fell behind: start again at the next key frame
        }
        if (!s.started && !key) {
          ++self->stats.sink_drops;
          continue;
        }
        s.started = true;
        if (!s.has_offset && GST_CLOCK_TIME_IS_VALID(pts)) {
          // A sink not playing yet starts its running time at about zero.
          const GstClockTime now = running_time_of(s.appsrc.get());
          const GstClockTime at = GST_CLOCK_TIME_IS_VALID(now) ? now : 0;
          s.offset = static_cast<GstClockTimeDiff>(at) - static_cast<GstClockTimeDiff>(pts);
          s.has_offset = true;
        }
        targets.push_back({GST_ELEMENT(gst_object_ref(s.appsrc.get())), s.offset});
      }
    }
    for (const Target& target : targets) {
      GstBuffer* out = gst_buffer_copy(buffer);  // the memory is shared
      GST_BUFFER_PTS(out) = shifted(GST_BUFFER_PTS(buffer), target.offset);
      GST_BUFFER_DTS(out) = shifted(GST_BUFFER_DTS(buffer), target.offset);
      gst_app_src_push_buffer(GST_APP_SRC(target.appsrc), out);
      gst_object_unref(target.appsrc);
    }
    return GST_FLOW_OK;
  }

  static void release_picture(gpointer p) { delete static_cast<FramePtr*>(p); }

  // Feeder thread: one picture every 1/fps, the newest, repeated while nothing new came. Each is
  // stamped with its tick of the feed clock, so a receiver plays them evenly spaced.
  void feed() {
    const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(1)) /
                        std::max(1, encoding.fps);
    const auto nanos = static_cast<GstClockTime>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(period).count());
    GstAppSrc* src = GST_APP_SRC(raw.get());
    int caps_width = encoding.width, caps_height = encoding.height;  // what `raw` says it sends
    const auto began = Clock::now();
    auto due = began;
    std::unique_lock lock(mutex);
    while (!stopping) {
      wake.wait_until(lock, due, [&] { return stopping; });
      if (stopping) break;
      FramePtr picture = latest;
      lock.unlock();
      while (gst::MessagePtr message{gst_bus_pop_filtered(bus.get(), GST_MESSAGE_ERROR)}) {
        const std::string error = gst::error_text(message.get());
        spdlog::error("output {}: the encoder pipeline failed: {}", id, error);
        std::lock_guard guard(mutex);
        stats.state = "failed";
        stats.error = error;
        mark_encoder_failed(stats.encoder);  // a hardware one: "auto" restarts with the next
      }
      bool fed = false, dropped = false;
      if (picture && (picture->width != caps_width || picture->height != caps_height)) {
        // The software render path reads the wall at its own scale: the encoder scales.
        caps_width = picture->width;
        caps_height = picture->height;
        gst::CapsPtr caps(gst_caps_new_simple(
            "video/x-raw", "format", G_TYPE_STRING, "RGBA", "width", G_TYPE_INT, caps_width,
            "height", G_TYPE_INT, caps_height, "framerate", GST_TYPE_FRACTION, encoding.fps, 1,
            "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, nullptr));
        gst_app_src_set_caps(src, caps.get());
      }
      if (picture) {
        if (gst_app_src_get_current_level_buffers(src) >= kEncoderQueue) {
          dropped = true;
        } else {
          const std::size_t bytes = static_cast<std::size_t>(picture->strides[0]) *
                                    static_cast<std::size_t>(picture->height);
          GstBuffer* buffer = gst_buffer_new_wrapped_full(
              GST_MEMORY_FLAG_READONLY, const_cast<std::uint8_t*>(picture->planes[0]), bytes, 0,
              bytes, new FramePtr(picture), release_picture);
          GST_BUFFER_PTS(buffer) = static_cast<GstClockTime>(
              std::chrono::duration_cast<std::chrono::nanoseconds>(due - began).count());
          GST_BUFFER_DURATION(buffer) = nanos;
          fed = gst_app_src_push_buffer(src, buffer) == GST_FLOW_OK;
        }
      }
      const auto now = Clock::now();
      due += period;
      if (due + 5 * period < now) due = now + period;  // fell far behind: no burst to catch up
      lock.lock();
      if (fed) ++stats.frames_fed;
      if (dropped) ++stats.encoder_drops;
    }
  }
};

LiveOutput::LiveOutput(std::string id, OutputEncoding encoding)
    : id_(std::move(id)), encoding_(encoding), impl_(std::make_shared<Impl>()) {
  impl_->id = id_;
  impl_->encoding = encoding_;
}

LiveOutput::~LiveOutput() {
  stop();
}

std::string LiveOutput::start() {
  Impl& m = *impl_;
  if (m.pipeline) return {};
  ensure_gstreamer();
  const auto& e = encoding_;
  if (e.width < 16 || e.height < 16 || e.width % 2 != 0 || e.height % 2 != 0 || e.fps < 1 ||
      e.fps > 60 || e.bitrate_kbps < 64 || e.keyframe_s < 1) {
    return "output " + id_ + ": bad encoding (even size of at least 16x16, 1-60 fps, 64 kbit/s)";
  }
  std::string why;
  const std::vector<std::string> candidates = encoder_candidates(e.encoder, why);
  if (candidates.empty()) return "output " + id_ + ": " + why;
  // The first candidate whose pipeline plays ("auto": the hardware encoders there are, then x264).
  gst::ElementPtr pipeline;
  gst::ElementPtr coded;
  std::string factory, failures;
  for (const std::string& candidate : candidates) {
    GError* raw_error = nullptr;
    gst::ElementPtr built(gst_parse_launch(m.launch(candidate).c_str(), &raw_error));
    gst::ErrorPtr error(raw_error);
    if (!built || error) {
      failures +=
          "; " + candidate + ": cannot build (" + (error ? error->message : "unknown error") + ")";
      mark_encoder_failed(candidate);
      continue;
    }
    gst_object_ref_sink(built.get());  // the floating ref becomes the one ElementPtr holds
    m.raw.reset(gst_bin_get_by_name(GST_BIN(built.get()), "raw"));
    coded.reset(gst_bin_get_by_name(GST_BIN(built.get()), "coded"));
    GstAppSinkCallbacks callbacks{};
    callbacks.new_sample = Impl::on_coded;
    gst_app_sink_set_callbacks(GST_APP_SINK(coded.get()), &callbacks, &m, nullptr);
    m.bus.reset(gst_element_get_bus(built.get()));
    if (gst_element_set_state(built.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      gst_element_set_state(built.get(), GST_STATE_NULL);
      m.raw.reset();
      m.bus.reset();
      failures += "; " + candidate + ": does not start";
      mark_encoder_failed(candidate);
      continue;
    }
    pipeline = std::move(built);
    factory = candidate;
    break;
  }
  if (!pipeline)
    return "output " + id_ + ": no encoder pipeline starts" +
           (failures.empty() ? std::string() : " (" + failures.substr(2) + ")");
  if (!failures.empty())
    spdlog::warn("output {}: {} instead of {}", id_, factory, failures.substr(2));
  m.pipeline = std::move(pipeline);
  {
    std::lock_guard lock(m.mutex);
    m.stopping = false;
    m.accepting = true;
    m.stats.state = "running";
    m.stats.error.clear();
    m.stats.encoder = factory;
  }
  m.feeder = std::thread([&m] { m.feed(); });
  spdlog::info("output {}: encoding {}x{} at {} fps, {} kbit/s, a key frame every {} s, with {}",
               id_, e.width, e.height, e.fps, e.bitrate_kbps, e.keyframe_s, factory);
  return {};
}

void LiveOutput::stop() {
  Impl& m = *impl_;
  {
    std::lock_guard lock(m.mutex);
    m.stopping = true;
    m.accepting = false;
  }
  m.wake.notify_all();
  if (m.feeder.joinable()) m.feeder.join();
  std::vector<Sink> sinks;
  {
    std::lock_guard lock(m.mutex);
    sinks.swap(m.sinks);
    m.latest.reset();
    if (m.stats.state == "running") m.stats.state = "stopped";
    m.stats.sinks = 0;
  }
  for (Sink& s : sinks) gst_app_src_end_of_stream(GST_APP_SRC(s.appsrc.get()));
  if (m.pipeline) {
    gst_element_set_state(m.pipeline.get(), GST_STATE_NULL);
    m.pipeline.reset();
    m.raw.reset();
    m.bus.reset();
    spdlog::info("output {}: stopped", id_);
  }
}

void LiveOutput::push(FramePtr picture) {
  FramePtr replaced;  // released outside the lock
  {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->accepting) return;
    replaced = std::exchange(impl_->latest, std::move(picture));
    ++impl_->stats.pictures_in;
  }
}

void LiveOutput::attach(const void* key, GstElement* appsrc) {
  gst::CapsPtr caps(gst_caps_from_string("video/x-h264,stream-format=byte-stream,alignment=au"));
  g_object_set(appsrc, "caps", caps.get(), "format", GST_FORMAT_TIME, "is-live", TRUE,
               "do-timestamp", FALSE, nullptr);
  std::lock_guard lock(impl_->mutex);
  if (impl_->stopping) return;
  impl_->sinks.push_back({key, gst::ElementPtr(GST_ELEMENT(gst_object_ref(appsrc))), false});
  impl_->stats.sinks = static_cast<int>(impl_->sinks.size());
}

void LiveOutput::detach(const void* key) {
  std::vector<Sink> gone;  // unreferenced outside the lock
  std::lock_guard lock(impl_->mutex);
  for (auto it = impl_->sinks.begin(); it != impl_->sinks.end();) {
    if (it->key == key) {
      gone.push_back(std::move(*it));
      it = impl_->sinks.erase(it);
    } else {
      ++it;
    }
  }
  impl_->stats.sinks = static_cast<int>(impl_->sinks.size());
}

LiveOutputStats LiveOutput::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

}  // namespace vw::streams
