#include "streams/stream_pipeline.hpp"

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

#include "streams/blocked_socket.hpp"
#include "streams/gst_init.hpp"
#include "streams/rtsp_url.hpp"

namespace vw::streams {
namespace {

using Clock = std::chrono::steady_clock;

// rtspsrc: wait at most this long for the TEARDOWN reply when going PAUSED -> READY.
constexpr guint64 kTeardownTimeoutNs = 100ull * 1000 * 1000;
// rtspsrc: bound on any RTSP request/reply (a frozen camera answering nothing fails after this).
constexpr guint64 kTcpTimeoutUs = 4ull * 1000 * 1000;
// Bus warnings logged per pipeline; after that only every 1000th.
constexpr std::uint64_t kWarningsLogged = 5;

// The plane memory of one published frame: the mapped GstVideoFrame (which holds a buffer ref)
// and the sample it came from. Released from whichever thread drops the last FramePtr.
struct MappedFrame {
  GstVideoFrame frame{};
  bool mapped = false;
  gst::SamplePtr sample;
  MappedFrame() = default;
  MappedFrame(const MappedFrame&) = delete;
  MappedFrame& operator=(const MappedFrame&) = delete;
  ~MappedFrame() {
    if (mapped) gst_video_frame_unmap(&frame);
  }
};

bool klass_has(GstElementFactory* factory, const char* word) {
  const gchar* klass = factory != nullptr
                           ? gst_element_factory_get_metadata(factory, GST_ELEMENT_METADATA_KLASS)
                           : nullptr;
  return klass != nullptr && std::string_view(klass).find(word) != std::string_view::npos;
}

bool is_video_decoder(GstElement* element) {
  GstElementFactory* factory = gst_element_get_factory(element);
  return klass_has(factory, "Decoder") && klass_has(factory, "Video");
}

std::string codec_name(const gchar* encoding) {
  if (encoding == nullptr) return {};
  std::string_view name(encoding);
  if (name == "H264") return "H.264";
  if (name == "H265") return "H.265";
  return std::string(name);
}

const GstStructure* pad_structure(GstPad* pad, gst::CapsPtr& holder) {
  holder.reset(gst_pad_get_current_caps(pad));
  if (!holder) holder.reset(gst_pad_query_caps(pad, nullptr));
  if (!holder || gst_caps_get_size(holder.get()) == 0) return nullptr;
  return gst_caps_get_structure(holder.get(), 0);
}

}  // namespace

// State shared with GStreamer's threads. Each callback registration owns one shared_ptr to it,
// so it lives as long as the last element that can call back.
struct PipelineShared {
  std::string key;
  std::shared_ptr<StreamChannel> channel;
  std::shared_ptr<StreamCounters> counters;
  std::shared_ptr<Wakeup> supervisor;
  // Borrowed sibling elements, used only by callbacks of elements of the same pipeline.
  GstElement* decode = nullptr;
  GstElement* convert = nullptr;

  std::mutex publish_mutex;  // held for a pointer swap only
  bool active = true;        // guarded by publish_mutex

  // What a camera may send (a hostile or broken one must not make the decoder allocate
  // 8K frames): its limits, and why the stream was refused (under info_mutex), once it was.
  int max_width = 4096, max_height = 2160;
  int decoder_threads = 0;            // avdec's max-threads to set; 0: its default
  int decoder_threads_set = 0;        // what was set on the plugged decoder (under info_mutex)
  std::atomic<int> video_streams{0};  // rtspsrc streams selected: only the first video one
  std::string unsupported;            // guarded by info_mutex

  // The thread that last sent an RTSP request (rtspsrc's task: it also reads the replies and the
  // interleaved data), and the camera's port: for cutting a read that never ends (teardown).
  std::atomic<pid_t> rtsp_thread{0};
  std::uint16_t camera_port = 0;
  std::uintptr_t owner() const { return reinterpret_cast<std::uintptr_t>(this); }
  ~PipelineShared() { forget_connections(owner()); }

  std::atomic<std::uint64_t> frames{0};
  std::atomic<Clock::rep> last_frame{0};
  std::atomic<int> width{0}, height{0};

  mutable std::mutex info_mutex;
  std::string codec, decoder;
  bool hardware = false;

  // Streaming thread of the appsink only (callbacks are serialised).
  gst::CapsPtr caps;
  GstVideoInfo video_info{};
  bool caps_usable = false;
  ColorMatrix matrix = ColorMatrix::BT709;
  bool full_range = false;

  void update_caps(GstCaps* new_caps);
  GstFlowReturn on_sample(GstAppSink* sink);
  // Ends the stream as "unsupported" with `reason`: remembered for the bus, which then reports
  // PipelineEvent::Kind::Unsupported, and posted as an error from `element`. Any thread.
  void refuse_format(GstElement* element, const std::string& reason);
};

void PipelineShared::refuse_format(GstElement* element, const std::string& reason) {
  {
    std::lock_guard lock(info_mutex);
    if (!unsupported.empty()) return;
    unsupported = reason;
  }
  GError* error = g_error_new_literal(GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT, reason.c_str());
  gst_element_post_message(element, gst_message_new_error(GST_OBJECT(element), error, nullptr));
  g_error_free(error);
}

namespace {

using SharedPtr = std::shared_ptr<PipelineShared>;

SharedPtr& shared_of(gpointer data) {
  return *static_cast<SharedPtr*>(data);
}
gpointer hold(const SharedPtr& shared) {
  return new SharedPtr(shared);
}
void release(gpointer data) {
  delete static_cast<SharedPtr*>(data);
}
void release_closure(gpointer data, GClosure*) {
  release(data);
}

void connect(GstElement* element, const char* signal, GCallback callback, const SharedPtr& shared) {
  g_signal_connect_data(element, signal, callback, hold(shared), release_closure, GConnectFlags(0));
}

// rtspsrc: SETUP only the first video stream (no audio to decode or leave unlinked, no second
// video stream to decode for nothing).
gboolean on_select_stream(GstElement*, guint, GstCaps* caps, gpointer data) {
  if (caps == nullptr || gst_caps_get_size(caps) == 0) return FALSE;
  const gchar* media = gst_structure_get_string(gst_caps_get_structure(caps, 0), "media");
  if (media == nullptr || std::string_view(media) != "video") return FALSE;
  return shared_of(data)->video_streams.fetch_add(1) == 0;
}

// A decoder's input caps (from the parser, which read the SPS) before any frame is decoded: a
// picture larger than the camera may send is refused here, so no buffer of that size is ever
// allocated. Also catches a resolution change mid-stream to an over-limit size.
GstPadProbeReturn check_coded_size(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  if (event == nullptr || GST_EVENT_TYPE(event) != GST_EVENT_CAPS) return GST_PAD_PROBE_OK;
  auto& shared = *shared_of(data);
  GstCaps* caps = nullptr;
  gst_event_parse_caps(event, &caps);
  int width = 0, height = 0;
  if (caps == nullptr || gst_caps_get_size(caps) == 0) return GST_PAD_PROBE_OK;
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  if (!gst_structure_get_int(s, "width", &width) || !gst_structure_get_int(s, "height", &height))
    return GST_PAD_PROBE_OK;
  if (width <= shared.max_width && height <= shared.max_height) return GST_PAD_PROBE_OK;
  gst::ElementPtr decoder(gst_pad_get_parent_element(pad));
  shared.refuse_format(decoder ? decoder.get() : shared.decode,
                       fmt::format("{}x{} is larger than this camera may send ({}x{}, max_size)",
                                   width, height, shared.max_width, shared.max_height));
  return GST_PAD_PROBE_DROP;
}

// rtspsrc: about to send a request, on the thread that will wait for its reply.
gboolean on_before_send(GstElement*, gpointer /* GstRTSPMessage* */, gpointer data) {
  auto& shared = *shared_of(data);
  shared.rtsp_thread.store(static_cast<pid_t>(syscall(SYS_gettid)));
  if (shared.camera_port != 0) note_connection(shared.owner(), shared.camera_port);
  return TRUE;
}

// rtspsrc: a new RTP pad -> decodebin.
void on_source_pad(GstElement*, GstPad* pad, gpointer data) {
  try {
    auto& shared = *shared_of(data);
    gst::CapsPtr caps;
    if (const GstStructure* s = pad_structure(pad, caps)) {
      const gchar* encoding = gst_structure_get_string(s, "encoding-name");
      std::string codec = codec_name(encoding);
      // Only H.264 and H.265 are decoded: decodebin would plug a decoder for whatever a camera
      // announces, each one more parser facing the network.
      if (codec != "H.264" && codec != "H.265") {
        shared.refuse_format(shared.decode, "codec " +
                                                (codec.empty() ? std::string("(none)") : codec) +
                                                " is not decoded (only H.264 and H.265)");
        return;
      }
      std::lock_guard lock(shared.info_mutex);
      shared.codec = std::move(codec);
    }
    gst::PadPtr sink(gst_element_get_static_pad(shared.decode, "sink"));
    if (sink && !gst_pad_is_linked(sink.get()) &&
        GST_PAD_LINK_FAILED(gst_pad_link(pad, sink.get()))) {
      spdlog::warn("stream {}: cannot link the RTP pad to the decoder", shared.key);
    }
  } catch (const std::exception& e) {
    spdlog::error("stream pad-added: {}", e.what());
  }
}

// decodebin: decoded video -> videoconvert.
void on_decoded_pad(GstElement*, GstPad* pad, gpointer data) {
  try {
    auto& shared = *shared_of(data);
    gst::CapsPtr caps;
    const GstStructure* s = pad_structure(pad, caps);
    if (s == nullptr || !gst_structure_has_name(s, "video/x-raw")) return;
    gst::PadPtr sink(gst_element_get_static_pad(shared.convert, "sink"));
    if (sink && !gst_pad_is_linked(sink.get()) &&
        GST_PAD_LINK_FAILED(gst_pad_link(pad, sink.get()))) {
      spdlog::warn("stream {}: cannot link the decoded pad", shared.key);
    }
  } catch (const std::exception& e) {
    spdlog::error("stream decoded pad-added: {}", e.what());
  }
}

GstPadProbeReturn count_bytes(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto& shared = *shared_of(data);
  gsize size = 0;
  if ((GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER) != 0) {
    size = gst_buffer_get_size(GST_PAD_PROBE_INFO_BUFFER(info));
  } else if ((GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER_LIST) != 0) {
    size = gst_buffer_list_calculate_size(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
  }
  shared.counters->bytes.fetch_add(size, std::memory_order_relaxed);
  return GST_PAD_PROBE_OK;
}

void set_if_present(GstElement* element, const char* property, gboolean value) {
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(element), property) != nullptr)
    g_object_set(element, property, value, nullptr);
}

// decodebin: note which decoder it plugged and count the compressed bytes going into it.
// A client joining a live camera mid-GOP gets P-frames whose references it never saw; libav
// would decode them into garbage (green, zero chroma) that stays on screen until the next key
// frame. So the depayloader waits for a key frame and the decoder drops corrupt output.
void on_element_added(GstBin*, GstElement* element, gpointer data) {
  try {
    set_if_present(element, "wait-for-keyframe", TRUE);  // rtph264depay
    if (!is_video_decoder(element)) return;
    set_if_present(element, "output-corrupt", FALSE);  // avdec_*
    auto& shared = shared_of(data);
    const bool threads_settable =
        shared->decoder_threads > 0 &&
        g_object_class_find_property(G_OBJECT_GET_CLASS(element), "max-threads") != nullptr;
    if (threads_settable) g_object_set(element, "max-threads", shared->decoder_threads, nullptr);
    GstElementFactory* factory = gst_element_get_factory(element);
    {
      std::lock_guard lock(shared->info_mutex);
      shared->decoder = GST_OBJECT_NAME(factory);
      shared->hardware = klass_has(factory, "Hardware");
      shared->decoder_threads_set = threads_settable ? shared->decoder_threads : 0;
    }
    spdlog::debug("stream {}: decoder {}", shared->key, GST_OBJECT_NAME(factory));
    if (gst::PadPtr sink{gst_element_get_static_pad(element, "sink")}) {
      gst_pad_add_probe(sink.get(),
                        GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
                        count_bytes, hold(shared), release);
      gst_pad_add_probe(sink.get(), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, check_coded_size,
                        hold(shared), release);
    }
  } catch (const std::exception& e) {
    spdlog::error("stream element-added: {}", e.what());
  }
}

// decodebin: a decoder not yet linked asks what downstream accepts. Answer for our branch, so a
// hardware decoder negotiates system-memory I420/NV12 instead of its own memory type.
gboolean on_autoplug_query(GstElement*, GstPad*, GstElement* element, GstQuery* query,
                           gpointer data) {
  if (GST_QUERY_TYPE(query) != GST_QUERY_CAPS && GST_QUERY_TYPE(query) != GST_QUERY_ACCEPT_CAPS) {
    return FALSE;
  }
  if (!is_video_decoder(element)) return FALSE;
  gst::PadPtr sink(gst_element_get_static_pad(shared_of(data)->convert, "sink"));
  return sink && gst_pad_query(sink.get(), query);
}

GstFlowReturn on_new_sample(GstAppSink* sink, gpointer data) {
  try {
    return shared_of(data)->on_sample(sink);
  } catch (const std::exception& e) {
    spdlog::error("stream new-sample: {}", e.what());
    return GST_FLOW_OK;
  }
}

}  // namespace

void PipelineShared::update_caps(GstCaps* new_caps) {
  caps.reset(gst_caps_ref(new_caps));
  caps_usable = gst_video_info_from_caps(&video_info, new_caps) &&
                (GST_VIDEO_INFO_FORMAT(&video_info) == GST_VIDEO_FORMAT_I420 ||
                 GST_VIDEO_INFO_FORMAT(&video_info) == GST_VIDEO_FORMAT_NV12);
  if (!caps_usable) {
    gst::CharPtr text(gst_caps_to_string(new_caps));
    spdlog::error("stream {}: unusable decoded caps {}", key, text.get());
    return;
  }
  switch (video_info.colorimetry.matrix) {
    case GST_VIDEO_COLOR_MATRIX_BT601:
    case GST_VIDEO_COLOR_MATRIX_FCC:
      matrix = ColorMatrix::BT601;
      break;
    case GST_VIDEO_COLOR_MATRIX_BT709:
    case GST_VIDEO_COLOR_MATRIX_SMPTE240M:
    case GST_VIDEO_COLOR_MATRIX_BT2020:  // closest the renderer has
      matrix = ColorMatrix::BT709;
      break;
    default:
      matrix = GST_VIDEO_INFO_HEIGHT(&video_info) < 720 ? ColorMatrix::BT601 : ColorMatrix::BT709;
  }
  full_range = video_info.colorimetry.range == GST_VIDEO_COLOR_RANGE_0_255;
}

GstFlowReturn PipelineShared::on_sample(GstAppSink* sink) {
  gst::SamplePtr sample(gst_app_sink_pull_sample(sink));
  if (!sample) return GST_FLOW_OK;
  GstCaps* sample_caps = gst_sample_get_caps(sample.get());
  GstBuffer* buffer = gst_sample_get_buffer(sample.get());
  if (sample_caps == nullptr || buffer == nullptr) return GST_FLOW_OK;
  // Joining a stream mid-GOP, software decoders conceal the missing references with grey frames
  // flagged corrupted. Skip those until the first clean frame; later ones are shown (a smeared
  // picture beats a frozen one, and the stall timer would otherwise fire on long GOPs).
  if (frames.load() == 0 && GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_CORRUPTED)) {
    return GST_FLOW_OK;
  }
  if (!caps || (caps.get() != sample_caps && !gst_caps_is_equal(caps.get(), sample_caps))) {
    update_caps(sample_caps);
  }
  if (!caps_usable) return GST_FLOW_OK;

  auto storage = std::make_shared<MappedFrame>();
  if (!gst_video_frame_map(&storage->frame, &video_info, buffer, GST_MAP_READ)) {
    spdlog::warn("stream {}: cannot map a decoded frame", key);
    return GST_FLOW_OK;
  }
  storage->mapped = true;
  const GstVideoFrame& mapped = storage->frame;
  auto frame = std::make_shared<VideoFrame>();
  frame->format = GST_VIDEO_FRAME_FORMAT(&mapped) == GST_VIDEO_FORMAT_NV12 ? PixelFormat::NV12
                                                                           : PixelFormat::I420;
  frame->width = GST_VIDEO_FRAME_WIDTH(&mapped);
  frame->height = GST_VIDEO_FRAME_HEIGHT(&mapped);
  frame->matrix = matrix;
  frame->full_range = full_range;
  frame->plane_count = static_cast<int>(GST_VIDEO_FRAME_N_PLANES(&mapped));
  for (int i = 0; i < frame->plane_count && i < 3; ++i) {
    frame->planes[i] = static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&mapped, i));
    frame->strides[i] = GST_VIDEO_FRAME_PLANE_STRIDE(&mapped, i);
  }
  frame->received = Clock::now();
  storage->sample = std::move(sample);
  frame->storage = std::move(storage);
  // Software render path: scaled to its tile here, in parallel with the other cameras; the
  // decoder's buffer goes back as soon as the scaled copy exists.
  FramePtr ready = channel->prepare(std::move(frame));

  std::uint64_t published = 0;
  {
    std::lock_guard lock(publish_mutex);
    if (!active) return GST_FLOW_OK;
    auto owned = std::const_pointer_cast<VideoFrame>(ready);  // ours alone until published
    owned->sequence = counters->sequence.fetch_add(1) + 1;
    width.store(owned->source_w());
    height.store(owned->source_h());
    last_frame.store(owned->received.time_since_epoch().count());
    published = frames.fetch_add(1) + 1;
    channel->mailbox().publish(std::move(owned));
  }
  if (published == 1) supervisor->notify();  // first frame: Connecting -> Playing promptly
  return GST_FLOW_OK;
}

StreamPipeline::StreamPipeline(const StreamSpec& spec, std::shared_ptr<StreamChannel> channel,
                               std::shared_ptr<StreamCounters> counters,
                               std::shared_ptr<Wakeup> supervisor, int decoder_threads)
    : key_(spec.key), url_(spec.url), shared_(std::make_shared<PipelineShared>()) {
  ensure_gstreamer();
  shared_->key = spec.key;
  shared_->channel = std::move(channel);
  shared_->counters = std::move(counters);
  shared_->supervisor = std::move(supervisor);
  shared_->max_width = spec.max_width;
  shared_->decoder_threads = decoder_threads;
  shared_->max_height = spec.max_height;

  std::string name = "vw:" + spec.key;
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  pipeline_.reset(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new(name.c_str()))));
  auto make = [&](const char* factory, const char* element_name) {
    GstElement* element = gst_element_factory_make(factory, element_name);
    if (element == nullptr)
      throw std::runtime_error(std::string("missing GStreamer element ") + factory);
    gst_bin_add(GST_BIN(pipeline_.get()), element);  // the bin takes the floating ref
    return element;
  };
  source_ = make("rtspsrc", "source");
  shared_->decode = make("decodebin", "decode");
  shared_->convert = make("videoconvert", "convert");
  GstElement* sink = make("appsink", "sink");

  UrlCredentials credentials = split_credentials(spec.url);
  g_object_set(source_, "location", credentials.location.c_str(), "latency",
               static_cast<guint>(spec.latency_ms < 0 ? 200 : spec.latency_ms), "teardown-timeout",
               kTeardownTimeoutNs, "tcp-timeout", kTcpTimeoutUs, "do-retransmission",
               spec.transport != Transport::Tcp ? TRUE : FALSE, "drop-on-latency", TRUE, nullptr);
  if (!credentials.user.empty())
    g_object_set(source_, "user-id", credentials.user.c_str(), nullptr);
  if (!credentials.password.empty()) {
    g_object_set(source_, "user-pw", credentials.password.c_str(), nullptr);
  }
  const char* protocols = spec.transport == Transport::Tcp   ? "tcp"
                          : spec.transport == Transport::Udp ? "udp+udp-mcast"
                                                             : "udp+udp-mcast+tcp";
  gst_util_set_object_arg(G_OBJECT(source_), "protocols", protocols);

  gst::CapsPtr caps(gst_caps_from_string("video/x-raw,format=(string){I420,NV12}"));
  g_object_set(sink, "caps", caps.get(), "max-buffers", 1u, "drop", TRUE, "sync", FALSE,
               "emit-signals", FALSE, "enable-last-sample", FALSE, "qos", FALSE, nullptr);
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = on_new_sample;
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, hold(shared_), release);
  if (!gst_element_link(shared_->convert, sink)) throw std::runtime_error("cannot link appsink");

  if (std::optional<RtspAddress> address = rtsp_address(spec.url))
    shared_->camera_port = address->port;
  connect(source_, "before-send", G_CALLBACK(on_before_send), shared_);
  connect(source_, "select-stream", G_CALLBACK(on_select_stream), shared_);
  connect(source_, "pad-added", G_CALLBACK(on_source_pad), shared_);
  connect(shared_->decode, "pad-added", G_CALLBACK(on_decoded_pad), shared_);
  connect(shared_->decode, "element-added", G_CALLBACK(on_element_added), shared_);
  connect(shared_->decode, "autoplug-query", G_CALLBACK(on_autoplug_query), shared_);

  bus_.reset(gst_element_get_bus(pipeline_.get()));
}

StreamPipeline::~StreamPipeline() {
  deactivate();
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);  // may block: see header
  bus_.reset();
  pipeline_.reset();
}

std::optional<std::string> StreamPipeline::start() {
  if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    if (std::optional<PipelineEvent> event = poll_bus()) return event->message;
    return std::string("pipeline refused to start");
  }
  return std::nullopt;
}

std::optional<PipelineEvent> StreamPipeline::poll_bus() {
  while (gst::MessagePtr message{gst_bus_pop(bus_.get())}) {
    GstMessage* m = message.get();
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_PROGRESS) {
      GstProgressType type;
      gchar* code = nullptr;
      gchar* text = nullptr;
      gst_message_parse_progress(m, &type, &code, &text);
      gst::CharPtr code_holder(code), text_holder(text);
      const std::string_view category = code != nullptr ? code : "";
      if (category == "open" && type == GST_PROGRESS_TYPE_COMPLETE) opened_ = true;
      // rtspsrc announces "Sending PLAY request" when PLAY is queued, which is while it is still
      // opening: that request is not on the wire yet, so the open step stays the last one.
      const bool queued_request =
          category == "request" && type == GST_PROGRESS_TYPE_START && !opened_;
      if (text != nullptr && !queued_request) step_ = redact_text(text, url_);
      continue;
    }
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS)
      return PipelineEvent{PipelineEvent::Kind::Eos, "end of stream"};
    if (GST_MESSAGE_TYPE(m) != GST_MESSAGE_ERROR && GST_MESSAGE_TYPE(m) != GST_MESSAGE_WARNING)
      continue;
    GError* raw_error = nullptr;
    gchar* raw_debug = nullptr;
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
      gst_message_parse_error(m, &raw_error, &raw_debug);
    } else {
      gst_message_parse_warning(m, &raw_error, &raw_debug);
    }
    gst::ErrorPtr error(raw_error);
    gst::CharPtr debug(raw_debug);
    std::string text = error ? error->message : "unknown error";
    std::string detail = debug ? redact_text(debug.get(), url_) : std::string();
    text = redact_text(text, url_);
    const char* source = GST_MESSAGE_SRC_NAME(m) != nullptr ? GST_MESSAGE_SRC_NAME(m) : "?";
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_WARNING) {
      // Logged, but a pipeline that warns on every packet must not flood the log.
      ++warnings_;
      if (warnings_ <= kWarningsLogged || warnings_ % 1000 == 0) {
        spdlog::warn("stream {}: {}: {} ({}){}", key_, source, text, detail,
                     warnings_ == kWarningsLogged  ? "; further warnings are counted, not logged"
                     : warnings_ > kWarningsLogged ? fmt::format(" [{} warnings]", warnings_)
                                                   : std::string());
      }
      continue;
    }
    spdlog::warn("stream {}: error from {}: {} ({})", key_, source, text, detail);
    {
      std::lock_guard lock(shared_->info_mutex);
      if (!shared_->unsupported.empty())
        return PipelineEvent{PipelineEvent::Kind::Unsupported, shared_->unsupported};
    }
    PipelineEvent event{PipelineEvent::Kind::Error, text};
    bool from_source = GST_MESSAGE_SRC(m) == GST_OBJECT(source_) ||
                       gst_object_has_as_ancestor(GST_MESSAGE_SRC(m), GST_OBJECT(source_));
    if (error && from_source && error->domain == GST_RESOURCE_ERROR) {
      if (error->code == GST_RESOURCE_ERROR_NOT_AUTHORIZED)
        event.kind = PipelineEvent::Kind::NotAuthorized;
      if (error->code == GST_RESOURCE_ERROR_NOT_FOUND) event.kind = PipelineEvent::Kind::NotFound;
    }
    // rtspsrc's messages are generic ("Could not open resource..."); its debug text's last line
    // says what happened ("Failed to connect. (Generic error)").
    if (!detail.empty()) {
      std::size_t nl = detail.find_last_of('\n');
      std::string last = nl == std::string::npos ? detail : detail.substr(nl + 1);
      bool repeats = g_ascii_strncasecmp(last.c_str(), text.c_str(), text.size()) == 0;
      event.message = repeats ? last : text + ": " + last;
    }
    return event;
  }
  return std::nullopt;
}

std::function<bool()> StreamPipeline::connection_cutter() const {
  return [shared = shared_] {
    if (shared->camera_port == 0) return false;
    const pid_t thread = shared->rtsp_thread.load();
    // The thread may be between calls: sample it a few times.
    for (int i = 0; i < 20; ++i) {
      if (cut_connection(shared->owner(), thread, shared->camera_port)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  };
}

void StreamPipeline::deactivate() {
  std::lock_guard lock(shared_->publish_mutex);
  shared_->active = false;
}

PipelineInfo StreamPipeline::info() const {
  PipelineInfo out;
  out.frames = shared_->frames.load();
  out.last_frame = Clock::time_point(Clock::duration(shared_->last_frame.load()));
  out.width = shared_->width.load();
  out.height = shared_->height.load();
  std::lock_guard lock(shared_->info_mutex);
  out.codec = shared_->codec;
  out.decoder = shared_->decoder;
  out.hardware = shared_->hardware;
  out.decoder_threads = shared_->decoder_threads_set;
  out.step = step_;
  return out;
}

}  // namespace vw::streams
