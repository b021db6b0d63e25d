#include "controller/core/config_outputs.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <set>

#include "controller/core/yaml_reader.hpp"
#include "layouts/privacy_mask.hpp"
#include "streams/out/encoder_names.hpp"

namespace vw::controller {

namespace {

bool valid_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
  });
}

// A numeric IPv4 or IPv6 address (host names are not resolved).
bool is_numeric_address(const std::string& text) {
  in_addr v4{};
  in6_addr v6{};
  return ::inet_pton(AF_INET, text.c_str(), &v4) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), &v6) == 1;
}

bool is_loopback_host(const std::string& host) {
  return is_loopback_endpoint(host.find(':') != std::string::npos ? "tcp://[" + host + "]:1"
                                                                  : "tcp://" + host + ":1");
}

// outputs[i].srt: {mode, address, passphrase, key_bits, latency_ms}.
OutputSrtConfig parse_srt(YamlMap& output, const YAML::Node& node) {
  YamlMap r(node, output.field("srt"), output.file());
  OutputSrtConfig srt;
  const std::string mode = r.text_or("mode", "listener");
  if (mode != "listener" && mode != "caller")
    r.fail(node["mode"], "mode",
           "must be listener (callers connect to the daemon) or caller (the daemon connects to "
           "a listener)");
  srt.listener = mode == "listener";
  const YAML::Node address = r.take("address");
  if (!YamlMap::present(address))
    r.fail(node, "address",
           srt.listener ? "is missing: where the daemon listens, e.g. \"127.0.0.1:9000\""
                        : "is missing: the listener to call, e.g. \"10.20.0.5:9000\"");
  if (std::string why = split_host_port(r.text("address", address), false, srt.host, srt.port);
      !why.empty())
    r.fail(address, "address", why);
  const YAML::Node passphrase = r.take("passphrase");
  if (YamlMap::present(passphrase)) {
    srt.passphrase = r.text("passphrase", passphrase);
    if (srt.passphrase.size() < 10 || srt.passphrase.size() > 79)
      r.fail(passphrase, "passphrase", "must be 10-79 characters (SRT's limits)");
  }
  const int key_bits = r.integer_or("key_bits", 128, 128, 256);
  if (key_bits != 128 && key_bits != 192 && key_bits != 256)
    r.fail(node["key_bits"], "key_bits", "must be 128, 192 or 256 (AES)");
  srt.key_bits = key_bits;
  srt.latency_ms = r.integer_or("latency_ms", 120, 20, 8000);
  if (srt.passphrase.empty() && !is_loopback_host(srt.host))
    r.fail(address, "address",
           srt.host +
               " is not a loopback address: the outputs show the wall, so SRT off this "
               "machine needs a passphrase (AES encryption)");
  r.reject_unknown("mode, address, passphrase, key_bits, latency_ms");
  return srt;
}

// outputs[i].rtmp: {url, cleartext}.
std::string parse_rtmp(YamlMap& output, const YAML::Node& node) {
  YamlMap r(node, output.field("rtmp"), output.file());
  const YAML::Node url_node = r.take("url");
  if (!YamlMap::present(url_node))
    r.fail(node, "url",
           "is missing, e.g. rtmp://127.0.0.1/live/wall or rtmps://mcu.example/app/key");
  const std::string url = r.text("url", url_node);
  const bool tls = url.rfind("rtmps://", 0) == 0;
  if (!tls && url.rfind("rtmp://", 0) != 0)
    r.fail(url_node, "url", "must begin with rtmp:// or rtmps:// (got \"" + url + "\")");
  const std::string rest = url.substr(tls ? 8 : 7);
  const auto slash = rest.find('/');
  const auto second = slash == std::string::npos ? slash : rest.find('/', slash + 1);
  if (slash == 0 || second == std::string::npos || second == slash + 1 ||
      second + 1 >= rest.size() || url.find_first_of(" \t\r\n") != std::string::npos)
    r.fail(url_node, "url",
           "must be rtmp://HOST[:PORT]/APP/STREAM (an application and a stream name), got \"" +
               url + "\"");
  std::string host = rest.substr(0, slash);
  if (const auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
  if (host.size() > 2 && host.front() == '[') {
    host = host.substr(1, host.find(']') - 1);
  } else if (const auto colon = host.rfind(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  const bool cleartext = r.boolean_or("cleartext", false);
  // RTMP carries no encryption of its own: the wall off this machine goes over TLS unless the
  // config says, for the assessor to read, that the gateway only speaks plain RTMP.
  if (!tls && !cleartext && host != "localhost" && !is_loopback_host(host))
    r.fail(url_node, "url",
           "sends the wall unencrypted to " + host +
               ": use rtmps:// (TLS), or set cleartext: true if the gateway only takes rtmp://");
  r.reject_unknown("url, cleartext");
  return url;
}

OutputConfig parse_output(const YAML::Node& node, const std::string& where, const std::string& file,
                          const std::string& base_dir, const WallConfig& wall) {
  YamlMap s(node, where, file);
  OutputConfig out;
  out.line = yaml_line(node);
  out.id = s.text_or("id", "");
  if (!valid_id(out.id))
    s.fail(node["id"], "id",
           "must be 1-64 letters, digits, '-' or '_' (it names the RTSP mount /<id>)");
  out.name = s.text_or("name", out.id);
  bool tile_source = false;
  const YAML::Node source = s.take("source");
  if (YamlMap::present(source)) {
    const std::string text = s.text("source", source);
    tile_source = text == "tile";
    if (text != "wall" && !tile_source) {
      s.fail(source, "source",
             "must be wall (region: [x, y, w, h] for a part of it) or tile (with tile: N)");
    }
  }
  if (YAML::Node tile = s.take("tile"); YamlMap::present(tile)) {
    out.tile = s.integer("tile", tile, 1, 64);
    if (!tile_source) s.fail(tile, "tile", "is set but the source is not a tile: add source: tile");
  } else if (tile_source) {
    s.fail(source, "tile", "is missing: source: tile needs the tile's number, e.g. tile: 1");
  }
  if (YAML::Node region = s.take("region"); YamlMap::present(region)) {
    if (!region.IsSequence() || region.size() != 4)
      s.fail(region, "region", "must be [x, y, w, h] in wall pixels, e.g. [0, 0, 960, 540]");
    const int x = s.integer("region[0]", region[0], 0, wall.width - 2);
    const int y = s.integer("region[1]", region[1], 0, wall.height - 2);
    const int w = s.integer("region[2]", region[2], 2, wall.width - x);
    const int h = s.integer("region[3]", region[3], 2, wall.height - y);
    out.region = {x, y, w, h};
    if (tile_source)
      s.fail(region, "region", "is set but the source is a tile: it follows the tile's place");
  }
  if (YAML::Node size = s.take("size"); YamlMap::present(size)) {
    if (!size.IsSequence() || size.size() != 2)
      s.fail(size, "size", "must be [width, height], e.g. [1280, 720]");
    out.width = s.integer("size[0]", size[0], 16, 3840);
    out.height = s.integer("size[1]", size[1], 16, 2160);
    if (out.width % 2 != 0 || out.height % 2 != 0)
      s.fail(size, "size", "must be even both ways (the encoder's 4:2:0 picture)");
  }
  out.fps = s.integer_or("fps", 25, 1, 60);
  out.bitrate_kbps = s.integer_or("bitrate_kbps", 2000, 64, 50000);
  out.keyframe_s = s.integer_or("keyframe_s", 1, 1, 10);
  if (YAML::Node encoder = s.take("encoder"); YamlMap::present(encoder)) {
    out.encoder = s.text("encoder", encoder);
    const auto& names = streams::encoder_names();
    if (std::find(names.begin(), names.end(), out.encoder) == names.end()) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      s.fail(encoder, "encoder", "\"" + out.encoder + "\" is not an encoder; one of " + list);
    }
  }
  if (YAML::Node sinks = s.take("sinks"); YamlMap::present(sinks)) {
    if (!sinks.IsSequence() || sinks.size() == 0)
      s.fail(sinks, "sinks",
             "must be a list of rtsp, record, srt, rtmp and whep, e.g. [rtsp, record]");
    out.rtsp = false;
    for (std::size_t i = 0; i < sinks.size(); ++i) {
      const std::string key = "sinks[" + std::to_string(i) + "]";
      const std::string sink = s.text(key, sinks[i]);
      if (sink == "rtsp") {
        out.rtsp = true;
      } else if (sink == "record") {
        out.record = true;
      } else if (sink == "srt") {
        out.srt = true;
      } else if (sink == "rtmp") {
        out.rtmp = true;
      } else if (sink == "whep") {
        out.whep = true;
      } else {
        s.fail(sinks[i], key,
               "\"" + sink + "\" is not a sink; one of rtsp, record, srt, rtmp and whep (WebRTC)");
      }
    }
  }
  if (YAML::Node record = s.take("record"); YamlMap::present(record)) {
    YamlMap r(record, s.field("record"), file);
    if (std::string dir = r.text_or("dir", ""); !dir.empty()) {
      const std::filesystem::path path(dir);
      out.record_dir = (path.is_absolute() ? path : std::filesystem::path(base_dir) / path)
                           .lexically_normal()
                           .string();
    }
    out.segment_s = r.integer_or("segment_s", 60, 1, 3600);
    out.record_max_bytes = static_cast<std::uint64_t>(
        r.number_or("max_mb", 1024, 0.01, 1024.0 * 1024, "MB") * 1024 * 1024);
    r.reject_unknown("dir, segment_s, max_mb");
    if (!out.record)
      s.fail(record, "record", "is set but the sinks do not record: add record to sinks");
  }
  if (YAML::Node srt = s.take("srt"); YamlMap::present(srt)) {
    out.srt_sink = parse_srt(s, srt);
    if (!out.srt) s.fail(srt, "srt", "is set but the sinks do not send SRT: add srt to sinks");
  } else if (out.srt) {
    s.fail(node["sinks"], "srt", "is missing: the srt sink needs srt: {address: HOST:PORT}");
  }
  if (YAML::Node rtmp = s.take("rtmp"); YamlMap::present(rtmp)) {
    out.rtmp_url = parse_rtmp(s, rtmp);
    if (!out.rtmp) s.fail(rtmp, "rtmp", "is set but the sinks do not push RTMP: add rtmp to sinks");
  } else if (out.rtmp) {
    s.fail(node["sinks"], "rtmp", "is missing: the rtmp sink needs rtmp: {url: rtmp://...}");
  }
  out.start = s.boolean_or("start", false);
  s.reject_unknown(
      "id, name, source, tile, region, size, fps, bitrate_kbps, keyframe_s, encoder, sinks, "
      "record, "
      "srt, rtmp, start");
  return out;
}

}  // namespace

void parse_outputs(const YAML::Node& node, const std::string& file, const std::string& base_dir,
                   const WallConfig& wall, std::vector<OutputConfig>& outputs) {
  if (!node.IsSequence()) {
    throw ConfigError(file, yaml_line(node), "outputs",
                      "must be a list of outputs, each with an id (see docs/outputs.md)");
  }
  if (node.size() > 16) {
    throw ConfigError(file, yaml_line(node), "outputs", "has more than 16 outputs");
  }
  std::set<std::string> ids;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string where = "outputs[" + std::to_string(i) + "]";
    OutputConfig out = parse_output(node[i], where, file, base_dir, wall);
    if (!ids.insert(out.id).second) {
      throw ConfigError(file, out.line, where + ".id",
                        "\"" + out.id + "\" is used by an earlier output: ids must be unique");
    }
    for (const OutputConfig& earlier : outputs) {
      if (out.srt && out.srt_sink.listener && earlier.srt && earlier.srt_sink.listener &&
          earlier.srt_sink.port == out.srt_sink.port) {
        throw ConfigError(file, out.line, where + ".srt.address",
                          "port " + std::to_string(out.srt_sink.port) +
                              " is the SRT listener of output " + earlier.id +
                              " already: each listener needs its own port");
      }
    }
    outputs.push_back(std::move(out));
  }
}

namespace {

bool is_user_name(const std::string& name) {
  return !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
  });
}

}  // namespace

void parse_output_rtsp(const YAML::Node& node, const std::string& file, OutputRtspConfig& rtsp) {
  YamlMap s(node, "output_rtsp", file);
  rtsp.port = s.integer_or("port", 8555, 0, 65535);
  const YAML::Node address = s.take("address");
  if (YamlMap::present(address)) {
    rtsp.address = s.text("address", address);
    if (!is_numeric_address(rtsp.address)) {
      s.fail(address, "address",
             "\"" + rtsp.address +
                 "\" is not a numeric IPv4 or IPv6 address (host names are not resolved), e.g. "
                 "0.0.0.0 for every interface");
    }
  }
  const YAML::Node users = s.take("users");
  if (YamlMap::present(users)) {
    if (!users.IsSequence() || users.size() == 0 || users.size() > 16) {
      s.fail(users, "users", "must be a list of 1-16 users, each {name: ..., password: ...}");
    }
    std::set<std::string> names;
    for (std::size_t i = 0; i < users.size(); ++i) {
      YamlMap u(users[i], "output_rtsp.users[" + std::to_string(i) + "]", file);
      OutputRtspUser user;
      const YAML::Node name = u.take("name");
      if (!YamlMap::present(name)) u.fail(users[i], "name", "is missing");
      user.name = u.text("name", name);
      if (!is_user_name(user.name))
        u.fail(name, "name", "must be 1-32 letters, digits, '.', '_' or '-'");
      if (!names.insert(user.name).second)
        u.fail(name, "name", "\"" + user.name + "\" is listed twice");
      const YAML::Node password = u.take("password");
      if (!YamlMap::present(password)) u.fail(users[i], "password", "is missing");
      user.password = u.text("password", password);
      // MLPS level 3 asks for passwords that resist guessing; digest auth sends none in clear.
      if (user.password.size() < 8 || user.password.size() > 128)
        u.fail(password, "password", "must be 8-128 characters");
      u.reject_unknown("name, password");
      rtsp.users.push_back(std::move(user));
    }
  }
  if (!is_loopback_host(rtsp.address) && rtsp.users.empty()) {
    s.fail(address, "address",
           rtsp.address +
               " is not a loopback address: the outputs show the wall, so serving them off this "
               "machine needs output_rtsp.users (RTSP digest authentication)");
  }
  s.reject_unknown("port, address, users");
}

void parse_output_whep(const YAML::Node& node, const std::string& file, OutputWhepConfig& whep) {
  YamlMap s(node, "output_whep", file);
  const YAML::Node address = s.take("address");
  if (YamlMap::present(address)) {
    if (std::string why =
            split_host_port(s.text("address", address), true, whep.address, whep.port);
        !why.empty())
      s.fail(address, "address", why);
  }
  const YAML::Node token = s.take("token");
  if (YamlMap::present(token)) {
    whep.token = s.text("token", token);
    // A bearer token is a password a browser sends with every request: long, and printable.
    const bool printable = std::all_of(whep.token.begin(), whep.token.end(),
                                       [](char c) { return c > ' ' && c < 127; });
    if (whep.token.size() < 16 || whep.token.size() > 128 || !printable)
      s.fail(token, "token", "must be 16-128 printable ASCII characters without spaces");
  }
  const YAML::Node ice = s.take("ice_addresses");
  if (YamlMap::present(ice)) {
    if (!ice.IsSequence() || ice.size() == 0 || ice.size() > 16)
      s.fail(ice, "ice_addresses",
             "must be a list of 1-16 numeric addresses of this machine, e.g. [10.20.0.4]");
    for (std::size_t i = 0; i < ice.size(); ++i) {
      const std::string key = "ice_addresses[" + std::to_string(i) + "]";
      const std::string text = s.text(key, ice[i]);
      if (!is_numeric_address(text))
        s.fail(ice[i], key, "\"" + text + "\" is not a numeric IPv4 or IPv6 address");
      whep.ice_addresses.push_back(text);
    }
  }
  whep.max_viewers = s.integer_or("max_viewers", 8, 1, 64);
  if (!is_loopback_host(whep.address) && whep.token.empty()) {
    s.fail(address, "address",
           whep.address +
               " is not a loopback address: the outputs show the wall, so serving them off this "
               "machine needs output_whep.token (browsers send it as a bearer token)");
  }
  s.reject_unknown("address, token, ice_addresses, max_viewers");
}

std::string parse_output_watermark(const YAML::Node& node, const std::string& file) {
  if (!node.IsScalar() || node.Scalar().empty() || node.Scalar().size() > 240 ||
      node.Scalar().find('\n') != std::string::npos) {
    throw ConfigError(file, yaml_line(node), "output_watermark",
                      "must be one line of text (at most 80 characters), e.g. "
                      "\"江汉区城市运行指挥中心 · 内部\"; every output carries it");
  }
  return node.Scalar();
}

void parse_masks(YamlMap& s, const YAML::Node& node, CameraConfig& camera) {
  const std::string hint =
      "must be a list of rectangles [x, y, w, h] and polygons [[x, y], [x, y], ...], in 0..1 of "
      "the camera's picture";
  if (!node.IsSequence()) s.fail(node, "masks", hint);
  if (node.size() > layouts::kMaxMasks)
    s.fail(node, "masks",
           "has " + std::to_string(node.size()) + " masks; at most " +
               std::to_string(layouts::kMaxMasks) + " per camera");
  auto triangles = std::make_shared<std::vector<layouts::Point>>();
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node& mask = node[i];
    const std::string key = "masks[" + std::to_string(i) + "]";
    if (!mask.IsSequence() || mask.size() == 0) s.fail(mask, key, hint);
    std::vector<layouts::Point> polygon;
    if (mask[0].IsScalar()) {  // a rectangle
      if (mask.size() != 4)
        s.fail(mask, key, "a rectangle is [x, y, w, h], e.g. [0.6, 0.1, 0.3, 0.2]");
      const double x = s.number(key + "[0]", mask[0], 0, 1, "");
      const double y = s.number(key + "[1]", mask[1], 0, 1, "");
      const double w = s.number(key + "[2]", mask[2], 0.001, 1 - x, "");
      const double h = s.number(key + "[3]", mask[3], 0.001, 1 - y, "");
      polygon = layouts::rectangle(x, y, w, h);
    } else {
      for (std::size_t k = 0; k < mask.size(); ++k) {
        const std::string point = key + "[" + std::to_string(k) + "]";
        if (!mask[k].IsSequence() || mask[k].size() != 2)
          s.fail(mask[k], point, "a polygon's point is [x, y], e.g. [0.25, 0.5]");
        polygon.push_back({s.number(point + "[0]", mask[k][0], 0, 1, ""),
                           s.number(point + "[1]", mask[k][1], 0, 1, "")});
      }
      if (const std::string why = layouts::check_polygon(polygon); !why.empty())
        s.fail(mask, key, "the polygon " + why);
    }
    const auto cut = layouts::triangulate(polygon);
    triangles->insert(triangles->end(), cut.begin(), cut.end());
    camera.masks.push_back(std::move(polygon));
  }
  if (!triangles->empty()) camera.mask_triangles = std::move(triangles);
}

}  // namespace vw::controller
