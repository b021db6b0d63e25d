// The audit trail's protections on real files: HMAC-SM3 (the national algorithms) against the
// openssl command line, a keyed chain checkable only with its key, no downgrade; AuditTrail:
// refusals in their own log, summarised, so that a flood cannot evict the record of commands.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/controller/audit_test_support.hpp"

namespace vw::controller {
namespace {

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
  constexpr int kCommands = 20, kFlood = 200000, kIdentities = 5000;
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
