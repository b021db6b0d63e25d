// A live output's encoder in process: the encoder it picks (auto: hardware where GStreamer has
// one, else x264; or the one named), the pictures it is fed decoded back by a real H.264 decoder
// (avdec_h264) in a sink attached like the daemon's, and an encoder this machine lacks refused by
// name; the profile a WebRTC output asks for, and the H.264 payload a browser's offer is answered
// with. And the host part of the URLs status shows.
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "streams/gst_init.hpp"
#include "streams/gst_ptr.hpp"
#include "streams/out/h264_encoders.hpp"
#include "streams/out/live_output.hpp"
#include "streams/out/output_server.hpp"
#include "streams/out/webrtc_session.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/process.hpp"
#include "tests/support/whep_offer.hpp"

namespace vw::streams {
namespace {

using namespace std::chrono_literals;

// An RGBA picture of these pixels (tightly packed).
FramePtr rgba(int width, int height, std::shared_ptr<std::vector<std::uint8_t>> pixels) {
  auto frame = std::make_shared<VideoFrame>();
  frame->format = PixelFormat::RGBA;
  frame->width = width;
  frame->height = height;
  frame->plane_count = 1;
  frame->planes[0] = pixels->data();
  frame->strides[0] = width * 4;
  frame->storage = std::move(pixels);
  return frame;
}

// A solid RGBA picture.
FramePtr solid(int width, int height, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  auto pixels = std::make_shared<std::vector<std::uint8_t>>();
  pixels->reserve(static_cast<std::size_t>(width) * height * 4);
  for (int i = 0; i < width * height; ++i) pixels->insert(pixels->end(), {r, g, b, 255});
  return rgba(width, height, std::move(pixels));
}

// A sink as the daemon attaches them, decoding to RGB: what a receiver would see.
class DecodingSink {
 public:
  DecodingSink() {
    ensure_gstreamer();
    pipeline_.reset(gst_parse_launch(
        "appsrc name=coded ! h264parse ! avdec_h264 ! videoconvert ! video/x-raw,format=RGB ! "
        "appsink name=out sync=false max-buffers=2 drop=true",
        nullptr));
    gst_object_ref_sink(pipeline_.get());
    appsrc_.reset(gst_bin_get_by_name(GST_BIN(pipeline_.get()), "coded"));
    out_.reset(gst_bin_get_by_name(GST_BIN(pipeline_.get()), "out"));
    // Live before it plays, as the daemon's sinks (LiveOutput::attach sets the same again).
    g_object_set(appsrc_.get(), "format", GST_FORMAT_TIME, "is-live", TRUE, nullptr);
    gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING);
  }
  ~DecodingSink() { gst_element_set_state(pipeline_.get(), GST_STATE_NULL); }
  GstElement* appsrc() const { return appsrc_.get(); }
  // The first pixel of the next decoded frame (0xRRGGBB), or -1 when none came within `bound`.
  long next_pixel(std::chrono::milliseconds bound) {
    gst::SamplePtr sample(gst_app_sink_try_pull_sample(
        GST_APP_SINK(out_.get()), static_cast<GstClockTime>(bound.count()) * GST_MSECOND));
    if (!sample) return -1;
    GstMapInfo map;
    GstBuffer* buffer = gst_sample_get_buffer(sample.get());
    if (!gst_buffer_map(buffer, &map, GST_MAP_READ) || map.size < 3) return -1;
    // The middle of the first row's second half: away from the edges' chroma bleed.
    const std::size_t at = (map.size / 2) - (map.size / 2) % 3;
    const long rgb = (long(map.data[at]) << 16) | (long(map.data[at + 1]) << 8) | map.data[at + 2];
    gst_buffer_unmap(buffer, &map);
    return rgb;
  }

 private:
  gst::ElementPtr pipeline_, appsrc_, out_;
};

bool near(long rgb, long want) {
  for (int shift : {16, 8, 0}) {
    if (std::abs(((rgb >> shift) & 0xff) - ((want >> shift) & 0xff)) > 40) return false;
  }
  return true;
}

// Feeds red pictures until the sink decodes a red frame (bounded), and returns the last pixel.
long decoded_red(LiveOutput& output, DecodingSink& sink) {
  long pixel = -1;
  for (int i = 0; i < 100 && !near(pixel, 0xff0000); ++i) {
    output.push(solid(320, 180, 255, 0, 0));
    pixel = sink.next_pixel(200ms);
  }
  return pixel;
}

OutputEncoding small(const std::string& encoder) {
  OutputEncoding e;
  e.width = 320;
  e.height = 180;
  e.fps = 10;
  e.bitrate_kbps = 500;
  e.encoder = encoder;
  return e;
}

TEST(LiveOutputEncoders, EachSoftwareEncoderNamedRunsAndIsDecodedBack) {
  for (const auto& [name, factory] : {std::pair{"x264", "x264enc"}, {"openh264", "openh264enc"}}) {
    LiveOutput output("enc", small(name));
    ASSERT_EQ(output.start(), "") << name;
    EXPECT_EQ(output.stats().encoder, factory);
    DecodingSink sink;
    output.attach(&sink, sink.appsrc());
    const long pixel = decoded_red(output, sink);
    EXPECT_TRUE(near(pixel, 0xff0000)) << name << ": " << std::hex << pixel;
    output.stop();
    EXPECT_GT(output.stats().frames_encoded, 0u) << name;
  }
}

TEST(LiveOutputEncoders, AutoTakesAHardwareEncoderWhereThereIsOneElseX264) {
  std::string why;
  const std::vector<std::string> candidates = encoder_candidates("auto", why);
  ASSERT_FALSE(candidates.empty());
  EXPECT_EQ(candidates.back(), "x264enc") << "x264 is the last resort";
  for (std::size_t i = 0; i + 1 < candidates.size(); ++i)
    EXPECT_TRUE(is_hardware_encoder(candidates[i])) << candidates[i];
  LiveOutput output("auto", small("auto"));
  ASSERT_EQ(output.start(), "");
  const std::string ran = output.stats().encoder;
  EXPECT_NE(std::find(candidates.begin(), candidates.end(), ran), candidates.end()) << ran;
  DecodingSink sink;
  output.attach(&sink, sink.appsrc());
  const long pixel = decoded_red(output, sink);
  const LiveOutputStats st = output.stats();
  EXPECT_TRUE(near(pixel, 0xff0000))
      << ran << " " << std::hex << pixel << std::dec << " fed " << st.frames_fed << " encoded "
      << st.frames_encoded << " sink drops " << st.sink_drops << " sinks " << st.sinks;
}

TEST(LiveOutputEncoders, AnEncoderThisMachineLacksIsRefusedByName) {
  ensure_gstreamer();
  for (const auto& [name, factory] : {std::pair{"nvenc", "nvh264enc"}, {"v4l2", "v4l2h264enc"}}) {
    gst::ObjectPtr<GstElementFactory> found(gst_element_factory_find(factory));
    if (found) continue;  // this machine has it: nothing to refuse
    LiveOutput output("hw", small(name));
    const std::string error = output.start();
    EXPECT_NE(error.find(factory), std::string::npos) << error;
    EXPECT_NE(error.find("not on this machine"), std::string::npos) << error;
    EXPECT_EQ(output.stats().state, "stopped");
  }
  std::string why;
  EXPECT_TRUE(encoder_candidates("h265", why).empty());
  EXPECT_NE(why.find("unknown encoder"), std::string::npos) << why;
}

// Noise at `width` x `height`: every picture different, so the encoder makes big frames.
FramePtr noise(int width, int height, std::uint32_t& seed) {
  auto pixels =
      std::make_shared<std::vector<std::uint8_t>>(static_cast<std::size_t>(width) * height * 4);
  auto* words = reinterpret_cast<std::uint32_t*>(pixels->data());
  for (std::size_t i = 0; i < pixels->size() / 4; ++i) {
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    words[i] = seed | 0xff000000u;
  }
  return rgba(width, height, std::move(pixels));
}

// A client that stops reading a high-bitrate output (its TCP window and the kernel's buffers full
// within seconds, then the RTSP server's own backlog): the encoder, and another client of the
// same shared mount, go on.
// The profile of the H.264 an output makes, as h264parse reads it from the stream's SPS.
std::string encoded_profile(LiveOutput& output) {
  gst::ElementPtr pipeline(gst_parse_launch(
      "appsrc name=coded ! h264parse ! appsink name=out sync=false max-buffers=2 drop=true",
      nullptr));
  gst_object_ref_sink(pipeline.get());
  gst::ElementPtr appsrc(gst_bin_get_by_name(GST_BIN(pipeline.get()), "coded"));
  gst::ElementPtr out(gst_bin_get_by_name(GST_BIN(pipeline.get()), "out"));
  g_object_set(appsrc.get(), "format", GST_FORMAT_TIME, "is-live", TRUE, nullptr);
  gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
  output.attach(appsrc.get(), appsrc.get());
  std::string profile;
  for (int i = 0; i < 50 && profile.empty(); ++i) {
    output.push(solid(320, 180, 0, 0, 255));
    gst::SamplePtr sample(gst_app_sink_try_pull_sample(GST_APP_SINK(out.get()), 200 * GST_MSECOND));
    if (!sample) continue;
    const GstStructure* caps = gst_caps_get_structure(gst_sample_get_caps(sample.get()), 0);
    if (const char* p = gst_structure_get_string(caps, "profile")) profile = p;
  }
  output.detach(appsrc.get());
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  return profile;
}

TEST(LiveOutputEncoders, AnOutputForBrowsersIsEncodedInTheMainProfile) {
  for (const char* name : {"x264", "openh264"}) {
    OutputEncoding e = small(name);
    e.profile = "main";
    LiveOutput output("main", e);
    ASSERT_EQ(output.start(), "") << name;
    EXPECT_EQ(encoded_profile(output), "main") << name;
  }
  LiveOutput plain("plain", small("x264"));
  ASSERT_EQ(plain.start(), "");
  EXPECT_EQ(encoded_profile(plain), "high") << "x264's own choice, where no browser watches";
}

// An offer's video m-line with these payloads ("PT codec fmtp", fmtp may be empty).
std::string offer_with(const std::vector<std::string>& payloads) {
  std::string formats, attributes;
  for (const std::string& p : payloads) {
    std::istringstream in(p);
    std::string pt, codec, fmtp;
    in >> pt >> codec >> fmtp;
    formats += " " + pt;
    attributes += "a=rtpmap:" + pt + " " + codec + "\r\n";
    if (!fmtp.empty()) attributes += "a=fmtp:" + pt + " " + fmtp + "\r\n";
  }
  return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
         "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n"
         "m=video 9 UDP/TLS/RTP/SAVPF" +
         formats + "\r\n" + attributes;
}

TEST(WebRtcOffers, TheAnswerTakesTheBrowsersMainProfileH264ElseItsBaseline) {
  std::string why;
  const std::string main_and_baseline = offer_with(
      {"96 VP8/90000", "102 H264/90000 packetization-mode=1;profile-level-id=42001f",
       "108 h264/90000 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
       "116 H264/90000 packetization-mode=1;profile-level-id=4D001F",
       "118 H264/90000 packetization-mode=0;profile-level-id=4d001f"});
  H264Payload p = choose_h264_payload(main_and_baseline, why);
  EXPECT_EQ(p.payload_type, 116) << why;
  EXPECT_EQ(p.profile_level_id, "4d001f");
  p = choose_h264_payload(
      offer_with({"102 H264/90000 packetization-mode=1;profile-level-id=42001f",
                  "108 H264/90000 packetization-mode=1;profile-level-id=42e01f"}),
      why);
  EXPECT_EQ(p.payload_type, 108) << "constrained baseline before baseline";
  // Offers the output cannot answer, each with its reason.
  const std::pair<std::string, std::string> refused[] = {
      {offer_with({"96 VP8/90000", "98 VP9/90000 profile-id=0"}), "no H.264"},
      {offer_with({"118 H264/90000 packetization-mode=0;profile-level-id=42e01f"}), "no H.264"},
      {"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
       "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n",
       "no video"},
      {"hello", "not SDP"},
      {"", "not SDP"}};
  for (const auto& [offer, reason] : refused) {
    why.clear();
    EXPECT_EQ(choose_h264_payload(offer, why).payload_type, -1) << offer;
    EXPECT_NE(why.find(reason), std::string::npos) << why << " for " << offer;
  }
}

// A viewer in process (under the sanitizers in CI): the offer answered on 127.0.0.1 only, the
// session attached to a running output while pictures flow, then stopped and detached.
TEST(WebRtcOffers, ASessionAnswersOnTheGivenAddressAndStopsClean) {
  LiveOutput output("webrtc", [] {
    OutputEncoding e = small("x264");
    e.profile = "main";
    return e;
  }());
  ASSERT_EQ(output.start(), "");
  WebRtcOptions options;
  options.output_id = "webrtc";
  options.ice_addresses = {"127.0.0.1"};
  WebRtcSession session(options);
  std::string answer;
  ASSERT_EQ(session.negotiate(vw::testing::whep_offer(), answer), "");
  EXPECT_NE(answer.find("a=rtpmap:98 H264/90000"), std::string::npos) << answer;
  EXPECT_NE(answer.find(" 127.0.0.1 "), std::string::npos) << answer;
  EXPECT_EQ(session.negotiate(vw::testing::whep_offer(), answer), "already negotiated");
  output.attach(session.key(), session.appsrc());
  for (int i = 0; i < 20; ++i) output.push(solid(320, 180, 0, 255, 0));
  EXPECT_TRUE(
      vw::testing::eventually([&] { return output.stats().frames_encoded >= 5; }, 20s, 20ms));
  EXPECT_FALSE(session.ended()) << "just negotiated: " << session.state();
  EXPECT_NE(session.state(), "connected") << "nobody is there to connect";
  output.detach(session.key());
  session.stop();
  EXPECT_EQ(session.state(), "closed");
  session.stop();  // idempotent
  // An offer without H.264 builds nothing.
  WebRtcSession refused(options);
  EXPECT_NE(refused.negotiate(vw::testing::whep_offer(false), answer).find("H.264"),
            std::string::npos);
  EXPECT_EQ(refused.appsrc(), nullptr);
}

TEST(OutputServerFaults, AStuckClientOfAHighBitrateOutputHoldsUpNeitherTheEncoderNorOthers) {
  OutputEncoding e;
  e.width = 640;
  e.height = 360;
  e.fps = 25;
  e.bitrate_kbps = 20000;
  e.encoder = "x264";
  auto output = std::make_shared<LiveOutput>("busy", e);
  ASSERT_EQ(output->start(), "");
  OutputServerOptions options;
  options.port = 0;
  OutputServer server(options);
  ASSERT_EQ(server.start(), "");
  server.mount(output);
  // A new noise picture every 40 ms (a 25 fps camera), until told to stop.
  std::mutex feeding_mutex;
  std::condition_variable stop_feeding;
  bool feeding = true;
  std::thread feeder([&] {
    std::uint32_t seed = 2463534242u;
    std::unique_lock lock(feeding_mutex);
    while (!stop_feeding.wait_for(lock, 40ms, [&] { return !feeding; })) {
      lock.unlock();
      output->push(noise(e.width, e.height, seed));
      lock.lock();
    }
  });
  const std::string url = server.url("busy");
  const std::string dir = "/tmp/vw-stuck-" + std::to_string(::getpid());
  vw::testing::DaemonProcess stuck(
      "/usr/bin/gst-launch-1.0",
      {"-q", "rtspsrc", "location=" + url, "protocols=tcp", "!", "rtph264depay", "!", "fakesink"},
      dir + "-stuck.log");
  stuck.start();
  ASSERT_TRUE(vw::testing::eventually([&] { return server.clients("busy") >= 1; }, 30s, 100ms));
  ASSERT_EQ(::kill(stuck.pid(), SIGSTOP), 0);
  // 25 MB: far more than the kernel's socket buffers and the server's backlog hold.
  const std::uint64_t bytes_before = output->stats().bytes_encoded;
  EXPECT_TRUE(vw::testing::eventually(
      [&] { return output->stats().bytes_encoded >= bytes_before + 25'000'000; }, 60s, 200ms))
      << "the encoder stalled behind a stuck client: "
      << output->stats().bytes_encoded - bytes_before;
  // Another client of the same mount gets its frames now.
  const auto other =
      vw::testing::run_process("/usr/bin/gst-launch-1.0",
                               {"-q", "rtspsrc", "location=" + url, "protocols=tcp", "!",
                                "rtph264depay", "!", "fakesink", "num-buffers=50"},
                               30s);
  EXPECT_EQ(other.exit_code, 0) << "a second client got no frames: " << other.output;
  ::kill(stuck.pid(), SIGCONT);
  stuck.stop();
  {
    std::lock_guard lock(feeding_mutex);
    feeding = false;
  }
  stop_feeding.notify_all();
  feeder.join();
  server.stop();
  output->stop();
}

// What status shows a receiver: an address it can dial, never the any-address.
TEST(OutputUrls, TheHostOfAUrlIsOneAReceiverCanReach) {
  EXPECT_EQ(url_host("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(url_host("10.20.0.5"), "10.20.0.5");
  EXPECT_EQ(url_host("::1"), "[::1]");
  for (const char* any : {"0.0.0.0", "::"}) {
    const std::string host = url_host(any);
    EXPECT_FALSE(host.empty());
    EXPECT_NE(host, any);
    EXPECT_NE(host.rfind("127.", 0), 0u) << host << ": loopback is not this machine to others";
  }
}

}  // namespace
}  // namespace vw::streams
