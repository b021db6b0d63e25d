// wallctl: the control API's command-line client (docs/api.md). Exit codes: 0 success, 1 the
// daemon refused (or an offline check failed), 2 usage errors, 3 daemon unreachable.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "controller/api/api_client.hpp"
#include "controller/api/curve_keys.hpp"
#include "controller/api/wallctl_cli.hpp"
#include "controller/api/wallctl_format.hpp"
#include "controller/persist/audit_log.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace vw::controller::api;
using wallctl::Lang;
using wallctl::tr;
using namespace vw::controller::api::wallctl_cli;

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop_signal(int) {
  g_stop = 1;
}

std::string lowercase_extension(const std::string& file) {
  std::string ext = fs::path(file).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

struct SnapshotArgs {
  std::string file;
  int quality = 85;
  bool on_daemon = false;
  CLI::Option* quality_option = nullptr;
};

int snapshot(const Globals& g, const SnapshotArgs& a) {
  const std::string ext = lowercase_extension(a.file);
  if (ext != ".png" && ext != ".jpg" && ext != ".jpeg") {
    throw UsageError("snapshot file must end in .png, .jpg or .jpeg: " + a.file);
  }
  const bool png = ext == ".png";
  // The daemon checks the path's extension against "format", and takes a quality for JPEG only.
  json request{{"cmd", "snapshot"}, {"format", png ? "png" : "jpeg"}};
  if (a.quality_option->count() > 0) {
    if (png) throw UsageError("--quality applies to .jpg/.jpeg snapshots only");
    request["quality"] = a.quality;
  }
  const Lang lang = g.language();
  if (a.on_daemon) {
    // The daemon writes into its own snapshot folder and accepts a bare file name only.
    const std::string name = fs::path(a.file).filename().string();
    if (name.empty() || name == "." || name == "..") throw UsageError("bad file name: " + a.file);
    request["path"] = name;
    return call(g, request, [lang](const json& reply) {
      std::cout << tr(lang, "守护进程已保存: ", "saved on the daemon: ")
                << wallctl::sanitize(wallctl::text_of(reply, "path")) << '\n';
    });
  }

  // A missing folder is the caller's mistake: say so before the daemon renders anything.
  const fs::path folder = fs::path(a.file).parent_path();
  std::error_code ec;
  if (!folder.empty() && !fs::is_directory(folder, ec)) {
    throw UsageError("no such folder for " + a.file + ": " + folder.string());
  }
  auto client = make<ApiClient>(g);
  json reply = client.request(request);
  if (!reply.is_object()) throw BadReply("reply is not a JSON object");
  if (is_ok(reply)) {
    const json& data = reply.contains("data") ? reply["data"] : json();
    const auto bytes =
        data.is_string() ? wallctl::base64_decode(data.get<std::string>()) : std::nullopt;
    if (!bytes) throw BadReply("snapshot reply without valid base64 \"data\"");
    std::ofstream out(a.file, std::ios::binary | std::ios::trunc);
    out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
    out.close();
    if (!out) throw std::runtime_error("cannot write " + a.file + ": " + std::strerror(errno));
    reply.erase("data");  // megabytes of base64 help no script reading --json
    return finish(g, reply, [&](const json& r) {
      std::cout << tr(lang, "已保存 ", "saved ") << wallctl::sanitize(a.file) << " ("
                << wallctl::text_of(r, "width") << "x" << wallctl::text_of(r, "height") << ", "
                << wallctl::sanitize(wallctl::text_of(r, "format")) << ", " << bytes->size()
                << tr(lang, " 字节)", " bytes)") << '\n';
    });
  }
  return finish(g, reply, {});
}

struct WatchArgs {
  int count = 0;
  double seconds = 0;
  std::string topic = "all";
};

int watch(const Globals& g, const WatchArgs& a) {
  const Lang lang = g.language();
  auto subscriber = make<ApiSubscriber>(g);
  // SUB sockets never report a dead or refusing daemon; one request makes that visible (exit 3)
  // and gives the subscription time to reach the daemon before we start counting.
  {
    auto client = make<ApiClient>(g);
    const json reply = client.request({{"cmd", "state.get"}});
    if (!is_ok(reply)) return finish(g, reply, {});
    if (!g.json) {
      std::cerr << tr(lang, "正在监视 ", "watching ") << g.client.pub_endpoint
                << tr(lang, " (序号 ", " (seq ") << wallctl::text_of(reply, "seq")
                << tr(lang, ", 布局 ", ", layout ")
                << wallctl::sanitize(wallctl::text_of(reply.value("state", json()), "layout"))
                << tr(lang, "), Ctrl-C 结束\n", "), Ctrl-C to stop\n");
    }
  }

  struct sigaction action {};
  action.sa_handler = on_stop_signal;  // no SA_RESTART: the poll returns and we exit cleanly
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto limit = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(a.seconds > 0 ? a.seconds : 0));
  int printed = 0;
  std::optional<double> last_seq;
  while (g_stop == 0 && (a.count <= 0 || printed < a.count)) {
    auto slice = std::chrono::milliseconds(250);
    if (a.seconds > 0) {
      const auto left = limit - (Clock::now() - start);
      if (left <= Clock::duration::zero()) break;
      slice = std::min(slice, std::chrono::ceil<std::chrono::milliseconds>(left));
    }
    const auto update = subscriber.next(slice);
    if (!update) continue;
    // seq counts every published message across topics: a gap means we missed some.
    if (const auto seq = wallctl::number_of(update->body, "seq")) {
      if (last_seq && *seq > *last_seq + 1 && !g.json) {
        std::cerr << tr(lang, "(漏收 ", "(missed ") << static_cast<long long>(*seq - *last_seq - 1)
                  << tr(lang, " 条更新)\n", " updates)\n");
      }
      last_seq = seq;
    }
    if (a.topic != "all" && update->topic != a.topic) continue;
    if (g.json) {
      std::cout << wallctl::one_line(update->body) << std::endl;
    } else {
      std::cout << wallctl::update_line(lang, update->topic, update->body) << std::endl;
    }
    ++printed;
  }
  return kOk;
}

int send_raw(const Globals& g, const std::string& text) {
  const json parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded()) throw UsageError("not valid JSON: " + text);
  auto client = make<ApiClient>(g);
  // The text goes out as typed, so odd-but-valid spellings reach the daemon unchanged.
  const std::string raw = client.request_raw(text);
  json reply = json::parse(raw, nullptr, false);
  if (reply.is_discarded()) throw BadReply("reply is not JSON");
  return finish(g, reply, [](const json& r) {
    std::cout << r.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
  });
}

int keygen(const Globals& g, std::string base) {
  // "op.key" means the pair "op": write_key_files adds the extensions itself.
  for (const char* ext : {".key", ".pub"}) {
    if (base.size() > 4 && base.ends_with(ext)) base.resize(base.size() - 4);
  }
  const KeyPair keys = generate_key_pair();
  try {
    write_key_files(base, keys);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  const std::string print_fp = fingerprint(keys.public_key);
  const Lang lang = g.language();
  if (g.json) {
    std::cout << wallctl::one_line({{"ok", true},
                                    {"key_file", base + ".key"},
                                    {"pub_file", base + ".pub"},
                                    {"public_key", keys.public_key},
                                    {"fingerprint", print_fp}})
              << '\n';
    return kOk;
  }
  std::cout << tr(lang, "已生成密钥对\n  私钥文件  ", "key pair written\n  secret key file  ")
            << base
            << tr(lang, ".key (仅本人可读，勿外传)\n  公钥文件  ",
                  ".key (keep it private)\n  public key file  ")
            << base << ".pub\n"
            << tr(lang, "  公钥      ", "  public key       ") << keys.public_key << '\n'
            << tr(lang, "  指纹      ", "  fingerprint      ") << print_fp << '\n'
            << tr(lang, "把公钥加入守护进程配置的客户端列表后即可使用 --key ",
                  "list the public key in the daemon's config, then use --key ")
            << base << ".key\n";
  return kOk;
}

int audit_verify(const Globals& g, const std::vector<std::string>& files,
                 const std::string& anchor_text, const std::string& key_file) {
  vw::controller::AuditVerifyResult result;
  vw::controller::AuditAnchor anchor;
  if (!anchor_text.empty()) {
    auto colon = anchor_text.find(':');
    auto hash = colon == std::string::npos ? "" : anchor_text.substr(colon + 1);
    bool hex = hash.size() == 64 && hash.find_first_not_of("0123456789abcdef") == std::string::npos;
    try {
      anchor.seq = std::stoull(anchor_text.substr(0, colon));
    } catch (const std::exception&) {
      hex = false;
    }
    if (!hex) {
      std::cerr << "wallctl: --anchor must be SEQ:HASH (64 lowercase hex digits), as printed by "
                   "audit verify\n";
      return kUsage;
    }
    anchor.hash = hash;
  }
  try {
    const std::string key =
        key_file.empty() ? std::string() : vw::controller::load_audit_key(key_file, false);
    result =
        vw::controller::verify_audit_files(files, anchor_text.empty() ? nullptr : &anchor, key);
  } catch (const std::exception& e) {
    result.ok = false;
    result.problem = e.what();
  }
  const Lang lang = g.language();
  if (g.json) {
    std::cout << wallctl::one_line(
                     {{"ok", result.ok},
                      {"lines", result.lines},
                      {"keyed_lines", result.keyed_lines},
                      {"first_seq", result.first_seq},
                      {"last_seq", result.last_seq},
                      {"head", std::to_string(result.last_seq) + ":" + result.last_hash},
                      {"problem", result.problem}})
              << '\n';
  } else if (result.ok) {
    std::cout << tr(lang, "审计日志完整: 检查了 ", "audit trail intact: ") << result.lines
              << tr(lang, " 行, 序号 ", " lines checked, seq ") << result.first_seq << ".."
              << result.last_seq << tr(lang, ", 其中 HMAC-SM3 ", ", HMAC-SM3 keyed: ")
              << result.keyed_lines << '\n'
              << tr(lang, "链头 (请在别处记录，日后用 --anchor 核对): ",
                    "head (record it elsewhere; check later with --anchor): ")
              << result.last_seq << ':' << result.last_hash << '\n';
  }
  if (!result.ok) {
    std::cerr << "wallctl: " << tr(lang, "审计日志校验失败: ", "audit trail broken: ")
              << wallctl::sanitize(result.problem) << '\n';
    return kRefused;
  }
  return kOk;
}

// `output list`: the outputs of status, alone (with --json: {"ok", "outputs"}).
int output_list(const Globals& g) {
  auto client = make<ApiClient>(g);
  const json reply = client.request({{"cmd", "status"}});
  if (!is_ok(reply)) return finish(g, reply, {});
  const json outputs = reply.contains("outputs") ? reply["outputs"] : json::array();
  return finish(g, {{"ok", true}, {"outputs", outputs}},
                [&g](const json& r) { wallctl::print_outputs(std::cout, g.language(), r); });
}

}  // namespace

int main(int argc, char** argv) {
  Globals g;
  CLI::App app{"Control client of the videowall daemon (docs/api.md).", "wallctl"};
  app.require_subcommand(1);
  app.fallthrough();  // global flags may follow the subcommand too
  app.add_option("--endpoint", g.client.endpoint, "the daemon's API (ROUTER) endpoint")
      ->envname("VIDEOWALL_ENDPOINT")
      ->capture_default_str();
  app.add_option("--pub-endpoint", g.client.pub_endpoint, "the daemon's update (PUB) endpoint")
      ->envname("VIDEOWALL_PUB_ENDPOINT")
      ->capture_default_str();
  app.add_option("--key", g.client.key_file, "own CURVE .key file (from wallctl keygen)")
      ->envname("VIDEOWALL_KEY");
  app.add_option("--server-key", g.client.server_key, "the daemon's public key: Z85 or a file")
      ->envname("VIDEOWALL_SERVER_KEY");
  CLI::Option* timeout_option =
      app.add_option("--timeout", g.timeout_s, "seconds to wait for a reply (snapshot: 15)")
          ->check(CLI::PositiveNumber)
          ->capture_default_str();
  app.add_flag("--json", g.json, "print the daemon's reply as one JSON line");
  app.add_option("--lang", g.lang, "human output language")
      ->check(CLI::IsMember({"zh", "en"}))
      ->capture_default_str();

  // Each leaf subcommand registers what it does; the parsed one runs after parsing.
  std::vector<std::pair<CLI::App*, std::function<int()>>> actions;
  auto leaf = [&](CLI::App* parent, const char* name, const char* help,
                  std::function<int()> action) {
    CLI::App* sub = parent->add_subcommand(name, help);
    actions.emplace_back(sub, std::move(action));
    return sub;
  };
  auto simple = [&](CLI::App* parent, const char* name, const char* help, json request,
                    std::function<void(const json&)> print = {}) {
    return leaf(parent, name, help, [&g, request, print] {
      return call(g, request, print ? print : command_printer(g));
    });
  };
  const auto lang_printer = [&g](void (*fn)(std::ostream&, Lang, const json&)) {
    return [&g, fn](const json& reply) { fn(std::cout, g.language(), reply); };
  };

  simple(&app, "status", "wall, tiles and streams", {{"cmd", "status"}},
         lang_printer(wallctl::print_status));
  simple(&app, "state", "the wall state and the last update's seq", {{"cmd", "state.get"}},
         lang_printer(wallctl::print_state));
  simple(&app, "cameras", "the configured cameras", {{"cmd", "cameras.list"}},
         lang_printer(wallctl::print_cameras));

  CLI::App* layout = app.add_subcommand("layout", "layouts");
  layout->require_subcommand(1);
  simple(layout, "list", "the layouts", {{"cmd", "layouts.list"}},
         lang_printer(wallctl::print_layouts));
  std::string layout_name;
  leaf(layout, "set", "switch to a layout",
       [&] {
         return call(g, {{"cmd", "layout.set"}, {"layout", layout_name}}, command_printer(g));
       })
      ->add_option("NAME", layout_name, "layout name")
      ->required();
  simple(layout, "next", "the next layout", {{"cmd", "layout.step"}, {"delta", 1}});
  simple(layout, "prev", "the previous layout", {{"cmd", "layout.step"}, {"delta", -1}});

  int tile = 0;
  std::string camera;
  CLI::App* assign = leaf(&app, "assign", "show a camera on a tile", [&] {
    return call(g, {{"cmd", "tile.assign"}, {"tile", tile}, {"camera", camera}},
                command_printer(g));
  });
  assign->add_option("TILE", tile, "tile number (from 1)")->required();
  assign->add_option("CAMERA", camera, "camera id or name")->required();
  leaf(&app, "clear", "empty a tile",
       [&] {
         return call(g, {{"cmd", "tile.assign"}, {"tile", tile}, {"camera", ""}},
                     command_printer(g));
       })
      ->add_option("TILE", tile, "tile number")
      ->required();
  int tile_b = 0;
  CLI::App* swap = leaf(&app, "swap", "swap two tiles' cameras", [&] {
    return call(g, {{"cmd", "tile.swap"}, {"a", tile}, {"b", tile_b}}, command_printer(g));
  });
  swap->add_option("A", tile, "tile number")->required();
  swap->add_option("B", tile_b, "tile number")->required();
  leaf(&app, "maximize", "show one tile full screen",
       [&] {
         return call(g, {{"cmd", "tile.maximize"}, {"tile", tile}}, command_printer(g));
       })
      ->add_option("TILE", tile, "tile number")
      ->required();
  simple(&app, "restore", "undo maximize", {{"cmd", "tile.restore"}});

  CLI::App* tour = app.add_subcommand("tour", "camera tours on a tile");
  tour->require_subcommand(1);
  std::vector<std::string> tour_cameras;
  int dwell = 10;
  CLI::Option* dwell_option = nullptr;
  CLI::App* tour_start = leaf(tour, "start", "cycle cameras through a tile", [&] {
    if (tour_cameras.size() < 2) throw UsageError("a tour needs at least two cameras");
    json request{{"cmd", "tour.start"}, {"tile", tile}, {"cameras", tour_cameras}};
    if (dwell_option->count() > 0) request["dwell_s"] = dwell;
    return call(g, request, command_printer(g));
  });
  tour_start->add_option("TILE", tile, "tile number")->required();
  tour_start->add_option("CAMERA", tour_cameras, "two or more cameras")->required();
  dwell_option = tour_start->add_option("--dwell", dwell, "seconds per camera (default 10)");
  CLI::Option* tour_tile = nullptr;
  tour_tile = leaf(tour, "stop", "stop the tour on a tile, or every tour", [&] {
                json request{{"cmd", "tour.stop"}};
                if (tour_tile->count() > 0) request["tile"] = tile;
                return call(g, request, command_printer(g));
              })->add_option("TILE", tile, "tile number (default: every tour)");

  CLI::App* preset = app.add_subcommand("preset", "presets (布局预案)");
  preset->require_subcommand(1);
  std::string preset_name;
  for (const auto& [name, cmd, help] :
       {std::tuple{"save", "preset.save", "save the wall as a preset"},
        std::tuple{"recall", "preset.recall", "show a preset"},
        std::tuple{"delete", "preset.delete", "delete a preset"}}) {
    const std::string command = cmd;
    leaf(preset, name, help,
         [&g, &preset_name, command] {
           return call(g, {{"cmd", command}, {"name", preset_name}}, command_printer(g));
         })
        ->add_option("NAME", preset_name, "preset name")
        ->required();
  }

  std::string rule;
  CLI::Option* rule_option = nullptr;
  rule_option = leaf(&app, "ack", "acknowledge an alarm, or every alarm", [&] {
                  json request{{"cmd", "alarm.ack"}};
                  if (rule_option->count() > 0) request["rule"] = rule;
                  return call(g, request, command_printer(g));
                })->add_option("RULE", rule, "alarm rule (default: every alarm)");

  SnapshotArgs snap;
  CLI::App* snapshot_cmd = leaf(&app, "snapshot", "save what the wall shows", [&] {
    // The daemon waits up to 10 s for a frame to be drawn; 5 s would report it unreachable.
    if (timeout_option->count() == 0) g.timeout_s = 15;
    return snapshot(g, snap);
  });
  snapshot_cmd->add_option("FILE", snap.file, ".png, .jpg or .jpeg")->required();
  snap.quality_option = snapshot_cmd->add_option("--quality", snap.quality, "JPEG quality 1..100")
                            ->check(CLI::Range(1, 100));
  snapshot_cmd->add_flag("--on-daemon", snap.on_daemon,
                         "let the daemon write FILE's name into its snapshot folder");

  simple(&app, "reload", "re-read the daemon's config file", {{"cmd", "config.reload"}},
         lang_printer(wallctl::print_reload));

  WatchArgs watch_args;
  CLI::App* watch_cmd =
      leaf(&app, "watch", "print updates as they happen", [&] { return watch(g, watch_args); });
  watch_cmd->add_option("--count", watch_args.count, "stop after N updates")
      ->check(CLI::PositiveNumber);
  watch_cmd->add_option("--seconds", watch_args.seconds, "stop after S seconds")
      ->check(CLI::PositiveNumber);
  watch_cmd->add_option("--topic", watch_args.topic, "wall, streams or all")
      ->check(CLI::IsMember({"wall", "streams", "all"}))
      ->capture_default_str();

  std::string send_text;
  leaf(&app, "send", "send a raw JSON request", [&] { return send_raw(g, send_text); })
      ->add_option("JSON", send_text, "the request")
      ->required();

  std::string key_base;
  leaf(&app, "keygen", "write NAME.key and NAME.pub (offline)", [&] { return keygen(g, key_base); })
      ->add_option("NAME", key_base, "file name without extension")
      ->required();

  CLI::App* output = app.add_subcommand("output", "live outputs of the wall (输出)");
  output->require_subcommand(1);
  leaf(output, "list", "each output, its state, clients and address",
       [&g] { return output_list(g); });
  std::string output_id;
  for (const char* verb : {"start", "stop"}) {
    leaf(output, verb, verb == std::string("start") ? "send an output out" : "stop an output",
         [&g, &output_id, verb] {
           return call(g, {{"cmd", std::string("output.") + verb}, {"output", output_id}},
                       command_printer(g));
         })
        ->add_option("ID", output_id, "the output's id (wallctl output list)")
        ->required();
  }

  CLI::App* masks = app.add_subcommand("masks", "privacy masks on the wall (隐私遮挡; admin)");
  masks->require_subcommand(1);
  simple(masks, "lift", "show the wall without its privacy masks (outputs keep them)",
         {{"cmd", "masks.lift"}, {"lifted", true}});
  simple(masks, "restore", "draw the privacy masks on the wall again",
         {{"cmd", "masks.lift"}, {"lifted", false}});

  CLI::App* quality = app.add_subcommand("quality", "picture-quality diagnosis (视频质量诊断)");
  quality->require_subcommand(1);
  std::string since = "24h";
  bool csv = false, html = false;
  CLI::App* report = leaf(quality, "report", "each stream's time in each picture fault", [&] {
    const int seconds = wallctl::duration_seconds(since);
    if (seconds < 60)
      throw UsageError("--since: expected a duration from 1m to 31d, like 24h, 90m or 7d");
    if (csv && html) throw UsageError("--csv and --html: choose one");
    return call(g, {{"cmd", "quality.report"}, {"since_s", seconds}, {"snapshots", html}},
                [&g, csv, html](const json& r) {
                  if (csv)
                    wallctl::print_quality_csv(std::cout, r);
                  else if (html)
                    wallctl::print_quality_html(std::cout, g.language(), r);
                  else
                    wallctl::print_quality_report(std::cout, g.language(), r);
                });
  });
  report->add_option("--since", since, "the period, back from now: 24h, 90m, 7d, 3600 (seconds)")
      ->capture_default_str();
  report->add_flag("--csv", csv, "one CSV row per stream and fault");
  report->add_flag("--html", html,
                   "one HTML page with the picture of each fault's longest period (to a file: "
                   "> report.html)");
  std::string reference_camera;
  bool clear_reference = false;
  CLI::App* reference =
      leaf(quality, "reference",
           "confirm what a camera should show: its next diagnosed picture becomes the "
           "reference of the scene check (场景变更)",
           [&] {
             return call(g,
                         {{"cmd", "quality.reference"},
                          {"camera", reference_camera},
                          {"clear", clear_reference}},
                         command_printer(g));
           });
  reference->add_option("CAMERA", reference_camera, "camera id or name")->required();
  reference->add_flag("--clear", clear_reference, "drop the reference: the scene is not checked");

  CLI::App* audit = app.add_subcommand("audit", "the audit trail (offline)");
  audit->require_subcommand(1);
  std::vector<std::string> audit_files;
  std::string anchor, audit_key;
  CLI::App* verify = leaf(audit, "verify", "check the hash chain of audit files, oldest first",
                          [&] { return audit_verify(g, audit_files, anchor, audit_key); });
  verify->add_option("FILE", audit_files, "audit.log.2 audit.log.1 audit.log ...")
      ->required()
      ->check(CLI::ExistingFile);
  verify->add_option("--anchor", anchor,
                     "SEQ:HASH of a head recorded earlier (this command prints the head): finds "
                     "a cut-off tail or a rewritten file");
  verify
      ->add_option("--key", audit_key,
                   "the audit key file (audit.key): checks the HMAC-SM3 of keyed lines; "
                   "without it only SHA-256 lines can be checked")
      ->check(CLI::ExistingFile);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // prints help, or the error with a hint
    return rc == 0 ? kOk : kUsage;
  }

  const Lang lang = g.language();
  try {
    for (const auto& [sub, action] : actions) {
      if (sub->parsed()) return action();
    }
    return kUsage;
  } catch (const UsageError& e) {
    std::cerr << "wallctl: " << wallctl::sanitize(e.what()) << '\n';
    return kUsage;
  } catch (const Unreachable& e) {
    if (lang == Lang::En) {
      std::cerr << "wallctl: daemon unreachable: " << e.what() << '\n';
    } else {
      std::cerr << "wallctl: 守护进程 " << g.client.endpoint << " 在 " << g.timeout_s
                << " 秒内没有应答 (未运行或网络不通; CURVE 密钥被拒绝时看起来也一样)\n";
    }
    return kUnreachable;
  } catch (const BadReply& e) {
    std::cerr << "wallctl: bad_reply: " << wallctl::sanitize(e.what()) << '\n';
    return kRefused;
  } catch (const nlohmann::json::exception& e) {
    // e.g. an argument that is not UTF-8 cannot go into a JSON request
    std::cerr << "wallctl: bad argument: " << e.what() << '\n';
    return kUsage;
  } catch (const std::exception& e) {
    std::cerr << "wallctl: " << wallctl::sanitize(e.what()) << '\n';
    return kRefused;
  }
}
