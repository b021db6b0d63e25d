// videowall-bench-faults: how fast streams come back after their camera server dies and returns,
// and what every pipeline rebuild costs in memory, fds and threads. Printed, not a test.
//
// The streams are the daemon's own StreamManager in this process; the cameras are a real RTSP
// server (videowall-camsim) in a child process on 127.0.0.1, SIGKILLed and restarted on the same
// port every round. Each round: kill, wait until every stream has noticed, leave the server down
// for --down-ms, restart it (reachable when start() returns), wait until every stream plays
// again (recovery), let them play --up-ms. Both strategies run in the same invocation: the
// supervisor's probes (the default) and backoff alone (probe_servers = false), the peer.
//
//   build/tests/bench/videowall-bench-faults [--cameras 4] [--rounds 20] [--down-ms 2000]
//     [--up-ms 3000] [--mode both|probe|backoff]
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "streams/allocator.hpp"
#include "streams/stream_manager.hpp"
#include "tests/bench/bench_support.hpp"
#include "tests/bench/proc_stats.hpp"

namespace vw::bench {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Settings {
  int cameras = 4;
  int rounds = 20;
  int down_ms = 2000;
  int up_ms = 3000;
};

struct Resources {
  long rss_kib = 0;
  long fds = 0;
  long threads = 0;
};

Resources resources() {
  Resources r;
  r.rss_kib = status_kib(getpid(), "VmRSS");
  r.threads = status_kib(getpid(), "Threads");
  r.fds = open_fds(getpid());
  return r;
}

struct Outcome {
  std::string mode;
  std::vector<double> detect_ms, recovery_ms;
  int failed_rounds = 0;  // a stream did not play again within 30 s
  std::uint64_t rebuilds = 0, probes = 0;
  Resources warm, end;
};

bool none_playing(const std::vector<std::shared_ptr<streams::StreamChannel>>& channels) {
  for (const auto& c : channels)
    if (c->state() == streams::StreamState::Playing) return false;
  return true;
}

Outcome run_mode(const Settings& settings, bool probes) {
  Outcome out;
  out.mode = probes ? "probe" : "backoff";
  testing::CamsimProcess server(distinct_cameras(settings.cameras, 640, 360));
  if (!start_cameras(server)) {
    out.failed_rounds = settings.rounds;
    return out;
  }
  streams::Wakeup wakeup;
  streams::StreamManagerOptions options;  // the daemon's: backoff 0.5 s doubling to 10 s
  options.probe_servers = probes;
  streams::StreamManager manager(&wakeup, options);
  std::vector<streams::StreamSpec> specs;
  for (int i = 0; i < settings.cameras; ++i) {
    streams::StreamSpec spec;
    spec.key = "cam" + std::to_string(i + 1) + "/main";
    spec.url = server.url("/cam" + std::to_string(i + 1));
    specs.push_back(spec);
  }
  auto channels = manager.set_wanted(specs);
  const auto cameras = static_cast<std::size_t>(settings.cameras);
  if (!wait_for([&] { return all_playing(manager, cameras); }, 30s)) {
    std::fprintf(stderr, "bench-faults: the streams did not start\n");
    out.failed_rounds = settings.rounds;
    return out;
  }
  std::uint64_t generations = 0;
  for (const auto& c : channels) generations += c->stats().pipeline_generation;
  // One warm-up round: the first rebuild loads what stays loaded (plugins, caches).
  for (int round = -1; round < settings.rounds; ++round) {
    if (round == 0) out.warm = resources();
    const auto killed = Clock::now();
    server.kill();
    if (!testing::eventually([&] { return none_playing(channels); }, 15s, 5ms)) {
      ++out.failed_rounds;
    }
    const double detect = std::chrono::duration<double, std::milli>(Clock::now() - killed).count();
    std::this_thread::sleep_for(std::chrono::milliseconds(settings.down_ms));  // the outage
    if (!start_cameras(server)) return out;
    const auto reachable = Clock::now();
    const bool back = testing::eventually([&] { return all_playing(manager, cameras); }, 30s, 5ms);
    const double recovery =
        std::chrono::duration<double, std::milli>(Clock::now() - reachable).count();
    if (round >= 0) {
      out.detect_ms.push_back(detect);
      if (back)
        out.recovery_ms.push_back(recovery);
      else
        ++out.failed_rounds;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(settings.up_ms));  // playing
  }
  out.end = resources();
  for (const auto& c : channels) {
    const auto stats = c->stats();
    out.rebuilds += stats.pipeline_generation;
    out.probes += stats.probes;
  }
  out.rebuilds -= generations;
  return out;
}

void print(std::FILE* table, const Settings& settings, const std::vector<Outcome>& outcomes) {
  std::fprintf(table,
               "\n%d cameras 640x360 H.264, %d rounds (+1 warm-up): server SIGKILLed, down %d ms, "
               "back on the same port, playing %d ms\n",
               settings.cameras, settings.rounds, settings.down_ms, settings.up_ms);
  std::fprintf(table, "%-8s %9s %9s %9s %9s %9s %6s %8s %7s %9s %9s %8s %7s %7s\n", "mode",
               "detect50", "detectmx", "recov50", "recov90", "recovmax", "failed", "rebuilds",
               "probes", "rss0 MB", "rss MB", "KB/rbld", "fds", "threads");
  for (const Outcome& o : outcomes) {
    const double growth_kib = double(o.end.rss_kib - o.warm.rss_kib);
    const double per_rebuild = o.rebuilds > 0 ? growth_kib / double(o.rebuilds) : 0;
    std::fprintf(table,
                 "%-8s %9.0f %9.0f %9.0f %9.0f %9.0f %6d %8llu %7llu %9.1f %9.1f %8.1f %3ld>%-3ld "
                 "%3ld>%-3ld\n",
                 o.mode.c_str(), percentile(o.detect_ms, 0.5), percentile(o.detect_ms, 1.0),
                 percentile(o.recovery_ms, 0.5), percentile(o.recovery_ms, 0.9),
                 percentile(o.recovery_ms, 1.0), o.failed_rounds,
                 static_cast<unsigned long long>(o.rebuilds),
                 static_cast<unsigned long long>(o.probes), double(o.warm.rss_kib) / 1024.0,
                 double(o.end.rss_kib) / 1024.0, per_rebuild, o.warm.fds, o.end.fds, o.warm.threads,
                 o.end.threads);
  }
  std::fprintf(table,
               "detect: kill -> every stream not playing; recov: server listening -> every "
               "stream playing (ms).\nrss0/fds/threads: after the warm-up round; KB/rbld: RSS "
               "growth since then per pipeline rebuild.\n");
  std::fflush(table);
}

}  // namespace
}  // namespace vw::bench

int main(int argc, char** argv) {
  using namespace vw::bench;
  CLI::App cli{"videowall-bench-faults: recovery after camera server restarts, and rebuild cost"};
  Settings settings;
  std::string mode = "both", allocator = "bounded";
  cli.add_option("--cameras", settings.cameras, "cameras on the one server")
      ->check(CLI::Range(1, 32));
  cli.add_option("--rounds", settings.rounds, "kill/restart rounds")->check(CLI::Range(1, 100000));
  cli.add_option("--down-ms", settings.down_ms, "how long the server stays down")
      ->check(CLI::Range(0, 600000));
  cli.add_option("--up-ms", settings.up_ms, "how long the streams play between rounds")
      ->check(CLI::Range(0, 600000));
  cli.add_option("--mode", mode, "both, probe (the supervisor's default) or backoff (alone)")
      ->check(CLI::IsMember({"both", "probe", "backoff"}));
  cli.add_option("--allocator", allocator,
                 "bounded (as the daemon: streams/allocator.hpp) or glibc (its defaults)")
      ->check(CLI::IsMember({"bounded", "glibc"}));
  CLI11_PARSE(cli, argc, argv);
  if (allocator == "bounded") vw::streams::bound_allocator();  // before the first thread
  std::FILE* table = take_stdout_for_table();
  if (table == nullptr) return 1;
  std::vector<Outcome> outcomes;
  if (mode != "backoff") outcomes.push_back(run_mode(settings, true));
  if (mode != "probe") outcomes.push_back(run_mode(settings, false));
  print(table, settings, outcomes);
  int failed = 0;
  for (const Outcome& o : outcomes) failed += o.failed_rounds;
  return failed == 0 ? 0 : 1;
}
