#include "controller/config.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "controller/api/curve_keys.hpp"

namespace vw::controller {
namespace {

namespace fs = std::filesystem;

int line_of(const YAML::Node& node) {
  return node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
}

// Reads one YAML mapping, remembering which keys were used so unknown ones can be reported.
class Section {
 public:
  Section(const YAML::Node& node, std::string path, const std::string& file)
      : node_(node), path_(std::move(path)), file_(file) {
    if (!node_.IsMap()) fail(node_, path_, "must be a mapping (key: value lines)");
  }

  bool has(const char* key) const { return bool(node_[key]); }

  template <typename T>
  T get(const char* key, T fallback) {
    used_.insert(key);
    YAML::Node value = node_[key];
    if (!value || value.IsNull()) return fallback;
    try {
      return value.as<T>();
    } catch (const YAML::Exception&) {
      fail(value, field(key), std::string("has the wrong type (expected ") + type_name<T>() + ")");
    }
  }

  YAML::Node child(const char* key) {
    used_.insert(key);
    return node_[key];
  }

  // Every key of the mapping must have been read.
  void reject_unknown_keys(const char* known_hint) const {
    for (const auto& kv : node_) {
      auto key = kv.first.as<std::string>();
      if (!used_.count(key))
        fail(kv.first, field(key.c_str()),
             "is not a known key; known keys here: " + std::string(known_hint));
    }
  }

  std::string field(const char* key) const { return path_.empty() ? key : path_ + "." + key; }
  const YAML::Node& node() const { return node_; }

  [[noreturn]] void fail(const YAML::Node& at, const std::string& field,
                         const std::string& message) const {
    throw ConfigError(file_, line_of(at), field, message);
  }

 private:
  template <typename T>
  static const char* type_name() {
    if constexpr (std::is_same_v<T, int>) return "an integer";
    if constexpr (std::is_same_v<T, double>) return "a number";
    if constexpr (std::is_same_v<T, bool>) return "true or false";
    return "text";
  }

  YAML::Node node_;
  std::string path_;
  const std::string& file_;
  std::set<std::string> used_;
};

streams::Transport parse_transport(Section& s, const char* key, streams::Transport fallback) {
  auto text = s.get<std::string>(key, "");
  if (text.empty()) return fallback;
  if (text == "tcp") return streams::Transport::Tcp;
  if (text == "udp") return streams::Transport::Udp;
  if (text == "auto") return streams::Transport::Auto;
  s.fail(s.node()[key], s.field(key), "must be tcp, udp or auto (got \"" + text + "\")");
}

void check_url(Section& s, const char* key, const std::string& url) {
  if (url.empty()) return;
  if (url.rfind("rtsp://", 0) != 0 && url.rfind("rtsps://", 0) != 0)
    s.fail(s.node()[key], s.field(key),
           "must be an rtsp:// or rtsps:// URL (got \"" + streams::redact_url(url) + "\")");
}

int ranged_int(Section& s, const char* key, int fallback, int lo, int hi) {
  int v = s.get<int>(key, fallback);
  if (v < lo || v > hi)
    s.fail(s.node()[key], s.field(key),
           "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + " (got " +
               std::to_string(v) + ")");
  return v;
}

CameraConfig parse_camera(const YAML::Node& node, int index, const std::string& file,
                          streams::Transport default_transport, int default_latency) {
  Section s(node, "cameras[" + std::to_string(index) + "]", file);
  CameraConfig cam;
  cam.line = line_of(node);
  cam.id = s.get<std::string>("id", "");
  if (cam.id.empty()) s.fail(node, s.field("id"), "is missing: every camera needs a unique id");
  cam.name = s.get<std::string>("name", cam.id);
  cam.street = s.get<std::string>("street", "");
  cam.main_url = s.get<std::string>("main", "");
  cam.sub_url = s.get<std::string>("sub", "");
  if (cam.main_url.empty())
    s.fail(node, s.field("main"),
           "is missing: give the camera's RTSP URL, e.g. main: rtsp://host:554/stream1");
  check_url(s, "main", cam.main_url);
  check_url(s, "sub", cam.sub_url);
  cam.transport = parse_transport(s, "transport", default_transport);
  cam.latency_ms = ranged_int(s, "latency_ms", default_latency, 0, 10000);
  if (YAML::Node size = s.child("main_size")) {
    if (!size.IsSequence() || size.size() != 2)
      s.fail(size, s.field("main_size"), "must be [width, height], e.g. [1920, 1080]");
    try {
      cam.main_width = size[0].as<int>();
      cam.main_height = size[1].as<int>();
    } catch (const YAML::Exception&) {
      s.fail(size, s.field("main_size"), "must be two integers [width, height]");
    }
    if (cam.main_width < 16 || cam.main_height < 16 || cam.main_width > 16384 ||
        cam.main_height > 16384)
      s.fail(size, s.field("main_size"), "must be between 16 and 16384 pixels each way");
  }
  s.reject_unknown_keys("id, name, street, main, sub, transport, latency_ms, main_size");
  return cam;
}

renderer::Overlay parse_overlay(Section& s, const YAML::Node& node, const std::string& field) {
  static const std::map<std::string, renderer::Overlay> names{
      {"counters", renderer::Overlay::Counters},
      {"streets", renderer::Overlay::Streets},
      {"categories", renderer::Overlay::Categories},
      {"ticker", renderer::Overlay::Ticker},
      {"badges", renderer::Overlay::Badges}};
  std::string name = node.IsScalar() ? node.as<std::string>() : "";
  auto it = names.find(name);
  if (it == names.end())
    s.fail(node, field,
           "must be one of counters, streets, categories, ticker, badges (got \"" + name + "\")");
  return it->second;
}

void parse_cases(const YAML::Node& node, const std::string& file, const std::string& base_dir,
                 CasesConfig& cases) {
  Section s(node, "cases", file);
  if (YAML::Node endpoints = s.child("endpoints")) {
    if (!endpoints.IsSequence())
      s.fail(endpoints, "cases.endpoints", "must be a list like [tcp://127.0.0.1:5570]");
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
      auto e = endpoints[i].IsScalar() ? endpoints[i].as<std::string>() : "";
      if (e.rfind("tcp://", 0) != 0 && e.rfind("ipc://", 0) != 0)
        s.fail(endpoints[i], "cases.endpoints[" + std::to_string(i) + "]",
               "must be a ZeroMQ endpoint like tcp://host:5570 (got \"" + e + "\")");
      cases.endpoints.push_back(e);
    }
  }
  double silence = s.get<double>("silence_timeout_s", 5.0);
  if (silence < 0.5 || silence > 600)
    s.fail(node["silence_timeout_s"], "cases.silence_timeout_s",
           "must be between 0.5 and 600 seconds");
  cases.silence_timeout = std::chrono::milliseconds(static_cast<int>(silence * 1000));
  auto rules = s.get<std::string>("rules", "");
  if (!rules.empty()) {
    fs::path p(rules);
    if (p.is_relative()) p = fs::path(base_dir) / p;
    cases.rules_path = p.lexically_normal().string();
  }
  if (YAML::Node overlays = s.child("overlays")) {
    if (!overlays.IsMap())
      s.fail(overlays, "cases.overlays",
             "must map a layout name (or default) to a list, e.g. default: [counters, badges]");
    for (const auto& kv : overlays) {
      auto layout = kv.first.as<std::string>();
      auto field = "cases.overlays." + layout;
      if (!kv.second.IsSequence()) s.fail(kv.second, field, "must be a list of overlay names");
      auto& list = cases.overlays[layout];
      for (std::size_t i = 0; i < kv.second.size(); ++i)
        list.push_back(parse_overlay(s, kv.second[i], field + "[" + std::to_string(i) + "]"));
    }
  }
  s.reject_unknown_keys("endpoints, silence_timeout_s, rules, overlays");
}

std::string resolve_path(const std::string& path, const std::string& base_dir) {
  fs::path p(path);
  if (p.is_relative()) p = fs::path(base_dir) / p;
  return p.lexically_normal().string();
}

std::string parse_role_text(Section& s, const YAML::Node& node, const char* key,
                            const std::string& fallback) {
  auto role = s.get<std::string>(key, fallback);
  if (role != "viewer" && role != "operator" && role != "admin")
    s.fail(node[key], s.field(key), "must be viewer, operator or admin (got \"" + role + "\")");
  return role;
}

void check_endpoint(Section& s, const char* key, const std::string& endpoint) {
  if (endpoint.empty() || endpoint.rfind("tcp://", 0) == 0 || endpoint.rfind("ipc://", 0) == 0)
    return;
  s.fail(s.node()[key], s.field(key),
         "must be a ZeroMQ endpoint like tcp://127.0.0.1:5560, or \"\" for none (got \"" +
             endpoint + "\")");
}

void parse_api(const YAML::Node& node, const std::string& file, const std::string& base_dir,
               ApiConfig& api) {
  Section s(node, "api", file);
  api.endpoint = s.get<std::string>("endpoint", api.endpoint);
  api.pub_endpoint = s.get<std::string>("pub_endpoint", api.pub_endpoint);
  check_endpoint(s, "endpoint", api.endpoint);
  check_endpoint(s, "pub_endpoint", api.pub_endpoint);
  api.anonymous_role = parse_role_text(s, node, "anonymous_role", api.anonymous_role);
  if (YAML::Node curve_node = s.child("curve")) {
    Section curve(curve_node, "api.curve", file);
    auto key_file = curve.get<std::string>("secret_key_file", "");
    if (key_file.empty())
      curve.fail(curve_node, "api.curve.secret_key_file",
                 "is missing: give the server's .key file (make one with: wallctl keygen server)");
    try {
      auto keys = api::read_key_file(resolve_path(key_file, base_dir));
      if (keys.secret_key.empty())
        throw std::runtime_error(key_file + " holds no secret-key (a .pub file?)");
      api.server_secret_key = keys.secret_key;
      api.server_public_key = api::public_key_of(keys.secret_key);
    } catch (const std::runtime_error& e) {
      curve.fail(curve_node["secret_key_file"], "api.curve.secret_key_file", e.what());
    }
    YAML::Node clients = curve.child("clients");
    if (clients && !clients.IsSequence())
      curve.fail(clients, "api.curve.clients", "must be a list of {name, public_key, role}");
    for (std::size_t i = 0; clients && i < clients.size(); ++i) {
      Section c(clients[i], "api.curve.clients[" + std::to_string(i) + "]", file);
      ApiClientConfig client;
      client.name = c.get<std::string>("name", "");
      if (client.name.empty()) c.fail(clients[i], c.field("name"), "is missing");
      client.public_key = c.get<std::string>("public_key", "");
      auto pub_file = c.get<std::string>("key_file", "");
      if (client.public_key.empty() == pub_file.empty())
        c.fail(clients[i], c.field("public_key"),
               "give exactly one of public_key (Z85 text) or key_file (a .pub file)");
      if (!pub_file.empty()) {
        try {
          client.public_key = api::read_key_file(resolve_path(pub_file, base_dir)).public_key;
        } catch (const std::runtime_error& e) {
          c.fail(clients[i]["key_file"], c.field("key_file"), e.what());
        }
      } else if (!api::is_valid_key(client.public_key)) {
        c.fail(clients[i]["public_key"], c.field("public_key"),
               "is not a CURVE public key (40 Z85 characters, as in a .pub file)");
      }
      client.role = parse_role_text(c, clients[i], "role", "viewer");
      c.reject_unknown_keys("name, public_key, key_file, role");
      api.clients.push_back(std::move(client));
    }
    curve.reject_unknown_keys("secret_key_file, clients");
  }
  for (const auto* key : {"endpoint", "pub_endpoint"}) {
    const auto& endpoint = std::string(key) == "endpoint" ? api.endpoint : api.pub_endpoint;
    if (!endpoint.empty() && !api.curve() && !is_loopback_endpoint(endpoint))
      s.fail(node[key], s.field(key),
             endpoint +
                 " is not a loopback address: remote access needs CURVE encryption; add "
                 "api.curve (see docs/api.md), or bind tcp://127.0.0.1");
  }
  s.reject_unknown_keys("endpoint, pub_endpoint, anonymous_role, curve");
}

void parse_storage(const YAML::Node& node, const std::string& file, const std::string& base_dir,
                   StorageConfig& storage) {
  Section s(node, "storage", file);
  auto dir = s.get<std::string>("dir", "");
  if (!dir.empty()) storage.dir = resolve_path(dir, base_dir);
  storage.audit_rotate_bytes =
      static_cast<std::uint64_t>(ranged_int(s, "audit_rotate_mb", 16, 1, 4096)) * 1024 * 1024;
  storage.audit_keep = ranged_int(s, "audit_keep", 10, 1, 1000);
  s.reject_unknown_keys("dir, audit_rotate_mb, audit_keep");
}

// GLFW key codes of the keys a toggle may use: F1..F12 (GLFW_KEY_F1 = 290 and up).
int function_key_code(const std::string& name) {
  if (name.size() < 2 || name.size() > 3 || name[0] != 'F') return -1;
  int n = 0;
  for (std::size_t i = 1; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    n = n * 10 + (name[i] - '0');
  }
  return n >= 1 && n <= 12 ? 289 + n : -1;
}

void parse_panel(const YAML::Node& node, const std::string& file, PanelConfig& panel) {
  Section s(node, "panel", file);
  const auto placement = s.get<std::string>("placement", "overlay");
  if (placement == "overlay") {
    panel.placement = renderer::UiPlacement::Overlay;
  } else if (placement == "window") {
    panel.placement = renderer::UiPlacement::Window;
  } else if (placement == "off") {
    panel.placement = renderer::UiPlacement::Off;
  } else {
    s.fail(node["placement"], "panel.placement",
           "must be overlay, window or off (got \"" + placement + "\")");
  }
  panel.visible = s.get<bool>("visible", false);
  panel.toggle_key = s.get<std::string>("toggle_key", "F1");
  panel.toggle_key_code = function_key_code(panel.toggle_key);
  if (panel.toggle_key_code < 0) {
    s.fail(node["toggle_key"], "panel.toggle_key",
           "must be a function key F1..F12 (got \"" + panel.toggle_key +
               "\"); other keys are the wall's or the panel's shortcuts");
  }
  panel.monitor = ranged_int(s, "monitor", -1, -1, 15);
  panel.width = ranged_int(s, "width", 1280, 320, 16384);
  panel.height = ranged_int(s, "height", 800, 240, 16384);
  panel.font_size = ranged_int(s, "font_size", 18, 10, 64);
  s.reject_unknown_keys("placement, visible, toggle_key, monitor, width, height, font_size");
}

}  // namespace

bool is_loopback_endpoint(const std::string& endpoint) {
  if (endpoint.rfind("ipc://", 0) == 0 || endpoint.rfind("inproc://", 0) == 0) return true;
  if (endpoint.rfind("tcp://", 0) != 0) return false;
  auto host = endpoint.substr(
      6, endpoint.rfind(':') == std::string::npos ? std::string::npos : endpoint.rfind(':') - 6);
  return host.rfind("127.", 0) == 0 || host == "localhost" || host == "[::1]";
}

const std::vector<renderer::Overlay>& CasesConfig::overlays_for(const std::string& layout) const {
  static const std::vector<renderer::Overlay> none;
  if (auto it = overlays.find(layout); it != overlays.end()) return it->second;
  if (auto it = overlays.find("default"); it != overlays.end()) return it->second;
  return none;
}

ConfigError::ConfigError(std::string file, int line, std::string field, std::string message)
    : std::runtime_error(file + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " +
                         field + ": " + message),
      file_(std::move(file)),
      line_(line),
      field_(std::move(field)) {}

const CameraConfig* Config::find_camera(const std::string& id_or_name) const {
  for (const auto& c : cameras)
    if (c.id == id_or_name) return &c;
  for (const auto& c : cameras)
    if (c.name == id_or_name) return &c;
  return nullptr;
}

Config load_config_text(const std::string& yaml, const std::string& file_label,
                        const std::string& base_dir) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(file_label, e.mark.line + 1, "(syntax)", e.msg + ": fix the YAML syntax");
  }
  if (!root || root.IsNull())
    throw ConfigError(file_label, 0, "(file)", "is empty: it needs at least a cameras: list");

  Config config;
  config.path = file_label;
  Section top(root, "", file_label);

  if (YAML::Node wall_node = top.child("wall")) {
    Section wall(wall_node, "wall", file_label);
    config.wall.width = ranged_int(wall, "width", 1920, 160, 16384);
    config.wall.height = ranged_int(wall, "height", 1080, 90, 16384);
    config.wall.layout = wall.get<std::string>("layout", "3x3");
    if (wall.has("layout")) config.wall.layout_line = line_of(wall_node["layout"]);
    auto dir = wall.get<std::string>("layouts_dir", "");
    if (!dir.empty()) {
      fs::path p(dir);
      if (p.is_relative()) p = fs::path(base_dir) / p;
      config.wall.layouts_dir = p.lexically_normal().string();
    }
    auto fit = wall.get<std::string>("fit", "letterbox");
    if (fit == "fill")
      config.wall.fit = renderer::FitMode::Fill;
    else if (fit != "letterbox")
      wall.fail(wall_node["fit"], "wall.fit", "must be letterbox or fill (got \"" + fit + "\")");
    auto lang = wall.get<std::string>("language", "zh");
    if (lang == "en")
      config.wall.language = renderer::Language::English;
    else if (lang != "zh")
      wall.fail(wall_node["language"], "wall.language", "must be zh or en (got \"" + lang + "\")");
    wall.reject_unknown_keys("width, height, layout, layouts_dir, fit, language");
  }

  auto transport = streams::Transport::Tcp;
  int latency = 200;
  if (YAML::Node streams_node = top.child("streams")) {
    Section st(streams_node, "streams", file_label);
    transport = parse_transport(st, "transport", transport);
    latency = ranged_int(st, "latency_ms", latency, 0, 10000);
    double stall = st.get<double>("stall_timeout_s", 3.0);
    if (stall < 0.5 || stall > 120)
      st.fail(streams_node["stall_timeout_s"], "streams.stall_timeout_s",
              "must be between 0.5 and 120 seconds");
    config.stall_timeout = std::chrono::milliseconds(static_cast<int>(stall * 1000));
    st.reject_unknown_keys("transport, latency_ms, stall_timeout_s");
  }

  YAML::Node cams = top.child("cameras");
  if (!cams || !cams.IsSequence() || cams.size() == 0)
    top.fail(cams ? cams : root, "cameras",
             "is missing or empty: list the cameras, each with id, name and main URL");
  std::set<std::string> ids;
  for (std::size_t i = 0; i < cams.size(); ++i) {
    auto cam = parse_camera(cams[i], static_cast<int>(i), file_label, transport, latency);
    if (!ids.insert(cam.id).second)
      throw ConfigError(file_label, cam.line, "cameras[" + std::to_string(i) + "].id",
                        "\"" + cam.id + "\" is used by an earlier camera: ids must be unique");
    config.cameras.push_back(std::move(cam));
  }

  if (YAML::Node tiles = top.child("tiles")) {
    if (!tiles.IsSequence())
      top.fail(tiles, "tiles", "must be a list of camera ids, in tile order");
    for (std::size_t i = 0; i < tiles.size(); ++i) {
      std::string id = tiles[i].IsNull() ? "" : tiles[i].as<std::string>();
      if (!id.empty() && !config.find_camera(id))
        top.fail(tiles[i], "tiles[" + std::to_string(i) + "]",
                 "names unknown camera \"" + id + "\": use an id from the cameras list");
      config.tiles.push_back(id.empty() ? id : config.find_camera(id)->id);
    }
    if (config.tiles.size() > 64) top.fail(tiles, "tiles", "has more than 64 entries");
  }
  if (YAML::Node cases = top.child("cases")) parse_cases(cases, file_label, base_dir, config.cases);
  if (YAML::Node api = top.child("api")) parse_api(api, file_label, base_dir, config.api);
  if (YAML::Node storage = top.child("storage"))
    parse_storage(storage, file_label, base_dir, config.storage);
  if (YAML::Node panel = top.child("panel")) parse_panel(panel, file_label, config.panel);
  top.reject_unknown_keys("wall, streams, cameras, tiles, cases, api, storage, panel");
  return config;
}

Config load_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw ConfigError(path, 0, "(file)",
                      "cannot be read: check the path given to --config and its permissions");
  std::stringstream text;
  text << in.rdbuf();
  auto base = fs::absolute(fs::path(path)).parent_path().string();
  return load_config_text(text.str(), path, base);
}

}  // namespace vw::controller
