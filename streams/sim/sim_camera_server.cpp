#include "streams/sim/sim_camera_server.hpp"

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <gst/video/video.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "streams/sim/clock_stamp.hpp"
#include "streams/sim/demo_cache.hpp"
#include "streams/sim/sim_gst.hpp"
#include "streams/sim/sim_scene.hpp"

namespace vw::streams {
namespace {

using namespace sim;
using Clock = std::chrono::steady_clock;
constexpr const char* kRole = "viewer";

// ---------------------------------------------------------------------------------------------
// Clip feeding

struct ClipSink {  // one prepared pipeline of a clip mount
  GstPtr<GstElement> appsrc;
  const void* media = nullptr;  // identity of its GstRTSPMedia, never dereferenced
  std::size_t next = 0;         // next access unit to push
  Clock::time_point due{};
};

struct ClipFeed {  // one clip mount
  std::string path;
  std::shared_ptr<const H264Clip> clip;
  std::chrono::nanoseconds frame{};
  CapsPtr caps;
  std::vector<ClipSink> sinks;  // guarded by Feeder::mutex_
};

// Pushes every clip's access units into the appsrc of each prepared pipeline at the clip's frame
// rate. attach()/detach() are called from gst-rtsp-server threads; run() on the feeder thread.
class Feeder {
 public:
  explicit Feeder(std::vector<std::unique_ptr<ClipFeed>> feeds) : feeds_(std::move(feeds)) {}
  ~Feeder() { stop(); }

  const std::vector<std::unique_ptr<ClipFeed>>& feeds() const { return feeds_; }

  void start() {
    if (feeds_.empty() || thread_.joinable()) return;
    stop_ = false;
    thread_ = std::thread([this] { run(); });
  }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
      for (auto& feed : feeds_) feed->sinks.clear();
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  void attach(ClipFeed* feed, const void* media, GstElement* appsrc) {
    g_object_set(appsrc, "caps", feed->caps.get(), "format", GST_FORMAT_TIME, "is-live", TRUE,
                 "do-timestamp", TRUE, nullptr);
    {
      std::lock_guard lock(mutex_);
      feed->sinks.push_back(
          {GstPtr<GstElement>(GST_ELEMENT(gst_object_ref(appsrc))), media, 0, Clock::now()});
    }
    spdlog::debug("sim camera: clip mount {} got a pipeline", feed->path);
    cv_.notify_all();
  }
  void detach(const void* media) {
    std::lock_guard lock(mutex_);
    for (auto& feed : feeds_) {
      if (std::erase_if(feed->sinks, [&](const ClipSink& s) { return s.media == media; }) > 0) {
        spdlog::debug("sim camera: clip mount {} lost a pipeline", feed->path);
      }
    }
  }

 private:
  static void release_clip(gpointer p) { delete static_cast<std::shared_ptr<const H264Clip>*>(p); }

  static bool playing(GstElement* e) {
    GST_OBJECT_LOCK(e);
    const bool result = GST_STATE(e) == GST_STATE_PLAYING;
    GST_OBJECT_UNLOCK(e);
    return result;
  }

  static void push(const ClipFeed& feed, ClipSink& sink, Clock::time_point now) {
    sink.due += feed.frame;
    if (sink.due + 5 * feed.frame < now) sink.due = now + feed.frame;  // fell behind: no burst
    GstAppSrc* src = GST_APP_SRC(sink.appsrc.get());
    // Only a playing pipeline takes frames (timestamps are taken when the frame is pushed); a
    // queue that does not drain means downstream is not consuming: wait instead of piling up.
    if (!playing(sink.appsrc.get()) || gst_app_src_get_current_level_buffers(src) >= 4) return;
    const H264Clip& clip = *feed.clip;
    const H264Clip::Unit& unit = clip.units[sink.next];
    GstBuffer* buffer = gst_buffer_new_wrapped_full(
        GST_MEMORY_FLAG_READONLY, const_cast<std::uint8_t*>(clip.bytes.data() + unit.offset),
        unit.size, 0, unit.size, new std::shared_ptr<const H264Clip>(feed.clip), release_clip);
    if (!unit.keyframe) GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
    GST_BUFFER_DURATION(buffer) = static_cast<GstClockTime>(feed.frame.count());
    if (gst_app_src_push_buffer(src, buffer) == GST_FLOW_OK) {
      sink.next = (sink.next + 1) % clip.units.size();
    }
  }

  void run() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      const auto now = Clock::now();
      auto wake = now + std::chrono::seconds(1);
      for (auto& feed : feeds_) {
        for (auto& sink : feed->sinks) {
          // A few ms of slack lets mounts of the same frame rate share one wake-up.
          if (sink.due <= now + std::chrono::milliseconds(3)) push(*feed, sink, now);
          wake = std::min(wake, sink.due);
        }
      }
      cv_.wait_until(lock, wake);
    }
  }

  std::vector<std::unique_ptr<ClipFeed>> feeds_;  // the list is fixed; sinks change
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

struct FeedBinding {  // user data of the signal handlers of one clip mount
  std::shared_ptr<Feeder> feeder;
  ClipFeed* feed;
};

void delete_binding(gpointer data, GClosure*) {
  delete static_cast<FeedBinding*>(data);
}

void on_media_unprepared(GstRTSPMedia* media, gpointer data) {
  static_cast<FeedBinding*>(data)->feeder->detach(media);
}

void on_media_configure(GstRTSPMediaFactory*, GstRTSPMedia* media, gpointer data) {
  auto* binding = static_cast<FeedBinding*>(data);
  GstPtr<GstElement> bin(gst_rtsp_media_get_element(media));
  GstPtr<GstElement> appsrc(gst_bin_get_by_name_recurse_up(GST_BIN(bin.get()), "src"));
  if (!appsrc) {
    spdlog::error("sim camera: clip mount {} has no appsrc", binding->feed->path);
    return;
  }
  g_signal_connect_data(media, "unprepared", G_CALLBACK(on_media_unprepared),
                        new FeedBinding{binding->feeder, binding->feed}, delete_binding,
                        GConnectFlags{});
  binding->feeder->attach(binding->feed, media, appsrc.get());
}

// ---------------------------------------------------------------------------------------------
// Server thread

// Everything the server thread owns. Shared with the owner only through `context` (to post the
// shutdown) and the promises; if a stop times out, the detached thread keeps this alive.
struct ServerRun {
  SimCameraServerOptions options;
  std::shared_ptr<Feeder> feeder;
  ContextPtr context{g_main_context_new()};
  LoopPtr loop{g_main_loop_new(context.get(), FALSE)};
  std::promise<std::string> started;  // "" on success, else the error
  std::promise<void> finished;
  int port = 0;  // written before `started` is set
  // Server thread only:
  GObjectPtr<GstRTSPServer> server;
  SourcePtr listener;
};

// ---------------------------------------------------------------------------------------------
// Scene mounts: a ScenePainter per pipeline draws every frame videotestsrc produces.

std::string live_encoder(int fps, const std::string& codec) {
  const bool h265 = codec == "h265";
  return std::string(h265 ? "x265enc" : "x264enc") +
         " tune=zerolatency speed-preset=ultrafast key-int-max=" + std::to_string(fps) + " ! " +
         (h265 ? "rtph265pay" : "rtph264pay") + " name=pay0 pt=96 config-interval=1";
}

std::string scene_launch(const SimSceneMount& m) {
  return "( videotestsrc name=scene is-live=true pattern=black ! video/x-raw,format=I420,width=" +
         std::to_string(m.width) + ",height=" + std::to_string(m.height) +
         ",framerate=" + std::to_string(m.fps) + "/1 ! " + live_encoder(m.fps, "h264") + " )";
}

struct ScenePaint {  // the probe's state, one per pipeline
  ScenePainter painter;
  GstVideoInfo info;
  std::int64_t index = 0;
  bool clock = false;
};

GstPadProbeReturn paint_scene(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* paint = static_cast<ScenePaint*>(data);
  GstBuffer* buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
  GST_PAD_PROBE_INFO_DATA(info) = buffer;
  GstVideoFrame frame;
  if (!gst_video_frame_map(&frame, &paint->info, buffer, GST_MAP_WRITE)) return GST_PAD_PROBE_OK;
  ScenePlanes planes;
  planes.width = GST_VIDEO_FRAME_WIDTH(&frame);
  planes.height = GST_VIDEO_FRAME_HEIGHT(&frame);
  for (int i = 0; i < 3; ++i) {
    planes.data[i] = static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, i));
    planes.stride[i] = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, i);
  }
  paint->painter.paint(planes, paint->index++);
  // Stamped as the frame leaves for the encoder: what a receiver reads is capture to display.
  if (paint->clock)
    stamp_clock(planes.data[0], planes.stride[0], planes.width, planes.height,
                clock_stamp_now_ms());
  gst_video_frame_unmap(&frame);
  return GST_PAD_PROBE_OK;
}

void on_scene_configure(GstRTSPMediaFactory*, GstRTSPMedia* media, gpointer data) {
  const auto& m = *static_cast<const SimSceneMount*>(data);
  GstPtr<GstElement> bin(gst_rtsp_media_get_element(media));
  GstPtr<GstElement> src(gst_bin_get_by_name_recurse_up(GST_BIN(bin.get()), "scene"));
  GstPtr<GstPad> pad(src ? gst_element_get_static_pad(src.get(), "src") : nullptr);
  if (!pad) {
    spdlog::error("sim camera: scene mount {} has no source pad", m.path);
    return;
  }
  const auto defect = sim_defect_from_name(m.defect).value_or(SimDefect::None);
  auto* paint = new ScenePaint{
      ScenePainter(m.width, m.height, m.variant, defect, std::llround(m.onset_s * m.fps)), {}};
  paint->clock = m.clock;
  gst_video_info_set_format(&paint->info, GST_VIDEO_FORMAT_I420, static_cast<guint>(m.width),
                            static_cast<guint>(m.height));
  gst_pad_add_probe(pad.get(), GST_PAD_PROBE_TYPE_BUFFER, paint_scene, paint,
                    [](gpointer p) { delete static_cast<ScenePaint*>(p); });
}

std::string solid_launch(const SimSolidMount& m) {
  char colour[16];
  std::snprintf(colour, sizeof colour, "0xff%06x", static_cast<unsigned>(m.rgb & 0xffffffu));
  return "( videotestsrc is-live=true pattern=solid-color foreground-color=" + std::string(colour) +
         " ! video/x-raw,format=I420,width=" + std::to_string(m.width) +
         ",height=" + std::to_string(m.height) + ",framerate=" + std::to_string(m.fps) + "/1 ! " +
         live_encoder(m.fps, m.codec) + " )";
}

void allow_viewer(GstRTSPMediaFactory* factory, bool auth) {
  if (!auth) return;
  gst_rtsp_media_factory_add_role(factory, kRole, GST_RTSP_PERM_MEDIA_FACTORY_ACCESS,
                                  G_TYPE_BOOLEAN, TRUE, GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT,
                                  G_TYPE_BOOLEAN, TRUE, nullptr);
}

// Builds the server, binds and attaches it to run->context. Server thread; returns "" or an error.
std::string set_up(ServerRun& run) {
  const auto& o = run.options;
  const bool auth = !o.user.empty();
  run.server.reset(gst_rtsp_server_new());
  // A larger backlog than the default 5: the wall connects to 32 mounts at once.
  g_object_set(run.server.get(), "address", o.address.c_str(), "service",
               std::to_string(o.port).c_str(), "backlog", 64, nullptr);
  GObjectPtr<GstRTSPMountPoints> mounts(gst_rtsp_server_get_mount_points(run.server.get()));
  for (const auto& m : o.solid) {
    GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
    gst_rtsp_media_factory_set_launch(factory, solid_launch(m).c_str());
    gst_rtsp_media_factory_set_shared(factory, TRUE);
    allow_viewer(factory, auth);
    gst_rtsp_mount_points_add_factory(mounts.get(), m.path.c_str(), factory);  // takes it
  }
  for (const auto& m : o.scenes) {
    GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
    gst_rtsp_media_factory_set_launch(factory, scene_launch(m).c_str());
    gst_rtsp_media_factory_set_shared(factory, TRUE);
    allow_viewer(factory, auth);
    // `m` lives in run.options, which outlives the server and its factories.
    g_signal_connect(factory, "media-configure", G_CALLBACK(on_scene_configure),
                     const_cast<SimSceneMount*>(&m));
    gst_rtsp_mount_points_add_factory(mounts.get(), m.path.c_str(), factory);
  }
  for (const auto& feed : run.feeder->feeds()) {
    GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
    gst_rtsp_media_factory_set_launch(
        factory,
        "( appsrc name=src is-live=true format=time do-timestamp=true ! h264parse ! "
        "rtph264pay name=pay0 pt=96 config-interval=1 )");
    gst_rtsp_media_factory_set_shared(factory, TRUE);
    allow_viewer(factory, auth);
    g_signal_connect_data(factory, "media-configure", G_CALLBACK(on_media_configure),
                          new FeedBinding{run.feeder, feed.get()}, delete_binding, GConnectFlags{});
    gst_rtsp_mount_points_add_factory(mounts.get(), feed->path.c_str(), factory);
  }
  if (auth) {
    GObjectPtr<GstRTSPAuth> rtsp_auth(gst_rtsp_auth_new());
    GstRTSPToken* token =
        gst_rtsp_token_new(GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE, G_TYPE_STRING, kRole, nullptr);
    CharPtr basic(gst_rtsp_auth_make_basic(o.user.c_str(), o.password.c_str()));
    gst_rtsp_auth_add_basic(rtsp_auth.get(), basic.get(), token);
    gst_rtsp_token_unref(token);
    gst_rtsp_server_set_auth(run.server.get(), rtsp_auth.get());
  }
  GError* raw = nullptr;
  run.listener.reset(gst_rtsp_server_create_source(run.server.get(), nullptr, &raw));
  ErrorPtr err(raw);
  if (!run.listener) {
    return "cannot listen on " + o.address + ":" + std::to_string(o.port) + ": " +
           (err ? err->message : "unknown error");
  }
  g_source_attach(run.listener.get(), run.context.get());
  run.port = gst_rtsp_server_get_bound_port(run.server.get());
  return {};
}

GstRTSPFilterResult remove_client(GstRTSPServer*, GstRTSPClient*, gpointer) {
  return GST_RTSP_FILTER_REMOVE;
}

// Posted to the server's context by stop(): closes the listening socket and every client.
gboolean shut_down(gpointer data) {
  ServerRun* run = static_cast<std::shared_ptr<ServerRun>*>(data)->get();
  run->listener.reset();
  if (run->server) {
    GList* kept = gst_rtsp_server_client_filter(run->server.get(), remove_client, nullptr);
    g_list_free_full(kept, g_object_unref);
  }
  g_main_loop_quit(run->loop.get());
  return G_SOURCE_REMOVE;
}

// Any thread: runs shut_down() on the server thread. The source keeps `run` alive until then.
void post_shutdown(const std::shared_ptr<ServerRun>& run) {
  GSource* idle = g_idle_source_new();
  g_source_set_callback(idle, shut_down, new std::shared_ptr<ServerRun>(run),
                        [](gpointer p) { delete static_cast<std::shared_ptr<ServerRun>*>(p); });
  g_source_attach(idle, run->context.get());
  g_source_unref(idle);
}

void drain(GMainContext* context) {
  for (int i = 0; i < 200 && g_main_context_iteration(context, FALSE); ++i) {
  }
}

void server_thread(std::shared_ptr<ServerRun> run) {
  g_main_context_push_thread_default(run->context.get());
  std::string error;
  try {
    error = set_up(*run);
  } catch (const std::exception& e) {
    error = e.what();
  }
  const bool ok = error.empty();
  run->started.set_value(error);
  if (ok) g_main_loop_run(run->loop.get());
  run->listener.reset();
  drain(run->context.get());  // let closed clients finish on this thread
  run->server.reset();
  drain(run->context.get());
  g_main_context_pop_thread_default(run->context.get());
  run->finished.set_value();
}

std::string check_options(const SimCameraServerOptions& o) {
  std::set<std::string> seen;
  auto check_path = [&](const std::string& path) -> std::string {
    if (path.size() < 2 || path[0] != '/') return "mount '" + path + "' must start with '/'";
    if (!seen.insert(path).second) return "mount '" + path + "' given twice";
    return {};
  };
  for (const auto& m : o.solid) {
    if (auto e = check_path(m.path); !e.empty()) return e;
    if (m.codec != "h264" && m.codec != "h265")
      return "mount '" + m.path + "': codec must be h264 or h265, not '" + m.codec + "'";
    if (m.width < 16 || m.height < 16 || m.width % 2 || m.height % 2 || m.fps < 1 || m.fps > 120)
      return "mount '" + m.path + "': bad size or frame rate";
  }
  for (const auto& m : o.scenes) {
    if (auto e = check_path(m.path); !e.empty()) return e;
    if (m.width < 16 || m.height < 16 || m.width % 2 || m.height % 2 || m.fps < 1 || m.fps > 120)
      return "mount '" + m.path + "': bad size or frame rate";
    if (!sim_defect_from_name(m.defect))
      return "mount '" + m.path + "': unknown defect '" + m.defect + "' (one of " +
             sim_defect_names() + ")";
    if (!(m.onset_s >= 0 && m.onset_s <= 86400))
      return "mount '" + m.path + "': onset must be 0..86400 s";
  }
  for (const auto& m : o.clips) {
    if (auto e = check_path(m.path); !e.empty()) return e;
    if (m.fps < 0 || m.fps > 120) return "mount '" + m.path + "': bad frame rate";
  }
  if (o.port < 0 || o.port > 65535) return "port out of range";
  return {};
}

}  // namespace

struct SimCameraServer::Impl {
  SimCameraServerOptions options;
  std::shared_ptr<ServerRun> run;  // null when stopped
  std::thread thread;
  std::shared_future<void> finished;
  std::atomic<int> port{0};

  std::string load_feeds(std::vector<std::unique_ptr<ClipFeed>>& feeds) {
    std::map<std::filesystem::path, std::shared_ptr<const H264Clip>> loaded;
    for (const auto& m : options.clips) {
      auto& clip = loaded[m.file];
      if (!clip) {
        std::string error;
        clip = load_h264_clip(m.file, &error);
        if (!clip) return "mount '" + m.path + "': " + error;
        spdlog::info("sim camera: loaded {} ({}x{}, {} frames, {} KiB)", m.file.string(),
                     clip->width, clip->height, clip->units.size(), clip->bytes.size() / 1024);
      }
      auto feed = std::make_unique<ClipFeed>();
      feed->path = m.path;
      feed->clip = clip;
      int num = m.fps > 0 ? m.fps : (clip->fps_num > 0 ? clip->fps_num : 25);
      int den = m.fps > 0 ? 1 : (clip->fps_num > 0 ? std::max(clip->fps_den, 1) : 1);
      feed->frame = std::chrono::nanoseconds(1'000'000'000LL * den / num);
      feed->caps.reset(gst_caps_new_simple(
          "video/x-h264", "stream-format", G_TYPE_STRING, "byte-stream", "alignment", G_TYPE_STRING,
          "au", "width", G_TYPE_INT, clip->width, "height", G_TYPE_INT, clip->height, "framerate",
          GST_TYPE_FRACTION, num, den, nullptr));
      feeds.push_back(std::move(feed));
    }
    return {};
  }
};

SimCameraServer::SimCameraServer(SimCameraServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

SimCameraServer::~SimCameraServer() {
  stop();
}

bool SimCameraServer::start(std::string* error) {
  std::string local;
  if (!error) error = &local;
  error->clear();
  if (impl_->run) {
    *error = "already running";
    return false;
  }
  if (!ensure_gst_init(error)) return false;
  if (*error = check_options(impl_->options); !error->empty()) return false;
  std::vector<std::unique_ptr<ClipFeed>> feeds;
  if (*error = impl_->load_feeds(feeds); !error->empty()) return false;

  auto run = std::make_shared<ServerRun>();
  run->options = impl_->options;
  if (run->options.port == 0 && impl_->port > 0) run->options.port = impl_->port;  // restart
  run->feeder = std::make_shared<Feeder>(std::move(feeds));
  auto started = run->started.get_future();
  impl_->finished = run->finished.get_future().share();
  impl_->thread = std::thread(server_thread, run);
  if (started.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    *error = "server thread did not start within 10 s";
    post_shutdown(run);      // make it quit whenever it gets that far
    impl_->thread.detach();  // it holds its own reference to `run`
    return false;
  }
  if (*error = started.get(); !error->empty()) {
    impl_->thread.join();  // it returns right after reporting the error
    return false;
  }
  run->feeder->start();
  impl_->port = run->port;
  impl_->run = std::move(run);
  spdlog::info("sim camera server listening on {}:{} ({} solid, {} scene, {} clip mounts{})",
               impl_->options.address, impl_->port.load(), impl_->options.solid.size(),
               impl_->options.scenes.size(), impl_->options.clips.size(),
               impl_->options.user.empty() ? "" : ", Basic auth");
  return true;
}

void SimCameraServer::stop() {
  auto run = std::move(impl_->run);
  if (!run) return;
  const auto started = Clock::now();
  const auto bound = impl_->options.stop_bound;
  post_shutdown(run);
  if (impl_->finished.wait_for(bound) == std::future_status::ready) {
    impl_->thread.join();
  } else {
    spdlog::error("sim camera server: server thread did not stop within {} ms; detaching it",
                  bound.count());
    impl_->thread.detach();
  }
  // Pipelines are closed by now (or abandoned); the feeder only pushes into live appsrcs.
  run->feeder->stop();
  spdlog::info(
      "sim camera server on port {} stopped in {} ms", impl_->port.load(),
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count());
}

bool SimCameraServer::running() const {
  return impl_->run != nullptr;
}

int SimCameraServer::port() const {
  return impl_->port;
}

std::string SimCameraServer::url(const std::string& mount, bool with_credentials) const {
  const auto& o = impl_->options;
  std::string credentials;
  if (with_credentials && !o.user.empty()) credentials = o.user + ":" + o.password + "@";
  return "rtsp://" + credentials + o.address + ":" + std::to_string(impl_->port) + mount;
}

}  // namespace vw::streams
