// StateStore and the state file format: round trips, the operator's wall kept during alarms,
// corrupt files moved aside with a warning that names the field, failed saves, and saves killed
// with SIGKILL at random moments (the file is always a whole old or new state).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "controller/persist/state_store.hpp"

namespace vw::controller {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    dir_ = fs::temp_directory_path() /
           ("vw_state_store_" + std::to_string(::getpid()) + "_" + std::to_string(++counter));
    fs::remove_all(dir_);
    path_ = (dir_ / "state" / "wall.json").string();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Every file in the state folder whose name contains `part`.
  std::vector<fs::path> files_with(const std::string& part) const {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(path_).parent_path(), ec))
      if (entry.path().filename().string().find(part) != std::string::npos)
        out.push_back(entry.path());
    return out;
  }

  void write_text(const std::string& path, const std::string& text) const {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }

  static std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  fs::path dir_;
  std::string path_;
};

Tour make_tour(std::vector<std::string> cameras, int dwell_s, std::size_t position) {
  Tour tour;
  tour.cameras = std::move(cameras);
  tour.dwell_s = dwell_s;
  tour.position = position;
  return tour;
}

WallState rich_state() {
  WallState s;
  s.layout = "1+5";
  s.slots[0] = "minzu-01";
  s.slots[3] = "东门-02";
  s.slots[40] = "car-park";
  s.slots[63] = "last-tile";
  s.maximized = 4;
  s.tours[2] = make_tour({"a", "b", "c"}, 10, 2);
  s.tours[64] = make_tour({"x", "y"}, 3, 0);
  Preset emergency;
  emergency.layout = "2x2";
  emergency.slots = {"minzu-01", "", "东门-02", ""};
  emergency.tours[2] = make_tour({"a", "b"}, 15, 1);
  s.presets["应急"] = emergency;
  Preset night;
  night.layout = "3x3";
  night.slots = std::vector<std::string>(9, "");
  s.presets["夜间巡逻"] = night;
  s.presets["empty"] = Preset{"1x1", {""}, {}};
  s.outputs = {"conference", "record"};
  s.quality_references = {{"minzu-01", 12}, {"东门-02", 40}};
  s.version = 41;
  return s;
}

// The state the crash test's writer saves as `version`; its size varies so that a torn write
// would not parse as another version by accident.
WallState numbered_state(std::uint64_t version) {
  WallState s;
  s.version = version;
  s.layout = version % 2 ? "3x3" : "2x2";
  const std::size_t used = version % layouts::kMaxTiles + 1;
  for (std::size_t i = 0; i < used; ++i)
    s.slots[i] = "cam-" + std::to_string(version) + "-" + std::to_string(i);
  s.maximized = static_cast<int>(version % (layouts::kMaxTiles + 1));
  const int tile = static_cast<int>(version % layouts::kMaxTiles) + 1;
  s.tours[tile] = make_tour({"a" + std::to_string(version), "b"},
                            3 + static_cast<int>(version % 50), version % 2);
  for (std::uint64_t k = 0; k < version % 7; ++k) {
    Preset p;
    p.layout = "2x2";
    p.slots = {"预案-" + std::to_string(version), "", "", std::to_string(k)};
    s.presets["预案" + std::to_string(k)] = p;
  }
  return s;
}

std::string valid_text() {
  return state_to_json(rich_state()).dump(2);
}

// ---- format

TEST(StateJson, RoundTripInMemory) {
  WallState s = rich_state();
  json j = state_to_json(s);
  EXPECT_EQ(j["schema"], "videowall.state");
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["state_version"], 41);
  EXPECT_EQ(j["slots"].size(), 64u);  // up to the last non-empty slot
  EXPECT_EQ(j["tours"]["64"]["dwell_s"], 3);
  EXPECT_EQ(state_from_json(j), s);

  s.slots[63].clear();
  j = state_to_json(s);
  EXPECT_EQ(j["slots"].size(), 41u);
  EXPECT_EQ(state_from_json(j), s);

  WallState empty;
  empty.layout = "3x3";
  j = state_to_json(empty);
  EXPECT_TRUE(j["slots"].empty());
  EXPECT_EQ(state_from_json(j), empty);

  // A file from before the live outputs has no "outputs": none run.
  j = state_to_json(s);
  j.erase("outputs");
  EXPECT_TRUE(state_from_json(j).outputs.empty());
  // ... and one from before the scene check no reference pictures.
  EXPECT_EQ(j["quality_references"]["东门-02"], 40);
  j.erase("quality_references");
  EXPECT_TRUE(state_from_json(j).quality_references.empty());
  j["quality_references"] = {{"minzu-01", "twelve"}};
  EXPECT_THROW(state_from_json(j), std::runtime_error);
}

TEST(StateJson, SavesTheOperatorsWallDuringAnAlarm) {
  WallState s = rich_state();
  WallState::Saved before;
  before.layout = "3x3";
  before.slots[0] = "operator-1";
  before.slots[8] = "operator-9";
  before.maximized = 0;
  s.before_alarm = before;
  s.layout = "2x2";
  s.slots = {};
  s.slots[0] = "alarm-cam";
  s.maximized = 1;
  s.alarms.push_back({"fire", "火警"});

  WallState back = state_from_json(state_to_json(s));
  EXPECT_EQ(back.layout, "3x3");
  EXPECT_EQ(back.slots, before.slots);
  EXPECT_EQ(back.maximized, 0);
  EXPECT_TRUE(back.alarms.empty());
  EXPECT_FALSE(back.before_alarm.has_value());
  EXPECT_EQ(back.tours, s.tours);
  EXPECT_EQ(back.presets, s.presets);
  EXPECT_EQ(back.version, s.version);
}

// The error of state_from_json for `j`, or "" if it was accepted.
std::string error_of(const json& j) {
  try {
    state_from_json(j);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(StateJson, ErrorsNameTheField) {
  const json good = state_to_json(rich_state());
  auto with = [&](auto edit) {
    json j = good;
    edit(j);
    return error_of(j);
  };
  EXPECT_EQ(error_of(good), "");
  EXPECT_EQ(with([](json& j) { j["tours"]["2"]["dwell_s"] = 1; }),
            "tours.2.dwell_s: expected an integer >= 3");
  EXPECT_EQ(with([](json& j) { j["tours"]["2"]["dwell_s"] = 3.5; }),
            "tours.2.dwell_s: expected an integer >= 3");
  EXPECT_EQ(with([](json& j) { j["tours"]["2"]["position"] = 3; }),
            "tours.2.position: expected an integer from 0 to 2");
  EXPECT_EQ(with([](json& j) { j["tours"]["2"]["position"] = -1; }),
            "tours.2.position: expected an integer from 0 to 2");
  EXPECT_EQ(with([](json& j) { j["tours"]["2"]["cameras"] = {"a"}; }),
            "tours.2.cameras: expected at least two cameras");
  EXPECT_EQ(with([](json& j) { j["tours"]["2"]["cameras"][1] = 7; }),
            "tours.2.cameras.1: expected a string");
  EXPECT_EQ(with([](json& j) { j["tours"]["2"].erase("cameras"); }), "tours.2.cameras: missing");
  EXPECT_EQ(with([](json& j) { j["tours"]["65"] = j["tours"]["2"]; }),
            "tours.65: expected a tile number from 1 to 64");
  EXPECT_EQ(with([](json& j) { j["tours"]["02"] = j["tours"]["2"]; }),
            "tours.02: expected a tile number from 1 to 64");
  EXPECT_EQ(with([](json& j) { j["tours"]["0"] = j["tours"]["2"]; }),
            "tours.0: expected a tile number from 1 to 64");
  EXPECT_EQ(with([](json& j) { j["outputs"] = {"a", 3}; }), "outputs.1: expected a string");
  EXPECT_EQ(with([](json& j) { j["slots"] = std::vector<std::string>(65, "c"); }),
            "slots: expected at most 64 entries, got 65");
  EXPECT_EQ(with([](json& j) { j["slots"][3] = nullptr; }), "slots.3: expected a string");
  EXPECT_EQ(with([](json& j) { j["maximized"] = 65; }),
            "maximized: expected an integer from 0 to 64");
  EXPECT_EQ(with([](json& j) { j["layout"] = 3; }), "layout: expected a string");
  EXPECT_EQ(with([](json& j) { j["schema"] = "other"; }), "schema: expected \"videowall.state\"");
  EXPECT_EQ(with([](json& j) { j["version"] = 2; }), "version: expected 1");
  EXPECT_EQ(with([](json& j) { j["state_version"] = -4; }),
            "state_version: expected an integer >= 0");
  EXPECT_EQ(with([](json& j) { j["extra"] = true; }), "extra: unexpected field");
  EXPECT_EQ(with([](json& j) { j.erase("presets"); }), "presets: missing");
  EXPECT_EQ(with([](json& j) { j["presets"]["应急"]["tours"]["2"]["dwell_s"] = 2; }),
            "presets.应急.tours.2.dwell_s: expected an integer >= 3");
  EXPECT_EQ(with([](json& j) { j["presets"]["应急"]["slots"] = std::vector<int>(65, 1); }),
            "presets.应急.slots: expected at most 64 entries, got 65");
  EXPECT_EQ(with([](json& j) { j["presets"]["应急"]["colour"] = "red"; }),
            "presets.应急.colour: unexpected field");
  EXPECT_EQ(error_of(json::array()), "(top level): expected an object");
}

// ---- files

TEST_F(StateStoreTest, NoFileIsNoStateAndNoWarning) {
  auto loaded = StateStore(path_).load();
  EXPECT_FALSE(loaded.state.has_value());
  EXPECT_EQ(loaded.warning, "");
}

TEST_F(StateStoreTest, RoundTripThroughTheFile) {
  StateStore store(path_);
  store.save(rich_state());  // creates the folder
  auto loaded = StateStore(path_).load();
  EXPECT_EQ(loaded.warning, "");
  ASSERT_TRUE(loaded.state.has_value());
  EXPECT_EQ(*loaded.state, rich_state());
  EXPECT_NE(read_text(path_).find("应急"), std::string::npos);  // UTF-8, not \u escapes
  EXPECT_TRUE(files_with(".tmp-").empty());

  WallState next = rich_state();
  next.version = 42;
  next.presets.erase("应急");
  store.save(next);
  EXPECT_EQ(*store.load().state, next);
  const mode_t mask = ::umask(0);
  ::umask(mask);
  EXPECT_EQ(static_cast<mode_t>(fs::status(path_).permissions() & fs::perms::all),
            static_cast<mode_t>(0644 & ~mask));
}

TEST_F(StateStoreTest, CorruptFilesAreMovedAsideWithTheReason) {
  std::string truncated = valid_text();
  truncated.resize(truncated.size() / 2);
  auto edited = [](auto edit) {
    json j = state_to_json(rich_state());
    edit(j);
    return j.dump(2);
  };
  struct Case {
    std::string name, text, reason;
  };
  const std::vector<Case> cases = {
      {"garbage", "\x01\x02 this is not JSON", "not valid JSON"},
      {"empty", "", "not valid JSON"},
      {"truncated", truncated, "not valid JSON"},
      {"wrong schema", R"({"schema":"videowall.layout","version":1})",
       "schema: expected \"videowall.state\""},
      {"65 slots", edited([](json& j) { j["slots"] = std::vector<std::string>(65, ""); }),
       "slots: expected at most 64 entries, got 65"},
      {"dwell 1", edited([](json& j) { j["tours"]["64"]["dwell_s"] = 1; }),
       "tours.64.dwell_s: expected an integer >= 3"},
      {"position", edited([](json& j) { j["tours"]["64"]["position"] = 2; }),
       "tours.64.position: expected an integer from 0 to 1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    fs::remove_all(dir_);
    write_text(path_, c.text);
    auto loaded = StateStore(path_).load();
    EXPECT_FALSE(loaded.state.has_value());
    EXPECT_NE(loaded.warning.find(c.reason), std::string::npos) << loaded.warning;
    EXPECT_NE(loaded.warning.find(path_), std::string::npos) << loaded.warning;
    EXPECT_FALSE(fs::exists(path_));
    auto moved = files_with(".corrupt-");
    ASSERT_EQ(moved.size(), 1u);
    EXPECT_NE(loaded.warning.find(moved[0].string()), std::string::npos) << loaded.warning;
    EXPECT_EQ(moved[0].string().substr(0, path_.size() + 9), path_ + ".corrupt-");
    EXPECT_EQ(read_text(moved[0]), c.text);  // kept as it was, never deleted
    // The next start finds no file and says nothing.
    auto again = StateStore(path_).load();
    EXPECT_FALSE(again.state.has_value());
    EXPECT_EQ(again.warning, "");
  }
}

TEST_F(StateStoreTest, SecondCorruptFileGetsItsOwnName) {
  write_text(path_, "first");
  auto first = StateStore(path_).load();
  write_text(path_, "second");
  auto second = StateStore(path_).load();
  auto moved = files_with(".corrupt-");
  ASSERT_EQ(moved.size(), 2u);
  std::sort(moved.begin(), moved.end());
  std::vector<std::string> contents = {read_text(moved[0]), read_text(moved[1])};
  std::sort(contents.begin(), contents.end());
  EXPECT_EQ(contents, (std::vector<std::string>{"first", "second"}));
  // Within the same second the second one is "<first>-2".
  if (moved[1].string().size() > moved[0].string().size()) {
    EXPECT_EQ(moved[1].string(), moved[0].string() + "-2");
    EXPECT_NE(second.warning.find(moved[1].string()), std::string::npos);
  }
}

TEST_F(StateStoreTest, LoadRemovesStaleTemporaryFiles) {
  StateStore store(path_);
  store.save(rich_state());
  // A process that has exited: its pid is free (until reused, which is unlikely here).
  pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ASSERT_GT(dead, 0);
  ::waitpid(dead, nullptr, 0);
  const std::string stale_dead = path_ + ".tmp-" + std::to_string(dead);
  const std::string stale_own = path_ + ".tmp-" + std::to_string(::getpid());
  const std::string live = path_ + ".tmp-1";  // pid 1 runs: maybe a save in progress
  const std::string other = (fs::path(path_).parent_path() / "other.json.tmp-99999").string();
  for (const auto& p : {stale_dead, stale_own, live, other}) write_text(p, "{\"half");

  auto loaded = store.load();
  EXPECT_EQ(loaded.warning, "");
  ASSERT_TRUE(loaded.state.has_value());
  EXPECT_EQ(*loaded.state, rich_state());
  EXPECT_FALSE(fs::exists(stale_dead));
  EXPECT_FALSE(fs::exists(stale_own));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(other));
}

TEST_F(StateStoreTest, FailedSavesThrowAndKeepThePreviousFile) {
  StateStore store(path_);
  store.save(rich_state());
  // The temporary name is taken by a folder: open fails.
  const std::string temporary = path_ + ".tmp-" + std::to_string(::getpid());
  fs::create_directories(temporary);
  WallState next = rich_state();
  next.version = 99;
  try {
    store.save(next);
    ADD_FAILURE() << "save should have thrown";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path_), std::string::npos) << what;
    EXPECT_NE(what.find(std::strerror(EISDIR)), std::string::npos) << what;
  }
  fs::remove(temporary);
  EXPECT_EQ(*store.load().state, rich_state());

  // The state file's name is a folder with something in it: the rename fails.
  const std::string folder_path = (dir_ / "taken").string();
  fs::create_directories(fs::path(folder_path) / "inside");
  StateStore taken(folder_path);
  EXPECT_THROW(taken.save(next), std::runtime_error);
  EXPECT_FALSE(fs::exists(folder_path + ".tmp-" + std::to_string(::getpid())));

  // The folder cannot be created: a file is in the way.
  write_text((dir_ / "file").string(), "x");
  StateStore blocked((dir_ / "file" / "state.json").string());
  try {
    blocked.save(next);
    ADD_FAILURE() << "save should have thrown";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find((dir_ / "file" / "state.json").string()),
              std::string::npos)
        << e.what();
  }
}

// A writer saving version after version is killed at random moments; every load then finds a
// whole state the writer saved (or the previous round's), never a corrupt or mixed file.
TEST_F(StateStoreTest, SigkillDuringSavesNeverCorruptsTheFile) {
  constexpr int kRounds = 30;
  constexpr std::uint64_t kPerRound = 100000;  // more than any writer manages before its kill
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> delay_ms(1, 20);

  std::uint64_t first = 1;
  std::uint64_t last_seen = 0;
  int stale_found = 0;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      try {
        StateStore writer(path_);
        for (std::uint64_t v = first; v < first + kPerRound; ++v) writer.save(numbered_state(v));
      } catch (...) {
        ::_exit(1);
      }
      ::_exit(0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
    ::kill(child, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the writer ended on its own (status " << status << ")";
    if (!files_with(".tmp-").empty()) ++stale_found;

    auto loaded = StateStore(path_).load();
    EXPECT_EQ(loaded.warning, "");
    if (!loaded.state) {
      ASSERT_EQ(last_seen, 0u) << "the state file disappeared";
    } else {
      const std::uint64_t v = loaded.state->version;
      ASSERT_GE(v, std::max<std::uint64_t>(last_seen, 1));
      ASSERT_LT(v, first + kPerRound);
      ASSERT_EQ(*loaded.state, numbered_state(v)) << "version " << v;
      last_seen = v;
    }
    EXPECT_TRUE(files_with(".tmp-").empty());
    EXPECT_TRUE(files_with(".corrupt-").empty());
    first += kPerRound;
  }
  EXPECT_GT(last_seen, 0u) << "no writer saved anything";
  std::printf("crash test: %d of %d kills left a temporary file behind\n", stale_found, kRounds);
}

}  // namespace
}  // namespace vw::controller
