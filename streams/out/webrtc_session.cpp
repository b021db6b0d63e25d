#include "streams/out/webrtc_session.hpp"

#define GST_USE_UNSTABLE_API  // webrtcbin's library says its API may still change
#include <agent.h>            // libnice: the local addresses ICE offers
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "streams/gst_init.hpp"
#include "streams/gst_ptr.hpp"

namespace vw::streams {

namespace {

using Clock = std::chrono::steady_clock;

struct SdpFree {
  void operator()(GstSDPMessage* sdp) const { gst_sdp_message_free(sdp); }
};
using SdpPtr = std::unique_ptr<GstSDPMessage, SdpFree>;
struct DescriptionFree {
  void operator()(GstWebRTCSessionDescription* d) const { gst_webrtc_session_description_free(d); }
};
using DescriptionPtr = std::unique_ptr<GstWebRTCSessionDescription, DescriptionFree>;
struct PromiseUnref {
  void operator()(GstPromise* p) const { gst_promise_unref(p); }
};
using PromisePtr = std::unique_ptr<GstPromise, PromiseUnref>;

SdpPtr parse_sdp(const std::string& text) {
  if (text.empty()) return nullptr;
  GstSDPMessage* raw = nullptr;
  if (gst_sdp_message_new_from_text(text.c_str(), &raw) != GST_SDP_OK) return nullptr;
  SdpPtr sdp(raw);
  // The parser accepts almost any text: an offer has a version and at least one m-line.
  if (gst_sdp_message_get_version(raw) == nullptr || gst_sdp_message_medias_len(raw) == 0)
    return nullptr;
  return sdp;
}

// The fmtp parameter `name` of "PT a=1;b=2" (an fmtp attribute's value), or "".
std::string fmtp_parameter(const std::string& fmtp, const std::string& name) {
  const std::size_t space = fmtp.find(' ');
  if (space == std::string::npos) return {};
  std::size_t at = space + 1;
  while (at < fmtp.size()) {
    std::size_t end = fmtp.find(';', at);
    if (end == std::string::npos) end = fmtp.size();
    std::string item = fmtp.substr(at, end - at);
    item.erase(0, item.find_first_not_of(' '));
    const std::size_t eq = item.find('=');
    if (eq != std::string::npos && item.substr(0, eq) == name) return item.substr(eq + 1);
    at = end + 1;
  }
  return {};
}

// Preference of an H.264 profile-level-id (higher is better; 0: not playable as we send it).
int profile_rank(const std::string& profile_level_id) {
  if (profile_level_id.size() != 6) return 1;  // none given: baseline by RFC 6184's default
  const std::string idc = profile_level_id.substr(0, 2), iop = profile_level_id.substr(2, 2);
  if (idc == "4d") return 4;                 // main: what the encoder makes for WHEP outputs
  if (idc == "42" && iop == "e0") return 3;  // constrained baseline
  if (idc == "42") return 2;                 // baseline
  return 1;                                  // high and others also decode main
}

// Whether a request from a GstPromise replied without an error; `why` takes the error.
bool replied_ok(GstPromise* promise, std::string& why) {
  if (gst_promise_wait(promise) != GST_PROMISE_RESULT_REPLIED) {
    why = "webrtcbin did not reply";
    return false;
  }
  const GstStructure* reply = gst_promise_get_reply(promise);
  if (reply != nullptr && gst_structure_has_field(reply, "error")) {
    GError* raw = nullptr;
    gst_structure_get(reply, "error", G_TYPE_ERROR, &raw, nullptr);
    gst::ErrorPtr error(raw);
    why = error ? error->message : "webrtcbin refused it";
    return false;
  }
  return true;
}

}  // namespace

H264Payload choose_h264_payload(const std::string& offer, std::string& why) {
  H264Payload best;
  SdpPtr sdp = parse_sdp(offer);
  if (!sdp) {
    why = "the offer is not SDP";
    return best;
  }
  const GstSDPMedia* video = nullptr;
  for (guint i = 0; i < gst_sdp_message_medias_len(sdp.get()) && video == nullptr; ++i) {
    const GstSDPMedia* media = gst_sdp_message_get_media(sdp.get(), i);
    if (g_strcmp0(gst_sdp_media_get_media(media), "video") == 0) video = media;
  }
  if (video == nullptr) {
    why = "the offer has no video";
    return best;
  }
  int best_rank = 0;
  for (guint i = 0; i < gst_sdp_media_formats_len(video); ++i) {
    const int pt = std::atoi(gst_sdp_media_get_format(video, i));
    const std::string prefix = std::to_string(pt) + " ";
    std::string rtpmap, fmtp;
    for (guint a = 0; a < gst_sdp_media_attributes_len(video); ++a) {
      const GstSDPAttribute* attribute = gst_sdp_media_get_attribute(video, a);
      const std::string value = attribute->value != nullptr ? attribute->value : "";
      if (value.rfind(prefix, 0) != 0) continue;
      if (g_strcmp0(attribute->key, "rtpmap") == 0) rtpmap = value;
      if (g_strcmp0(attribute->key, "fmtp") == 0) fmtp = value;
    }
    std::string codec = rtpmap.substr(std::min(rtpmap.size(), prefix.size()));
    std::transform(codec.begin(), codec.end(), codec.begin(), ::toupper);
    if (codec != "H264/90000" || fmtp_parameter(fmtp, "packetization-mode") != "1") continue;
    std::string profile = fmtp_parameter(fmtp, "profile-level-id");
    std::transform(profile.begin(), profile.end(), profile.begin(), ::tolower);
    const int rank = profile_rank(profile);
    if (rank > best_rank) {
      best_rank = rank;
      best.payload_type = pt;
      best.profile_level_id = profile;
    }
  }
  if (best.payload_type < 0)
    why = "the offer has no H.264 with packetization-mode 1 (is the browser built without H.264?)";
  return best;
}

struct WebRtcSession::Impl {
  WebRtcOptions options;
  gst::ElementPtr pipeline;  // negotiate() and stop()
  gst::ElementPtr appsrc;
  gst::ElementPtr rtc;

  // Only for waiting on `gathered`: never held while calling into webrtcbin, whose threads take
  // it (on_gathering) with webrtcbin's own lock held.
  std::mutex gather_mutex;
  std::condition_variable gathered;

  mutable std::mutex mutex;  // guards the members below
  std::string error;         // the pipeline's, if it failed
  Clock::time_point negotiated_at{};
  bool ever_connected = false;
  Clock::time_point disconnected_since{};
  // The last packet from the viewer (its RTCP receiver reports come about once a second): the
  // sign that it is still there. ICE does not say so: libnice checks no consent here, so a
  // browser that quit stays "connected".
  Clock::time_point last_heard{};

  static GstBusSyncReply on_bus(GstBus*, GstMessage* message, gpointer data) {
    auto* self = static_cast<Impl*>(data);
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
      const std::string text = gst::error_text(message);
      spdlog::warn("output {}: a WebRTC viewer failed: {}", self->options.output_id, text);
      std::lock_guard lock(self->mutex);
      if (self->error.empty()) self->error = text;
    }
    return GST_BUS_DROP;
  }
  static void on_gathering(GstElement*, GParamSpec*, gpointer data) {
    auto* self = static_cast<Impl*>(data);
    { std::lock_guard lock(self->gather_mutex); }  // negotiate() is waiting, or reads it after
    self->gathered.notify_all();
  }
  static GstPadProbeReturn on_viewer_packet(GstPad*, GstPadProbeInfo*, gpointer data) {
    auto* self = static_cast<Impl*>(data);
    std::lock_guard lock(self->mutex);
    self->last_heard = Clock::now();
    return GST_PAD_PROBE_OK;
  }
  // Watches what arrives from the viewer: its nicesrc elements (inside webrtcbin's transport
  // bins, made once the descriptions are set) pass on every DTLS/SRTP/SRTCP packet it sends.
  void watch_viewer() {
    GstIterator* elements = gst_bin_iterate_recurse(GST_BIN(rtc.get()));
    GValue item = G_VALUE_INIT;
    while (gst_iterator_next(elements, &item) == GST_ITERATOR_OK) {
      auto* element = GST_ELEMENT(g_value_get_object(&item));
      GstElementFactory* factory = gst_element_get_factory(element);
      if (factory != nullptr && g_strcmp0(GST_OBJECT_NAME(factory), "nicesrc") == 0) {
        gst::PadPtr pad(gst_element_get_static_pad(element, "src"));
        if (pad)
          gst_pad_add_probe(pad.get(),
                            static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER |
                                                         GST_PAD_PROBE_TYPE_BUFFER_LIST),
                            on_viewer_packet, this, nullptr);
      }
      g_value_reset(&item);
    }
    g_value_unset(&item);
    gst_iterator_free(elements);
  }

  GstWebRTCICEGatheringState gathering_state() const {
    GstWebRTCICEGatheringState state = GST_WEBRTC_ICE_GATHERING_STATE_NEW;
    g_object_get(rtc.get(), "ice-gathering-state", &state, nullptr);
    return state;
  }
  GstWebRTCICEConnectionState ice_state() const {
    GstWebRTCICEConnectionState state = GST_WEBRTC_ICE_CONNECTION_STATE_NEW;
    if (rtc) g_object_get(rtc.get(), "ice-connection-state", &state, nullptr);
    return state;
  }

  // Offers ICE only on the configured addresses (libnice takes them instead of its own list).
  std::string restrict_ice() {
    if (options.ice_addresses.empty()) return {};
    GstWebRTCICE* ice = nullptr;
    g_object_get(rtc.get(), "ice-agent", &ice, nullptr);
    gst::ObjectPtr<GstWebRTCICE> owned(ice);
    if (ice == nullptr || g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent") == nullptr)
      return "this webrtcbin's ICE agent cannot be limited to ice_addresses";
    NiceAgent* agent = nullptr;
    g_object_get(ice, "agent", &agent, nullptr);
    if (agent == nullptr) return "webrtcbin has no libnice agent";
    std::string bad;
    for (const std::string& address : options.ice_addresses) {
      NiceAddress a;
      nice_address_init(&a);
      if (!nice_address_set_from_string(&a, address.c_str()) ||
          !nice_agent_add_local_address(agent, &a))
        bad = address;
    }
    g_object_unref(agent);
    return bad.empty() ? std::string() : "ICE cannot use the address " + bad;
  }

  // The local description as SDP text: webrtcbin has put every gathered candidate in it.
  std::string answer_text() {
    GstWebRTCSessionDescription* raw = nullptr;
    g_object_get(rtc.get(), "local-description", &raw, nullptr);
    DescriptionPtr local(raw);
    if (!local) return {};
    gst::CharPtr text(gst_sdp_message_as_text(local->sdp));
    return text.get();
  }
};

WebRtcSession::WebRtcSession(WebRtcOptions options) : impl_(std::make_shared<Impl>()) {
  impl_->options = std::move(options);
}

WebRtcSession::~WebRtcSession() {
  stop();
}

std::string WebRtcSession::negotiate(const std::string& offer, std::string& answer) {
  Impl& m = *impl_;
  if (m.pipeline) return "already negotiated";
  ensure_gstreamer();
  std::string why;
  const H264Payload payload = choose_h264_payload(offer, why);
  if (payload.payload_type < 0) return why;
  SdpPtr offer_sdp = parse_sdp(offer);

  // aggregate-mode=zero-latency: SPS, PPS and the slice leave in one STAP-A as soon as they are
  // there; config-interval=-1: SPS and PPS before every key frame (a viewer that lost one).
  // The payloader's caps name the stream's own level (4d000c at 320x180); capssetter puts the
  // offer's profile-level-id in their place (the offers allow level asymmetry), so that the caps
  // webrtcbin answered with (capsfilter) stay the caps that flow.
  const std::string pt = std::to_string(payload.payload_type);
  const std::string launch =
      "appsrc name=coded ! h264parse ! rtph264pay config-interval=-1 aggregate-mode=zero-latency "
      "pt=" +
      pt +
      " ! capssetter name=level join=true replace=false ! capsfilter name=rtpcaps ! "
      "webrtcbin name=rtc bundle-policy=max-bundle";
  GError* raw_error = nullptr;
  gst::ElementPtr pipeline(gst_parse_launch(launch.c_str(), &raw_error));
  gst::ErrorPtr error(raw_error);
  if (!pipeline || error)
    return std::string("cannot build the WebRTC pipeline: ") + (error ? error->message : "?") +
           " (are gstreamer1.0-plugins-bad and gstreamer1.0-nice installed?)";
  gst_object_ref_sink(pipeline.get());
  m.rtc.reset(gst_bin_get_by_name(GST_BIN(pipeline.get()), "rtc"));
  m.appsrc.reset(gst_bin_get_by_name(GST_BIN(pipeline.get()), "coded"));
  {
    gst::ElementPtr rtpcaps(gst_bin_get_by_name(GST_BIN(pipeline.get()), "rtpcaps"));
    gst::CapsPtr caps(
        gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "video", "encoding-name",
                            G_TYPE_STRING, "H264", "clock-rate", G_TYPE_INT, 90000, "payload",
                            G_TYPE_INT, payload.payload_type, "packetization-mode", G_TYPE_STRING,
                            "1", "level-asymmetry-allowed", G_TYPE_STRING, "1", nullptr));
    if (!payload.profile_level_id.empty()) {
      gst_caps_set_simple(caps.get(), "profile-level-id", G_TYPE_STRING,
                          payload.profile_level_id.c_str(), nullptr);
      gst::ElementPtr level(gst_bin_get_by_name(GST_BIN(pipeline.get()), "level"));
      gst::CapsPtr set(gst_caps_new_simple("application/x-rtp", "profile-level-id", G_TYPE_STRING,
                                           payload.profile_level_id.c_str(), nullptr));
      g_object_set(level.get(), "caps", set.get(), nullptr);
    }
    g_object_set(rtpcaps.get(), "caps", caps.get(), nullptr);
  }
  g_object_set(m.appsrc.get(), "format", GST_FORMAT_TIME, "is-live", TRUE, "do-timestamp", FALSE,
               nullptr);
  if (std::string restricted = m.restrict_ice(); !restricted.empty()) {
    m.rtc.reset();
    m.appsrc.reset();
    return restricted;
  }
  g_signal_connect(m.rtc.get(), "notify::ice-gathering-state", G_CALLBACK(Impl::on_gathering), &m);
  gst::BusPtr bus(gst_element_get_bus(pipeline.get()));
  gst_bus_set_sync_handler(bus.get(), Impl::on_bus, &m, nullptr);
  m.pipeline = std::move(pipeline);

  auto fail = [&](const std::string& what) {
    stop();
    return what;
  };
  // Playing before the offer is set: webrtcbin then takes the payloader's caps for the answer.
  if (gst_element_set_state(m.pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    return fail("the WebRTC pipeline does not start");

  GstWebRTCSessionDescription* remote =
      gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, offer_sdp.release());
  DescriptionPtr remote_owned(remote);
  PromisePtr set_remote(gst_promise_new());
  g_signal_emit_by_name(m.rtc.get(), "set-remote-description", remote, set_remote.get());
  if (!replied_ok(set_remote.get(), why)) return fail("the offer was refused: " + why);

  PromisePtr create(gst_promise_new());
  g_signal_emit_by_name(m.rtc.get(), "create-answer", nullptr, create.get());
  if (!replied_ok(create.get(), why)) return fail("no answer to the offer: " + why);
  GstWebRTCSessionDescription* raw_answer = nullptr;
  gst_structure_get(gst_promise_get_reply(create.get()), "answer",
                    GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &raw_answer, nullptr);
  DescriptionPtr local(raw_answer);
  if (!local) return fail("no answer to the offer");

  PromisePtr set_local(gst_promise_new());
  g_signal_emit_by_name(m.rtc.get(), "set-local-description", local.get(), set_local.get());
  if (!replied_ok(set_local.get(), why)) return fail("the answer was refused: " + why);

  // The state is read without gather_mutex (webrtcbin's lock is taken to read it); the wait is
  // woken by on_gathering, and bounded.
  const auto deadline = Clock::now() + m.options.timeout;
  while (m.gathering_state() != GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE) {
    if (Clock::now() >= deadline)
      return fail("ICE did not gather its candidates within " +
                  std::to_string(m.options.timeout.count()) + " ms");
    std::unique_lock lock(m.gather_mutex);
    m.gathered.wait_for(lock, std::chrono::milliseconds(50));
  }
  answer = m.answer_text();
  if (answer.empty()) return fail("webrtcbin has no local description");
  m.watch_viewer();
  std::lock_guard lock(m.mutex);
  m.negotiated_at = Clock::now();
  return {};
}

void WebRtcSession::stop() {
  Impl& m = *impl_;
  if (!m.pipeline) return;
  gst::BusPtr bus(gst_element_get_bus(m.pipeline.get()));
  gst_element_set_state(m.pipeline.get(), GST_STATE_NULL);
  gst_bus_set_sync_handler(bus.get(), nullptr, nullptr, nullptr);
  g_signal_handlers_disconnect_by_data(m.rtc.get(), &m);
  m.pipeline.reset();
  m.appsrc.reset();
  m.rtc.reset();
}

GstElement* WebRtcSession::appsrc() const {
  return impl_->appsrc.get();
}

std::string WebRtcSession::state() const {
  Impl& m = *impl_;
  {
    std::lock_guard lock(m.mutex);
    if (!m.error.empty()) return "failed";
  }
  if (!m.rtc) return "closed";
  switch (m.ice_state()) {
    case GST_WEBRTC_ICE_CONNECTION_STATE_NEW:
      return "new";
    case GST_WEBRTC_ICE_CONNECTION_STATE_CHECKING:
      return "checking";
    case GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED:
    case GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED:
      return "connected";
    case GST_WEBRTC_ICE_CONNECTION_STATE_DISCONNECTED:
      return "disconnected";
    case GST_WEBRTC_ICE_CONNECTION_STATE_FAILED:
      return "failed";
    case GST_WEBRTC_ICE_CONNECTION_STATE_CLOSED:
      return "closed";
  }
  return "new";
}

bool WebRtcSession::ended() const {
  const std::string now_state = state();
  if (now_state == "failed" || now_state == "closed") return true;
  Impl& m = *impl_;
  const auto now = Clock::now();
  constexpr auto kSilence = std::chrono::seconds(10);
  std::lock_guard lock(m.mutex);
  // A viewer that was heard and went silent (quit, crashed, lost its network) is gone.
  if (m.last_heard != Clock::time_point{} && now - m.last_heard > kSilence) return true;
  if (now_state == "connected") {
    m.ever_connected = true;
    m.disconnected_since = {};
    // Every WebRTC receiver sends RTCP; one never heard is not one.
    return m.last_heard == Clock::time_point{} && now - m.negotiated_at > std::chrono::seconds(30);
  }
  if (now_state == "disconnected") {
    if (m.disconnected_since == Clock::time_point{}) m.disconnected_since = now;
    return now - m.disconnected_since > kSilence;
  }
  // Negotiated but never connected (the browser went away after its POST).
  return !m.ever_connected && m.last_heard == Clock::time_point{} &&
         m.negotiated_at != Clock::time_point{} && now - m.negotiated_at > 3 * m.options.timeout;
}

}  // namespace vw::streams
