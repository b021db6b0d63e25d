// videowall-casesim: a simulated grid-management platform. Binds a ZeroMQ PUB socket and publishes
// the case feed (docs/case-feed.md, schema v1) for Jianghan's 13 streets: new cases at --rate per
// second with the 2022 category mix, each moving reported -> dispatched -> closed (some overdue),
// a heartbeat every second and a counts snapshot every --counts-every seconds (and once at start).
// The snapshot includes a baseline for the part of today before the simulator started.
//
// One thread: the main loop sleeps in sigtimedwait (SIGINT/SIGTERM end it cleanly).
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>
#include <zmq.hpp>

#include "controller/cases/case_board.hpp"
#include "controller/cases/case_feed_parser.hpp"

namespace {

using namespace vw::controller;
using json = nlohmann::json;
using std::chrono::steady_clock;
using std::chrono::system_clock;
using Seconds = std::chrono::duration<double>;

constexpr std::chrono::minutes kUtcOffset{8 * 60};  // China Standard Time

struct Category {
  const char* name;
  double weight;  // cases per year
};
// The top three are the district's 2022 figures; the rest are illustrative, to fill the mix.
constexpr std::array<Category, 12> kCategories{{{"暴露垃圾", 1960},
                                                {"占道经营", 1683},
                                                {"共享单车乱停放", 893},
                                                {"店外经营", 820},
                                                {"乱堆物堆料", 760},
                                                {"违规张贴小广告", 540},
                                                {"道路破损", 430},
                                                {"井盖破损", 310},
                                                {"私搭乱建", 290},
                                                {"绿化带损毁", 260},
                                                {"渣土撒漏", 210},
                                                {"其他", 1200}}};
// Relative weights of the 13 streets (busier commercial streets report more).
constexpr std::array<double, 13> kStreetWeights{9, 11, 8, 7, 8, 7, 8, 10, 12, 7, 8, 6, 9};
constexpr double kMajorProbability = 34.0 / 61719.0;  // 2022: 34 major incidents escalated

struct SimCase {
  std::string id;
  std::string street;
  std::string category;
  std::string grid;
  CaseStatus status = CaseStatus::Reported;
  bool major = false;
  system_clock::time_point reported_at;
  system_clock::time_point updated_at;
  std::pair<double, double> location;
};

struct Counts {
  int reported = 0, open = 0, overdue = 0, closed = 0;
};

class Simulator {
 public:
  Simulator(zmq::socket_t& socket, std::string publisher, unsigned seed)
      : socket_(socket), publisher_(std::move(publisher)), random_(seed) {
    today_ = local_day(system_clock::now());
    for (const auto& category : kCategories) category_weights_.push_back(category.weight);
  }

  void add_baseline() {  // today before the simulator started: about 170 reports a day
    const auto now = system_clock::now() + kUtcOffset;
    const double day_fraction =
        Seconds(now - std::chrono::floor<std::chrono::days>(now)).count() / 86400.0;
    const int reported = static_cast<int>(170.0 * day_fraction);
    std::uniform_real_distribution<double> unit(0, 1);
    for (int i = 0; i < reported; ++i) {
      Counts& s = streets_[jianghan_streets()[pick_street()]];
      Counts& c = categories_[kCategories[pick_category()].name];
      const double fate = unit(random_);
      for (Counts* counts : {&s, &c}) {
        ++counts->reported;
        if (fate < 0.82) {
          ++counts->closed;
        } else {
          ++counts->open;
          if (fate > 0.97) ++counts->overdue;
        }
      }
    }
  }

  void new_case(const std::string& street, const std::string& category,
                steady_clock::time_point now) {
    std::uniform_real_distribution<double> unit(0, 1);
    SimCase c;
    c.id = "JH" + std::to_string(++case_number_ + 100000);
    c.street = street;
    c.category = category;
    const auto street_index =
        std::find(jianghan_streets().begin(), jianghan_streets().end(), street) -
        jianghan_streets().begin();
    c.grid = "JH" + std::to_string(100 + street_index) + "-" +
             std::to_string(std::uniform_int_distribution<int>(1, 60)(random_));
    c.major = unit(random_) < kMajorProbability;
    c.reported_at = c.updated_at = system_clock::now();
    c.location = {114.23 + 0.07 * unit(random_), 30.57 + 0.06 * unit(random_)};
    count(c, +1);
    publish_case(c);
    schedule(c.id, now, 3, 15);
    cases_.emplace(c.id, std::move(c));
  }

  void random_case(steady_clock::time_point now) {
    new_case(jianghan_streets()[pick_street()], kCategories[pick_category()].name, now);
  }

  // Moves the cases whose time has come one step on.
  void advance(steady_clock::time_point now) {
    std::uniform_real_distribution<double> unit(0, 1);
    while (!timeline_.empty() && timeline_.begin()->first <= now) {
      const std::string id = timeline_.begin()->second;
      timeline_.erase(timeline_.begin());
      auto it = cases_.find(id);
      if (it == cases_.end()) continue;
      SimCase& c = it->second;
      count(c, -1);
      bool done = false;
      if (c.status == CaseStatus::Reported) {
        c.status = CaseStatus::Dispatched;
      } else if (c.status == CaseStatus::Dispatched) {
        c.status = unit(random_) < 0.08 ? CaseStatus::Overdue : CaseStatus::Closed;
      } else if (c.status == CaseStatus::Overdue) {
        if (unit(random_) < 0.7) c.status = CaseStatus::Closed;
        done = c.status != CaseStatus::Closed;  // stays overdue for good
      }
      c.updated_at = std::max(system_clock::now(), c.updated_at);
      count(c, +1);
      publish_case(c);
      if (c.status == CaseStatus::Closed || done) {
        cases_.erase(it);
      } else {
        schedule(id, now, 10, 60);
      }
    }
  }

  void heartbeat() { send(message("heartbeat")); }

  void snapshot() {
    rollover();
    json m = message("counts");
    const std::chrono::year_month_day day = today_;
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(day.year()),
                  static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
    m["date"] = date;
    auto rows = [](const auto& names, const std::map<std::string, Counts>& counts) {
      json out = json::array();
      for (const auto& name : names) {
        const auto it = counts.find(name);
        const Counts c = it == counts.end() ? Counts{} : it->second;
        out.push_back({{"name", name},
                       {"reported", c.reported},
                       {"open", c.open},
                       {"overdue", c.overdue},
                       {"closed", c.closed}});
      }
      return out;
    };
    std::vector<std::string> categories;
    for (const auto& [name, c] : categories_) categories.push_back(name);
    m["streets"] = rows(jianghan_streets(), streets_);
    m["categories"] = rows(categories, categories_);
    send(m);
  }

  std::uint64_t sent() const { return seq_; }

 private:
  static std::chrono::year_month_day local_day(system_clock::time_point t) {
    return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(t + kUtcOffset)};
  }

  std::size_t pick_street() {
    std::discrete_distribution<std::size_t> pick(kStreetWeights.begin(), kStreetWeights.end());
    return pick(random_);
  }
  std::size_t pick_category() {
    std::discrete_distribution<std::size_t> pick(category_weights_.begin(),
                                                 category_weights_.end());
    return pick(random_);
  }

  void schedule(const std::string& id, steady_clock::time_point now, double low, double high) {
    const Seconds delay{std::uniform_real_distribution<double>(low, high)(random_)};
    timeline_.emplace(now + std::chrono::duration_cast<steady_clock::duration>(delay), id);
  }

  void rollover() {
    const auto day = local_day(system_clock::now());
    if (day == today_) return;
    today_ = day;
    for (auto* table : {&streets_, &categories_}) {
      for (auto& [name, c] : *table) c.reported = c.closed = 0;
    }
  }

  // The same contribution rules as the CaseBoard: the snapshot and the events must agree.
  void count(const SimCase& c, int sign) {
    rollover();
    for (Counts* counts : {&streets_[c.street], &categories_[c.category]}) {
      if (local_day(c.reported_at) == today_) counts->reported += sign;
      if (c.status != CaseStatus::Closed) counts->open += sign;
      if (c.status == CaseStatus::Overdue) counts->overdue += sign;
      if (c.status == CaseStatus::Closed && local_day(c.updated_at) == today_)
        counts->closed += sign;
    }
  }

  json message(const char* type) {
    return {{"v", 1},
            {"type", type},
            {"seq", seq_++},
            {"publisher", publisher_},
            {"sent_at", format_iso8601(system_clock::now(), kUtcOffset)}};
  }

  void publish_case(const SimCase& c) {
    json m = message("case");
    json body = {{"id", c.id},
                 {"street", c.street},
                 {"grid", c.grid},
                 {"category", c.category},
                 {"status", std::string(to_string(c.status))},
                 {"reported_at", format_iso8601(c.reported_at, kUtcOffset)},
                 {"updated_at", format_iso8601(c.updated_at, kUtcOffset)},
                 {"location", {c.location.first, c.location.second}}};
    if (c.major) body["major"] = true;
    m["case"] = std::move(body);
    send(m);
  }

  void send(const json& m) {
    const std::string text = m.dump();
    (void)socket_.send(zmq::buffer(text), zmq::send_flags::dontwait);
  }

  zmq::socket_t& socket_;
  std::string publisher_;
  std::mt19937_64 random_;
  std::vector<double> category_weights_;
  std::uint64_t seq_ = 0;
  std::uint64_t case_number_ = 0;
  std::chrono::year_month_day today_;
  std::unordered_map<std::string, SimCase> cases_;
  std::multimap<steady_clock::time_point, std::string> timeline_;
  std::map<std::string, Counts> streets_;
  std::map<std::string, Counts> categories_;
};

struct Burst {
  std::string street;
  std::string category;
  int count = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::string bind = "tcp://127.0.0.1:5570";
  std::string publisher = "casesim";
  double rate = 2;
  double seconds = 0;
  double counts_every = 30;
  double settle = 0.3;
  unsigned seed = std::random_device{}();
  std::vector<std::string> burst_specs;
  CLI::App cli{"videowall-casesim: simulated grid-management case feed (ZeroMQ PUB, schema v1)"};
  cli.add_option("--bind", bind, "ZeroMQ endpoint to bind the PUB socket to");
  cli.add_option("--rate", rate, "new cases per second")->check(CLI::Range(0.0, 10000.0));
  cli.add_option("--seconds", seconds, "stop after this many seconds (0: run until SIGINT/SIGTERM)")
      ->check(CLI::Range(0.0, 1e7));
  cli.add_option("--counts-every", counts_every, "seconds between counts snapshots")
      ->check(CLI::Range(0.1, 86400.0));
  cli.add_option("--settle", settle, "seconds to wait after binding so subscribers can join")
      ->check(CLI::Range(0.0, 60.0));
  cli.add_option("--seed", seed, "random seed (same seed, same stream of cases)");
  cli.add_option("--publisher", publisher, "publisher id in every message");
  cli.add_option("--burst", burst_specs,
                 "STREET:CATEGORY:N — N extra cases of one street and category in the first "
                 "second (for alarm rules), e.g. 花楼街:占道经营:23");
  CLI11_PARSE(cli, argc, argv);

  std::vector<Burst> bursts;
  for (const auto& spec : burst_specs) {
    const auto first = spec.find(':');
    const auto last = spec.rfind(':');
    Burst burst;
    if (first != std::string::npos && last != first) {
      burst.street = spec.substr(0, first);
      burst.category = spec.substr(first + 1, last - first - 1);
      try {
        burst.count = std::stoi(spec.substr(last + 1));
      } catch (const std::exception&) {
        burst.count = 0;
      }
    }
    const auto& streets = jianghan_streets();
    if (std::find(streets.begin(), streets.end(), burst.street) == streets.end() ||
        burst.category.empty() || burst.count < 1 || burst.count > 100000) {
      std::fprintf(stderr,
                   "videowall-casesim: --burst '%s': want STREET:CATEGORY:N with one of the 13 "
                   "streets and 1 <= N <= 100000, e.g. 花楼街:占道经营:23\n",
                   spec.c_str());
      return 2;
    }
    bursts.push_back(burst);
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  zmq::context_t context{1};
  zmq::socket_t socket{context, zmq::socket_type::pub};
  socket.set(zmq::sockopt::linger, 500);
  socket.set(zmq::sockopt::sndhwm, 100000);  // bursts go out whole
  try {
    socket.bind(bind);
  } catch (const zmq::error_t& error) {
    std::fprintf(stderr, "videowall-casesim: cannot bind %s: %s\n", bind.c_str(), error.what());
    return 1;
  }
  spdlog::info("casesim: publishing on {} as '{}' ({} cases/s, seed {})", bind, publisher, rate,
               seed);

  Simulator sim(socket, publisher, seed);
  sim.add_baseline();
  std::mt19937_64 arrivals(seed ^ 0x9E3779B97F4A7C15ull);
  std::exponential_distribution<double> gap(rate > 0 ? rate : 1);

  const auto start = steady_clock::now();
  const auto live = start + std::chrono::duration_cast<steady_clock::duration>(Seconds(settle));
  auto next_heartbeat = live;
  auto next_counts = live;
  auto next_case = live;
  bool bursts_done = bursts.empty();
  int signal_number = 0;
  for (;;) {
    const timespec tick{0, 20'000'000};
    signal_number = sigtimedwait(&signals, nullptr, &tick);
    if (signal_number == SIGINT || signal_number == SIGTERM) break;
    const auto now = steady_clock::now();
    if (seconds > 0 && now - start >= Seconds(seconds)) break;
    if (now < live) continue;
    if (now >= next_counts) {
      sim.snapshot();
      next_counts = now + std::chrono::duration_cast<steady_clock::duration>(Seconds(counts_every));
    }
    if (!bursts_done) {
      for (const auto& burst : bursts) {
        for (int i = 0; i < burst.count; ++i) sim.new_case(burst.street, burst.category, now);
        spdlog::info("casesim: burst of {} {} cases in {}", burst.count, burst.category,
                     burst.street);
      }
      bursts_done = true;
    }
    while (rate > 0 && next_case <= now) {
      sim.random_case(now);
      next_case += std::chrono::duration_cast<steady_clock::duration>(Seconds(gap(arrivals)));
    }
    sim.advance(now);
    if (now >= next_heartbeat) {
      sim.heartbeat();
      next_heartbeat += std::chrono::seconds(1);
    }
  }
  spdlog::info("casesim: {} after {} messages",
               signal_number > 0 ? "stopped by signal" : "time is up", sim.sent());
  return 0;
}
