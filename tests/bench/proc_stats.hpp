// /proc readings shared by the benchmarks: CPU time and memory of a process, the machine's CPU
// and load. Linux only; a missing process reads as zero.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace vw::bench {

// The fields of a /proc stat file after the command name: [0] state, [1] ppid, [11] utime, ...
inline std::vector<std::string> stat_fields_at(const std::filesystem::path& stat) {
  std::ifstream in(stat);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  std::vector<std::string> fields;
  auto close = text.rfind(')');
  if (close == std::string::npos) return fields;
  std::istringstream rest(text.substr(close + 1));
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

inline std::vector<std::string> stat_fields(pid_t pid) {  // of /proc/<pid>/stat
  return stat_fields_at("/proc/" + std::to_string(pid) + "/stat");
}

inline double cpu_seconds_of(const std::vector<std::string>& f) {  // utime + stime
  if (f.size() < 13) return 0;
  return double(std::stoull(f[11]) + std::stoull(f[12])) / double(sysconf(_SC_CLK_TCK));
}

inline double cpu_seconds(pid_t pid) {  // all threads
  return cpu_seconds_of(stat_fields(pid));
}

// utime + stime of this process' threads named `name` (/proc/self/task/*/comm); 0 when none.
inline double thread_cpu_seconds(const std::string& name) {
  double total = 0;
  std::error_code error;
  for (std::filesystem::directory_iterator it("/proc/self/task", error), end; !error && it != end;
       it.increment(error)) {
    std::ifstream comm(it->path() / "comm");
    std::string task_name;
    std::getline(comm, task_name);
    if (task_name == name) total += cpu_seconds_of(stat_fields_at(it->path() / "stat"));
  }
  return total;
}

inline long status_kib(pid_t pid, const std::string& key) {  // "VmRSS", "VmHWM"
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
  return 0;
}

inline long open_fds(pid_t pid) {  // entries of /proc/<pid>/fd
  long n = 0;
  std::error_code error;
  for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", error), end;
       !error && it != end; it.increment(error))
    ++n;
  return n;
}

// What a process holds, by kind: its fds by target with numbers dropped ("socket", "pipe",
// "anon_inode:[eventfd]", a file's path) and its threads by name, numbers dropped ("thread
// task#"). The soak prints the difference when fds or threads grew, so a leak names itself.
inline std::map<std::string, int> held_by_kind(pid_t pid) {
  std::map<std::string, int> out;
  const std::string base = "/proc/" + std::to_string(pid);
  std::error_code error;
  for (std::filesystem::directory_iterator it(base + "/fd", error), end; !error && it != end;
       it.increment(error)) {
    std::error_code link_error;
    std::string target = std::filesystem::read_symlink(it->path(), link_error).string();
    if (link_error) continue;  // closed meanwhile
    if (auto colon = target.find(":[");
        colon != std::string::npos && target[0] != '/' && target.rfind("anon_inode", 0) != 0)
      target.resize(colon);  // socket:[123] -> socket
    ++out["fd " + target];
  }
  for (std::filesystem::directory_iterator it(base + "/task", error), end; !error && it != end;
       it.increment(error)) {
    std::ifstream comm(it->path() / "comm");
    std::string name;
    if (!std::getline(comm, name)) continue;
    // GStreamer numbers its task threads anew for each pipeline: "task17" -> "task#".
    if (const auto digits = name.find_last_not_of("0123456789");
        digits != std::string::npos && digits + 1 < name.size())
      name = name.substr(0, digits + 1) + "#";
    ++out["thread " + name];
  }
  return out;
}

// "fd socket +1, thread rtpjitterbuffer -1": what `after` holds more or less than `before`.
inline std::string held_difference(const std::map<std::string, int>& before,
                                   const std::map<std::string, int>& after) {
  std::string out;
  auto note = [&](const std::string& kind, int delta) {
    if (delta == 0) return;
    if (!out.empty()) out += ", ";
    out += kind + (delta > 0 ? " +" : " ") + std::to_string(delta);
  };
  for (const auto& [kind, n] : after) {
    auto it = before.find(kind);
    note(kind, n - (it == before.end() ? 0 : it->second));
  }
  for (const auto& [kind, n] : before)
    if (!after.count(kind)) note(kind, -n);
  return out.empty() ? "nothing" : out;
}

inline pid_t first_child() {  // the camsim server: CamsimProcess forks it from this process
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto f = stat_fields(static_cast<pid_t>(std::stol(name)));
    if (f.size() > 1 && std::stol(f[1]) == getpid()) return static_cast<pid_t>(std::stol(name));
  }
  return -1;
}

struct MachineCpu {  // jiffies of all cores, from the first line of /proc/stat
  double busy = 0, total = 0;
};

inline MachineCpu machine_cpu() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  MachineCpu m;
  double v[8] = {};
  for (double& x : v) in >> x;
  for (double x : v) m.total += x;
  m.busy = m.total - v[3] - v[4];  // less idle and iowait
  return m;
}

inline std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

}  // namespace vw::bench
