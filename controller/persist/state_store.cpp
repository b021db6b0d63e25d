#include "controller/persist/state_store.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <initializer_list>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace vw::controller {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kSchema = "videowall.state";
constexpr int kSchemaVersion = 1;
constexpr int kMaxTiles = layouts::kMaxTiles;
constexpr std::size_t kMaxReferences = 4096;  // cameras with a reference picture

// ---- JSON -> WallState: every check names the field as a dotted path ("tours.3.dwell_s").

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

[[noreturn]] void fail(const std::string& field, const std::string& what) {
  throw std::runtime_error(field + ": " + what);
}

void expect_object(const json& value, const std::string& path,
                   std::initializer_list<const char*> allowed) {
  if (!value.is_object()) fail(path.empty() ? "(top level)" : path, "expected an object");
  // Unknown keys are refused: a misspelt field would otherwise be silently dropped.
  for (const auto& [key, item] : value.items()) {
    bool known = false;
    for (const char* name : allowed) known = known || key == name;
    if (!known) fail(join(path, key), "unexpected field");
  }
}

const json& member(const json& object, const std::string& path, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) fail(join(path, key), "missing");
  return *it;
}

std::string get_string(const json& value, const std::string& path) {
  if (!value.is_string()) fail(path, "expected a string");
  return value.get<std::string>();
}

long long get_integer(const json& value, const std::string& path, long long min, long long max) {
  const std::string expected =
      max >= INT_MAX  // no meaningful upper bound
          ? "expected an integer >= " + std::to_string(min)
          : "expected an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!value.is_number_integer()) fail(path, expected);
  if (value.is_number_unsigned()) {
    auto v = value.get<unsigned long long>();
    if (v > static_cast<unsigned long long>(LLONG_MAX) || static_cast<long long>(v) > max ||
        static_cast<long long>(v) < min)
      fail(path, expected);
    return static_cast<long long>(v);
  }
  auto v = value.get<long long>();
  if (v < min || v > max) fail(path, expected);
  return v;
}

// Tile keys are written by std::to_string: plain decimal, no sign, no leading zero.
int tile_key(const std::string& key, const std::string& path) {
  int tile = 0;
  const char* end = key.data() + key.size();
  auto [ptr, ec] = std::from_chars(key.data(), end, tile);
  if (key.empty() || key[0] == '0' || ec != std::errc{} || ptr != end || tile < 1 ||
      tile > kMaxTiles)
    fail(join(path, key), "expected a tile number from 1 to " + std::to_string(kMaxTiles));
  return tile;
}

std::vector<std::string> string_list(const json& value, const std::string& path,
                                     std::size_t max_entries) {
  if (!value.is_array()) fail(path, "expected an array");
  if (value.size() > max_entries)
    fail(path, "expected at most " + std::to_string(max_entries) + " entries, got " +
                   std::to_string(value.size()));
  std::vector<std::string> out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i)
    out.push_back(get_string(value[i], join(path, std::to_string(i))));
  return out;
}

Tour tour_from_json(const json& value, const std::string& path) {
  expect_object(value, path, {"cameras", "dwell_s", "position"});
  Tour tour;
  const std::string cameras_path = join(path, "cameras");
  const json& cameras = member(value, path, "cameras");
  if (!cameras.is_array()) fail(cameras_path, "expected an array");
  if (cameras.size() < 2) fail(cameras_path, "expected at least two cameras");
  for (std::size_t i = 0; i < cameras.size(); ++i) {
    const std::string item = join(cameras_path, std::to_string(i));
    tour.cameras.push_back(get_string(cameras[i], item));
    if (tour.cameras.back().empty()) fail(item, "expected a camera id, got an empty string");
  }
  tour.dwell_s = static_cast<int>(get_integer(member(value, path, "dwell_s"), join(path, "dwell_s"),
                                              kMinTourDwellSeconds, INT_MAX));
  tour.position =
      static_cast<std::size_t>(get_integer(member(value, path, "position"), join(path, "position"),
                                           0, static_cast<long long>(tour.cameras.size()) - 1));
  return tour;
}

std::map<int, Tour> tours_from_json(const json& value, const std::string& path) {
  if (!value.is_object()) fail(path, "expected an object");
  std::map<int, Tour> tours;
  for (const auto& [key, item] : value.items())
    tours[tile_key(key, path)] = tour_from_json(item, join(path, key));
  return tours;
}

Preset preset_from_json(const json& value, const std::string& path) {
  expect_object(value, path, {"layout", "slots", "tours"});
  Preset preset;
  preset.layout = get_string(member(value, path, "layout"), join(path, "layout"));
  preset.slots = string_list(member(value, path, "slots"), join(path, "slots"), kMaxTiles);
  preset.tours = tours_from_json(member(value, path, "tours"), join(path, "tours"));
  return preset;
}

// ---- WallState -> JSON

json tour_to_json(const Tour& tour) {
  return {{"cameras", tour.cameras}, {"dwell_s", tour.dwell_s}, {"position", tour.position}};
}

json tours_to_json(const std::map<int, Tour>& tours) {
  json out = json::object();
  for (const auto& [tile, tour] : tours) out[std::to_string(tile)] = tour_to_json(tour);
  return out;
}

// ---- files

std::string errno_text(int error) {
  return std::strerror(error);
}

std::string parent_of(const std::string& path) {
  fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

// Reads the whole file; returns false with errno set (ENOENT: there is none).
bool read_file(const std::string& path, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      errno = error;
      return false;
    }
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return true;
}

// Temporary files of a save killed midway ("<path>.tmp-<pid>"). One whose process still runs
// may be a save in progress and is left alone.
void remove_stale_temporaries(const std::string& path) {
  const std::string prefix = fs::path(path).filename().string() + ".tmp-";
  std::error_code ec;
  for (fs::directory_iterator it(parent_of(path), ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string suffix = name.substr(prefix.size());
    long pid = 0;
    auto [ptr, parse_error] = std::from_chars(suffix.data(), suffix.data() + suffix.size(), pid);
    if (parse_error != std::errc{} || ptr != suffix.data() + suffix.size() || pid <= 0) continue;
    const bool ours = pid == static_cast<long>(::getpid());
    if (!ours && !(::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)) continue;
    std::error_code ignored;
    fs::remove(it->path(), ignored);
  }
}

// "<path>.corrupt-YYYYmmdd-HHMMSS", with -2, -3... when that name is taken. Empty when the
// rename failed; `error` then says why.
std::string move_aside(const std::string& path, std::string& error) {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  const std::string base = path + ".corrupt-" + stamp;
  for (int n = 1; n <= 1000; ++n) {
    std::string target = n == 1 ? base : base + "-" + std::to_string(n);
    struct stat info {};
    if (::lstat(target.c_str(), &info) == 0) continue;
    if (::rename(path.c_str(), target.c_str()) != 0) {
      error = errno_text(errno);
      return {};
    }
    return target;
  }
  error = "every name " + base + "[-N] is taken";
  return {};
}

}  // namespace

nlohmann::json state_to_json(const WallState& state) {
  // During an alarm the operator's wall is the one worth keeping.
  const std::string& layout = state.before_alarm ? state.before_alarm->layout : state.layout;
  const auto& slots = state.before_alarm ? state.before_alarm->slots : state.slots;
  const int maximized = state.before_alarm ? state.before_alarm->maximized : state.maximized;

  std::size_t used = slots.size();
  while (used > 0 && slots[used - 1].empty()) --used;

  json presets = json::object();
  for (const auto& [name, preset] : state.presets) {
    presets[name] = {
        {"layout", preset.layout}, {"slots", preset.slots}, {"tours", tours_to_json(preset.tours)}};
  }
  return {
      {"schema", kSchema},
      {"version", kSchemaVersion},
      {"state_version", state.version},
      {"layout", layout},
      {"slots", std::vector<std::string>(slots.begin(), slots.begin() + static_cast<long>(used))},
      {"maximized", maximized},
      {"tours", tours_to_json(state.tours)},
      {"presets", std::move(presets)},
      {"outputs", state.outputs},
      {"quality_references", state.quality_references}};
}

WallState state_from_json(const nlohmann::json& json) {
  expect_object(json, "",
                {"schema", "version", "state_version", "layout", "slots", "maximized", "tours",
                 "presets", "outputs", "quality_references"});
  const nlohmann::json& schema = member(json, "", "schema");
  if (!schema.is_string() || schema.get<std::string>() != kSchema)
    fail("schema", std::string("expected \"") + kSchema + "\"");
  const nlohmann::json& version = member(json, "", "version");
  if (!version.is_number_integer() || version.get<long long>() != kSchemaVersion)
    fail("version", "expected " + std::to_string(kSchemaVersion));

  WallState state;
  const nlohmann::json& state_version = member(json, "", "state_version");
  if (!state_version.is_number_unsigned()) fail("state_version", "expected an integer >= 0");
  state.version = state_version.get<std::uint64_t>();
  state.layout = get_string(member(json, "", "layout"), "layout");
  auto slots = string_list(member(json, "", "slots"), "slots", kMaxTiles);
  std::copy(slots.begin(), slots.end(), state.slots.begin());
  state.maximized =
      static_cast<int>(get_integer(member(json, "", "maximized"), "maximized", 0, kMaxTiles));
  state.tours = tours_from_json(member(json, "", "tours"), "tours");

  const nlohmann::json& presets = member(json, "", "presets");
  if (!presets.is_object()) fail("presets", "expected an object");
  if (presets.size() > kMaxPresets)
    fail("presets", "expected at most " + std::to_string(kMaxPresets) + " presets, got " +
                        std::to_string(presets.size()));
  for (const auto& [name, item] : presets.items())
    state.presets[name] = preset_from_json(item, join("presets", name));
  // Files written before the live outputs have none.
  if (json.contains("outputs")) {
    state.outputs = string_list(json["outputs"], "outputs", 16);
    std::sort(state.outputs.begin(), state.outputs.end());
    state.outputs.erase(std::unique(state.outputs.begin(), state.outputs.end()),
                        state.outputs.end());
  }
  // Files written before the scene check have none.
  if (json.contains("quality_references")) {
    const nlohmann::json& references = json["quality_references"];
    if (!references.is_object()) fail("quality_references", "expected an object");
    if (references.size() > kMaxReferences)
      fail("quality_references", "expected at most " + std::to_string(kMaxReferences) +
                                     " cameras, got " + std::to_string(references.size()));
    for (const auto& [camera, generation] : references.items()) {
      if (!generation.is_number_unsigned())
        fail(join("quality_references", camera), "expected an integer >= 0");
      state.quality_references[camera] = generation.get<std::uint64_t>();
    }
  }
  return state;
}

StateStore::StateStore(std::string path) : path_(std::move(path)) {}

StateStore::Loaded StateStore::load() {
  remove_stale_temporaries(path_);
  std::string text;
  if (!read_file(path_, text)) {
    const int error = errno;
    if (error == ENOENT) return {std::nullopt, ""};
    // Not corrupt, only unreadable (permissions, a folder): leave it where it is.
    return {std::nullopt, "cannot read state file " + path_ + ": " + errno_text(error) +
                              "; starting from the configured wall"};
  }
  std::string reason;
  try {
    return {state_from_json(nlohmann::json::parse(text)), ""};
  } catch (const nlohmann::json::exception& e) {
    reason = std::string("not valid JSON: ") + e.what();
  } catch (const std::exception& e) {
    reason = e.what();
  }
  std::string error;
  const std::string target = move_aside(path_, error);
  if (target.empty()) {
    return {std::nullopt, "state file " + path_ + " is corrupt (" + reason +
                              ") and could not be moved aside to " + path_ +
                              ".corrupt-*: " + error + "; starting from the configured wall"};
  }
  return {std::nullopt, "state file " + path_ + " is corrupt (" + reason + "); moved it to " +
                            target + "; starting from the configured wall"};
}

void StateStore::save(const WallState& state) {
  std::string text;
  try {
    text = state_to_json(state).dump(2) + "\n";
  } catch (const nlohmann::json::exception& e) {  // e.g. a name that is not UTF-8
    throw std::runtime_error(path_ + ": cannot encode the wall state: " + e.what());
  }

  const std::string folder = parent_of(path_);
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec)
    throw std::runtime_error(path_ + ": cannot create folder " + folder + ": " + ec.message());

  const std::string temporary = path_ + ".tmp-" + std::to_string(::getpid());
  auto give_up = [&](const std::string& what, int error) {
    ::unlink(temporary.c_str());
    throw std::runtime_error(path_ + ": " + what + ": " + errno_text(error));
  };

  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) give_up("cannot create " + temporary, errno);
  const char* data = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(fd, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      give_up("cannot write " + temporary, error);
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  // The data must be on disk before the rename makes it the state file.
  if (::fsync(fd) != 0) {
    int error = errno;
    ::close(fd);
    give_up("cannot fsync " + temporary, error);
  }
  if (::close(fd) != 0) give_up("cannot close " + temporary, errno);
  if (::rename(temporary.c_str(), path_.c_str()) != 0)
    give_up("cannot rename " + temporary + " over it", errno);

  // And the rename itself must be on disk before we report success.
  int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) give_up("cannot open folder " + folder + " to fsync it", errno);
  if (::fsync(dir) != 0) {
    int error = errno;
    ::close(dir);
    give_up("cannot fsync folder " + folder, error);
  }
  ::close(dir);
}

}  // namespace vw::controller
