#include "controller/core/config.hpp"

#include <arpa/inet.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string_view>

#include "controller/core/config_outputs.hpp"
#include "controller/core/config_quality.hpp"
#include "controller/core/yaml_reader.hpp"

namespace vw::controller {
namespace {

namespace fs = std::filesystem;

// what() is a C string: a NUL byte in a field or message (a key of a broken file) would cut the
// error short of its message, and other control bytes would reach the terminal raw. Both are
// shown as \xNN.
std::string printable(const std::string& text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte >= 0x20 && byte != 0x7f) {
      out += ch;
    } else {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  return out;
}

std::string resolve_path(const std::string& path, const std::string& base_dir) {
  fs::path p(path);
  if (p.is_relative()) p = fs::path(base_dir) / p;
  return p.lexically_normal().string();
}

streams::Transport parse_transport(YamlMap& s, const char* key, streams::Transport fallback) {
  const YAML::Node value = s.take(key);
  if (!YamlMap::present(value)) return fallback;
  const auto text = s.text(key, value);
  if (text == "tcp") return streams::Transport::Tcp;
  if (text == "udp") return streams::Transport::Udp;
  if (text == "auto") return streams::Transport::Auto;
  s.fail(value, key, "must be tcp, udp or auto (got \"" + text + "\")");
}

void check_url(const YamlMap& s, const char* key, const std::string& url) {
  if (url.empty()) return;
  if (url.rfind("rtsp://", 0) != 0 && url.rfind("rtsps://", 0) != 0)
    s.fail(s.node()[key], key,
           "must be an rtsp:// or rtsps:// URL (got \"" + streams::redact_url(url) + "\")");
}

CameraConfig parse_camera(const YAML::Node& node, int index, const std::string& file,
                          streams::Transport default_transport, int default_latency) {
  YamlMap s(node, "cameras[" + std::to_string(index) + "]", file);
  CameraConfig cam;
  cam.line = yaml_line(node);
  cam.id = s.text_or("id", "");
  if (cam.id.empty()) s.fail(node, "id", "is missing: every camera needs a unique id");
  cam.name = s.text_or("name", cam.id);
  cam.street = s.text_or("street", "");
  cam.main_url = s.text_or("main", "");
  cam.sub_url = s.text_or("sub", "");
  if (cam.main_url.empty())
    s.fail(node, "main",
           "is missing: give the camera's RTSP URL, e.g. main: rtsp://host:554/stream1");
  check_url(s, "main", cam.main_url);
  check_url(s, "sub", cam.sub_url);
  cam.transport = parse_transport(s, "transport", default_transport);
  cam.latency_ms = s.integer_or("latency_ms", default_latency, 0, 10000);
  if (YAML::Node size = s.take("main_size"); YamlMap::present(size)) {
    if (!size.IsSequence() || size.size() != 2)
      s.fail(size, "main_size", "must be [width, height], e.g. [1920, 1080]");
    cam.main_width = s.integer("main_size[0]", size[0], 16, 16384);
    cam.main_height = s.integer("main_size[1]", size[1], 16, 16384);
  }
  if (YAML::Node size = s.take("max_size"); YamlMap::present(size)) {
    if (!size.IsSequence() || size.size() != 2)
      s.fail(size, "max_size", "must be [width, height], e.g. [4096, 2160]");
    cam.max_width = s.integer("max_size[0]", size[0], 16, 16384);
    cam.max_height = s.integer("max_size[1]", size[1], 16, 16384);
  }
  // quality: false, or {enabled: false}, or thresholds of its own ({dark_luma: 20}).
  if (YAML::Node q = s.take("quality"); q.IsScalar()) {
    cam.quality = s.boolean("quality", q);
  } else if (YamlMap::present(q)) {
    YamlMap qs(q, s.field("quality"), file);
    cam.quality = qs.boolean_or("enabled", true);
    cam.quality_thresholds = parse_thresholds(qs, "enabled");
  }
  if (YAML::Node masks = s.take("masks"); YamlMap::present(masks)) parse_masks(s, masks, cam);
  s.reject_unknown(
      "id, name, street, main, sub, transport, latency_ms, main_size, max_size, quality, masks");
  return cam;
}

renderer::Overlay parse_overlay(const YamlMap& s, const YAML::Node& node, const std::string& key) {
  static const std::map<std::string, renderer::Overlay> names{
      {"counters", renderer::Overlay::Counters},
      {"streets", renderer::Overlay::Streets},
      {"categories", renderer::Overlay::Categories},
      {"ticker", renderer::Overlay::Ticker},
      {"badges", renderer::Overlay::Badges}};
  std::string name = node.IsScalar() ? node.Scalar() : "";
  auto it = names.find(name);
  if (it == names.end())
    s.fail(node, key,
           "must be one of counters, streets, categories, ticker, badges (got \"" + name + "\")");
  return it->second;
}

// A key file a curve section must name: its absolute path; `line` gets where it was given.
std::string required_key_file(YamlMap& s, const YAML::Node& node, const char* key,
                              const std::string& hint, const std::string& base_dir, int& line) {
  const auto file = s.text_or(key, "");
  if (file.empty()) s.fail(node, key, "is missing: " + hint);
  line = yaml_line(node[key]);
  return resolve_path(file, base_dir);
}

void parse_cases(const YAML::Node& node, const std::string& file, const std::string& base_dir,
                 CasesConfig& cases) {
  YamlMap s(node, "cases", file);
  if (YAML::Node endpoints = s.take("endpoints"); YamlMap::present(endpoints)) {
    if (!endpoints.IsSequence())
      s.fail(endpoints, "endpoints", "must be a list like [tcp://127.0.0.1:5570]");
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
      auto e = endpoints[i].IsScalar() ? endpoints[i].Scalar() : "";
      if (e.rfind("tcp://", 0) != 0 && e.rfind("ipc://", 0) != 0)
        s.fail(endpoints[i], "endpoints[" + std::to_string(i) + "]",
               "must be a ZeroMQ endpoint like tcp://host:5570 (got \"" + e + "\")");
      cases.endpoints.push_back(e);
    }
  }
  const double silence = s.number_or("silence_timeout_s", 5.0, 0.5, 600, "seconds");
  cases.silence_timeout = std::chrono::milliseconds(static_cast<int>(silence * 1000));
  if (auto rules = s.text_or("rules", ""); !rules.empty())
    cases.rules_path = resolve_path(rules, base_dir);
  if (YAML::Node overlays = s.take("overlays"); YamlMap::present(overlays)) {
    if (!overlays.IsMap())
      s.fail(overlays, "overlays",
             "must map a layout name (or default) to a list, e.g. default: [counters, badges]");
    for (const auto& kv : overlays) {
      if (!kv.first.IsScalar())
        s.fail(kv.first, "overlays", "must map layout names (plain text) to lists");
      const auto& layout = kv.first.Scalar();
      const auto key = "overlays." + layout;
      if (!kv.second.IsSequence()) s.fail(kv.second, key, "must be a list of overlay names");
      auto& list = cases.overlays[layout];
      for (std::size_t i = 0; i < kv.second.size(); ++i)
        list.push_back(parse_overlay(s, kv.second[i], key + "[" + std::to_string(i) + "]"));
    }
  }
  if (YAML::Node curve_node = s.take("curve"); YamlMap::present(curve_node)) {
    YamlMap curve(curve_node, "cases.curve", file);
    if (!cases.endpoints.empty())
      s.fail(node["endpoints"], "endpoints",
             "must not be given with cases.curve: each publisher names its endpoint");
    cases.client_key_file =
        required_key_file(curve, curve_node, "client_key_file",
                          "give the wall's .key file (make one with: wallctl keygen wall)",
                          base_dir, cases.client_key_line);
    YAML::Node publishers = curve.take("publishers");
    if (!YamlMap::present(publishers) || !publishers.IsSequence() || publishers.size() == 0)
      curve.fail(YamlMap::present(publishers) ? publishers : curve_node, "publishers",
                 "must list the publishers: {id, endpoint, key_file or public_key}");
    for (std::size_t i = 0; i < publishers.size(); ++i) {
      YamlMap p(publishers[i], "cases.curve.publishers[" + std::to_string(i) + "]", file);
      CasePublisherConfig publisher;
      publisher.line = yaml_line(publishers[i]);
      publisher.id = p.text_or("id", "");
      if (publisher.id.empty()) p.fail(publishers[i], "id", "is missing: the publisher's id");
      publisher.endpoint = p.text_or("endpoint", "");
      if (publisher.endpoint.rfind("tcp://", 0) != 0)
        p.fail(publishers[i], "endpoint", "must be tcp://ADDRESS:PORT");
      publisher.public_key = p.text_or("public_key", "");
      auto pub_file = p.text_or("key_file", "");
      if (publisher.public_key.empty() == pub_file.empty())
        p.fail(publishers[i], "key_file",
               "give exactly one of key_file (the publisher's .pub) or public_key (Z85 text)");
      if (!pub_file.empty()) publisher.key_file = resolve_path(pub_file, base_dir);
      p.reject_unknown("id, endpoint, key_file, public_key");
      cases.endpoints.push_back(publisher.endpoint);
      cases.publishers.push_back(std::move(publisher));
    }
    curve.reject_unknown("client_key_file, publishers");
  }
  s.reject_unknown("endpoints, silence_timeout_s, rules, overlays, curve");
}

std::string parse_role_text(YamlMap& s, const char* key, const std::string& fallback) {
  auto role = s.text_or(key, fallback);
  if (role != "viewer" && role != "operator" && role != "admin")
    s.fail(s.node()[key], key, "must be viewer, operator or admin (got \"" + role + "\")");
  return role;
}

void check_endpoint(const YamlMap& s, const char* key, const std::string& endpoint) {
  if (endpoint.empty() || endpoint.rfind("tcp://", 0) == 0 || endpoint.rfind("ipc://", 0) == 0)
    return;
  s.fail(s.node()[key], key,
         "must be a ZeroMQ endpoint like tcp://127.0.0.1:5560, or \"\" for none (got \"" +
             endpoint + "\")");
}

void parse_api(const YAML::Node& node, const std::string& file, const std::string& base_dir,
               ApiConfig& api) {
  YamlMap s(node, "api", file);
  api.endpoint = s.text_or("endpoint", api.endpoint);
  api.pub_endpoint = s.text_or("pub_endpoint", api.pub_endpoint);
  check_endpoint(s, "endpoint", api.endpoint);
  check_endpoint(s, "pub_endpoint", api.pub_endpoint);
  api.anonymous_role = parse_role_text(s, "anonymous_role", api.anonymous_role);
  if (YAML::Node curve_node = s.take("curve"); YamlMap::present(curve_node)) {
    YamlMap curve(curve_node, "api.curve", file);
    api.secret_key_file =
        required_key_file(curve, curve_node, "secret_key_file",
                          "give the server's .key file (make one with: wallctl keygen server)",
                          base_dir, api.secret_key_line);
    YAML::Node clients = curve.take("clients");
    if (YamlMap::present(clients) && !clients.IsSequence())
      curve.fail(clients, "clients", "must be a list of {name, public_key, role}");
    for (std::size_t i = 0; YamlMap::present(clients) && i < clients.size(); ++i) {
      YamlMap c(clients[i], "api.curve.clients[" + std::to_string(i) + "]", file);
      ApiClientConfig client;
      client.name = c.text_or("name", "");
      if (client.name.empty()) c.fail(clients[i], "name", "is missing");
      client.public_key = c.text_or("public_key", "");
      auto pub_file = c.text_or("key_file", "");
      if (client.public_key.empty() == pub_file.empty())
        c.fail(clients[i], "public_key",
               "give exactly one of public_key (Z85 text) or key_file (a .pub file)");
      if (!pub_file.empty()) client.key_file = resolve_path(pub_file, base_dir);
      client.key_line = yaml_line(clients[i][pub_file.empty() ? "public_key" : "key_file"]);
      client.role = parse_role_text(c, "role", "viewer");
      c.reject_unknown("name, public_key, key_file, role");
      api.clients.push_back(std::move(client));
    }
    curve.reject_unknown("secret_key_file, clients");
  }
  for (const auto* key : {"endpoint", "pub_endpoint"}) {
    const auto& endpoint = std::string(key) == "endpoint" ? api.endpoint : api.pub_endpoint;
    if (!endpoint.empty() && !api.curve() && !is_loopback_endpoint(endpoint))
      s.fail(node[key], key,
             endpoint +
                 " is not a loopback address: remote access needs CURVE encryption; add "
                 "api.curve (see docs/api.md), or bind tcp://127.0.0.1");
  }
  s.reject_unknown("endpoint, pub_endpoint, anonymous_role, curve");
}

void parse_storage(const YAML::Node& node, const std::string& file, const std::string& base_dir,
                   StorageConfig& storage) {
  YamlMap s(node, "storage", file);
  if (auto dir = s.text_or("dir", ""); !dir.empty()) storage.dir = resolve_path(dir, base_dir);
  storage.audit_rotate_bytes =
      static_cast<std::uint64_t>(s.integer_or("audit_rotate_mb", 16, 1, 4096)) * 1024 * 1024;
  storage.audit_keep = s.integer_or("audit_keep", 10, 1, 1000);
  storage.snapshot_quota_bytes =
      static_cast<std::uint64_t>(s.integer_or("snapshot_quota_mb", 1024, 1, 1 << 20)) * 1024 * 1024;
  const std::string mac = s.text_or("audit_mac", "hmac-sm3");
  if (mac != "hmac-sm3" && mac != "sha256")
    s.fail(node["audit_mac"], "audit_mac", "must be hmac-sm3 or sha256 (got \"" + mac + "\")");
  storage.audit_hmac_sm3 = mac == "hmac-sm3";
  if (auto key = s.text_or("audit_key_file", ""); !key.empty())
    storage.audit_key_file = resolve_path(key, base_dir);
  s.reject_unknown(
      "dir, audit_rotate_mb, audit_keep, snapshot_quota_mb, audit_mac, audit_key_file");
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
  YamlMap s(node, "panel", file);
  const auto placement = s.text_or("placement", "overlay");
  if (placement == "overlay") {
    panel.placement = renderer::UiPlacement::Overlay;
  } else if (placement == "window") {
    panel.placement = renderer::UiPlacement::Window;
  } else if (placement == "off") {
    panel.placement = renderer::UiPlacement::Off;
  } else {
    s.fail(node["placement"], "placement",
           "must be overlay, window or off (got \"" + placement + "\")");
  }
  panel.visible = s.boolean_or("visible", false);
  panel.toggle_key = s.text_or("toggle_key", "F1");
  panel.toggle_key_code = function_key_code(panel.toggle_key);
  if (panel.toggle_key_code < 0) {
    s.fail(node["toggle_key"], "toggle_key",
           "must be a function key F1..F12 (got \"" + panel.toggle_key +
               "\"); other keys are the wall's or the panel's shortcuts");
  }
  panel.monitor = s.integer_or("monitor", -1, -1, 15);
  panel.width = s.integer_or("width", 1280, 320, 16384);
  panel.height = s.integer_or("height", 800, 240, 16384);
  panel.font_size = s.integer_or("font_size", 18, 10, 64);
  panel.role = parse_role_text(s, "role", panel.role);
  s.reject_unknown("placement, visible, toggle_key, monitor, width, height, font_size, role");
}

// service.metrics: "HOST:PORT" (numeric IPv4, or [IPv6]), or "off".
void parse_service(const YAML::Node& node, const std::string& file, ServiceConfig& service) {
  YamlMap s(node, "service", file);
  const std::string metrics = s.text_or("metrics", "127.0.0.1:9560");
  service.metrics_remote = s.boolean_or("metrics_remote", false);
  service.stuck_after = std::chrono::milliseconds(
      static_cast<long long>(s.number_or("watchdog_stuck_s", 5, 1, 600, "seconds") * 1000));
  s.reject_unknown("metrics, metrics_remote, watchdog_stuck_s");
  if (const std::string why = set_metrics_address(metrics, service); !why.empty())
    s.fail(node["metrics"], "metrics", why);
}
}  // namespace

namespace {

// "0".."255" without a sign or leading zeros.
bool is_octet(std::string_view text) {
  if (text.empty() || text.size() > 3 || (text.size() > 1 && text[0] == '0')) return false;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return value <= 255;
}

// A port number 1..65535, or "*" (the system picks one).
bool is_port(std::string_view text) {
  if (text == "*") return true;
  if (text.empty() || text.size() > 5 || text[0] == '0') return false;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return value <= 65535;
}

}  // namespace

bool is_loopback_endpoint(const std::string& endpoint) {
  // libzmq reads "tcp://SOURCE;ADDRESS" as a source address and a second one to use, so no ';'
  // (nor anything else after the port) may pass: only the exact forms below are loopback.
  if (endpoint.find_first_of("; \t\r\n") != std::string::npos) return false;
  if (endpoint.rfind("ipc://", 0) == 0) return endpoint.size() > 6;
  if (endpoint.rfind("inproc://", 0) == 0) return endpoint.size() > 9;
  if (endpoint.rfind("tcp://", 0) != 0) return false;
  const std::string_view rest = std::string_view(endpoint).substr(6);
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || !is_port(rest.substr(colon + 1))) return false;
  const std::string_view host = rest.substr(0, colon);
  if (host == "[::1]") return true;
  // Numeric 127.a.b.c only: a host name or interface name is whatever it resolves to.
  std::size_t start = 0;
  int parts = 0;
  for (;;) {
    const auto dot = host.find('.', start);
    const auto part = host.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!is_octet(part) || (parts == 0 && part != "127")) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

std::string split_host_port(const std::string& text, bool any_port, std::string& host, int& port) {
  const auto colon = text.rfind(':');
  const std::string_view port_text =
      colon == std::string::npos ? std::string_view() : std::string_view(text).substr(colon + 1);
  if (colon == std::string::npos || !is_port(port_text) || (!any_port && port_text == "*")) {
    return "must be HOST:PORT with a numeric host and a port 1-65535" +
           std::string(any_port ? " or *" : "") + " (got \"" + text + "\")";
  }
  std::string name = text.substr(0, colon);
  const bool v6 = name.size() > 2 && name.front() == '[' && name.back() == ']';
  if (v6) {
    in6_addr parsed{};
    if (::inet_pton(AF_INET6, name.substr(1, name.size() - 2).c_str(), &parsed) != 1)
      return "\"" + name + "\" is not a numeric IPv6 address";
  } else {
    in_addr parsed{};
    if (::inet_pton(AF_INET, name.c_str(), &parsed) != 1)
      return "\"" + name + "\" is not a numeric IPv4 address (host names are not resolved)";
  }
  host = v6 ? name.substr(1, name.size() - 2) : name;
  port = port_text == "*" ? 0 : std::stoi(std::string(port_text));
  return "";
}

std::string set_metrics_address(const std::string& text, ServiceConfig& service) {
  if (text.empty() || text == "off") {
    service.metrics_host.clear();
    return "";
  }
  std::string host;
  int port = 0;
  if (std::string why = split_host_port(text, true, host, port); !why.empty()) return why;
  if (!service.metrics_remote && !is_loopback_endpoint("tcp://" + text))
    return text +
           " is not a loopback address: the metrics name every camera, so a remote address "
           "needs service.metrics_remote: true";
  service.metrics_host = host;
  service.metrics_port = port;
  return "";
}

const std::vector<renderer::Overlay>& CasesConfig::overlays_for(const std::string& layout) const {
  static const std::vector<renderer::Overlay> none;
  if (auto it = overlays.find(layout); it != overlays.end()) return it->second;
  if (auto it = overlays.find("default"); it != overlays.end()) return it->second;
  return none;
}

ConfigError::ConfigError(std::string file, int line, std::string field, std::string message)
    : std::runtime_error(printable(file + (line > 0 ? ":" + std::to_string(line) : std::string()) +
                                   ": " + field + ": " + message)),
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
  YAML::Node root = load_yaml_document(yaml, file_label);
  if (!root || root.IsNull())
    throw ConfigError(file_label, 0, "(file)", "is empty: it needs at least a cameras: list");

  Config config;
  config.path = file_label;
  YamlMap top(root, "", file_label);

  if (YAML::Node wall_node = top.take("wall"); YamlMap::present(wall_node)) {
    YamlMap wall(wall_node, "wall", file_label);
    config.wall.width = wall.integer_or("width", 1920, 160, 16384);
    config.wall.height = wall.integer_or("height", 1080, 90, 16384);
    config.wall.layout = wall.text_or("layout", "3x3");
    if (wall_node["layout"]) config.wall.layout_line = yaml_line(wall_node["layout"]);
    if (auto dir = wall.text_or("layouts_dir", ""); !dir.empty())
      config.wall.layouts_dir = resolve_path(dir, base_dir);
    auto fit = wall.text_or("fit", "letterbox");
    if (fit == "fill")
      config.wall.fit = renderer::FitMode::Fill;
    else if (fit != "letterbox")
      wall.fail(wall_node["fit"], "fit", "must be letterbox or fill (got \"" + fit + "\")");
    auto lang = wall.text_or("language", "zh");
    if (lang == "en")
      config.wall.language = renderer::Language::English;
    else if (lang != "zh")
      wall.fail(wall_node["language"], "language", "must be zh or en (got \"" + lang + "\")");
    const std::string path = wall.text_or("render_path", "auto");
    if (auto parsed = renderer::parse_render_path(path)) {
      config.wall.render_path = *parsed;
    } else {
      wall.fail(wall_node["render_path"], "render_path",
                "must be auto, gpu or cpu (got \"" + path + "\")");
    }
    wall.reject_unknown("width, height, layout, layouts_dir, fit, language, render_path");
  }

  auto transport = streams::Transport::Tcp;
  int latency = 200;
  if (YAML::Node streams_node = top.take("streams"); YamlMap::present(streams_node)) {
    YamlMap st(streams_node, "streams", file_label);
    transport = parse_transport(st, "transport", transport);
    latency = st.integer_or("latency_ms", latency, 0, 10000);
    const double stall = st.number_or("stall_timeout_s", 3.0, 0.5, 120, "seconds");
    config.stall_timeout = std::chrono::milliseconds(static_cast<int>(stall * 1000));
    st.reject_unknown("transport, latency_ms, stall_timeout_s");
  }

  YAML::Node cams = top.take("cameras");
  if (!YamlMap::present(cams) || !cams.IsSequence() || cams.size() == 0)
    top.fail(YamlMap::present(cams) ? cams : root, "cameras",
             "is missing or empty: list the cameras, each with id, name and main URL");
  std::set<std::string> ids;
  for (std::size_t i = 0; i < cams.size(); ++i) {
    auto cam = parse_camera(cams[i], static_cast<int>(i), file_label, transport, latency);
    if (!ids.insert(cam.id).second)
      throw ConfigError(file_label, cam.line, "cameras[" + std::to_string(i) + "].id",
                        "\"" + cam.id + "\" is used by an earlier camera: ids must be unique");
    config.cameras.push_back(std::move(cam));
  }

  if (YAML::Node tiles = top.take("tiles"); YamlMap::present(tiles)) {
    if (!tiles.IsSequence())
      top.fail(tiles, "tiles", "must be a list of camera ids, in tile order");
    if (tiles.size() > 64) top.fail(tiles, "tiles", "has more than 64 entries");
    for (std::size_t i = 0; i < tiles.size(); ++i) {
      const auto key = "tiles[" + std::to_string(i) + "]";
      std::string id = tiles[i].IsNull() ? "" : top.text(key, tiles[i]);
      if (!id.empty() && !config.find_camera(id))
        top.fail(tiles[i], key,
                 "names unknown camera \"" + id + "\": use an id from the cameras list");
      config.tiles.push_back(id.empty() ? id : config.find_camera(id)->id);
    }
  }
  if (YAML::Node cases = top.take("cases"); YamlMap::present(cases))
    parse_cases(cases, file_label, base_dir, config.cases);
  if (YAML::Node api = top.take("api"); YamlMap::present(api))
    parse_api(api, file_label, base_dir, config.api);
  if (YAML::Node storage = top.take("storage"); YamlMap::present(storage))
    parse_storage(storage, file_label, base_dir, config.storage);
  if (YAML::Node panel = top.take("panel"); YamlMap::present(panel))
    parse_panel(panel, file_label, config.panel);
  if (YAML::Node service = top.take("service"); YamlMap::present(service))
    parse_service(service, file_label, config.service);
  if (YAML::Node quality = top.take("quality"); YamlMap::present(quality))
    parse_quality(quality, file_label, config.quality);
  if (YAML::Node outputs = top.take("outputs"); YamlMap::present(outputs))
    parse_outputs(outputs, file_label, base_dir, config.wall, config.outputs);
  if (YAML::Node rtsp = top.take("output_rtsp"); YamlMap::present(rtsp))
    parse_output_rtsp(rtsp, file_label, config.output_rtsp);
  if (YAML::Node whep = top.take("output_whep"); YamlMap::present(whep))
    parse_output_whep(whep, file_label, config.output_whep);
  if (YAML::Node mark = top.take("output_watermark"); YamlMap::present(mark))
    config.output_watermark = parse_output_watermark(mark, file_label);
  top.reject_unknown(
      "wall, streams, cameras, tiles, cases, api, storage, panel, service, quality, outputs, "
      "output_rtsp, output_whep, output_watermark");
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
