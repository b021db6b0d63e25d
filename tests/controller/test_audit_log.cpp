// Audit trail: real files in a temp folder; chain, reopen, tamper detection, rotation, threads;
// AuditTrail: refusals in their own log, summarised, so that a flood cannot evict commands.
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
#include "controller/persist/audit_trail.hpp"

namespace vw::controller {
namespace {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  write_file(path, text);
}

AuditEntry entry(int i) {
  AuditEntry e;
  e.origin = Origin{"curve:sha256:1a2b3c4d5e6f7a8b", "应急指挥席", "operator"};
  e.command = "layout.set";
  e.args = {{"layout", "2x2"}, {"i", i}};
  e.ok = true;
  e.changed = true;
  e.state_version = std::uint64_t(40 + i);
  return e;
}

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "vw-audit-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (fs::path(dir_) / "audit.log").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  void append_n(int n, AuditOptions options) {
    AuditLog log(std::move(options));
    for (int i = 0; i < n; ++i) log.append(entry(i));
    EXPECT_EQ(log.write_errors(), 0u);
  }
  AuditOptions options() const { return AuditOptions{path_, 0, 10}; }

  std::string dir_;
  std::string path_;
};

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

  fs::remove(path_);  // rewritten from scratch: ten valid lines with other contents
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

// ---------------------------------------------------------------------------------------------
// HMAC-SM3 (the national algorithms): the same MAC as OpenSSL's own command line computes, a
// keyed chain checkable only with its key, and no silent downgrade to SHA-256.

std::string openssl_hmac_sm3(const std::string& key_hex, const std::string& text,
                             const std::string& dir) {
  const std::string input = dir + "/mac-input";
  write_file(input, text);
  const std::string command =
      "openssl dgst -sm3 -mac HMAC -macopt hexkey:" + key_hex + " " + input + " 2>&1";
  std::string output;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[256];
    while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
    ::pclose(pipe);
  }
  const auto eq = output.rfind("= ");
  return eq == std::string::npos ? output : output.substr(eq + 2, 64);
}

TEST_F(AuditLogTest, HmacSm3IsWhatOpenSslComputes) {
  const std::string key_hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  std::string key;
  for (std::size_t i = 0; i < key_hex.size(); i += 2)
    key += static_cast<char>(std::stoi(key_hex.substr(i, 2), nullptr, 16));
  for (const std::string& text :
       {std::string("abc"), std::string("花楼街 {\"seq\":1}"), std::string(100000, 'x')})
    EXPECT_EQ(hmac_sm3_hex(key, text), openssl_hmac_sm3(key_hex, text, dir_)) << text.size();
}

TEST_F(AuditLogTest, KeyedChainChecksOnlyWithItsKey) {
  const std::string key_path = dir_ + "/audit.key";
  const std::string key = load_audit_key(key_path, true);
  EXPECT_EQ(fs::status(key_path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(load_audit_key(key_path, false), key);
  {
    AuditOptions keyed = options();
    keyed.mac_key = key;
    AuditLog log(keyed);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(log.append(entry(i)));
  }
  const auto lines = read_lines(path_);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find(",\"mac\":\"hmac-sm3\",\"prev\":"), std::string::npos) << lines[0];
  const auto good = verify_audit_files({path_}, nullptr, key);
  EXPECT_TRUE(good.ok) << good.problem;
  EXPECT_EQ(good.keyed_lines, 3u);
  EXPECT_NE(verify_audit_files({path_}).problem.find("give the audit key"), std::string::npos);
  const std::string other(32, 'k');
  EXPECT_NE(verify_audit_files({path_}, nullptr, other).problem.find("MAC mismatch"),
            std::string::npos);
  // The daemon does not continue a keyed chain without its key.
  EXPECT_THROW(AuditLog log(options()), std::runtime_error);

  // A downgrade: a SHA-256 line (which needs no key to make) chained after the keyed ones.
  const std::string plain_path = dir_ + "/plain.log";
  { AuditLog(AuditOptions{plain_path, 0, 0}).append(entry(9)); }
  std::string forged = read_lines(plain_path)[0];
  const auto prev = nlohmann::json::parse(lines[2])["hash"].get<std::string>();
  forged.replace(forged.find("\"seq\":1,"), 8, "\"seq\":4,");
  forged.replace(forged.find(std::string(64, '0')), 64, prev);
  const auto hash_at = forged.rfind(",\"hash\":\"");
  forged = forged.substr(0, hash_at) + ",\"hash\":\"" +
           sha256_hex(forged.substr(0, hash_at) + "}") + "\"}";
  write_lines(path_, {lines[0], lines[1], lines[2], forged});
  EXPECT_TRUE(verify_audit_files({path_}).problem.find("give the audit key") != std::string::npos);
  const auto downgraded = verify_audit_files({path_}, nullptr, key);
  EXPECT_FALSE(downgraded.ok);
  EXPECT_NE(downgraded.problem.find("SHA-256 line after HMAC-SM3"), std::string::npos)
      << downgraded.problem;

  // The key file: open to others, or not a key, is refused by name without quoting it.
  ASSERT_EQ(::chmod(key_path.c_str(), 0640), 0);
  EXPECT_THROW(load_audit_key(key_path, false), std::runtime_error);
  ASSERT_EQ(::chmod(key_path.c_str(), 0600), 0);
  write_file(key_path, "not a key\n");
  ::chmod(key_path.c_str(), 0600);
  EXPECT_THROW(load_audit_key(key_path, false), std::runtime_error);
  EXPECT_THROW(load_audit_key(dir_ + "/missing.key", false), std::runtime_error);
}

// ---------------------------------------------------------------------------------------------
// AuditTrail

AuditEntry refusal(const std::string& identity, const std::string& code, int i) {
  AuditEntry e;
  e.origin = Origin{identity, "", "viewer"};
  e.command = "layout.set";
  e.args = {{"layout", "x" + std::to_string(i)}};
  e.code = code;
  e.message = "layout.set needs the operator role";
  return e;
}

std::uint64_t bytes_of(const std::string& dir, const std::string& prefix) {
  std::uint64_t total = 0;
  for (const auto& file : fs::directory_iterator(dir))
    if (file.path().filename().string().rfind(prefix, 0) == 0) total += file.file_size();
  return total;
}

// The flood the review measured (every refused request its own line and sync, rotation deleting
// the oldest file): a million refusals from one client, then a scan from many identities, on a
// small trail. The command records survive, both chains verify, and the refusal log stays small.
TEST_F(AuditLogTest, RefusalFloodCannotEvictCommands) {
  AuditTrailOptions options;
  options.dir = dir_;
  options.rotate_bytes = 64 * 1024;
  options.keep = 2;
  options.max_refusal_keys = 64;
  constexpr int kCommands = 20, kFlood = 1000000, kIdentities = 5000;
  {
    AuditTrail trail(options);
    for (int i = 0; i < kCommands / 2; ++i) ASSERT_TRUE(trail.append(entry(i)));
    for (int i = 0; i < kFlood; ++i)
      ASSERT_TRUE(trail.append(refusal("anonymous:127.0.0.1", "forbidden", i)));
    for (int i = 0; i < kIdentities; ++i)
      ASSERT_TRUE(
          trail.append(refusal("anonymous:127.0." + std::to_string(i) + ".1", "bad_json", i)));
    for (int i = kCommands / 2; i < kCommands; ++i) ASSERT_TRUE(trail.append(entry(i)));
  }  // closing writes the open windows' counts
  const auto commands = read_lines(path_);
  ASSERT_EQ(commands.size(), std::size_t(kCommands));
  for (const auto& line : commands) EXPECT_NE(line.find("\"ok\":true"), std::string::npos);
  EXPECT_TRUE(verify_audit_files({path_}).ok) << verify_audit_files({path_}).problem;
  const std::string refusals = (fs::path(dir_) / "audit-refusals.log").string();
  const auto verified = verify_audit_files({refusals});
  EXPECT_TRUE(verified.ok) << verified.problem;
  // Every refusal is accounted for: written in full, or counted in a summary line.
  std::uint64_t accounted = 0;
  for (const auto& line : read_lines(refusals)) {
    const auto j = nlohmann::json::parse(line);
    accounted +=
        j["command"] == "refusals.summary" ? j["args"]["suppressed"].get<std::uint64_t>() : 1;
  }
  EXPECT_EQ(accounted, std::uint64_t(kFlood + kIdentities));
  const double per_refusal = double(bytes_of(dir_, "audit-refusals")) / (kFlood + kIdentities);
  std::printf("audit bytes per refusal: %.4f (before: ~466, one line each)\n", per_refusal);
  EXPECT_LT(per_refusal, 1.0);
}

TEST_F(AuditLogTest, RefusalWindowsAreSummarisedWhenTheyEnd) {
  AuditTrailOptions options;
  options.dir = dir_;
  options.refusal_window = std::chrono::seconds(0);  // every window has ended at once
  {
    AuditTrail trail(options);
    ASSERT_TRUE(trail.append(refusal("curve:sha256:aa", "forbidden", 0)));
    trail.flush_due();  // nothing suppressed yet: nothing to write
  }
  EXPECT_EQ(read_lines((fs::path(dir_) / "audit-refusals.log").string()).size(), 1u);
  options.refusal_window = std::chrono::seconds(3600);
  {
    AuditTrail trail(options);
    for (int i = 0; i < 6; ++i)
      ASSERT_TRUE(trail.append(refusal("curve:sha256:bb", "forbidden", i)));
    trail.flush_due();  // the window is still open: its count waits
    EXPECT_EQ(read_lines((fs::path(dir_) / "audit-refusals.log").string()).size(), 2u);
  }
  const auto lines = read_lines((fs::path(dir_) / "audit-refusals.log").string());
  ASSERT_EQ(lines.size(), 3u);
  const auto summary = nlohmann::json::parse(lines[2]);
  EXPECT_EQ(summary["command"], "refusals.summary");
  EXPECT_EQ(summary["identity"], "curve:sha256:bb");
  EXPECT_EQ(summary["args"]["suppressed"], 5);
  EXPECT_EQ(summary["args"]["last_command"], "layout.set");
  EXPECT_EQ(summary["result"]["code"], "forbidden");
  EXPECT_FALSE(fs::exists(path_) && !read_lines(path_).empty()) << "no refusal in the command log";
}

TEST_F(AuditLogTest, FailedWritesAreReportedToTheCaller) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  fs::create_symlink("/dev/full", fs::path(dir_) / "audit.log");
  AuditTrailOptions options;
  options.dir = dir_;
  AuditTrail trail(options);
  EXPECT_FALSE(trail.append(entry(0)));
  EXPECT_NE(trail.last_error().find("No space left"), std::string::npos) << trail.last_error();
  EXPECT_TRUE(trail.append(refusal("x", "forbidden", 0))) << "the refusals' log still works";
  EXPECT_FALSE(trail.append(entry(1)));
}

}  // namespace
}  // namespace vw::controller
