// The daemon's YAML configuration: cameras, wall output, startup layout and tile assignments.
// Loading never exits: every problem becomes a ConfigError naming file, line and field, with a
// hint on how to fix it; main() turns it into exit code 2.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "controller/quality/quality_checks.hpp"
#include "layouts/privacy_mask.hpp"
#include "renderer/render_path.hpp"
#include "renderer/ui_types.hpp"
#include "renderer/wall_view.hpp"
#include "streams/stream_manager.hpp"

namespace vw::controller {

struct CameraConfig {
  std::string id;      // unique, used by commands ("minzu-01")
  std::string name;    // shown on the wall ("民族街-01"); defaults to id
  std::string street;  // 街道, e.g. "民族街"
  std::string main_url;
  std::string sub_url;  // optional lower-resolution stream
  streams::Transport transport = streams::Transport::Tcp;
  int latency_ms = 200;
  int main_width = 1920;  // declared main resolution, used to pick main/sub before it plays
  int main_height = 1080;
  // The largest picture either stream may send; a larger one is the tile state 格式不支持.
  int max_width = 4096;
  int max_height = 2160;
  // Picture-quality diagnosis of this camera (cameras[].quality): off, or thresholds of its own
  // (quality::kThresholdFields names) over quality.thresholds.
  bool quality = true;
  std::map<std::string, double> quality_thresholds;
  // Privacy masks (cameras[].masks): polygons normalized to the camera's picture, hidden on every
  // output and on the wall unless lifted; and the triangles the renderer draws for them (shared
  // by every view; null when the camera has none).
  std::vector<std::vector<layouts::Point>> masks;
  std::shared_ptr<const std::vector<layouts::Point>> mask_triangles;
  int line = 0;  // where it was declared, for later error messages
};

struct WallConfig {
  int width = 1920;
  int height = 1080;
  std::string layout = "3x3";
  int layout_line = 0;      // where wall.layout was given, for "unknown layout" errors
  std::string layouts_dir;  // absolute, or empty for presets only
  renderer::FitMode fit = renderer::FitMode::Letterbox;
  renderer::Language language = renderer::Language::Chinese;
  // How tiles get their pixels (renderer::RenderPath): auto picks cpu on software GL.
  renderer::RenderPath render_path = renderer::RenderPath::Auto;
};

// The grid-case feed (网格化 cases over ZeroMQ) and what the wall draws of it.
// A publisher of the grid-case feed admitted by CURVE: its endpoint, its public key (pinned: the
// feed connects to that endpoint as a CURVE client of that key only) and the `publisher` id its
// messages must carry.
struct CasePublisherConfig {
  std::string id;          // e.g. "jianghan-grid"
  std::string endpoint;    // tcp://10.1.2.3:5570 (a numeric address: messages are matched by it)
  std::string public_key;  // Z85: as written, or read from key_file (api::load_curve_keys)
  std::string key_file;    // absolute; empty when public_key was written in the config
  int line = 0;
};

struct CasesConfig {
  std::vector<std::string> endpoints;               // empty: no case feed
  std::chrono::milliseconds silence_timeout{5000};  // no message this long: 数据中断
  std::string rules_path;                           // alarm rules YAML (absolute), empty: no rules
  // Overlays per layout name; "default" applies to layouts not listed.
  std::map<std::string, std::vector<renderer::Overlay>> overlays;
  // CURVE (cases.curve): the wall's own key pair and the admitted publishers. With it,
  // `endpoints` are the publishers' endpoints.
  std::vector<CasePublisherConfig> publishers;
  std::string client_key_file;  // absolute
  int client_key_line = 0;
  std::string client_public_key, client_secret_key;  // Z85, read by api::load_curve_keys
  bool curve() const { return !publishers.empty(); }

  const std::vector<renderer::Overlay>& overlays_for(const std::string& layout) const;
};

// A client of the control API allowed in by CURVE (ZAP), with its role.
struct ApiClientConfig {
  std::string name;        // e.g. "应急指挥席"
  std::string public_key;  // Z85: as written, or read from key_file by the API (load_curve_keys)
  std::string key_file;    // absolute; empty when public_key was written in the config
  std::string role;        // "viewer", "operator" or "admin"
  int key_line = 0;        // where public_key or key_file was given
};

// The control API (docs/api.md). Remote access needs CURVE: a non-loopback endpoint without a
// server key is a ConfigError. The config names the key files; the API room's load_curve_keys
// reads and checks them (the daemon calls it right after loading), so core never handles key
// material formats.
struct ApiConfig {
  std::string endpoint = "tcp://127.0.0.1:5560";      // ROUTER for requests; "" = no API
  std::string pub_endpoint = "tcp://127.0.0.1:5561";  // PUB for changes; "" = none
  std::string anonymous_role = "viewer";  // every client's role when CURVE is off (least privilege)
  std::string secret_key_file;            // absolute; empty = CURVE off
  int secret_key_line = 0;                // where secret_key_file was given
  std::string server_secret_key;          // Z85, read from secret_key_file
  std::string server_public_key;
  std::vector<ApiClientConfig> clients;
  bool curve() const { return !secret_key_file.empty() || !server_secret_key.empty(); }
};

// Where the wall's state file and audit trail live.
struct StorageConfig {
  std::string dir;  // absolute; empty: --state-dir, else $XDG_STATE_HOME/videowall
  std::uint64_t audit_rotate_bytes = 16ull * 1024 * 1024;
  int audit_keep = 10;
  std::uint64_t snapshot_quota_bytes = 1024ull * 1024 * 1024;  // snapshots written for the API
  bool audit_hmac_sm3 = true;  // audit lines keyed with HMAC-SM3 (else SHA-256, no key)
  std::string audit_key_file;  // absolute; empty: <state dir>/audit.key (made when missing)
};

// The operator panel (Dear ImGui, controller/panel/panel.hpp) on the console's screen.
struct PanelConfig {
  renderer::UiPlacement placement = renderer::UiPlacement::Overlay;
  bool visible = false;  // shown at start
  std::string toggle_key = "F1";
  int toggle_key_code = 290;  // GLFW key code of toggle_key
  int monitor = -1;           // placement window: fill this monitor (0-based); -1: a window
  int width = 1280;           // placement window: its size
  int height = 800;
  int font_size = 18;
  // What the console's panel and keyboard may do: viewer, operator or admin (roles.hpp).
  std::string role = "operator";
};

// Running as a service (docs/service.md): the HTTP endpoint of the metrics and health checks,
// and how long a thread may make no progress before the daemon counts as hung.
struct ServiceConfig {
  std::string metrics_host = "127.0.0.1";  // numeric; empty: no metrics endpoint
  int metrics_port = 9560;                 // 0: any free port (tests)
  bool metrics_remote = false;  // a non-loopback metrics address is allowed only with this
  std::chrono::milliseconds stuck_after{5000};  // watchdog_stuck_s
};

// The picture-quality diagnosis of the streams the wall shows (docs/quality.md).
struct QualityConfig {
  bool enabled = true;
  std::chrono::milliseconds interval{5000};  // one sample per stream per interval
  // Every camera's thresholds and hysteresis (enter_after, leave_after) unless it has its own.
  quality::QualityThresholds thresholds;
  // Cameras not on the wall, visited in turn (quality.off_wall): their sub stream (else main)
  // opened for `visit` each, `visits_at_once` at a time. Off by default: each visit is a
  // connection to the camera and a decode.
  bool off_wall = false;
  std::chrono::milliseconds visit{20000};
  int visits_at_once = 1;
};

// An output's SRT sink (outputs[].srt): MPEG-TS over SRT, AES-encrypted with a passphrase.
struct OutputSrtConfig {
  bool listener = true;            // mode: listener (callers connect here) or caller
  std::string host = "127.0.0.1";  // listener: the address it binds; caller: the listener's
  int port = 0;
  std::string passphrase;  // "" (unencrypted: loopback only) or 10-79 characters
  int key_bits = 128;      // AES-128, -192 or -256
  int latency_ms = 120;
  bool operator==(const OutputSrtConfig&) const = default;
};

// A live output of the wall (docs/outputs.md): encoded once, served over RTSP at /<id>, recorded,
// and pushed over SRT and RTMP.
struct OutputConfig {
  std::string id;    // letters, digits, '-' and '_': the RTSP mount rtsp://HOST:PORT/<id>
  std::string name;  // what operators read ("视频会议"); defaults to id
  // The part of the wall it shows, in wall pixels (x, y, w, h); w == 0: the whole wall.
  std::array<int, 4> region{0, 0, 0, 0};
  // source: tile: the tile (1-based) whose place in the current layout it shows; 0: not a tile.
  int tile = 0;
  int width = 1280;  // even, the encoded picture
  int height = 720;
  int fps = 25;
  int bitrate_kbps = 2000;
  int keyframe_s = 1;
  std::string encoder = "auto";  // auto (hardware if any, else x264), x264, openh264, nvenc, ...
  bool rtsp = true;              // sinks: served at rtsp://HOST:PORT/<id>
  bool record = false;           // recorded as MP4 segments
  std::string record_dir;        // absolute; empty: <state dir>/recordings/<id>
  int segment_s = 60;
  std::uint64_t record_max_bytes = 1024ull * 1024 * 1024;  // the folder's bound
  bool srt = false;                                        // sent over SRT (srt_sink)
  OutputSrtConfig srt_sink;
  bool rtmp = false;     // pushed over RTMP to rtmp_url
  std::string rtmp_url;  // rtmp://HOST[:PORT]/APP/STREAM or rtmps://...
  bool whep = false;     // watched in browsers over WebRTC (output_whep's endpoint, /<id>/)
  bool start = false;    // started with the daemon
  int line = 0;
  bool operator==(const OutputConfig&) const = default;
};

// The RTSP server of the outputs (output_rtsp:). With users, every client authenticates (RTSP
// digest); an address off loopback needs users.
struct OutputRtspUser {
  std::string name;
  std::string password;
  bool operator==(const OutputRtspUser&) const = default;
};
struct OutputRtspConfig {
  std::string address = "127.0.0.1";  // numeric IPv4 or IPv6
  int port = 8555;                    // 0: any free port (tests)
  std::vector<OutputRtspUser> users;
  bool operator==(const OutputRtspConfig&) const = default;
};

// The WHEP endpoint of the outputs (output_whep:): browsers watch the outputs with the whep sink
// over WebRTC. An address off loopback needs a token.
struct OutputWhepConfig {
  std::string address = "127.0.0.1";  // numeric IPv4 or IPv6
  int port = 8889;                    // 0: any free port (tests)
  std::string token;                  // "" or 16-128 characters: Authorization: Bearer <token>
  // The local addresses ICE offers the browsers; empty: every address of this machine off
  // loopback.
  std::vector<std::string> ice_addresses;
  int max_viewers = 8;  // per output
  bool operator==(const OutputWhepConfig&) const = default;
};

// True for exactly tcp://127.a.b.c:PORT (numeric), tcp://[::1]:PORT, ipc://PATH and inproc://NAME;
// false for anything else, host names, interface names and libzmq's "source;address" form.
bool is_loopback_endpoint(const std::string& endpoint);

// Splits "HOST:PORT" (numeric IPv4 or [IPv6]; a port 1-65535, or "*" when `any_port`: 0) into
// `host` (without brackets) and `port`; returns "" or what is wrong with the text.
std::string split_host_port(const std::string& text, bool any_port, std::string& host, int& port);

// Sets service.metrics_host/_port from "HOST:PORT" (numeric IPv4 or [IPv6]; port "*": any free
// one) or "off"/"" (none); returns "" or what is wrong with the text. A non-loopback address is
// refused unless service.metrics_remote is set: metrics name every camera.
std::string set_metrics_address(const std::string& text, ServiceConfig& service);

struct Config {
  std::string path;  // the file it came from
  WallConfig wall;
  std::vector<CameraConfig> cameras;
  std::vector<std::string> tiles;  // startup assignment per tile index; "" = empty tile
  std::chrono::milliseconds stall_timeout{3000};
  CasesConfig cases;
  ApiConfig api;
  StorageConfig storage;
  PanelConfig panel;
  ServiceConfig service;
  QualityConfig quality;
  std::vector<OutputConfig> outputs;
  OutputRtspConfig output_rtsp;
  OutputWhepConfig output_whep;
  // Drawn on every output with the time and the output's id (output_watermark), so a screen
  // recording in a conference is traceable.
  std::string output_watermark = "内部资料 · 严禁外传";

  const CameraConfig* find_camera(const std::string& id_or_name) const;
};

class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, int line, std::string field, std::string message);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& field() const { return field_; }

 private:
  std::string file_;
  int line_;
  std::string field_;
};

// Throws ConfigError. Relative paths inside the file resolve against the file's folder.
Config load_config_file(const std::string& path);
Config load_config_text(const std::string& yaml, const std::string& file_label,
                        const std::string& base_dir);

}  // namespace vw::controller
