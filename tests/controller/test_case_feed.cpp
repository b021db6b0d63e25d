// The case feed end to end: the schema v1 parser (good messages and every error kind), CaseFeed
// over real ZeroMQ sockets on 127.0.0.1 (numbers, gaps, silence, restarts, malformed input) and
// the real videowall-casesim. Every wait is bounded.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <zmq.hpp>

#include "controller/cases/case_feed.hpp"
#include "controller/cases/case_feed_parser.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/process.hpp"

namespace vw::controller {
namespace {

using json = nlohmann::json;
using std::chrono::system_clock;
using testing::eventually;
using testing::wait_exit;
using namespace std::chrono_literals;

const std::chrono::minutes kCst{8 * 60};
const system_clock::time_point kNow = *parse_iso8601("2024-05-01T10:00:00+08:00");

json header(const std::string& type, std::uint64_t seq) {
  return {{"v", 1},
          {"type", type},
          {"seq", seq},
          {"publisher", "jh-grid"},
          {"sent_at", "2024-05-01T10:00:00+08:00"}};
}

json case_message(std::uint64_t seq, const std::string& id, const std::string& street,
                  const std::string& category, const std::string& status,
                  const std::string& updated = "2024-05-01T09:30:00+08:00") {
  json m = header("case", seq);
  m["case"] = {{"id", id},
               {"street", street},
               {"grid", "JH102-07"},
               {"category", category},
               {"subcategory", "流动摊贩"},
               {"status", status},
               {"major", false},
               {"reported_at", "2024-05-01T09:00:00+08:00"},
               {"updated_at", updated},
               {"location", {114.27, 30.58}}};
  return m;
}

json counts_message(std::uint64_t seq) {
  json m = header("counts", seq);
  m["date"] = "2024-05-01";
  m["streets"] = {
      {{"name", "花楼街"}, {"reported", 30}, {"open", 10}, {"overdue", 2}, {"closed", 20}},
      {{"name", "民族街"}, {"reported", 12}, {"open", 2}, {"overdue", 0}, {"closed", 10}}};
  m["categories"] = {
      {{"name", "暴露垃圾"}, {"reported", 25}, {"open", 5}, {"overdue", 1}, {"closed", 20}},
      {{"name", "占道经营"}, {"reported", 17}, {"open", 7}, {"overdue", 1}, {"closed", 10}}};
  return m;
}

ParseError error_of(const std::string& bytes) {
  const auto parsed = parse_case_message(bytes);
  EXPECT_FALSE(parsed.ok()) << bytes.substr(0, 200);
  return parsed.ok() ? ParseError{} : parsed.error();
}

void expect_error(const json& message, std::string_view kind, const std::string& names) {
  const auto error = error_of(message.dump());
  EXPECT_EQ(to_string(error.kind), kind) << error.message;
  EXPECT_NE(error.message.find(names), std::string::npos) << error.message;
}

TEST(CaseMessageParser, ReadsEachType) {
  auto parsed =
      parse_case_message(case_message(7, "JH1", "花楼街", "占道经营", "dispatched").dump());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const auto& m = parsed.message();
  EXPECT_EQ(m.header.seq, 7u);
  EXPECT_EQ(m.header.publisher, "jh-grid");
  EXPECT_EQ(m.header.sent_at, kNow);
  const auto& e = std::get<CaseMessage>(m.body).event;
  EXPECT_EQ(e.id, "JH1");
  EXPECT_EQ(e.street, "花楼街");
  EXPECT_EQ(e.category, "占道经营");
  EXPECT_EQ(e.subcategory, "流动摊贩");
  EXPECT_EQ(e.status, CaseStatus::Dispatched);
  EXPECT_EQ(e.sequence, 7u);
  EXPECT_EQ(e.reported_at, kNow - 1h);
  ASSERT_TRUE(e.location.has_value());
  EXPECT_DOUBLE_EQ(e.location->first, 114.27);

  parsed = parse_case_message(counts_message(8).dump());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const auto& counts = std::get<CountsMessage>(parsed.message().body);
  EXPECT_EQ(counts.date, std::chrono::year_month_day(std::chrono::year{2024}, std::chrono::May,
                                                     std::chrono::day{1}));
  ASSERT_EQ(counts.streets.size(), 2u);
  EXPECT_EQ(counts.streets[0].name, "花楼街");
  EXPECT_EQ(counts.streets[0].overdue, 2);
  EXPECT_EQ(counts.categories[1].closed, 10);

  parsed = parse_case_message(header("heartbeat", 9).dump());
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(std::holds_alternative<Heartbeat>(parsed.message().body));
}

TEST(CaseMessageParser, OptionalFieldsMayBeAbsentOrNull) {
  json m = case_message(1, "JH1", "花楼街", "占道经营", "reported");
  m["case"].erase("subcategory");
  m["case"].erase("major");
  m["case"]["location"] = nullptr;
  m["extra_field_from_v1_1"] = "ignored";
  const auto parsed = parse_case_message(m.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_FALSE(std::get<CaseMessage>(parsed.message().body).event.location.has_value());
}

TEST(CaseMessageParser, EveryErrorKind) {
  EXPECT_EQ(to_string(error_of("{\"v\":1,").kind), "not_json");
  EXPECT_EQ(to_string(error_of(std::string("\x00\xff\xfe binary\x01", 12)).kind), "not_json");
  EXPECT_EQ(to_string(error_of("").kind), "not_json");
  EXPECT_EQ(to_string(error_of("{\"v\":1,\"type\":\"\xff\xfe\"}").kind), "not_json");  // bad UTF-8
  EXPECT_EQ(to_string(error_of(std::string(70 * 1024, ' ')).kind), "too_large");
  EXPECT_EQ(to_string(error_of(std::string(100000, '[')).kind), "too_large");
  EXPECT_EQ(to_string(error_of(std::string(20, '[') + std::string(20, ']')).kind), "too_large");

  json m = header("heartbeat", 1);
  m["v"] = 2;
  expect_error(m, "bad_version", "v:");
  m = header("alarm", 1);
  expect_error(m, "unknown_type", "type:");
  m = header("heartbeat", 1);
  m.erase("seq");
  expect_error(m, "missing_field", "seq");
  m = case_message(1, "JH1", "花楼街", "占道经营", "reported");
  m["case"].erase("street");
  expect_error(m, "missing_field", "case.street");
  m = header("heartbeat", 1);
  m["seq"] = "12";
  expect_error(m, "wrong_type", "seq");
  m = case_message(1, "JH1", "花楼街", "占道经营", "reported");
  m["case"]["major"] = "yes";
  expect_error(m, "wrong_type", "case.major");
  expect_error(json::array({1, 2}), "wrong_type", "message");
  m = counts_message(1);
  m["streets"][1]["open"] = 2.5;
  expect_error(m, "wrong_type", "streets[1].open");
  m = case_message(1, "JH1", "花楼街", "占道经营", "done");
  expect_error(m, "bad_value", "case.status");
  m = header("heartbeat", 1);
  m["seq"] = -3;
  expect_error(m, "bad_value", "seq");
  m = header("heartbeat", 1);
  m["sent_at"] = "2024-05-01T10:00:00";  // no offset
  expect_error(m, "bad_value", "sent_at");
  m = case_message(1, "JH1", "花楼街", "占道经营", "reported");
  m["case"]["location"] = {200.0, 30.0};
  expect_error(m, "bad_value", "case.location");
  m = case_message(1, "JH1", "花楼街", "占道经营", "reported", "2024-05-01T08:00:00+08:00");
  expect_error(m, "bad_value", "case.updated_at");
  m = counts_message(1);
  m["date"] = "2024-02-30";
  expect_error(m, "bad_value", "date");
  m = case_message(1, std::string(300, 'x'), "花楼街", "占道经营", "reported");
  expect_error(m, "bad_value", "case.id");
}

TEST(CaseMessageParser, Iso8601) {
  EXPECT_EQ(parse_iso8601("2024-05-01T02:00:00Z"), kNow);
  EXPECT_EQ(parse_iso8601("2024-05-01T10:00:00+0800"), kNow);
  EXPECT_EQ(parse_iso8601("2024-05-01T10:00:00.250+08:00"), kNow + 250ms);
  EXPECT_FALSE(parse_iso8601("2024-05-01 10:00:00+08:00"));
  EXPECT_FALSE(parse_iso8601("2024-05-01T24:00:00+08:00"));
  EXPECT_FALSE(parse_iso8601("9999-05-01T10:00:00+08:00"));  // outside 2000..2199
  EXPECT_FALSE(parse_iso8601("2024-05-01T10:00:00+08:00 "));
  EXPECT_EQ(format_iso8601(kNow, kCst), "2024-05-01T10:00:00+08:00");
  EXPECT_EQ(format_iso8601(kNow + 250ms, kCst), "2024-05-01T10:00:00.250+08:00");
  EXPECT_EQ(parse_iso8601(format_iso8601(kNow + 5ms, std::chrono::minutes{-90})), kNow + 5ms);
}

// ---- CaseFeed over real sockets ------------------------------------------------------------

constexpr auto kWait = 5s;  // bound of the waits on the feed

// A PUB socket on a free loopback port, standing in for the platform.
class Publisher {
 public:
  // With `curve_secret`, a CURVE server with that key (the platform's publisher key).
  explicit Publisher(zmq::context_t& context, const std::string& endpoint = "tcp://127.0.0.1:*",
                     const std::string& curve_secret = {})
      : socket_(context, zmq::socket_type::pub) {
    socket_.set(zmq::sockopt::linger, 0);
    if (!curve_secret.empty()) {
      socket_.set(zmq::sockopt::curve_server, true);
      socket_.set(zmq::sockopt::curve_secretkey, curve_secret);
    }
    socket_.set(zmq::sockopt::sndhwm, 100000);
    const auto until = std::chrono::steady_clock::now() + 3s;
    for (;;) {  // a just-closed listener on the same port may take a moment to go
      try {
        socket_.bind(endpoint);
        break;
      } catch (const zmq::error_t&) {
        if (std::chrono::steady_clock::now() > until) throw;
        std::this_thread::sleep_for(20ms);
      }
    }
    endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
  }
  const std::string& endpoint() const { return endpoint_; }
  std::uint64_t next_seq() const { return seq_; }
  void skip(std::uint64_t count) { seq_ += count; }

  void raw(std::string_view bytes) {
    ASSERT_TRUE(socket_.send(zmq::buffer(bytes.data(), bytes.size()), zmq::send_flags::none));
  }
  void send(json message) {  // stamps the next seq
    message["seq"] = seq_++;
    raw(message.dump());
  }
  void heartbeat() { send(header("heartbeat", 0)); }
  void counts() { send(counts_message(0)); }

  // Heartbeats until the feed has taken one (the subscription needs a moment to arrive).
  void sync(const CaseFeed& feed) {
    const auto before = feed.stats().accepted;
    ASSERT_TRUE(eventually(
        [&] {
          heartbeat();
          return feed.stats().accepted > before;
        },
        kWait))
        << "the feed never received a heartbeat from " << endpoint_;
  }

 private:
  zmq::socket_t socket_;
  std::string endpoint_;
  std::uint64_t seq_ = 0;
};

struct FeedTest : ::testing::Test {
  zmq::context_t context{1};
  std::atomic<int> views{0};
  std::vector<CaseEvent> events;  // feed thread writes, read after waits
  std::mutex events_mutex;
  // The board's steady clock runs this far ahead of the real one, so that a test can let a
  // quiet period pass without sleeping through it.
  std::atomic<std::chrono::steady_clock::duration> skipped{};

  std::unique_ptr<CaseFeed> start(const std::string& endpoint, CaseFeedOptions options = {}) {
    options.endpoints = {endpoint};
    return std::make_unique<CaseFeed>(
        options, [this](renderer::CaseViewPtr) { ++views; },
        [this](const CaseEvent& e) {
          std::lock_guard lock(events_mutex);
          events.push_back(e);
        },
        [] { return kNow; }, [this] { return std::chrono::steady_clock::now() + skipped.load(); });
  }
};

// The feed as a CURVE client of pinned publisher keys (cases.curve): the keyed publisher's cases
// are taken; the same connection claiming another publisher id is refused; a publisher without
// the pinned key (no CURVE, or another key) gets nothing through, however major its case.
TEST_F(FeedTest, CurvePinsEachPublishersKeyAndId) {
  auto key_pair = [] {
    std::array<char, 41> public_key{}, secret_key{};
    EXPECT_EQ(zmq_curve_keypair(public_key.data(), secret_key.data()), 0);
    return std::pair{std::string(public_key.data()), std::string(secret_key.data())};
  };
  const auto [grid_public, grid_secret] = key_pair();
  const auto [wall_public, wall_secret] = key_pair();
  const auto other_secret = key_pair().second;
  Publisher grid(context, "tcp://127.0.0.1:*", grid_secret);
  Publisher forger(context);                                       // no CURVE at all
  Publisher impostor(context, "tcp://127.0.0.1:*", other_secret);  // CURVE, another key
  CaseFeedOptions options;
  options.publishers = {{"jh-grid", grid.endpoint(), grid_public},
                        {"jh-grid", forger.endpoint(), grid_public},
                        {"jh-grid", impostor.endpoint(), grid_public}};
  options.client_public_key = wall_public;
  options.client_secret_key = wall_secret;
  auto feed = start(grid.endpoint(), options);
  grid.sync(*feed);

  auto forged = [](std::uint64_t seq) {
    json m = case_message(seq, "FORGED", "花楼街", "重大事件", "reported");
    m["case"]["major"] = true;
    return m;
  };
  json claimed = case_message(0, "CLAIMED", "民族街", "占道经营", "reported");
  claimed["publisher"] = "other-grid";  // a publisher id that is not this key's
  grid.send(claimed);
  auto seen = [&](const std::string& id) {
    std::lock_guard lock(events_mutex);
    return std::any_of(events.begin(), events.end(),
                       [&](const CaseEvent& e) { return e.id == id; });
  };
  // The forgers keep sending for the whole wait; the keyed publisher's marker arrives meanwhile.
  bool marked = false;
  const bool forged_through = eventually(
      [&] {
        forger.send(forged(forger.next_seq()));
        impostor.send(forged(impostor.next_seq()));
        if (!marked) grid.send(case_message(0, "MARK", "水塔街", "暴露垃圾", "reported"));
        marked = marked || seen("MARK");
        return seen("FORGED");
      },
      2s, 50ms);
  EXPECT_FALSE(forged_through) << "a case from a publisher without the pinned key was taken";
  EXPECT_TRUE(seen("MARK"));
  EXPECT_FALSE(seen("CLAIMED"));
  EXPECT_EQ(feed->stats().rejected_by_kind.count("unexpected_publisher"), 1u);
}

TEST_F(FeedTest, PublishedMessagesBecomeTheView) {
  Publisher pub(context);
  auto feed = start(pub.endpoint());
  pub.sync(*feed);
  EXPECT_TRUE(feed->stats().stale);  // no counts snapshot yet
  pub.counts();
  pub.send(case_message(0, "JH1", "花楼街", "占道经营", "reported", "2024-05-01T09:00:00+08:00"));
  // An update of a case reported before the snapshot: already in its figures.
  pub.send(case_message(0, "JH2", "花楼街", "暴露垃圾", "dispatched"));
  pub.send(case_message(0, "JH2", "花楼街", "暴露垃圾", "dispatched"));  // duplicate
  pub.send(case_message(0, "JH3", "民族街", "暴露垃圾", "reported", "2024-05-01T09:00:00+08:00"));
  for (int i = 0; i < 200; ++i) {  // a burst: views are rate-limited
    pub.send(case_message(0, "B" + std::to_string(i), "万松街", "共享单车乱停放", "reported"));
  }
  ASSERT_TRUE(eventually(
      [&] {
        const auto view = feed->view();
        return view && view->reported_today == 42 + 202;
      },
      kWait))
      << (feed->view() ? feed->view()->reported_today : -1);
  const auto view = feed->view();
  EXPECT_FALSE(view->stale) << view->stale_reason;
  EXPECT_EQ(view->open, 12 + 202);
  EXPECT_EQ(view->closed_today, 30);
  ASSERT_EQ(view->streets.size(), 13u);
  EXPECT_EQ(view->streets[1].name, "花楼街");
  EXPECT_EQ(view->streets[1].reported, 31);
  EXPECT_EQ(view->streets[1].open, 11);
  EXPECT_EQ(view->streets[0].name, "民族街");
  EXPECT_EQ(view->streets[0].reported, 13);
  EXPECT_EQ(view->categories[0].name, "共享单车乱停放");
  EXPECT_EQ(view->latest.size(), 20u);
  const auto stats = feed->stats();
  EXPECT_EQ(stats.rejected, 0u);
  EXPECT_EQ(stats.board.duplicates, 1u);
  EXPECT_EQ(stats.board.gaps, 0u);
  EXPECT_EQ(stats.board.last_seq.at("jh-grid"), pub.next_seq() - 1);
  EXPECT_LT(views.load(), 30) << "at most one view per 100 ms";
  std::lock_guard lock(events_mutex);
  EXPECT_EQ(events.size(), 203u);  // applied events only: the duplicate is not passed on
}

TEST_F(FeedTest, SequenceGapMakesItStaleUntilCounts) {
  Publisher pub(context);
  auto feed = start(pub.endpoint());
  pub.sync(*feed);
  pub.counts();
  ASSERT_TRUE(eventually([&] { return feed->view() && !feed->view()->stale; }, kWait));
  pub.skip(5);
  pub.heartbeat();
  ASSERT_TRUE(eventually([&] { return feed->view()->stale; }, kWait));
  EXPECT_NE(feed->view()->stale_reason.find("sequence gap"), std::string::npos)
      << feed->view()->stale_reason;
  pub.heartbeat();
  pub.send(case_message(0, "JH9", "花楼街", "占道经营", "reported"));
  ASSERT_TRUE(eventually([&] { return feed->view()->reported_today == 43; }, kWait));
  EXPECT_TRUE(feed->view()->stale) << "only a counts snapshot can fill a gap";
  pub.counts();
  ASSERT_TRUE(eventually([&] { return !feed->view()->stale; }, kWait));
  EXPECT_EQ(feed->stats().board.gaps, 1u);
  EXPECT_EQ(feed->stats().board.lost, 5u);
}

TEST_F(FeedTest, SilenceMakesItStaleAndAHeartbeatClearsIt) {
  Publisher pub(context);
  CaseFeedOptions options;
  options.board.silence_timeout = 300ms;
  auto feed = start(pub.endpoint(), options);
  pub.sync(*feed);
  pub.counts();
  ASSERT_TRUE(eventually([&] { return feed->view() && !feed->view()->stale; }, kWait));
  ASSERT_TRUE(eventually([&] { return feed->view()->stale; }, 2s));
  EXPECT_NE(feed->view()->stale_reason.find("no message"), std::string::npos);
  pub.heartbeat();
  ASSERT_TRUE(eventually([&] { return !feed->view()->stale; }, kWait));
}

TEST_F(FeedTest, RestartedPublisherRecovers) {
  CaseFeedOptions options;
  options.board.restart_quiet = 200ms;
  auto pub = std::make_unique<Publisher>(context);
  const std::string endpoint = pub->endpoint();
  auto feed = start(endpoint, options);
  for (int i = 0; i < 50; ++i) pub->heartbeat();  // seq well above the restarted one's
  pub->sync(*feed);
  pub->counts();
  ASSERT_TRUE(eventually([&] { return feed->view() && !feed->view()->stale; }, kWait));
  pub.reset();  // the platform goes away ...
  ASSERT_TRUE(eventually([&] { return feed->stats().disconnects >= 1; }, kWait))
      << "the feed did not see the publisher go";
  skipped = options.board.restart_quiet;                 // ... stays away for restart_quiet ...
  pub = std::make_unique<Publisher>(context, endpoint);  // ... and comes back at seq 0
  pub->sync(*feed);
  ASSERT_TRUE(eventually([&] { return feed->stats().board.restarts == 1; }, kWait));
  EXPECT_TRUE(feed->view()->stale);
  pub->counts();
  ASSERT_TRUE(eventually([&] { return !feed->view()->stale; }, kWait));
  EXPECT_EQ(feed->stats().board.gaps, 0u);
}

TEST_F(FeedTest, MalformedMessagesAreCountedAndTheGoodOnesAllApplied) {
  Publisher pub(context);
  CaseFeedOptions options;
  options.transport_max_bytes = 2 * 1024 * 1024;  // let the 1 MB frame reach the parser
  auto feed = start(pub.endpoint(), options);
  pub.sync(*feed);
  pub.counts();
  json wrong_type = header("heartbeat", 0);
  wrong_type["seq"] = "x";
  json missing = case_message(0, "JH1", "花楼街", "占道经营", "reported");
  missing["case"].erase("category");
  const std::vector<std::string> bad = {"not json at all",
                                        wrong_type.dump(),
                                        missing.dump(),
                                        std::string("\x00\x01\x02\xff", 4),
                                        std::string(1024 * 1024, 'x'),
                                        std::string(50, '{'),
                                        ""};
  int good = 0;
  for (const auto& bytes : bad) {
    pub.send(case_message(0, "G" + std::to_string(good++), "唐家墩街", "渣土撒漏", "reported"));
    pub.raw(bytes);
  }
  pub.send(case_message(0, "G" + std::to_string(good++), "唐家墩街", "渣土撒漏", "reported"));
  ASSERT_TRUE(eventually([&] { return feed->stats().rejected == bad.size(); }, kWait))
      << feed->stats().rejected;
  ASSERT_TRUE(eventually([&] { return feed->view()->reported_today == 42 + good; }, kWait));
  const auto stats = feed->stats();
  EXPECT_EQ(stats.rejected_by_kind.at("not_json"), 3u);
  EXPECT_EQ(stats.rejected_by_kind.at("wrong_type"), 1u);
  EXPECT_EQ(stats.rejected_by_kind.at("missing_field"), 1u);
  EXPECT_EQ(stats.rejected_by_kind.at("too_large"), 2u);
  EXPECT_EQ(stats.board.gaps, 0u);
  EXPECT_FALSE(feed->view()->stale) << feed->view()->stale_reason;
}

TEST_F(FeedTest, OversizedFrameIsDroppedByTheTransportAndTheFeedRecovers) {
  Publisher pub(context);
  auto feed = start(pub.endpoint());  // ZMQ_MAXMSGSIZE 64 KiB
  pub.sync(*feed);
  pub.counts();
  pub.send(case_message(0, "before", "北湖街", "暴露垃圾", "reported"));
  ASSERT_TRUE(
      eventually([&] { return feed->view() && feed->view()->reported_today == 43; }, kWait));
  pub.raw(std::string(1024 * 1024, 'x'));
  ASSERT_TRUE(eventually([&] { return feed->stats().disconnects >= 1; }, kWait))
      << "libzmq should drop the connection on a frame above ZMQ_MAXMSGSIZE";
  pub.sync(*feed);  // reconnected
  pub.counts();
  pub.send(case_message(0, "after", "北湖街", "暴露垃圾", "reported"));
  ASSERT_TRUE(eventually([&] { return feed->view()->latest.front().id == "after"; }, kWait));
  EXPECT_EQ(feed->view()->reported_today, 43);  // the snapshot's 42 and "after"
  EXPECT_FALSE(feed->view()->stale) << feed->view()->stale_reason;
  EXPECT_GE(feed->stats().socket_rebuilds, 1u);
}

TEST_F(FeedTest, BadEndpointThrowsAtConstruction) {
  EXPECT_THROW(start("nonsense://here"), std::runtime_error);
}

// ---- the real simulator ---------------------------------------------------------------------

// A loopback port free right now. The probe has a context of its own: closing a socket only
// queues the close to libzmq's I/O thread, while terminating the context waits until the
// listener is really gone, so the child can bind the port at once.
int free_port() {
  zmq::context_t context{1};
  std::string endpoint;
  {
    zmq::socket_t probe(context, zmq::socket_type::pub);
    probe.set(zmq::sockopt::linger, 0);
    probe.bind("tcp://127.0.0.1:*");
    endpoint = probe.get(zmq::sockopt::last_endpoint);
  }
  context.close();
  return std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
}

pid_t spawn_casesim(const std::vector<std::string>& args) {
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv{const_cast<char*>(VIDEOWALL_CASESIM_BIN)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(VIDEOWALL_CASESIM_BIN, argv.data());
    _exit(127);
  }
  return pid;
}

TEST(Casesim, FillsTheFeed) {
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(free_port());
  CaseFeedOptions options;
  options.endpoints = {endpoint};
  CaseFeed feed(options, {});  // connects first; ZeroMQ retries until the simulator binds
  const pid_t pid =
      spawn_casesim({"--bind", endpoint, "--rate", "40", "--seconds", "3", "--counts-every", "1",
                     "--seed", "7", "--burst", "花楼街:占道经营:23"});
  ASSERT_GT(pid, 0);
  EXPECT_EQ(wait_exit(pid, 20s), 0);
  const auto stats = feed.stats();
  EXPECT_GT(stats.accepted, 60u);
  EXPECT_EQ(stats.rejected, 0u);
  EXPECT_EQ(stats.board.gaps, 0u);
  EXPECT_GE(stats.board.counts_applied, 1u);
  ASSERT_TRUE(eventually([&] { return feed.view() != nullptr; }, kWait));
  const auto view = feed.view();
  EXPECT_FALSE(view->stale) << view->stale_reason;
  EXPECT_GT(view->reported_today, 23 + 40);
  ASSERT_EQ(view->streets.size(), 13u);
  EXPECT_GE(view->streets[1].reported, 23);  // 花楼街 with the burst
  EXPECT_EQ(view->latest.size(), 20u);
  EXPECT_FALSE(view->categories.empty());
}

TEST(Casesim, ExitsCleanlyOnSigterm) {
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(free_port());
  const pid_t pid = spawn_casesim({"--bind", endpoint, "--seed", "1"});
  ASSERT_GT(pid, 0);
  std::this_thread::sleep_for(700ms);
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_exit(pid, 5s), 0);
  EXPECT_EQ(wait_exit(spawn_casesim({"--burst", "nowhere:x:3"}), 5s), 2);
}

}  // namespace
}  // namespace vw::controller
