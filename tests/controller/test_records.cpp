// The controller's records fail closed, on real files: when the audit trail or the state file
// cannot be written (the file-size limit stands in for a full disk: write() fails with EFBIG at
// the byte the limit allows), a command is refused and undone, later commands are refused before
// they are applied, and the first command after the disk recovers is accepted, with the gap
// recorded. Also: the command queue's bound answers "busy" at once.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "controller/core/config.hpp"
#include "controller/core/wall_controller.hpp"
#include "controller/persist/audit_trail.hpp"
#include "controller/persist/state_store.hpp"
#include "layouts/layout.hpp"
#include "streams/stream_manager.hpp"

namespace vw::controller {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kConfig = R"(wall: {layout: 2x2}
cameras:
  - {id: a, name: 民族街-01, main: "rtsp://127.0.0.1:9/a"}
  - {id: b, name: 花楼街-01, main: "rtsp://127.0.0.1:9/b"}
)";

// Limits the size of any file this process writes (RLIMIT_FSIZE) while in scope; SIGXFSZ is
// ignored so that the write fails with EFBIG instead of killing the test.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    previous_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    ok_ = ::setrlimit(RLIMIT_FSIZE, &limit) == 0;
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_);
  }
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  void (*previous_)(int) = nullptr;
  bool ok_ = false;
};

class Records : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "vw-records-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    streams::StreamManagerOptions options;
    options.linger = 200ms;
    options.teardown_bound = 500ms;
    streams_ = std::make_unique<streams::StreamManager>(&wakeup_, options);
    AuditTrailOptions audit_options;
    audit_options.dir = dir_;
    audit_ = std::make_unique<AuditTrail>(audit_options);
    store_ = std::make_unique<StateStore>((fs::path(dir_) / "wall-state.json").string());
    ControllerServices services;
    services.audit = audit_.get();
    services.store = store_.get();
    services.on_health = [this](const RecordsHealth& health) {
      std::lock_guard lock(mutex_);
      health_events_.push_back(health);
    };
    wall_ = std::make_unique<WallController>(
        load_config_text(kConfig, "test.yaml", "/tmp"), layouts_, *streams_,
        [](renderer::WallViewPtr) {}, std::move(services));
  }
  void TearDown() override {
    wall_.reset();
    streams_.reset();
    audit_.reset();
    fs::remove_all(dir_);
  }

  CommandResult run(Command command) {
    auto future = wall_->submit(std::move(command), Origin{"test:records", "测试", "operator"});
    if (future.wait_for(10s) != std::future_status::ready) return {false, "timeout", "", 0, false};
    return future.get();
  }
  std::string audit_path() const { return (fs::path(dir_) / "audit.log").string(); }
  std::uintmax_t audit_size() const { return fs::file_size(audit_path()); }
  std::string saved_layout() {
    auto loaded = StateStore((fs::path(dir_) / "wall-state.json").string()).load();
    return loaded.state ? loaded.state->layout : "";
  }
  std::vector<RecordsHealth> health_events() {
    std::lock_guard lock(mutex_);
    return health_events_;
  }

  std::string dir_;
  streams::Wakeup wakeup_;
  layouts::LayoutLibrary layouts_;
  std::unique_ptr<streams::StreamManager> streams_;
  std::unique_ptr<AuditTrail> audit_;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<WallController> wall_;
  std::mutex mutex_;
  std::vector<RecordsHealth> health_events_;
};

TEST_F(Records, AuditFailureUndoesAndRefusesUntilItRecovers) {
  // Enough audit lines that the audit file is larger than the state file: with the limit at the
  // audit file's size, the state still saves and the audit append is what fails.
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(run(LayoutSet{i % 2 ? "3x3" : "1x1"}).ok);
  ASSERT_TRUE(run(LayoutSet{"2x2"}).changed);
  const auto version = wall_->state()->version;
  ASSERT_GT(audit_size(), fs::file_size(fs::path(dir_) / "wall-state.json") + 512);
  {
    FileSizeLimit full(audit_size());
    ASSERT_TRUE(full.ok());
    const CommandResult refused = run(LayoutSet{"3x3"});
    EXPECT_FALSE(refused.ok);
    EXPECT_EQ(refused.code, "audit_unavailable") << refused.message;
    EXPECT_NE(refused.message.find("undone"), std::string::npos) << refused.message;
    EXPECT_EQ(wall_->state()->layout, "2x2") << "an unaudited change does not stay";
    EXPECT_GT(wall_->state()->version, version) << "versions only grow";
    EXPECT_EQ(saved_layout(), "2x2") << "the undo was saved over the change";
    EXPECT_FALSE(wall_->records_health().audit_ok);
    EXPECT_NE(wall_->records_health().audit_error.find("File too large"), std::string::npos)
        << wall_->records_health().audit_error;

    const CommandResult again = run(TileAssign{1, "b"});
    EXPECT_EQ(again.code, "audit_unavailable") << again.message;
    EXPECT_NE(again.message.find("nothing was changed"), std::string::npos) << again.message;
    EXPECT_NE(wall_->state()->slots[0], "b");
  }
  // The disk has room again: the next command is accepted, after a line recording the gap.
  const CommandResult accepted = run(LayoutSet{"3x3"});
  EXPECT_TRUE(accepted.ok && accepted.changed) << accepted.code << ": " << accepted.message;
  EXPECT_TRUE(wall_->records_health().ok());
  const auto events = health_events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_FALSE(events[0].audit_ok);
  EXPECT_TRUE(events[1].ok());
  std::ifstream in(audit_path());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_NE(lines[lines.size() - 2].find("\"records.resumed\""), std::string::npos);
  EXPECT_NE(lines.back().find("\"3x3\""), std::string::npos) << lines.back();
  EXPECT_TRUE(verify_audit_files({audit_path()}).ok) << verify_audit_files({audit_path()}).problem;
}

TEST_F(Records, StateSaveFailureRefusesTheChange) {
  ASSERT_TRUE(run(LayoutSet{"3x3"}).changed);
  {
    FileSizeLimit full(64);  // smaller than any state file
    ASSERT_TRUE(full.ok());
    const CommandResult refused = run(LayoutSet{"1x1"});
    EXPECT_FALSE(refused.ok);
    EXPECT_EQ(refused.code, "state_unavailable") << refused.message;
    EXPECT_EQ(wall_->state()->layout, "3x3");
    EXPECT_FALSE(wall_->records_health().ok());
  }
  EXPECT_EQ(saved_layout(), "3x3");
  EXPECT_TRUE(run(LayoutSet{"1x1"}).changed);
  EXPECT_EQ(saved_layout(), "1x1");
  EXPECT_TRUE(wall_->records_health().ok());
}

TEST_F(Records, FullQueueAnswersBusyAtOnce) {
  // The controller's thread is held in the first command's reply until the queue is full.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> holding;
  wall_->submit(LayoutSet{"3x3"}, Origin{"test:records", "", "operator"},
                [&, released](const CommandResult&) {
                  holding.set_value();
                  released.wait();
                });
  ASSERT_EQ(holding.get_future().wait_for(10s), std::future_status::ready);
  std::vector<std::future<CommandResult>> queued;
  for (std::size_t i = 0; i < WallController::kMaxQueuedCommands; ++i)
    queued.push_back(
        wall_->submit(TileAssign{1, i % 2 ? "a" : "b"}, Origin{"test:records", "", "operator"}));
  auto busy = wall_->submit(LayoutSet{"1x1"}, Origin{"test:records", "", "operator"});
  ASSERT_EQ(busy.wait_for(0s), std::future_status::ready) << "answered before submit returned";
  const CommandResult result = busy.get();
  EXPECT_EQ(result.code, "busy");
  EXPECT_NE(result.message.find("1024"), std::string::npos) << result.message;
  release.set_value();
  for (auto& f : queued) {
    ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
    EXPECT_TRUE(f.get().ok);
  }
  EXPECT_EQ(wall_->state()->layout, "3x3");
}

}  // namespace
}  // namespace vw::controller
