// Audit log: real files in a temp folder; chain, reopen, tamper detection, a chain that went
// backwards, rotation, threads (HMAC-SM3 and AuditTrail: test_audit_trail.cpp).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "controller/persist/audit_log.hpp"
#include "tests/controller/audit_test_support.hpp"

namespace vw::controller {
namespace {
TEST(AuditHash, Sha256KnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(AuditLogTest, AppendThenVerify) {
  append_n(20, options());
  const auto lines = read_lines(path_);
  ASSERT_EQ(lines.size(), 20u);
  const auto r = verify_audit_files({path_});
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.lines, 20u);
  EXPECT_EQ(r.first_seq, 1u);
  EXPECT_EQ(r.last_seq, 20u);
}

// A chain alone cannot see a cut-off tail or a whole rewrite; a head recorded elsewhere can.
TEST_F(AuditLogTest, AnchorFindsACutTailAndARewrite) {
  std::string head;
  {
    AuditLog log(options());
    for (int i = 0; i < 10; ++i) log.append(entry(i));
    head = log.last_hash();
  }
  const auto full = verify_audit_files({path_});
  ASSERT_TRUE(full.ok) << full.problem;
  EXPECT_EQ(full.last_hash, head);
  const AuditAnchor anchor{10, head};
  EXPECT_TRUE(verify_audit_files({path_}, &anchor).ok);

  auto lines = read_lines(path_);
  write_lines(path_, {lines.begin(), lines.begin() + 8});  // the last two lines cut off
  EXPECT_TRUE(verify_audit_files({path_}).ok);             // still a valid chain...
  auto cut = verify_audit_files({path_}, &anchor);         // ...but not the recorded one
  EXPECT_FALSE(cut.ok);
  EXPECT_NE(cut.problem.find("cut off"), std::string::npos) << cut.problem;

  // Rewritten from scratch: ten valid lines with other contents, by someone who also removed
  // the head file the daemon would have refused to start with (see the next test).
  fs::remove(path_);
  fs::remove(path_ + ".head");
  {
    AuditLog log(options());
    for (int i = 0; i < 10; ++i) log.append(entry(100 + i));
  }
  EXPECT_TRUE(verify_audit_files({path_}).ok);
  auto rewritten = verify_audit_files({path_}, &anchor);
  EXPECT_FALSE(rewritten.ok);
  EXPECT_EQ(rewritten.problem,
            path_ + ":10: seq 10 does not have the anchor's hash (the file was rewritten since)");
}

// The daemon does not continue a chain that went backwards: new lines would hide what was cut.
TEST_F(AuditLogTest, ChainThatWentBackwardsIsNotContinued) {
  append_n(5, options());
  const auto lines = read_lines(path_);
  auto refused = [&](const char* why) {
    try {
      AuditLog log(options());
      ADD_FAILURE() << "continued a trail that was " << why;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("went backwards"), std::string::npos) << e.what();
    }
  };
  write_lines(path_, {lines.begin(), lines.begin() + 3});
  refused("cut");
  fs::remove(path_);
  refused("deleted");
  {
    AuditLog other(AuditOptions{dir_ + "/other.log", 0, 10});
    for (int i = 0; i < 5; ++i) other.append(entry(50 + i));
  }
  fs::copy_file(dir_ + "/other.log", path_, fs::copy_options::overwrite_existing);
  refused("replaced by another chain of the same length");
  write_lines(path_, lines);
  EXPECT_NO_THROW(AuditLog log(options())) << "the untouched trail continues";
}

TEST_F(AuditLogTest, LineFormat) {
  {
    AuditLog log(options());
    log.append(entry(0));
    AuditEntry refused;
    refused.origin = Origin{"anonymous:loopback", "", "viewer"};
    refused.command = "auth.refused";
    refused.code = "forbidden";
    refused.message = "viewer may not change the wall";
    log.append(refused);
  }
  const auto lines = read_lines(path_);
  ASSERT_EQ(lines.size(), 2u);
  const std::regex first(
      R"re(^\{"seq":1,"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00","identity":"curve:sha256:1a2b3c4d5e6f7a8b","name":"应急指挥席","role":"operator","command":"layout\.set","args":\{"i":0,"layout":"2x2"\},"result":\{"ok":true,"changed":true,"state_version":40\},"prev":"0{64}","hash":"[0-9a-f]{64}"\}$)re");
  EXPECT_TRUE(std::regex_match(lines[0], first)) << lines[0];
  const auto j0 = nlohmann::json::parse(lines[0]);
  const auto j1 = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(j1["seq"], 2);
  EXPECT_EQ(j1["prev"], j0["hash"]);
  EXPECT_EQ(j1["result"],
            nlohmann::json::parse(
                R"({"ok":false,"code":"forbidden","message":"viewer may not change the wall"})"));
  // The hash covers the exact bytes up to `,"hash":` plus `}`.
  const auto cut = lines[0].rfind(",\"hash\":");
  EXPECT_EQ(sha256_hex(lines[0].substr(0, cut) + "}"), j0["hash"]);
}

TEST_F(AuditLogTest, CreatesMissingFolder) {
  const std::string nested = (fs::path(dir_) / "a" / "b" / "audit.log").string();
  AuditLog log(AuditOptions{nested, 0, 10});
  log.append(entry(1));
  EXPECT_TRUE(verify_audit_files({nested}).ok);
}

TEST_F(AuditLogTest, ReopenContinuesChain) {
  std::string hash;
  {
    AuditLog log(options());
    for (int i = 0; i < 5; ++i) log.append(entry(i));
    hash = log.last_hash();
  }
  AuditLog log(options());
  EXPECT_EQ(log.last_seq(), 5u);
  EXPECT_EQ(log.last_hash(), hash);
  log.append(entry(5));
  const auto lines = read_lines(path_);
  ASSERT_EQ(lines.size(), 6u);
  const auto j = nlohmann::json::parse(lines[5]);
  EXPECT_EQ(j["seq"], 6);
  EXPECT_EQ(j["prev"], hash);
  const auto r = verify_audit_files({path_});
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.lines, 6u);
}

TEST_F(AuditLogTest, EditedLineDetected) {
  append_n(10, options());
  auto lines = read_lines(path_);
  const auto at = lines[6].find("\"layout\":\"2x2\"");
  ASSERT_NE(at, std::string::npos);
  lines[6][at + 10] = '3';  // 2x2 -> 3x2, still valid JSON
  write_lines(path_, lines);
  const auto r = verify_audit_files({path_});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.problem, path_ + ":7: hash mismatch (line edited)");
  EXPECT_EQ(r.lines, 6u);
}

TEST_F(AuditLogTest, DeletedLineDetected) {
  append_n(10, options());
  auto lines = read_lines(path_);
  lines.erase(lines.begin() + 7);  // seq 8
  write_lines(path_, lines);
  const auto r = verify_audit_files({path_});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.problem, path_ + ":8: seq 9 follows 7 (line 8 removed?)");
}

TEST_F(AuditLogTest, SwappedLinesDetected) {
  append_n(10, options());
  auto lines = read_lines(path_);
  std::swap(lines[3], lines[4]);
  write_lines(path_, lines);
  const auto r = verify_audit_files({path_});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.problem.find(path_ + ":4: seq 5 follows 3"), std::string::npos) << r.problem;
}

TEST_F(AuditLogTest, ChainMayStartMidway) {
  append_n(3, options());
  auto lines = read_lines(path_);
  lines.erase(lines.begin());
  write_lines(path_, lines);
  // Starting at seq 2 is fine (rotated away); a seq 1 line must chain to zeros.
  EXPECT_TRUE(verify_audit_files({path_}).ok);
}

TEST_F(AuditLogTest, TruncatedLastLineDetectedAndRefused) {
  append_n(5, options());
  std::string text = read_file(path_);
  text.resize(text.size() - 10);
  write_file(path_, text);
  const auto r = verify_audit_files({path_});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.problem.find(path_ + ":5: incomplete last line"), std::string::npos) << r.problem;
  try {
    AuditLog log(options());
    FAIL() << "opened a file with a torn last line";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path_), std::string::npos) << what;
    EXPECT_NE(what.find("incomplete"), std::string::npos) << what;
  }
  EXPECT_EQ(read_file(path_), text);  // untouched
}

TEST_F(AuditLogTest, MalformedExistingFileRefused) {
  const std::string text = "{\"seq\":1}\nnot an audit line\n";
  write_file(path_, text);
  try {
    AuditLog log(options());
    FAIL() << "opened a malformed audit log";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path_), std::string::npos) << what;
    EXPECT_NE(what.find("not a valid audit line"), std::string::npos) << what;
  }
  EXPECT_EQ(read_file(path_), text);
  const auto r = verify_audit_files({path_});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.problem.rfind(path_ + ":1: malformed line", 0), 0u) << r.problem;
}

TEST_F(AuditLogTest, EditedLastLineRefused) {
  append_n(3, options());
  auto lines = read_lines(path_);
  lines[2].replace(lines[2].find("2x2"), 3, "3x3");
  write_lines(path_, lines);
  EXPECT_THROW(AuditLog log(options()), std::runtime_error);
}

TEST_F(AuditLogTest, LongLastLineReadFromTheEnd) {
  {
    AuditLog log(options());
    for (int i = 0; i < 3; ++i) {
      AuditEntry e = entry(i);
      e.args["blob"] = std::string(200 * 1024, 'x');  // longer than one tail chunk
      log.append(e);
    }
  }
  AuditLog log(options());
  EXPECT_EQ(log.last_seq(), 3u);
  log.append(entry(3));
  EXPECT_TRUE(verify_audit_files({path_}).ok);
}

TEST_F(AuditLogTest, RotationKeepsTheChain) {
  AuditOptions opt{path_, 2000, 5};
  int n = 0;
  {
    AuditLog log(opt);
    while (!fs::exists(path_ + ".2") && n < 1000) log.append(entry(n++));
    log.append(entry(n++));
    EXPECT_EQ(log.last_seq(), std::uint64_t(n));
    EXPECT_EQ(log.write_errors(), 0u);
  }
  ASSERT_TRUE(fs::exists(path_ + ".2"));
  EXPECT_FALSE(fs::exists(path_ + ".3"));
  for (const auto& p : {path_, path_ + ".1", path_ + ".2"}) EXPECT_LE(fs::file_size(p), 2000u);

  auto r = verify_audit_files({path_ + ".2", path_ + ".1", path_});
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.lines, std::uint64_t(n));
  EXPECT_EQ(r.first_seq, 1u);

  r = verify_audit_files({path_});  // starts mid-chain
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_GT(r.first_seq, 1u);
  EXPECT_EQ(r.last_seq, std::uint64_t(n));

  r = verify_audit_files({path_ + ".2", path_});  // middle file missing
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.problem.find(path_ + ":1: seq "), std::string::npos) << r.problem;
  EXPECT_NE(r.problem.find("rotated file missing"), std::string::npos) << r.problem;

  // Reopening continues in the current file.
  AuditLog log(opt);
  log.append(entry(n++));
  r = verify_audit_files({path_ + ".2", path_ + ".1", path_});
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.last_seq, std::uint64_t(n));
}

TEST_F(AuditLogTest, KeepLimitDeletesOldest) {
  AuditOptions opt{path_, 1000, 2};
  append_n(60, opt);
  EXPECT_TRUE(fs::exists(path_));
  EXPECT_TRUE(fs::exists(path_ + ".1"));
  EXPECT_TRUE(fs::exists(path_ + ".2"));
  EXPECT_FALSE(fs::exists(path_ + ".3"));
  EXPECT_FALSE(fs::exists(path_ + ".new"));
  const auto r = verify_audit_files({path_ + ".2", path_ + ".1", path_});
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_GT(r.first_seq, 1u);
  EXPECT_EQ(r.last_seq, 60u);
}

TEST_F(AuditLogTest, EmptyFileAfterRotationContinuesFromPreviousFile) {
  AuditOptions opt{path_, 1000, 3};
  append_n(10, opt);
  ASSERT_TRUE(fs::exists(path_ + ".1"));
  fs::rename(path_, path_ + ".1");  // as if stopped right after a rotation
  write_file(path_, "");
  append_n(1, opt);
  const auto r = verify_audit_files({path_ + ".1", path_});
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.last_seq, 11u);
}

TEST_F(AuditLogTest, ConcurrentAppends) {
  {
    AuditLog log(options());
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&log, t] {
        for (int i = 0; i < 200; ++i) log.append(entry(t * 1000 + i));
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(log.last_seq(), 800u);
    EXPECT_EQ(log.write_errors(), 0u);
  }
  EXPECT_EQ(read_lines(path_).size(), 800u);
  const auto r = verify_audit_files({path_});
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.lines, 800u);
}

TEST_F(AuditLogTest, InvalidUtf8DoesNotThrow) {
  {
    AuditLog log(options());
    AuditEntry e = entry(0);
    e.args = {{"camera", std::string("cam\xff\xfe-01")}, {std::string("k\xc3"), 1}};
    e.origin.name = std::string("bad\x80name");
    EXPECT_NO_THROW(log.append(e));
    EXPECT_EQ(log.write_errors(), 0u);
    EXPECT_EQ(log.last_seq(), 1u);
  }
  const auto r = verify_audit_files({path_});
  EXPECT_TRUE(r.ok) << r.problem;
  const auto j = nlohmann::json::parse(read_lines(path_)[0]);
  EXPECT_EQ(j["name"], "bad\xef\xbf\xbdname");  // U+FFFD
}

TEST_F(AuditLogTest, WriteErrorsAreCountedNotThrown) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  AuditLog log(AuditOptions{"/dev/full", 0, 0});
  EXPECT_NO_THROW(log.append(entry(0)));
  EXPECT_NO_THROW(log.append(entry(1)));
  EXPECT_EQ(log.write_errors(), 2u);
  EXPECT_EQ(log.last_seq(), 0u);  // nothing was written, the chain did not move
}

TEST(AuditVerify, NoFilesAndMissingFile) {
  EXPECT_EQ(verify_audit_files({}).problem, "no files");
  const auto r = verify_audit_files({"/nonexistent/audit.log"});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.problem.rfind("/nonexistent/audit.log: cannot open", 0), 0u) << r.problem;
}

}  // namespace
}  // namespace vw::controller
