#include "streams/sim/demo_cache.hpp"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <initializer_list>
#include <mutex>
#include <system_error>
#include <thread>

#include "streams/sim/sim_gst.hpp"

namespace vw::streams {
namespace {

using namespace sim;
using Clock = std::chrono::steady_clock;

// One look per variant (cycled): a videotestsrc pattern that moves.
struct Look {
  const char* pattern;
  int horizontal_speed;
  const char* ball_motion;  // only for pattern "ball"
};
constexpr std::array<Look, 8> kLooks{{
    {"ball", 0, "wavy"},
    {"smpte", 4, nullptr},
    {"ball", 0, "sweep"},
    {"colors", 6, nullptr},
    {"pinwheel", 3, nullptr},
    {"smpte75", -3, nullptr},
    {"ball", 0, "hsweep"},
    {"spokes", 2, nullptr},
}};
// ARGB; dark backgrounds and bright foregrounds so the burnt-in text stays readable.
constexpr std::array<std::uint32_t, 8> kBackgrounds{0xff1f2a3c, 0xff2d3b2a, 0xff3c2a2a, 0xff2a2f3c,
                                                    0xff33302a, 0xff263838, 0xff382a38, 0xff202020};
constexpr std::array<std::uint32_t, 8> kForegrounds{0xffffc83c, 0xff50d0ff, 0xffff6060, 0xff80ff80,
                                                    0xffffffff, 0xffff9f40, 0xffc080ff, 0xff40ffd0};

int bitrate_kbps(int width, int height) {
  const double pixels = static_cast<double>(width) * height;
  const double full_hd = 1920.0 * 1080.0;
  if (pixels >= full_hd) return 4000;
  return std::clamp(static_cast<int>(4000.0 * pixels / full_hd * 1.35), 250, 4000);
}

GstElement* make(GstElement* bin, const char* factory, std::string* error) {
  GstElement* e = gst_element_factory_make(factory, nullptr);
  if (!e) {
    if (error && error->empty()) *error = std::string("GStreamer element missing: ") + factory;
    return nullptr;
  }
  gst_bin_add(GST_BIN(bin), e);
  return e;
}

std::string check_spec(const DemoClipSpec& spec) {
  if (spec.output.empty()) return "empty output path";
  if (spec.width < 16 || spec.height < 16 || spec.width % 2 || spec.height % 2)
    return "width/height must be even and at least 16";
  if (spec.fps < 1 || spec.fps > 120) return "fps must be 1..120";
  if (spec.seconds < 1 || spec.seconds > 600) return "seconds must be 1..600";
  return {};
}

// Removes "<name>.part-<pid>" leftovers of builds whose process is gone.
void remove_stale_parts(const std::filesystem::path& output) {
  std::error_code ec;
  const auto dir = output.has_parent_path() ? output.parent_path() : std::filesystem::path(".");
  const std::string prefix = output.filename().string() + ".part-";
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH) {
      std::filesystem::remove(entry.path(), ec);
    }
  }
}

// Waits for EOS or an error on `pipeline`'s bus, bounded by `deadline` and `stop`.
bool run_to_eos(GstElement* pipeline, Clock::time_point deadline, const std::stop_token& stop,
                std::string* error) {
  GstPtr<GstBus> bus(gst_element_get_bus(pipeline));
  while (true) {
    if (stop.stop_requested()) {
      *error = "cancelled";
      return false;
    }
    if (Clock::now() > deadline) {
      *error = "timed out";
      return false;
    }
    MessagePtr msg(gst_bus_timed_pop_filtered(
        bus.get(), 100 * GST_MSECOND,
        static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR)));
    if (!msg) continue;
    if (GST_MESSAGE_TYPE(msg.get()) == GST_MESSAGE_EOS) return true;
    *error = describe_error(msg.get());
    return false;
  }
}

struct TagCatcher {
  std::mutex mutex;
  std::string comment;
};

GstPadProbeReturn on_sink_event(GstPad*, GstPadProbeInfo* info, gpointer user_data) {
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  if (GST_EVENT_TYPE(event) != GST_EVENT_TAG) return GST_PAD_PROBE_OK;
  GstTagList* tags = nullptr;
  gst_event_parse_tag(event, &tags);  // not owned
  gchar* raw = nullptr;
  if (tags && gst_tag_list_get_string(tags, GST_TAG_COMMENT, &raw)) {
    CharPtr comment(raw);
    auto* catcher = static_cast<TagCatcher*>(user_data);
    std::lock_guard lock(catcher->mutex);
    catcher->comment = comment.get();
  }
  return GST_PAD_PROBE_OK;
}

// textoverlay/timeoverlay live in the pango plugin (Debian: gstreamer1.0-x). Without it the
// clips are still built, with no burnt-in text; the fingerprint records which kind was built.
bool text_overlays_available() {
  static const bool available = [] {
    std::string ignored;
    if (!ensure_gst_init(&ignored)) return false;
    for (const char* name : {"textoverlay", "timeoverlay"}) {
      GstElementFactory* factory = gst_element_factory_find(name);
      if (!factory) {
        spdlog::warn(
            "demo cache: GStreamer element {} missing (Debian package gstreamer1.0-x); "
            "demo clips get no burnt-in camera name or timecode",
            name);
        return false;
      }
      gst_object_unref(factory);
    }
    return true;
  }();
  return available;
}

}  // namespace

std::string demo_clip_fingerprint(const DemoClipSpec& spec) {
  return "videowall-demo-clip v4|" + spec.label + "|" + std::to_string(spec.width) + "x" +
         std::to_string(spec.height) + "@" + std::to_string(spec.fps) + "|" +
         std::to_string(spec.seconds) + "s|variant " + std::to_string(spec.variant) +
         (text_overlays_available() ? "|text" : "|plain");
}

bool build_demo_clip(const DemoClipSpec& spec, std::string* error, std::stop_token stop,
                     int timeout_s) {
  std::string local_error;
  if (!error) error = &local_error;
  error->clear();
  if (!ensure_gst_init(error)) return false;
  if (auto bad = check_spec(spec); !bad.empty()) {
    *error = "bad clip spec for " + spec.output.string() + ": " + bad;
    return false;
  }
  std::error_code ec;
  if (spec.output.has_parent_path()) {
    std::filesystem::create_directories(spec.output.parent_path(), ec);
    if (ec) {
      *error = "cannot create " + spec.output.parent_path().string() + ": " + ec.message();
      return false;
    }
  }
  remove_stale_parts(spec.output);
  const std::filesystem::path part = spec.output.string() + ".part-" + std::to_string(::getpid());

  GstPtr<GstElement> pipeline(gst_pipeline_new("demo-clip"));
  GstElement* src = make(pipeline.get(), "videotestsrc", error);
  GstElement* raw_caps = make(pipeline.get(), "capsfilter", error);
  const bool text = text_overlays_available();
  GstElement* label = make(pipeline.get(), text ? "textoverlay" : "identity", error);
  GstElement* clock = make(pipeline.get(), text ? "timeoverlay" : "identity", error);
  GstElement* enc = make(pipeline.get(), "x264enc", error);
  GstElement* parse = make(pipeline.get(), "h264parse", error);
  GstElement* mux = make(pipeline.get(), "mp4mux", error);
  GstElement* sink = make(pipeline.get(), "filesink", error);
  if (!error->empty()) return false;

  const auto variant = static_cast<std::size_t>(std::max(spec.variant, 0));
  const Look& look = kLooks[variant % kLooks.size()];
  gst_util_set_object_arg(G_OBJECT(src), "pattern", look.pattern);
  if (look.ball_motion) gst_util_set_object_arg(G_OBJECT(src), "motion", look.ball_motion);
  g_object_set(src, "num-buffers", spec.fps * spec.seconds, "horizontal-speed",
               look.horizontal_speed, "foreground-color",
               kForegrounds[(variant * 5 + variant / 8) % kForegrounds.size()], "background-color",
               kBackgrounds[(variant * 3 + variant / 8) % kBackgrounds.size()], nullptr);
  CapsPtr caps(gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width",
                                   G_TYPE_INT, spec.width, "height", G_TYPE_INT, spec.height,
                                   "framerate", GST_TYPE_FRACTION, spec.fps, 1, nullptr));
  g_object_set(raw_caps, "caps", caps.get(), nullptr);
  if (text) {
    // Font sizes and margins follow the frame height, so 1080p and 360p clips look alike.
    const int pad = std::max(spec.height / 40, 2);
    const std::string label_font = "Noto Sans CJK SC Bold " + std::to_string(spec.height / 16);
    const std::string clock_font = "Noto Sans Mono Bold " + std::to_string(spec.height / 30);
    g_object_set(label, "text", spec.label.c_str(), "font-desc", label_font.c_str(), "auto-resize",
                 FALSE, "shaded-background", TRUE, "xpad", pad, "ypad", pad, nullptr);
    // Top centre: the wall draws its own label top-left, a case badge top-right and case
    // panels along the bottom.
    gst_util_set_object_arg(G_OBJECT(label), "valignment", "top");
    gst_util_set_object_arg(G_OBJECT(label), "halignment", "center");
    g_object_set(clock, "font-desc", clock_font.c_str(), "auto-resize", FALSE, "shaded-background",
                 TRUE, "xpad", pad, "ypad", pad, nullptr);
    gst_util_set_object_arg(G_OBJECT(clock), "valignment", "bottom");
    gst_util_set_object_arg(G_OBJECT(clock), "halignment", "right");
  }
  g_object_set(enc, "bitrate", static_cast<guint>(bitrate_kbps(spec.width, spec.height)),
               "key-int-max", static_cast<guint>(spec.fps), "bframes", 0u, nullptr);
  gst_util_set_object_arg(G_OBJECT(enc), "speed-preset", "veryfast");
  // No lookahead and sliced threads: ~75 MB per 1080p encoder instead of ~220 MB, same speed.
  gst_util_set_object_arg(G_OBJECT(enc), "tune", "zerolatency");
  const std::string fingerprint = demo_clip_fingerprint(spec);
  gst_tag_setter_add_tags(GST_TAG_SETTER(mux), GST_TAG_MERGE_REPLACE, GST_TAG_TITLE,
                          spec.label.c_str(), GST_TAG_COMMENT, fingerprint.c_str(), nullptr);
  g_object_set(sink, "location", part.c_str(), nullptr);
  if (!gst_element_link_many(src, raw_caps, label, clock, enc, parse, mux, sink, nullptr)) {
    *error = "cannot link the clip encoding pipeline";
    return false;
  }

  const auto started = Clock::now();
  bool ok = gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE;
  if (ok) {
    ok = run_to_eos(pipeline.get(), started + std::chrono::seconds(timeout_s), stop, error);
  } else {
    *error = "encoding pipeline refused to start";
  }
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);  // flushes and closes the part file
  pipeline.reset();
  if (ok) {
    std::filesystem::rename(part, spec.output, ec);
    if (ec) {
      *error = "cannot rename " + part.string() + ": " + ec.message();
      ok = false;
    }
  }
  if (!ok) {
    std::filesystem::remove(part, ec);
    *error = spec.output.string() + ": " + *error;
    return false;
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  spdlog::info("demo cache: encoded {} ({}x{}, {} s) in {} ms", spec.output.string(), spec.width,
               spec.height, spec.seconds, ms);
  return true;
}

bool demo_clip_valid(const DemoClipSpec& spec) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(spec.output, ec)) return false;
  std::string error;
  auto clip = load_h264_clip(spec.output, &error);
  if (!clip) {
    spdlog::warn("demo cache: {} unreadable, rebuilding: {}", spec.output.string(), error);
    return false;
  }
  const auto frames = static_cast<std::size_t>(spec.fps) * static_cast<std::size_t>(spec.seconds);
  return clip->width == spec.width && clip->height == spec.height &&
         clip->units.size() + 1 >= frames && !clip->units.empty() && clip->units[0].keyframe &&
         clip->fingerprint == demo_clip_fingerprint(spec);
}

DemoCacheResult build_demo_cache(const std::vector<DemoClipSpec>& specs,
                                 const DemoCacheProgressFn& progress, int parallel,
                                 std::stop_token stop) {
  DemoCacheResult result;
  std::mutex mutex;  // guards result and serialises progress calls
  std::atomic<std::size_t> next{0};
  const auto started = Clock::now();

  auto worker = [&] {
    while (!stop.stop_requested()) {
      const std::size_t i = next.fetch_add(1);
      if (i >= specs.size()) return;
      const DemoClipSpec& spec = specs[i];
      const bool cached = demo_clip_valid(spec);
      {
        std::lock_guard lock(mutex);
        if (cached) ++result.skipped;
        if (progress) {
          try {
            progress({i, specs.size(), spec.label, spec.output, cached});
          } catch (const std::exception& e) {
            spdlog::error("demo cache: progress callback threw: {}", e.what());
          }
        }
      }
      if (cached) continue;
      std::string error;
      const bool ok = build_demo_clip(spec, &error, stop);
      std::lock_guard lock(mutex);
      if (ok) {
        ++result.built;
      } else if (!stop.stop_requested()) {
        spdlog::error("demo cache: {}", error);
        result.errors.push_back(error);
      }
    }
  };

  if (parallel >= 2 && specs.size() > 1) {
    std::thread second(worker);
    worker();
    second.join();
  } else {
    worker();
  }
  result.cancelled = stop.stop_requested() && result.built + result.skipped < specs.size();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  spdlog::info("demo cache: {} clips built, {} already cached, {} failed, in {} ms", result.built,
               result.skipped, result.errors.size(), ms);
  return result;
}

std::shared_ptr<const H264Clip> load_h264_clip(const std::filesystem::path& path,
                                               std::string* error, int timeout_s) {
  std::string local_error;
  if (!error) error = &local_error;
  error->clear();
  if (!ensure_gst_init(error)) return nullptr;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    *error = path.string() + ": no such file";
    return nullptr;
  }
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool annex_b = ext == ".h264" || ext == ".264";
  const std::string description =
      std::string("filesrc name=src ! ") + (annex_b ? "" : "qtdemux ! ") +
      "h264parse config-interval=-1 ! video/x-h264,stream-format=byte-stream,alignment=au ! "
      "appsink name=sink sync=false max-buffers=64";
  GError* raw_err = nullptr;
  GstPtr<GstElement> pipeline(gst_parse_launch(description.c_str(), &raw_err));
  ErrorPtr parse_err(raw_err);
  if (!pipeline || parse_err) {
    *error = std::string("cannot build clip reader: ") +
             (parse_err ? parse_err->message : "unknown error");
    return nullptr;
  }
  GstPtr<GstElement> src(gst_bin_get_by_name(GST_BIN(pipeline.get()), "src"));
  GstPtr<GstElement> sink(gst_bin_get_by_name(GST_BIN(pipeline.get()), "sink"));
  g_object_set(src.get(), "location", path.c_str(), nullptr);
  TagCatcher tags;
  GstPtr<GstPad> sink_pad(gst_element_get_static_pad(sink.get(), "sink"));
  const gulong probe = gst_pad_add_probe(sink_pad.get(), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                                         on_sink_event, &tags, nullptr);

  auto clip = std::make_shared<H264Clip>();
  GstPtr<GstBus> bus(gst_element_get_bus(pipeline.get()));
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  bool ok = gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE;
  while (ok) {
    SamplePtr sample(gst_app_sink_try_pull_sample(GST_APP_SINK(sink.get()), 100 * GST_MSECOND));
    if (sample) {
      if (clip->units.empty()) {
        const GstStructure* s = gst_caps_get_structure(gst_sample_get_caps(sample.get()), 0);
        gst_structure_get_int(s, "width", &clip->width);
        gst_structure_get_int(s, "height", &clip->height);
        if (!gst_structure_get_fraction(s, "framerate", &clip->fps_num, &clip->fps_den)) {
          clip->fps_num = 0;
          clip->fps_den = 1;
        }
      }
      GstBuffer* buffer = gst_sample_get_buffer(sample.get());
      GstMapInfo map;
      if (buffer && gst_buffer_map(buffer, &map, GST_MAP_READ)) {
        clip->units.push_back({clip->bytes.size(), map.size,
                               !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT)});
        clip->bytes.insert(clip->bytes.end(), map.data, map.data + map.size);
        gst_buffer_unmap(buffer, &map);
      }
      continue;
    }
    if (gst_app_sink_is_eos(GST_APP_SINK(sink.get()))) break;
    if (MessagePtr msg{gst_bus_pop_filtered(bus.get(), GST_MESSAGE_ERROR)}) {
      *error = describe_error(msg.get());
      ok = false;
    } else if (Clock::now() > deadline) {
      *error = "timed out reading";
      ok = false;
    }
  }
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  gst_pad_remove_probe(sink_pad.get(), probe);
  if (ok && clip->units.empty()) {
    *error = "no H.264 frames";
    ok = false;
  }
  if (!ok) {
    *error = path.string() + ": " + *error;
    return nullptr;
  }
  {
    std::lock_guard lock(tags.mutex);
    clip->fingerprint = tags.comment;
  }
  return clip;
}

}  // namespace vw::streams
