// StreamManager against a real RTSP server (videowall-camsim in a child process, loopback only):
// states, frames, statistics, reconnects, silent stalls, auth/404, set_wanted semantics, bounded
// destruction. Every wait is bounded; the bounds are generous because the CPUs are shared.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "streams/rtsp_url.hpp"
#include "streams/stream_manager.hpp"
#include "tests/support/camsim_process.hpp"
#include "tests/support/eventually.hpp"

namespace vw::streams {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using testing::CamsimProcess;
using testing::eventually;
using testing::SimCameraSpec;

constexpr auto kStall = 1500ms;  // stall_timeout of the test streams
constexpr auto kStartup = 20s;   // bound for a stream to reach Playing

bool wait_state(const StreamChannel& channel, StreamState state,
                std::chrono::milliseconds timeout) {
  return eventually([&] { return channel.state() == state; }, timeout);
}

StreamManagerOptions test_options() {
  StreamManagerOptions options;
  options.backoff_initial = 500ms;
  options.backoff_max = 2000ms;
  options.linger = 1000ms;
  options.teardown_bound = 2000ms;
  return options;
}

StreamSpec spec(const std::string& key, const std::string& url) {
  StreamSpec s;
  s.key = key;
  s.url = url;
  s.stall_timeout = kStall;
  return s;
}

struct Yuv {
  int y, u, v;
};

// Expected 8-bit YUV of an RGB colour for the frame's matrix and range.
Yuv expected_yuv(std::uint32_t rgb, ColorMatrix matrix, bool full_range) {
  double r = ((rgb >> 16) & 0xff) / 255.0, g = ((rgb >> 8) & 0xff) / 255.0,
         b = (rgb & 0xff) / 255.0;
  double kr = matrix == ColorMatrix::BT601 ? 0.299 : 0.2126;
  double kb = matrix == ColorMatrix::BT601 ? 0.114 : 0.0722;
  double y = kr * r + (1 - kr - kb) * g + kb * b;
  double pb = (b - y) / (2 * (1 - kb));
  double pr = (r - y) / (2 * (1 - kr));
  if (full_range) {
    return {static_cast<int>(std::lround(255 * y)), static_cast<int>(std::lround(128 + 255 * pb)),
            static_cast<int>(std::lround(128 + 255 * pr))};
  }
  return {static_cast<int>(std::lround(16 + 219 * y)),
          static_cast<int>(std::lround(128 + 224 * pb)),
          static_cast<int>(std::lround(128 + 224 * pr))};
}

Yuv centre_pixel(const VideoFrame& f) {
  int x = f.width / 2, y = f.height / 2;
  Yuv out{f.planes[0][y * f.strides[0] + x], 0, 0};
  if (f.format == PixelFormat::I420) {
    out.u = f.planes[1][(y / 2) * f.strides[1] + x / 2];
    out.v = f.planes[2][(y / 2) * f.strides[2] + x / 2];
  } else {
    out.u = f.planes[1][(y / 2) * f.strides[1] + (x / 2) * 2];
    out.v = f.planes[1][(y / 2) * f.strides[1] + (x / 2) * 2 + 1];
  }
  return out;
}

void expect_colour(const VideoFrame& frame, std::uint32_t rgb) {
  Yuv want = expected_yuv(rgb, frame.matrix, frame.full_range);
  Yuv got = centre_pixel(frame);
  EXPECT_NEAR(got.y, want.y, 8) << "matrix " << static_cast<int>(frame.matrix);
  EXPECT_NEAR(got.u, want.u, 8);
  EXPECT_NEAR(got.v, want.v, 8);
}

// Waits for a frame newer than `after` in the channel's mailbox.
FramePtr wait_frame(StreamChannel& channel, std::uint64_t after = 0,
                    std::chrono::milliseconds timeout = 5s) {
  FramePtr frame;
  eventually([&] { return (frame = channel.mailbox().take_newer(after)) != nullptr; }, timeout);
  return frame;
}

TEST(SoftwareDecoderThreads, SharesTheCoresOutAtLeastOneEach) {
  EXPECT_EQ(software_decoder_threads(1, 8), 8);
  EXPECT_EQ(software_decoder_threads(3, 8), 2);
  EXPECT_EQ(software_decoder_threads(4, 2), 1);
  EXPECT_EQ(software_decoder_threads(64, 2), 1);
  EXPECT_EQ(software_decoder_threads(0, 2), 2);  // nothing else decoding
  EXPECT_EQ(software_decoder_threads(4, 0), 0);  // cores unknown: the decoder decides
}

TEST(RedactUrl, HidesPasswordsOnly) {
  EXPECT_EQ(redact_url("rtsp://user:pass@host:554/x"), "rtsp://user:***@host:554/x");
  EXPECT_EQ(redact_url("rtsp://user:pass@10.0.0.2/Streaming/Channels/101"),
            "rtsp://user:***@10.0.0.2/Streaming/Channels/101");
  EXPECT_EQ(redact_url("rtsp://host:554/x"), "rtsp://host:554/x");
  EXPECT_EQ(redact_url("rtsp://user@host/x"), "rtsp://user@host/x");
  EXPECT_EQ(redact_url("rtsp://user:@host/x"), "rtsp://user:@host/x");
  EXPECT_EQ(redact_url(""), "");
  EXPECT_EQ(redact_url("not a url"), "not a url");
  // Unencoded '@' and '/' in a password: everything up to the last '@' is hidden.
  EXPECT_EQ(redact_url("rtsp://admin:p@ss/w@rd@cam.local/live?x=1"),
            "rtsp://admin:***@cam.local/live?x=1");
  EXPECT_EQ(redact_url("rtsp://a%40b:p%3Ass@h/x"), "rtsp://a%40b:***@h/x");
  EXPECT_EQ(redact_url("rtsp://admin:P@ss#1?x@host/live?channel=1"),
            "rtsp://admin:***@host/live?channel=1");
  EXPECT_EQ(redact_url("rtsp://host/live@1"), "rtsp://host/live@1");
  EXPECT_EQ(redact_url("http://u:p@h"), "http://u:***@h");
}

TEST(RedactUrl, SplitsCredentialsForRtspsrc) {
  UrlCredentials c = split_credentials("rtsp://a%40b:p%3Ass@h:554/x?y=1");
  EXPECT_EQ(c.location, "rtsp://h:554/x?y=1");
  EXPECT_EQ(c.user, "a@b");
  EXPECT_EQ(c.password, "p:ss");
  c = split_credentials("rtsp://admin:p@ss/w@rd@cam/live");
  EXPECT_EQ(c.location, "rtsp://cam/live");
  EXPECT_EQ(c.password, "p@ss/w@rd");
  c = split_credentials("rtsp://cam/live");
  EXPECT_EQ(c.location, "rtsp://cam/live");
  EXPECT_TRUE(c.user.empty());
  EXPECT_TRUE(c.password.empty());
}

TEST(RedactUrl, RedactsFreeText) {
  const std::string url = "rtsp://op:Secret99@10.1.2.3/live";
  EXPECT_EQ(redact_text("Could not open rtsp://op:Secret99@10.1.2.3/live (401) at " + url, url),
            "Could not open rtsp://op:***@10.1.2.3/live (401) at rtsp://op:***@10.1.2.3/live");
  EXPECT_EQ(redact_text("auth with 'Secret99' failed", url), "auth with '***' failed");
  EXPECT_EQ(redact_text("no url here"), "no url here");
}

TEST(StreamState, Names) {
  EXPECT_EQ(to_string(StreamState::Idle), "idle");
  EXPECT_EQ(to_string(StreamState::Connecting), "connecting");
  EXPECT_EQ(to_string(StreamState::Playing), "playing");
  EXPECT_EQ(to_string(StreamState::Stalled), "stalled");
  EXPECT_EQ(to_string(StreamState::Reconnecting), "reconnecting");
  EXPECT_EQ(to_string(StreamState::AuthFailed), "auth_failed");
  EXPECT_EQ(to_string(StreamState::NotFound), "not_found");
}

TEST(StreamManager, PlaysH264WithFramesAndStats) {
  CamsimProcess server({{"/red", 0xff0000, 320, 240, "h264", 25}});
  server.start();
  Wakeup wakeup;
  StreamManager manager(&wakeup, test_options());
  auto started = Clock::now();
  auto channels = manager.set_wanted({spec("red/main", server.url("/red"))});
  EXPECT_LT(Clock::now() - started, 500ms) << "set_wanted must only post";
  ASSERT_EQ(channels.size(), 1u);
  StreamChannel& channel = *channels[0];
  EXPECT_EQ(manager.channel("red/main"), channels[0]);
  EXPECT_EQ(manager.channel("nope"), nullptr);
  ASSERT_TRUE(wait_state(channel, StreamState::Playing, kStartup)) << to_string(channel.state());

  FramePtr frame = wait_frame(channel);
  ASSERT_NE(frame, nullptr);
  EXPECT_TRUE(frame->format == PixelFormat::I420 || frame->format == PixelFormat::NV12);
  EXPECT_EQ(frame->plane_count, frame->format == PixelFormat::I420 ? 3 : 2);
  EXPECT_EQ(frame->width, 320);
  EXPECT_EQ(frame->height, 240);
  EXPECT_GE(frame->strides[0], 320);
  EXPECT_TRUE(frame->storage);
  expect_colour(*frame, 0xff0000);
  FramePtr next = wait_frame(channel, frame->sequence);
  ASSERT_NE(next, nullptr);
  EXPECT_GT(next->sequence, frame->sequence);
  EXPECT_GE(next->received, frame->received);
  expect_colour(*next, 0xff0000);

  // Statistics settle over ~2 s; keep consuming so fps_out is non-zero.
  std::uint64_t seen = next->sequence;
  auto until = Clock::now() + 3s;
  while (Clock::now() < until) {
    if (FramePtr f = channel.mailbox().take_newer(seen)) seen = f->sequence;
    std::this_thread::sleep_for(20ms);
  }
  StreamStats stats = channel.stats();
  EXPECT_GT(stats.fps_in, 12.0);
  EXPECT_LT(stats.fps_in, 40.0);
  EXPECT_GT(stats.fps_out, 1.0);
  EXPECT_GT(stats.bitrate_kbps, 0.0);
  EXPECT_EQ(stats.codec, "H.264");
  EXPECT_FALSE(stats.decoder.empty());
  if (!stats.hardware_decoder) {  // alone, a software decoder gets every core
    EXPECT_EQ(stats.decoder_threads,
              software_decoder_threads(1, std::thread::hardware_concurrency()));
  }
  EXPECT_EQ(stats.width, 320);
  EXPECT_EQ(stats.height, 240);
  EXPECT_GT(stats.frames_in, 25u);
  EXPECT_EQ(stats.reconnects, 0u);
  EXPECT_EQ(stats.pipeline_generation, 1u);
  EXPECT_TRUE(stats.last_error.empty()) << stats.last_error;
  EXPECT_EQ(manager.channels().size(), 1u);
}

TEST(StreamManager, PlaysH265) {
  CamsimProcess server({{"/green", 0x00ff00, 320, 240, "h265", 25}});
  server.start();
  Wakeup wakeup;
  StreamManager manager(&wakeup, test_options());
  auto channel = manager.set_wanted({spec("green/main", server.url("/green"))})[0];
  ASSERT_TRUE(wait_state(*channel, StreamState::Playing, kStartup)) << to_string(channel->state());
  FramePtr frame = wait_frame(*channel);
  ASSERT_NE(frame, nullptr);
  EXPECT_EQ(frame->width, 320);
  EXPECT_EQ(frame->height, 240);
  expect_colour(*frame, 0x00ff00);
  ASSERT_TRUE(eventually([&] { return channel->stats().codec == "H.265"; }, 3s))
      << channel->stats().codec;
  EXPECT_FALSE(channel->stats().decoder.empty());
}

TEST(StreamManager, ServerKilledThenRestartedReconnects) {
  CamsimProcess server({{"/cam", 0x0000ff, 320, 240, "h264", 25}});
  server.start();
  Wakeup wakeup;
  StreamManager manager(&wakeup, test_options());
  auto channel = manager.set_wanted({spec("cam/main", server.url("/cam"))})[0];
  ASSERT_TRUE(wait_state(*channel, StreamState::Playing, kStartup));
  FramePtr before = wait_frame(*channel);
  ASSERT_NE(before, nullptr);
  const std::uint64_t generation = channel->stats().pipeline_generation;
  const std::uint64_t last_sequence = before->sequence;
  before.reset();

  server.kill();
  auto killed = Clock::now();
  ASSERT_TRUE(eventually([&] { return channel->state() != StreamState::Playing; }, kStall + 2s));
  EXPECT_LT(Clock::now() - killed, kStall + 2s);
  EXPECT_EQ(channel->mailbox().peek(), nullptr) << "a stale frame survived the stream's end";

  server.start();  // same port
  ASSERT_TRUE(wait_state(*channel, StreamState::Playing, kStartup)) << to_string(channel->state());
  FramePtr after = wait_frame(*channel);
  ASSERT_NE(after, nullptr);
  EXPECT_GT(after->sequence, last_sequence) << "sequence must keep increasing across rebuilds";
  expect_colour(*after, 0x0000ff);
  StreamStats stats = channel->stats();
  EXPECT_GE(stats.reconnects, 1u);
  EXPECT_GT(stats.pipeline_generation, generation);
}

// A dead server is probed, not rebuilt against, and the stream plays again as soon as the
// server answers, whatever the backoff has grown to (the backoff here would wait 0.5, 1, 2, 4,
// 8 s between rebuilds: a server back after ~4 s would stay dark until the 7.5 s rebuild).
TEST(StreamManager, DeadServerIsProbedNotRebuiltAndPlaysOnceItAnswers) {
  CamsimProcess server({{"/cam", 0xff00ff, 320, 240, "h264", 25}});
  server.start();
  Wakeup wakeup;
  StreamManagerOptions options = test_options();
  options.backoff_max = 10000ms;
  StreamManager manager(&wakeup, options);
  auto channel = manager.set_wanted({spec("cam/main", server.url("/cam"))})[0];
  ASSERT_TRUE(wait_state(*channel, StreamState::Playing, kStartup));

  server.kill();
  ASSERT_TRUE(eventually([&] { return channel->state() != StreamState::Playing; }, kStall + 2s));
  const std::uint64_t generation = channel->stats().pipeline_generation;
  // ~4 s down: the probes (every 250 ms) keep finding it refused.
  ASSERT_TRUE(eventually([&] { return channel->stats().probes >= 12; }, 10s))
      << channel->stats().probes;
  EXPECT_EQ(channel->stats().pipeline_generation, generation)
      << "pipelines were rebuilt against a server that refuses connections";
  EXPECT_NE(channel->state(), StreamState::Playing);

  server.start();  // same port; listening when start() returns
  const auto reachable = Clock::now();
  ASSERT_TRUE(wait_state(*channel, StreamState::Playing, 10s)) << to_string(channel->state());
  const auto recovered = Clock::now() - reachable;
  // Within ~1 s on an idle machine (videowall-bench reports it); the bound allows a loaded CI.
  EXPECT_LT(recovered, 2500ms)
      << std::chrono::duration_cast<std::chrono::milliseconds>(recovered).count();
  EXPECT_EQ(channel->stats().pipeline_generation, generation + 1) << "one rebuild, not a storm";
  ASSERT_TRUE(eventually([&] { return channel->stats().recovery_ms >= 0; }, 3s));
  EXPECT_LT(channel->stats().recovery_ms, 2500);
  FramePtr frame = wait_frame(*channel);
  ASSERT_NE(frame, nullptr);
  expect_colour(*frame, 0xff00ff);
}

TEST(StreamManager, FrozenServerStallsThenRecovers) {
  CamsimProcess server({{"/cam", 0xffffff, 320, 240, "h264", 25}});
  server.start();
  Wakeup wakeup;
  StreamManager manager(&wakeup, test_options());
  auto channel = manager.set_wanted({spec("cam/main", server.url("/cam"))})[0];
  ASSERT_TRUE(wait_state(*channel, StreamState::Playing, kStartup));
  ASSERT_NE(wait_frame(*channel), nullptr);

  server.pause();  // TCP stays open, nothing arrives: the silent stall
  auto paused = Clock::now();
  bool stalled =
      eventually([&] { return channel->state() == StreamState::Stalled; }, kStall + 1500ms, 2ms);
  auto detected = Clock::now() - paused;
  ASSERT_TRUE(stalled) << to_string(channel->state());
  EXPECT_GE(detected, kStall - 200ms);
  EXPECT_EQ(channel->mailbox().peek(), nullptr);
  EXPECT_FALSE(channel->stats().last_error.empty());

  server.resume();
  EXPECT_TRUE(wait_state(*channel, StreamState::Playing, 25s)) << to_string(channel->state());
  EXPECT_NE(wait_frame(*channel), nullptr);
}

TEST(StreamManager, ConnectionThatNeverPlaysTimesOutAndRetries) {
  CamsimProcess server({{"/cam", 0x00ffff, 320, 240, "h264", 25}});
  server.start();
  server.pause();  // the kernel accepts the TCP connection; DESCRIBE is never answered
  Wakeup wakeup;
  StreamManager manager(&wakeup, test_options());
  auto channel = manager.set_wanted({spec("cam/main", server.url("/cam"))})[0];
  bool saw_stalled = false;
  ASSERT_TRUE(eventually(
      [&] {
        saw_stalled = saw_stalled || channel->state() == StreamState::Stalled;
        return channel->stats().pipeline_generation >= 2;
      },
      12s, 2ms))
      << to_string(channel->state());
  EXPECT_TRUE(saw_stalled);
  EXPECT_GE(channel->stats().reconnects, 1u);
  EXPECT_FALSE(channel->stats().last_error.empty());
  server.resume();
  EXPECT_TRUE(wait_state(*channel, StreamState::Playing, 25s)) << to_string(channel->state());
}

TEST(StreamManager, WrongCredentialsAreTerminalUntilFixed) {
  const std::string wrong_password = "Wr0ngPassw0rd";
  CamsimProcess server({{"/cam", 0xff0000, 320, 240, "h264", 25}}, "operator", "right-one");
  server.start();
  Wakeup wakeup;
  StreamManager manager(&wakeup, test_options());
  std::string bad_url =
      "rtsp://operator:" + wrong_password + "@127.0.0.1:" + std::to_string(server.port()) + "/cam";
  auto channel = manager.set_wanted({spec("cam/main", bad_url)})[0];
  ASSERT_TRUE(wait_state(*channel, StreamState::AuthFailed, kStartup))
      << to_string(channel->state());
  EXPECT_EQ(channel->redacted_url().find(wrong_password), std::string::npos);
  const std::uint64_t generation = channel->stats().pipeline_generation;

  std::this_thread::sleep_for(3s);  // no reconnect storm
  EXPECT_EQ(channel->state(), StreamState::AuthFailed);
  StreamStats stats = channel->stats();
  EXPECT_EQ(stats.pipeline_generation, generation);
  EXPECT_EQ(stats.reconnects, 0u);
  EXPECT_FALSE(stats.last_error.empty());
  EXPECT_EQ(stats.last_error.find(wrong_password), std::string::npos) << stats.last_error;

  // Same spec again: still terminal.
  manager.set_wanted({spec("cam/main", bad_url)});
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(channel->state(), StreamState::AuthFailed);
  EXPECT_EQ(channel->stats().pipeline_generation, generation);

  auto fixed = manager.set_wanted({spec("cam/main", server.url("/cam"))});
  EXPECT_EQ(fixed[0], channel) << "the channel of a key is stable";
  ASSERT_TRUE(wait_state(*channel, StreamState::Playing, kStartup)) << to_string(channel->state());
  FramePtr frame = wait_frame(*channel);
  ASSERT_NE(frame, nullptr);
  expect_colour(*frame, 0xff0000);
}

TEST(StreamManager, ChangedSpecRestartsAndUdpWorks) {
  CamsimProcess server({{"/cam", 0xffff00, 320, 240, "h264", 25}});
  server.start();
  Wakeup wakeup;
  StreamManager manager(&wakeup, test_options());
  StreamSpec tcp = spec("cam/main", server.url("/cam"));
  auto channel = manager.set_wanted({tcp})[0];
  ASSERT_TRUE(wait_state(*channel, StreamState::Playing, kStartup));
  ASSERT_EQ(channel->stats().pipeline_generation, 1u);

  StreamSpec udp = tcp;
  udp.transport = Transport::Udp;
  udp.latency_ms = 100;
  EXPECT_EQ(manager.set_wanted({udp})[0], channel);
  ASSERT_TRUE(eventually([&] { return channel->stats().pipeline_generation == 2; }, 3s));
  ASSERT_TRUE(wait_state(*channel, StreamState::Playing, kStartup)) << to_string(channel->state());
  FramePtr frame = wait_frame(*channel);
  ASSERT_NE(frame, nullptr);
  expect_colour(*frame, 0xffff00);
  EXPECT_EQ(channel->stats().reconnects, 0u) << "a configuration change is not a reconnect";
}

TEST(StreamManager, UnknownMountIsNotFound) {
  CamsimProcess server({{"/cam", 0xff0000, 320, 240, "h264", 25}});
  server.start();
  Wakeup wakeup;
  StreamManager manager(&wakeup, test_options());
  auto channel = manager.set_wanted({spec("ghost/main", server.url("/no-such-mount"))})[0];
  ASSERT_TRUE(wait_state(*channel, StreamState::NotFound, kStartup)) << to_string(channel->state());
  const std::uint64_t generation = channel->stats().pipeline_generation;
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(channel->state(), StreamState::NotFound);
  EXPECT_EQ(channel->stats().pipeline_generation, generation);
}

TEST(StreamManager, SameSpecsKeepPipelinesAndRemovedKeysLinger) {
  CamsimProcess server(
      {{"/a", 0xff0000, 320, 240, "h264", 25}, {"/b", 0x00ff00, 320, 240, "h264", 25}});
  server.start();
  Wakeup wakeup;
  StreamManager manager(&wakeup, test_options());
  std::vector<StreamSpec> specs{spec("a/main", server.url("/a")), spec("b/main", server.url("/b"))};
  auto channels = manager.set_wanted(specs);
  ASSERT_EQ(channels.size(), 2u);
  for (auto& c : channels) ASSERT_TRUE(wait_state(*c, StreamState::Playing, kStartup));

  auto again = manager.set_wanted(specs);
  EXPECT_EQ(again, channels);
  FramePtr b_before = wait_frame(*channels[1]);
  ASSERT_NE(b_before, nullptr);
  std::this_thread::sleep_for(1200ms);
  for (auto& c : channels) {
    EXPECT_EQ(c->state(), StreamState::Playing);
    EXPECT_EQ(c->stats().pipeline_generation, 1u);
    EXPECT_EQ(c->stats().reconnects, 0u);
  }
  // Frames kept flowing through the same pipeline (no gap of a reconnect).
  FramePtr b_now = channels[1]->mailbox().peek();
  ASSERT_NE(b_now, nullptr);
  EXPECT_GT(b_now->sequence, b_before->sequence + 10);

  // b is no longer wanted: it keeps playing for `linger`, then stops.
  auto removed = Clock::now();
  manager.set_wanted({specs[0]});
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(channels[1]->state(), StreamState::Playing) << "must linger";
  EXPECT_EQ(manager.channels().size(), 2u);
  ASSERT_TRUE(wait_state(*channels[1], StreamState::Idle, 5s));
  EXPECT_GE(Clock::now() - removed, 900ms);
  EXPECT_EQ(channels[1]->mailbox().peek(), nullptr);
  EXPECT_EQ(manager.channels().size(), 1u);
  EXPECT_EQ(manager.channel("b/main"), channels[1]);
  EXPECT_EQ(channels[0]->state(), StreamState::Playing);
  EXPECT_EQ(channels[0]->stats().pipeline_generation, 1u);

  // Wanted again: same channel, a new pipeline, sequence still increasing.
  auto back = manager.set_wanted(specs);
  EXPECT_EQ(back[1], channels[1]);
  ASSERT_TRUE(wait_state(*channels[1], StreamState::Playing, kStartup));
  FramePtr b_after = wait_frame(*channels[1]);
  ASSERT_NE(b_after, nullptr);
  EXPECT_GT(b_after->sequence, b_before->sequence);
  EXPECT_EQ(channels[1]->stats().pipeline_generation, 2u);
}

TEST(StreamManager, ADeadCameraDoesNotHoldUpOthers) {
  CamsimProcess dead({{"/cam", 0xff0000, 320, 240, "h264", 25}});
  CamsimProcess alive({{"/cam", 0x0000ff, 320, 240, "h264", 25}});
  dead.start();
  alive.start();
  Wakeup wakeup;
  StreamManager manager(&wakeup, test_options());
  auto channels = manager.set_wanted(
      {spec("dead/main", dead.url("/cam")), spec("alive/main", alive.url("/cam"))});
  for (auto& c : channels) ASSERT_TRUE(wait_state(*c, StreamState::Playing, kStartup));
  // Two streams share the cores out between their decoders (built one after the other, each
  // counts the whole wanted set).
  for (auto& c : channels) {
    ASSERT_TRUE(eventually([&] { return !c->stats().decoder.empty(); }, 5s));
    if (!c->stats().hardware_decoder) {
      EXPECT_EQ(c->stats().decoder_threads,
                software_decoder_threads(2, std::thread::hardware_concurrency()));
    }
  }

  dead.pause();
  // Through the stall, the teardown and the reconnect attempts of the dead one, the other keeps
  // delivering: check every 500 ms that new frames arrived.
  std::uint64_t last = channels[1]->mailbox().published();
  auto until = Clock::now() + kStall + 3s;
  int windows = 0;
  while (Clock::now() < until) {
    std::this_thread::sleep_for(500ms);
    std::uint64_t now = channels[1]->mailbox().published();
    EXPECT_GE(now, last + 5) << "window " << windows;
    last = now;
    ++windows;
  }
  EXPECT_NE(channels[0]->state(), StreamState::Playing);
  EXPECT_EQ(channels[1]->state(), StreamState::Playing);
  dead.resume();
}

// A hang check, not a benchmark: teardown of a pipeline whose peer is frozen must not hold up
// the destructor beyond teardown_bound (plus slack for a loaded machine).
TEST(StreamManager, DestructorIsPromptWithAFrozenServer) {
  CamsimProcess playing_server({{"/cam", 0xff0000, 320, 240, "h264", 25}});
  CamsimProcess frozen_at_connect({{"/cam", 0xff0000, 320, 240, "h264", 25}});
  playing_server.start();
  frozen_at_connect.start();
  frozen_at_connect.pause();  // accepts TCP (kernel backlog) but never answers DESCRIBE
  Wakeup wakeup;
  auto manager = std::make_unique<StreamManager>(&wakeup, test_options());
  auto channels = manager->set_wanted({spec("cam/main", playing_server.url("/cam")),
                                       spec("frozen/main", frozen_at_connect.url("/cam"))});
  ASSERT_TRUE(wait_state(*channels[0], StreamState::Playing, kStartup));
  playing_server.pause();  // connected and "playing", peer frozen
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(channels[1]->state(), StreamState::Connecting);

  auto start = Clock::now();
  manager.reset();
  auto took = Clock::now() - start;
  EXPECT_LT(took, 5s) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
  for (auto& c : channels) {
    EXPECT_EQ(c->state(), StreamState::Idle);
    EXPECT_EQ(c->mailbox().peek(), nullptr);
  }
  playing_server.resume();
  frozen_at_connect.resume();
}

}  // namespace
}  // namespace vw::streams
