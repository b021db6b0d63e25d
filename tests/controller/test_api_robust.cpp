// The control API against the real daemon under abuse: garbage and oversized requests, CURVE
// roles and refused keys, kill -9 while a command is in
// flight, a corrupt state file, the Clone pattern (subscribe, state.get, updates) and a tampered
// audit trail. Loopback only; every loop and wait is bounded.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "controller/api/api_client.hpp"
#include "controller/api/curve_keys.hpp"
#include "controller/persist/state_store.hpp"
#include "tests/controller/api_daemon.hpp"
#include "tests/support/eventually.hpp"

namespace vw::testing {
namespace {

using controller::api::ApiClient;
using controller::api::ApiSubscriber;
using nlohmann::json;
using namespace std::chrono_literals;

// `wallctl audit verify FILE --key KEY` (the daemon keys its trail with HMAC-SM3 by default).
ProcessResult audit_verify(const std::string& file, const std::string& key) {
  return run_process(WALLCTL_BIN, {"--lang", "en", "audit", "verify", file, "--key", key}, 30s);
}

std::vector<fs::path> corrupt_files(const std::string& state_dir) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(state_dir, ec))
    if (entry.path().filename().string().find(".corrupt-") != std::string::npos)
      found.push_back(entry.path());
  return found;
}

TEST(ApiRobust, BadRequestsGetErrorRepliesAndChangeNothing) {
  ApiDaemon d("bad");
  d.start();
  ApiClient client(d.client_options());
  const json before = state_get(client);
  ASSERT_TRUE(before.contains("state")) << before.dump();

  std::mt19937 rng(20240611);
  std::string garbage(4096, '\0');
  for (auto& c : garbage) c = static_cast<char>(rng() & 0xff);
  garbage[0] = '\xff';  // invalid UTF-8 and NUL, whatever the generator gave
  garbage[1] = '\0';
  garbage[2] = '\xc3';
  const std::string big =
      R"({"cmd":"status","pad":")" + std::string(10 * 1024 * 1024, 'x') + R"("})";

  struct Case {
    const char* what;
    std::string bytes;
    const char* code;
  };
  const std::vector<Case> cases = {
      {"not JSON", "this is not json {", "bad_json"},
      {"binary garbage", garbage, "bad_json"},
      {"10 MB", big, "too_large"},
      {"array", R"([{"cmd":"status"}])", "not_an_object"},
      {"unknown command", R"({"cmd":"wall.explode"})", "unknown_command"},
      {"tile as text", R"({"cmd":"tile.assign","tile":"three","camera":"red"})", "wrong_type"},
      {"tile as float", R"({"cmd":"tile.assign","tile":3.5,"camera":"red"})", "wrong_type"},
      {"tile 65", R"({"cmd":"tile.assign","tile":65,"camera":"red"})", "out_of_range"},
      {"unknown field", R"({"cmd":"layout.set","layout":"3x3","colour":"red"})", "unknown_field"},
      {"unknown camera", R"({"cmd":"tile.assign","tile":1,"camera":"no-such","id":"c1"})",
       "unknown_camera"},
      {"internal command", R"({"cmd":"alarm.raise","rule":"x","banner":"y"})", "unknown_command"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    std::string raw;
    ASSERT_NO_THROW(raw = client.request_raw(c.bytes));
    const json reply = json::parse(raw, nullptr, false);
    ASSERT_FALSE(reply.is_discarded()) << raw.substr(0, 200);
    EXPECT_EQ(reply.value("ok", true), false) << reply.dump();
    ASSERT_TRUE(reply.contains("error") && reply["error"].is_object()) << reply.dump();
    EXPECT_EQ(reply["error"].value("code", ""), c.code) << reply.dump();
    EXPECT_FALSE(reply["error"].value("message", "").empty()) << reply.dump();
    if (std::string(c.code) == "unknown_camera") {
      EXPECT_EQ(reply.value("id", ""), "c1");
    }
  }

  const json status = client.request({{"cmd", "status"}});
  EXPECT_EQ(status.value("ok", false), true) << status.dump().substr(0, 300);
  const json after = state_get(client);
  EXPECT_EQ(after["state"]["version"], before["state"]["version"]) << after.dump();
  EXPECT_EQ(after["state"], before["state"]);
  EXPECT_TRUE(d.process().running()) << d.process().log();
  // Every kind of refusal is in the refusals' log (the first of each code in full, repeats
  // counted), garbage did not break its chain, and the command log holds no refusal.
  std::set<std::string> codes;
  for (const auto& line : lines_of(read_text(d.refusals_path())))
    codes.insert(json::parse(line, nullptr, false)["result"].value("code", ""));
  for (const auto& c : cases) EXPECT_TRUE(codes.count(c.code)) << c.code;
  auto verify = audit_verify(d.refusals_path(), d.audit_key_path());
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  if (fs::exists(d.audit_path())) {
    for (const auto& line : lines_of(read_text(d.audit_path()))) {
      EXPECT_EQ(line.find("\"ok\":false"), std::string::npos) << line;
    }
  }
}

TEST(ApiRobust, CurveRolesAndRefusals) {
  ApiDaemon d("curve",
              "api:\n"
              "  curve:\n"
              "    secret_key_file: server.key\n"
              "    clients:\n"
              "      - {name: admin, key_file: admin.pub, role: admin}\n"
              "      - {name: viewer, key_file: viewer.pub, role: viewer}\n");
  for (const char* name : {"server", "admin", "viewer", "stranger"}) {
    auto r = run_process(WALLCTL_BIN, {"keygen", (d.dir() / name).string()}, 30s);
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.output;
  }
  d.start();
  const std::string server_pub = (d.dir() / "server.pub").string();
  auto as = [&](const std::string& who, const char* timeout = "5") {
    return std::vector<std::string>{"--key",        (d.dir() / (who + ".key")).string(),
                                    "--server-key", server_pub,
                                    "--timeout",    timeout};
  };

  auto r = d.wallctl({"layout", "set", "3x3"}, as("admin"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = d.wallctl({"status"}, as("viewer"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = d.wallctl({"layout", "set", "2x2"}, as("viewer"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("forbidden"), std::string::npos) << r.output;
  r = d.wallctl({"status"}, as("stranger", "2"));
  EXPECT_EQ(r.exit_code, 3) << r.output;
  r = d.wallctl({"status"}, {"--timeout", "2"});
  EXPECT_EQ(r.exit_code, 3) << r.output;

  // The admin's change happened, the viewer's did not.
  auto options = d.client_options();
  options.key_file = (d.dir() / "viewer.key").string();
  options.server_key = server_pub;
  ApiClient viewer(options);
  EXPECT_EQ(state_get(viewer)["state"].value("layout", ""), "3x3");

  using controller::api::fingerprint;
  using controller::api::read_key_file;
  const auto viewer_id =
      "curve:" + fingerprint(read_key_file((d.dir() / "viewer.pub").string()).public_key);
  const auto stranger_id =
      "curve:" + fingerprint(read_key_file((d.dir() / "stranger.pub").string()).public_key);
  bool viewer_refused = false, stranger_refused = false, keyless_refused = false;
  const auto audit = read_text(d.refusals_path());
  for (const auto& line : lines_of(audit)) {
    const json entry = json::parse(line, nullptr, false);
    ASSERT_FALSE(entry.is_discarded()) << line;
    const auto identity = entry.value("identity", "");
    const auto cmd = entry.value("command", "");
    const auto code = entry.contains("result") ? entry["result"].value("code", "") : "";
    if (identity == viewer_id && cmd == "layout.set" && code == "forbidden") viewer_refused = true;
    if (identity == stranger_id && cmd == "auth.refused") stranger_refused = true;
    if (identity == "unknown:no-curve-key" && cmd == "auth.refused") keyless_refused = true;
  }
  EXPECT_TRUE(viewer_refused) << viewer_id << "\n" << audit;
  EXPECT_TRUE(stranger_refused) << stranger_id << "\n" << audit;
  EXPECT_TRUE(keyless_refused) << "a client without a key is not audited\n" << audit;
  auto verify = audit_verify(d.refusals_path(), d.audit_key_path());
  EXPECT_EQ(verify.exit_code, 0) << verify.output;

  // A reload that removes the viewer's key ends its PUB subscription too (ZAP admits keys at the
  // handshake only); the admin's subscription comes back by itself.
  auto admin_options = options;
  admin_options.key_file = (d.dir() / "admin.key").string();
  ApiSubscriber admin_updates(admin_options), viewer_updates(options);
  for (auto* updates : {&admin_updates, &viewer_updates})
    ASSERT_TRUE(updates->next(10s)) << "a subscriber never got the periodic streams update";
  d.write_config(
      "api:\n  curve:\n    secret_key_file: server.key\n    clients:\n"
      "      - {name: admin, key_file: admin.pub, role: admin}\n");
  r = d.wallctl({"reload"}, as("admin"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // (the reload's own update went out before the keys switched: layout changes after it count)
  auto wall_update = [](ApiSubscriber& updates, std::chrono::milliseconds within) {
    const auto until = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < until) {
      auto update = updates.next(std::chrono::milliseconds(200));
      if (update && update->topic == "wall" && update->body.value("command", "") == "layout.set")
        return true;
    }
    return false;
  };
  std::atomic<bool> stop{false};
  std::thread changer([&] {  // changes until the checks end (the admin's reconnect takes a moment)
    for (int i = 0; i < 200 && !stop; ++i)
      d.wallctl({"layout", "set", i % 2 ? "2x2" : "3x3"}, as("admin"));
  });
  EXPECT_TRUE(wall_update(admin_updates, 20s)) << "the admin's subscription did not come back";
  EXPECT_FALSE(wall_update(viewer_updates, 3s)) << "the revoked key still receives updates";
  stop = true;
  changer.join();
}

// The part of the wall that the kill -9 test drives: the layout and the first nine slots
// (layouts 1x1, 2x2 and 3x3 never show more).
struct WallModel {
  std::string layout;
  std::array<std::string, 9> slots{};
  bool operator==(const WallModel&) const = default;
};

std::size_t tile_count(const std::string& layout) {
  return layout == "1x1" ? 1 : layout == "2x2" ? 4 : 9;
}

// Does state.get's state show `model`?
bool shows(const json& state, const WallModel& model) {
  if (state.value("layout", "") != model.layout) return false;
  const auto& tiles = state["tiles"];
  if (!tiles.is_array() || tiles.size() != tile_count(model.layout)) return false;
  for (std::size_t i = 0; i < tiles.size(); ++i)
    if (tiles[i].value("camera", "") != model.slots[i]) return false;
  return true;
}

// A random layout.set or tile.assign (of a visible tile), and the model after it.
std::pair<json, WallModel> random_command(std::mt19937& rng, const WallModel& model) {
  static const char* const kLayouts[] = {"1x1", "2x2", "3x3"};
  static const char* const kCameras[] = {"red", "green", "blue", "white", ""};
  WallModel next = model;
  if (rng() % 3 == 0) {
    next.layout = kLayouts[rng() % 3];
    return {{{"cmd", "layout.set"}, {"layout", next.layout}}, next};
  }
  const auto tile = 1 + rng() % tile_count(model.layout);
  next.slots[tile - 1] = kCameras[rng() % 5];
  return {{{"cmd", "tile.assign"}, {"tile", tile}, {"camera", next.slots[tile - 1]}}, next};
}

std::string describe(const WallModel& model) {
  std::string text = model.layout + " [";
  for (std::size_t i = 0; i < tile_count(model.layout); ++i)
    text += (i ? "," : "") + model.slots[i];
  return text + "]";
}

// A DEALER of our own, so that a request can be sent without waiting for its reply.
class RawDealer {
 public:
  explicit RawDealer(const std::string& endpoint) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::rcvtimeo, 10000);
    socket_.connect(endpoint);
  }
  void send(const json& request) {
    socket_.send(zmq::message_t(), zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(request.dump()), zmq::send_flags::none);
  }
  json receive() {
    zmq::message_t empty, body;
    if (!socket_.recv(empty) || !socket_.recv(body)) return json();
    return json::parse(body.to_string(), nullptr, false);
  }

 private:
  zmq::context_t context_{1};
  zmq::socket_t socket_{context_, zmq::socket_type::dealer};
};

TEST(ApiRobust, KillNineNeverCorruptsState) {
  ApiDaemon d("kill9");
  const auto seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  const auto state_file = fs::path(d.state_dir()) / "wall-state.json";
  const auto started = std::chrono::steady_clock::now();
  WallModel model;  // the last acknowledged wall
  int kept_old = 0, got_new = 0;
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    ASSERT_NO_FATAL_FAILURE(d.start());
    ApiClient client(d.client_options());
    if (round == 0) {  // every slot the model tracks becomes visible once
      ASSERT_NO_FATAL_FAILURE(command(client, {{"cmd", "layout.set"}, {"layout", "3x3"}}));
      const json state = state_get(client)["state"];
      model.layout = "3x3";
      for (std::size_t i = 0; i < 9; ++i) model.slots[i] = state["tiles"][i].value("camera", "");
      ASSERT_TRUE(shows(state, model)) << state.dump();
    }
    for (int i = 0; i < 3; ++i) {
      auto [request, next] = random_command(rng, model);
      ASSERT_NO_FATAL_FAILURE(command(client, request));
      model = next;
      const json state = state_get(client)["state"];
      ASSERT_TRUE(shows(state, model)) << request.dump() << " -> " << state.dump();
    }

    auto [request, in_flight] = random_command(rng, model);
    RawDealer dealer(d.client_options().endpoint);
    dealer.send({{"cmd", "state.get"}});  // the connection is up before the timed part
    const json pong = dealer.receive();
    ASSERT_TRUE(pong.is_object() && pong.value("ok", false)) << pong.dump();
    const auto delay = std::chrono::microseconds(rng() % 30001);
    dealer.send(request);
    std::this_thread::sleep_for(delay);
    d.process().kill_hard();

    EXPECT_TRUE(corrupt_files(d.state_dir()).empty());
    const json saved = json::parse(read_text(state_file), nullptr, false);
    ASSERT_FALSE(saved.is_discarded()) << read_text(state_file);
    EXPECT_NO_THROW(controller::state_from_json(saved)) << saved.dump();

    ASSERT_NO_FATAL_FAILURE(d.start());
    ApiClient after(d.client_options());
    const json state = state_get(after)["state"];
    const bool old_state = shows(state, model), new_state = shows(state, in_flight);
    ASSERT_TRUE(old_state || new_state)
        << "killed " << delay.count() << " us after " << request.dump()
        << "\nacknowledged: " << describe(model) << "\nin flight: " << describe(in_flight)
        << "\nrestored: " << state.dump();
    if (!old_state) model = in_flight;
    (old_state ? kept_old : got_new)++;
    EXPECT_TRUE(corrupt_files(d.state_dir()).empty()) << d.process().log();
    d.process().kill_hard();
  }
  std::cout << "kill -9 rounds: " << kept_old << " kept the acknowledged wall, " << got_new
            << " had the in-flight command, in "
            << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                started)
                   .count()
            << " s\n";
}

TEST(ApiRobust, CorruptStateFileIsMovedAside) {
  ApiDaemon d("corrupt");
  d.start();
  {
    ApiClient client(d.client_options());
    ASSERT_NO_FATAL_FAILURE(command(client, {{"cmd", "layout.set"}, {"layout", "3x3"}}));
  }
  EXPECT_EQ(d.process().stop(), 0) << d.process().log();
  const auto state_file = fs::path(d.state_dir()) / "wall-state.json";
  ASSERT_TRUE(fs::exists(state_file));
  std::ofstream(state_file, std::ios::binary | std::ios::trunc) << "{\"schema\": garbage \x01\xff";

  ASSERT_NO_FATAL_FAILURE(d.start());
  EXPECT_TRUE(d.process().running()) << d.process().log();
  ApiClient client(d.client_options());
  EXPECT_EQ(state_get(client)["state"].value("layout", ""), "2x2");
  const auto moved = corrupt_files(d.state_dir());
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].filename().string().rfind("wall-state.json.corrupt-", 0), 0u) << moved[0];
  EXPECT_NE(d.process().log().find(moved[0].filename().string()), std::string::npos)
      << d.process().log();
}

TEST(ApiRobust, ClonePattern) {
  ApiDaemon d("clone");
  d.start();
  ApiSubscriber subscriber(d.client_options());
  ApiClient client(d.client_options());
  // The subscription reaches the daemon a moment after it connects (ZeroMQ slow joiner): switch
  // the layout (1x1, 2x2: never 3x3, the first command's) until an update arrives.
  bool one = false;
  ASSERT_TRUE(eventually(
      [&] {
        one = !one;
        const json reply = client.request({{"cmd", "layout.set"}, {"layout", one ? "1x1" : "2x2"}});
        EXPECT_TRUE(reply.value("ok", false)) << reply.dump();
        return subscriber.next(200ms).has_value();
      },
      20s))
      << "no update reached the subscriber";
  const auto first_seq = state_get(client).value("seq", std::uint64_t{0});

  const std::vector<json> commands = {
      {{"cmd", "layout.set"}, {"layout", "3x3"}},
      {{"cmd", "tile.assign"}, {"tile", 1}, {"camera", "white"}},
      {{"cmd", "tile.assign"}, {"tile", 5}, {"camera", "red"}},
      {{"cmd", "tile.swap"}, {"a", 2}, {"b", 5}},
      {{"cmd", "layout.set"}, {"layout", "2x2"}},
  };
  for (const auto& request : commands) ASSERT_NO_FATAL_FAILURE(command(client, request));

  std::vector<json> wall_updates;
  std::optional<std::uint64_t> last_seq;
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (wall_updates.size() < commands.size() && std::chrono::steady_clock::now() < deadline) {
    auto update = subscriber.next(500ms);
    if (!update) continue;
    ASSERT_TRUE(update->body.contains("seq")) << update->body.dump();
    const auto seq = update->body["seq"].get<std::uint64_t>();
    if (last_seq) {
      EXPECT_EQ(seq, *last_seq + 1) << update->topic;
    } else {
      EXPECT_LE(seq, first_seq + 1) << "updates after state.get's seq were lost";
    }
    last_seq = seq;
    if (update->topic == "wall" && seq > first_seq) wall_updates.push_back(update->body);
  }
  ASSERT_EQ(wall_updates.size(), commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i)
    EXPECT_EQ(wall_updates[i].value("command", ""), commands[i]["cmd"]) << i;
  const json fresh = state_get(client);
  EXPECT_EQ(wall_updates.back()["state"], fresh["state"]);
  EXPECT_GE(fresh.value("seq", std::uint64_t{0}), wall_updates.back()["seq"].get<std::uint64_t>());
}

TEST(ApiRobust, TamperedAuditTrailIsDetected) {
  ApiDaemon d("tamper");
  d.start();
  ApiClient client(d.client_options());
  for (const json& request : {json{{"cmd", "layout.set"}, {"layout", "3x3"}},
                              json{{"cmd", "tile.assign"}, {"tile", 1}, {"camera", "blue"}},
                              json{{"cmd", "tile.assign"}, {"tile", 2}, {"camera", "red"}},
                              json{{"cmd", "layout.set"}, {"layout", "1x1"}},
                              json{{"cmd", "layout.set"}, {"layout", "2x2"}}})
    ASSERT_NO_FATAL_FAILURE(command(client, request));
  EXPECT_EQ(d.process().stop(), 0) << d.process().log();
  auto intact = audit_verify(d.audit_path(), d.audit_key_path());
  ASSERT_EQ(intact.exit_code, 0) << intact.output;
  const auto lines = lines_of(read_text(d.audit_path()));
  ASSERT_GE(lines.size(), 5u);

  auto write_lines = [&](const fs::path& path, const std::vector<std::string>& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (const auto& line : content) out << line << '\n';
  };
  // Removed: line k (1-based) goes, so the line now at k no longer follows k-1.
  const std::size_t k = lines.size() / 2 + 1;
  auto removed = lines;
  removed.erase(removed.begin() + static_cast<std::ptrdiff_t>(k - 1));
  const auto removed_path = d.dir() / "audit-removed.log";
  write_lines(removed_path, removed);
  auto r = audit_verify(removed_path.string(), d.audit_key_path());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(removed_path.string() + ":" + std::to_string(k) + ":"), std::string::npos)
      << r.output;

  // Edited: one digit of line k's time changes.
  auto edited = lines;
  auto& line = edited[k - 1];
  const auto at = line.find("\"time\":\"");
  ASSERT_NE(at, std::string::npos) << line;
  auto& digit = line[at + 8];
  digit = digit == '1' ? '2' : '1';
  const auto edited_path = d.dir() / "audit-edited.log";
  write_lines(edited_path, edited);
  r = audit_verify(edited_path.string(), d.audit_key_path());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(edited_path.string() + ":" + std::to_string(k) + ":"), std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace vw::testing
