#include "streams/out/push_sink.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>

#include "streams/gst_init.hpp"
#include "streams/gst_ptr.hpp"

namespace vw::streams {

const char* push_kind_name(PushOptions::Kind kind) {
  return kind == PushOptions::Kind::srt ? "srt" : "rtmp";
}

struct PushSink::Impl {
  PushOptions options;
  gst::ElementPtr pipeline;  // owner thread
  gst::ElementPtr appsrc;
  gst::ElementPtr sink;      // srtsink or rtmp2sink: its "stats"
  mutable std::mutex mutex;  // guards error
  std::string error;

  std::string launch() const {
    // config-interval=-1: SPS and PPS before every key frame, so a caller that joins late (SRT
    // listener) or a server that hands the stream on (RTMP) decodes from the next key frame.
    // sync=false: the units go out as they are encoded; their timestamps travel in the mux.
    if (options.kind == PushOptions::Kind::srt) {
      // alignment=7: seven 188-byte TS packets per SRT packet (1316 bytes, SRT's live payload).
      return "appsrc name=coded ! h264parse config-interval=-1 ! mpegtsmux alignment=7 ! "
             "srtsink name=net wait-for-connection=false sync=false";
    }
    return "appsrc name=coded ! h264parse config-interval=-1 ! flvmux streamable=true ! "
           "rtmp2sink name=net sync=false";
  }

  static GstBusSyncReply on_bus(GstBus*, GstMessage* message, gpointer data) {
    auto* self = static_cast<Impl*>(data);
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
      const std::string text = gst::error_text(message);
      spdlog::error("output {}: {} sink: {}", self->options.output_id,
                    push_kind_name(self->options.kind), text);
      std::lock_guard lock(self->mutex);
      if (self->error.empty()) self->error = text;
    }
    return GST_BUS_DROP;  // handled here: nothing piles up on the bus
  }
};

PushSink::PushSink(PushOptions options) : impl_(std::make_shared<Impl>()) {
  impl_->options = std::move(options);
}

PushSink::~PushSink() {
  stop();
}

const PushOptions& PushSink::options() const {
  return impl_->options;
}

std::string PushSink::start() {
  Impl& m = *impl_;
  if (m.pipeline) return {};
  ensure_gstreamer();
  const char* kind = push_kind_name(m.options.kind);
  GError* raw = nullptr;
  gst::ElementPtr pipeline(gst_parse_launch(m.launch().c_str(), &raw));
  gst::ErrorPtr error(raw);
  if (!pipeline || error) {
    return std::string("cannot build the ") + kind +
           " pipeline: " + (error ? error->message : "?") +
           " (is gstreamer1.0-plugins-bad installed?)";
  }
  gst_object_ref_sink(pipeline.get());
  gst::ElementPtr sink(gst_bin_get_by_name(GST_BIN(pipeline.get()), "net"));
  if (m.options.kind == PushOptions::Kind::srt) {
    g_object_set(sink.get(), "uri", m.options.uri.c_str(), "latency", m.options.latency_ms,
                 nullptr);
    if (!m.options.passphrase.empty()) {
      g_object_set(sink.get(), "passphrase", m.options.passphrase.c_str(), nullptr);
      gst_util_set_object_arg(G_OBJECT(sink.get()), "pbkeylen",
                              std::to_string(m.options.key_bytes).c_str());
    }
  } else {
    g_object_set(sink.get(), "location", m.options.uri.c_str(), nullptr);
  }
  gst::BusPtr bus(gst_element_get_bus(pipeline.get()));
  gst_bus_set_sync_handler(bus.get(), Impl::on_bus, &m, nullptr);
  m.appsrc.reset(gst_bin_get_by_name(GST_BIN(pipeline.get()), "coded"));
  // Live before the pipeline plays, as in RecordingSink: LiveOutput stamps the units in this
  // pipeline's running time.
  g_object_set(m.appsrc.get(), "format", GST_FORMAT_TIME, "is-live", TRUE, "do-timestamp", FALSE,
               nullptr);
  {
    std::lock_guard lock(m.mutex);
    m.error.clear();
  }
  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    gst_element_set_state(pipeline.get(), GST_STATE_NULL);
    gst_bus_set_sync_handler(bus.get(), nullptr, nullptr, nullptr);
    m.appsrc.reset();
    std::lock_guard lock(m.mutex);
    return std::string("the ") + kind + " sink does not start (" + m.options.uri +
           (m.error.empty() ? std::string(")") : "): " + m.error);
  }
  m.sink = std::move(sink);
  m.pipeline = std::move(pipeline);
  spdlog::info("output {}: {} sink to {}{}", m.options.output_id, kind, m.options.uri,
               m.options.passphrase.empty() ? "" : " (encrypted)");
  return {};
}

void PushSink::stop() {
  Impl& m = *impl_;
  if (!m.pipeline) return;
  gst::BusPtr bus(gst_element_get_bus(m.pipeline.get()));
  gst_element_set_state(m.pipeline.get(), GST_STATE_NULL);
  gst_bus_set_sync_handler(bus.get(), nullptr, nullptr, nullptr);
  m.pipeline.reset();
  m.appsrc.reset();
  m.sink.reset();
}

GstElement* PushSink::appsrc() const {
  return impl_->appsrc.get();
}

namespace {

std::uint64_t bytes_sent_of(const GstStructure* s) {
  guint64 bytes = 0;
  if (gst_structure_get_uint64(s, "bytes-sent-total", &bytes)) return bytes;  // SRT listener
  if (gst_structure_get_uint64(s, "bytes-sent", &bytes)) return bytes;        // SRT caller
  if (gst_structure_get_uint64(s, "out-bytes-total", &bytes)) return bytes;   // rtmp2sink
  return 0;
}

// One SRT connection's statistics added to `out`.
void add_connection(const GstStructure* s, PushStats& out) {
  gint lost = 0, retransmitted = 0;
  gdouble rtt = 0;
  if (gst_structure_get_int(s, "packets-sent-lost", &lost)) out.packets_lost += lost;
  if (gst_structure_get_int(s, "packets-retransmitted", &retransmitted))
    out.packets_retransmitted += retransmitted;
  if (gst_structure_get_double(s, "rtt-ms", &rtt)) out.rtt_ms = std::max(out.rtt_ms, rtt);
}

}  // namespace

PushStats PushSink::stats() const {
  PushStats out;
  {
    std::lock_guard lock(impl_->mutex);
    out.error = impl_->error;
  }
  GstElement* sink = impl_->sink.get();
  if (sink == nullptr) return out;
  GstStructure* raw = nullptr;
  g_object_get(sink, "stats", &raw, nullptr);
  if (raw == nullptr) return out;
  std::unique_ptr<GstStructure, decltype(&gst_structure_free)> s(raw, gst_structure_free);
  out.bytes_sent = bytes_sent_of(s.get());
  if (impl_->options.kind != PushOptions::Kind::srt) return out;
  // An SRT listener lists each connected caller (in a GValueArray, deprecated in GLib but what
  // srtsink gives); a caller reports its one connection at the top level.
  const GValue* callers = gst_structure_get_value(s.get(), "callers");
  if (callers != nullptr && G_VALUE_TYPE(callers) == g_type_from_name("GValueArray")) {
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS
    const auto* list = static_cast<const GValueArray*>(g_value_get_boxed(callers));
    out.clients = list != nullptr ? static_cast<int>(list->n_values) : 0;
    for (int i = 0; i < out.clients; ++i)
      if (GST_VALUE_HOLDS_STRUCTURE(&list->values[i]))
        add_connection(gst_value_get_structure(&list->values[i]), out);
    G_GNUC_END_IGNORE_DEPRECATIONS
  } else if (impl_->options.uri.find("mode=listener") != std::string::npos) {
    out.clients = 0;
  } else {
    add_connection(s.get(), out);
  }
  return out;
}

}  // namespace vw::streams
