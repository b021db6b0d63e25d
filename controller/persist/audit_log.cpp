#include "controller/persist/audit_log.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>

#include "controller/persist/audit_mac.hpp"

namespace vw::controller {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kZeroHash(64, '0');
constexpr std::string_view kHashKey = ",\"hash\":\"";
// Every line ends with `,"hash":"<64 hex>"}`; found by position, never by searching, because
// args may hold a "hash" key of their own.
constexpr std::size_t kSuffixSize = kHashKey.size() + 64 + 2;
constexpr std::size_t kMaxLineBytes = 64u * 1024 * 1024;

// Error kinds for report(): each is logged once, all are counted.
enum : unsigned {
  kErrWrite = 1,
  kErrShortWrite = 2,
  kErrSync = 4,
  kErrRotate = 8,
  kErrFormat = 16
};

std::string errno_text() {
  return std::strerror(errno);
}

// JSON text of `value`; invalid UTF-8 from a client becomes U+FFFD instead of throwing.
template <typename J>
std::string dump(const J& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string quoted(const std::string& s) {
  return dump(json(s));
}

bool is_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Now in China Standard Time (fixed +08:00, whatever the machine's TZ says).
std::string now_cst() {
  using namespace std::chrono;
  const auto local = floor<milliseconds>(system_clock::now()) + hours(8);
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss tod{local - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03d+08:00", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(tod.hours().count()),
                int(tod.minutes().count()), int(tod.seconds().count()),
                int(tod.subseconds().count()));
  return buf;
}

struct LineInfo {
  std::uint64_t seq = 0;
  std::string prev;
  std::string hash;
  bool keyed = false;  // "mac":"hmac-sm3"
};

constexpr std::string_view kKeyedMark = ",\"mac\":\"hmac-sm3\"";

// The line's "hash": HMAC-SM3 under `key` when the line says "mac":"hmac-sm3", else SHA-256.
std::string line_hash(std::string_view covered, bool keyed, const std::string& key) {
  return keyed ? hmac_sm3_hex(key, covered) : sha256_hex(covered);
}

// Checks one line (without its '\n'): shape, fields and its own hash (with `key` for a keyed
// line). Returns what is wrong, or "" when the line is a valid audit line (chain links are
// checked by the caller).
std::string check_line(std::string_view line, LineInfo& info, const std::string& key) {
  if (line.empty()) return "empty line";
  const std::size_t n = line.size();
  if (n <= kSuffixSize || line.substr(n - 2) != "\"}" ||
      line.substr(n - kSuffixSize, kHashKey.size()) != kHashKey ||
      !is_hex64(line.substr(n - 66, 64))) {
    return "malformed line (does not end with a \"hash\" field)";
  }
  const json j = json::parse(line.begin(), line.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "malformed line (not a JSON object)";
  for (const char* key : {"time", "identity", "name", "role", "command", "prev", "hash"}) {
    if (!j.contains(key) || !j[key].is_string()) {
      return std::string("missing or invalid field \"") + key + "\"";
    }
  }
  if (!j.contains("seq") || !j["seq"].is_number_unsigned() || j["seq"].get<std::uint64_t>() == 0) {
    return "missing or invalid field \"seq\"";
  }
  if (!j.contains("args")) return "missing field \"args\"";
  if (!j.contains("result") || !j["result"].is_object() || !j["result"].contains("ok") ||
      !j["result"]["ok"].is_boolean()) {
    return "missing or invalid field \"result\"";
  }
  info.seq = j["seq"].get<std::uint64_t>();
  info.prev = j["prev"].get<std::string>();
  info.hash = j["hash"].get<std::string>();
  if (!is_hex64(info.prev)) return "invalid field \"prev\" (not 64 hex digits)";
  if (info.hash != line.substr(n - 66, 64)) return "malformed line (\"hash\" given twice)";
  bool keyed = false;
  if (j.contains("mac")) {
    if (!j["mac"].is_string() || j["mac"] != "hmac-sm3")
      return "invalid field \"mac\" (only \"hmac-sm3\" is known)";
    if (key.empty())
      return "the line is keyed (HMAC-SM3): give the audit key to check it (--key FILE)";
    keyed = true;
  }
  info.keyed = keyed;
  std::string covered(line.substr(0, n - kSuffixSize));
  covered += '}';
  if (line_hash(covered, keyed, key) != info.hash)
    return keyed ? "MAC mismatch (line edited, or not this trail's key)"
                 : "hash mismatch (line edited)";
  return "";
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

void pread_all(int fd, char* buf, std::size_t size, off_t offset, const std::string& path) {
  while (size > 0) {
    const ssize_t n = ::pread(fd, buf, size, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(path + ": cannot read: " + (n < 0 ? errno_text() : "EOF"));
    buf += n;
    size -= std::size_t(n);
    offset += n;
  }
}

// The last line of `path` without its '\n', read backwards from the end in chunks (the file
// may be 16 MB); nullopt when the file is missing, empty or not a regular file.
std::optional<std::string> read_last_line(const std::string& path) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw std::runtime_error(path + ": cannot open the audit log: " + errno_text());
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) {
    throw std::runtime_error(path + ": cannot stat the audit log: " + errno_text());
  }
  if (!S_ISREG(st.st_mode) || st.st_size == 0) return std::nullopt;
  char last = 0;
  pread_all(f.fd, &last, 1, st.st_size - 1, path);
  if (last != '\n') {
    throw std::runtime_error(
        path +
        ": the last line of the audit log is incomplete (no newline at the end; a write was cut "
        "short), so its hash chain cannot be continued. Nothing was changed. Check the file "
        "with `wallctl audit verify`, then either cut the incomplete line off (keep everything "
        "up to the last newline) to continue the chain, or move the file aside to start anew.");
  }
  constexpr off_t kChunk = 64 * 1024;
  std::string tail;
  off_t pos = st.st_size - 1;  // the final '\n' is not part of the line
  while (pos > 0) {
    const off_t n = std::min(kChunk, pos);
    std::string chunk(std::size_t(n), '\0');
    pread_all(f.fd, chunk.data(), chunk.size(), pos - n, path);
    const auto nl = chunk.rfind('\n');
    if (nl != std::string::npos) {
      tail.insert(0, chunk, nl + 1);
      return tail;
    }
    tail.insert(0, chunk);
    pos -= n;
    if (tail.size() > kMaxLineBytes) {
      throw std::runtime_error(path + ": the last line of the audit log is longer than " +
                               std::to_string(kMaxLineBytes) + " bytes; not an audit line");
    }
  }
  return tail;
}

// Makes renames and new files durable; some file systems refuse fsync on folders (ignored).
void sync_folder(const std::string& path) {
  fs::path folder = fs::path(path).parent_path();
  if (folder.empty()) folder = ".";
  Fd f{::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (f.fd >= 0) (void)::fsync(f.fd);
}

// "<path>.head" holds the seq and hash of the last line written ("SEQ HASH\n"), replaced by a
// rename after every append. It is not synced: after a crash it may be older than the log, never
// newer, so a log that ends before it was cut (or replaced) since.
std::string head_path(const std::string& path) {
  return path + ".head";
}

std::optional<std::pair<std::uint64_t, std::string>> read_head(const std::string& path) {
  std::ifstream in(head_path(path));
  std::uint64_t seq = 0;
  std::string hash;
  if (!(in >> seq >> hash) || !is_hex64(hash)) return std::nullopt;
  return std::make_pair(seq, hash);
}

void write_head(const std::string& path, std::uint64_t seq, const std::string& hash) {
  const std::string temporary = head_path(path) + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << seq << ' ' << hash << '\n';
    if (!out) return;  // best effort: a missing head only weakens the check at the next start
  }
  std::error_code ec;
  fs::rename(temporary, head_path(path), ec);
}

}  // namespace

AuditLog::AuditLog(AuditOptions options) : options_(std::move(options)), hash_(kZeroHash) {
  const std::string& path = options_.path;
  if (path.empty()) throw std::runtime_error("audit log: no path given");
  options_.keep = std::max(options_.keep, 0);
  const fs::path folder = fs::path(path).parent_path();
  if (!folder.empty()) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) {
      throw std::runtime_error(path + ": cannot create the audit log's folder: " + ec.message());
    }
  }
  // An empty or missing file right after a rotation continues the chain of path.1.
  std::string from = path;
  std::optional<std::string> last = read_last_line(path);
  if (!last && options_.keep > 0) {
    from = path + ".1";
    last = read_last_line(from);
  }
  if (last) {
    LineInfo info;
    const std::string wrong = check_line(*last, info, options_.mac_key);
    if (!wrong.empty()) {
      throw std::runtime_error(from + ": the last line is not a valid audit line (" + wrong +
                               "), so its hash chain cannot be continued. Nothing was changed. "
                               "Check the file with `wallctl audit verify` and move it aside to "
                               "start a new audit log.");
    }
    seq_ = info.seq;
    hash_ = info.hash;
  }
  // A chain that went backwards (its tail cut, the file deleted or replaced) is not continued:
  // new lines would hide what was removed.
  if (const auto head = read_head(path)) {
    if (head->first > seq_ || (head->first == seq_ && head->second != hash_)) {
      throw std::runtime_error(
          path + ": the audit trail went backwards: line " + std::to_string(head->first) +
          " was written (" + head_path(path) + "), but the trail " +
          (head->first > seq_ ? "now ends at line " + std::to_string(seq_)
                              : "has a different line " + std::to_string(seq_)) +
          ": it was cut, deleted or replaced. Nothing was changed. Check it with `wallctl audit "
          "verify`, keep the files as evidence, then move them and the .head file aside to start "
          "a new trail.");
    }
  }
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    throw std::runtime_error(path + ": cannot open the audit log for appending: " + errno_text());
  }
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) size_ = std::uint64_t(st.st_size);
  if (size_ == 0) sync_folder(path);
}

AuditLog::~AuditLog() {
  if (fd_ >= 0) ::close(fd_);
}

std::uint64_t AuditLog::last_seq() const {
  std::lock_guard lock(mutex_);
  return seq_;
}

std::string AuditLog::last_hash() const {
  std::lock_guard lock(mutex_);
  return hash_;
}

std::uint64_t AuditLog::write_errors() const {
  std::lock_guard lock(mutex_);
  return write_errors_;
}

std::string AuditLog::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

void AuditLog::report(unsigned kind, const std::string& what) {
  ++write_errors_;
  last_error_ = what;
  if ((logged_kinds_ & kind) != 0) return;
  logged_kinds_ |= kind;
  spdlog::error("audit log {}: {} (further errors of this kind are only counted)", options_.path,
                what);
}

namespace {

// The part of an entry's line that does not depend on the chain ("identity" .. "result").
std::string entry_body(const AuditEntry& entry) {
  nlohmann::ordered_json result;
  result["ok"] = entry.ok;
  if (entry.ok) {
    result["changed"] = entry.changed;
  } else {
    result["code"] = entry.code;
    result["message"] = entry.message;
  }
  if (entry.state_version != 0) result["state_version"] = entry.state_version;
  std::string body;
  body += ",\"identity\":" + quoted(entry.origin.identity);
  body += ",\"name\":" + quoted(entry.origin.name);
  body += ",\"role\":" + quoted(entry.origin.role);
  body += ",\"command\":" + quoted(entry.command);
  body += ",\"args\":" + dump(entry.args);
  body += ",\"result\":" + dump(result);
  return body;
}

// The whole line with `seq` chained to `prev`; its hash (HMAC-SM3 under `key`, or SHA-256 when
// there is none) goes to `hash`.
std::string chained_line(std::uint64_t seq, const std::string& body, const std::string& prev,
                         const std::string& key, std::string& hash) {
  std::string line = "{\"seq\":" + std::to_string(seq) + ",\"time\":\"" + now_cst() + "\"" + body;
  if (!key.empty()) line += kKeyedMark;
  line += ",\"prev\":\"" + prev + "\"";
  line += '}';
  hash = line_hash(line, !key.empty(), key);
  line.pop_back();
  line += kHashKey;
  line += hash;
  line += "\"}\n";
  return line;
}

}  // namespace

bool AuditLog::append_batch(std::span<const AuditEntry> entries) {
  if (entries.empty()) return true;
  bool all_written = true;
  try {
    // Everything that does not depend on the chain is built before taking the lock.
    std::vector<std::string> bodies;
    bodies.reserve(entries.size());
    for (const auto& entry : entries) bodies.push_back(entry_body(entry));

    std::lock_guard lock(mutex_);
    // Lines go out together: one write() and one fdatasync for the batch, unless a rotation
    // falls inside it (then once per file).
    std::string pending;
    std::uint64_t seq = seq_;
    std::string hash = hash_;
    auto flush = [&] {
      if (pending.empty()) return;
      if (write_lines(pending)) {
        seq_ = seq;
        hash_ = hash;
        write_head(options_.path, seq_, hash_);
      } else {  // dropped (reported): the chain goes on from the last line in the file
        seq = seq_;
        hash = hash_;
        all_written = false;
      }
      pending.clear();
    };
    for (const auto& body : bodies) {
      std::string next_hash;
      std::string line = chained_line(seq + 1, body, hash, options_.mac_key, next_hash);
      const std::uint64_t written = size_ + pending.size();
      if (options_.rotate_bytes > 0 && written > 0 &&
          written + line.size() > options_.rotate_bytes) {
        flush();
        if (size_ > 0 && size_ + line.size() > options_.rotate_bytes) rotate();
        // the chain may have stepped back
        line = chained_line(seq + 1, body, hash, options_.mac_key, next_hash);
      }
      pending += line;
      ++seq;
      hash = std::move(next_hash);
    }
    flush();
    if (all_written) last_error_.clear();
    return all_written;
  } catch (const std::exception& e) {
    try {
      std::lock_guard lock(mutex_);
      report(kErrFormat, std::string("cannot write an entry: ") + e.what());
    } catch (...) {
    }
  } catch (...) {
  }
  return false;
}

bool AuditLog::write_lines(const std::string& lines) {
  ssize_t n = 0;
  do {
    n = ::write(fd_, lines.data(), lines.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    report(kErrWrite, "write failed: " + errno_text() + "; the entries were dropped");
    return false;
  }
  if (std::size_t(n) != lines.size()) {
    // Cut the torn part off so the file still ends with a whole line and the chain goes on.
    const std::string cut = ::ftruncate(fd_, off_t(size_)) == 0
                                ? "it was cut off again"
                                : "cutting it off failed (" + errno_text() + ")";
    report(kErrShortWrite, "short write (disk full?); the entries were dropped and " + cut);
    return false;
  }
  // Not durable is not written: the lines are cut off again, so that the file holds only what
  // the caller was told is recorded, and the chain goes on from the last synced line.
  if (::fdatasync(fd_) != 0) {
    const std::string why = errno_text();
    const std::string cut = ::ftruncate(fd_, off_t(size_)) == 0
                                ? "they were cut off again"
                                : "cutting them off failed (" + errno_text() + ")";
    report(kErrSync, "fdatasync failed: " + why + "; the entries were dropped and " + cut);
    return false;
  }
  size_ += lines.size();
  return true;
}

void AuditLog::rotate() {
  const std::string& path = options_.path;
  const int keep = options_.keep;
  auto numbered = [&](int i) { return path + "." + std::to_string(i); };
  // The new file is created first: if that fails nothing is renamed and the old one stays in use.
  const std::string fresh = path + ".new";
  const int fd = ::open(fresh.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    report(kErrRotate, "cannot create " + fresh + " to rotate: " + errno_text() +
                           "; still writing to the current file");
    return;
  }
  auto give_up = [&](const std::string& what) {
    report(kErrRotate, what + ": " + errno_text() + "; still writing to the current file");
    ::close(fd);
    ::unlink(fresh.c_str());
  };
  if (keep > 0) {
    for (int i = keep - 1; i >= 1; --i) {
      if (::rename(numbered(i).c_str(), numbered(i + 1).c_str()) != 0 && errno != ENOENT) {
        report(kErrRotate, "cannot rename " + numbered(i) + ": " + errno_text());
      }
    }
    if (::rename(path.c_str(), numbered(1).c_str()) != 0) {
      give_up("cannot rename " + path + " to " + numbered(1));
      return;
    }
  }
  if (::rename(fresh.c_str(), path.c_str()) != 0) {
    if (keep > 0) (void)::rename(numbered(1).c_str(), path.c_str());  // put it back
    give_up("cannot rename " + fresh + " to " + path);
    return;
  }
  ::close(fd_);
  fd_ = fd;
  size_ = 0;
  // Files beyond `keep` (left over from a larger keep) go.
  for (int i = keep + 1; ::unlink(numbered(i).c_str()) == 0; ++i) {
  }
  sync_folder(path);
}

AuditVerifyResult verify_audit_files(const std::vector<std::string>& files,
                                     const AuditAnchor* anchor, const std::string& key) {
  AuditVerifyResult r;
  if (files.empty()) {
    r.problem = "no files";
    return r;
  }
  bool started = false;
  std::uint64_t prev_seq = 0;
  std::string prev_hash;
  for (std::size_t fi = 0; fi < files.size(); ++fi) {
    const std::string& file = files[fi];
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      r.problem = file + ": cannot open: " + errno_text();
      return r;
    }
    std::string line;
    std::uint64_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      const std::string where = file + ":" + std::to_string(number) + ": ";
      if (in.eof()) {  // getline hit the end before a '\n'
        r.problem = where + "incomplete last line (no newline at the end; torn write or cut file)";
        return r;
      }
      LineInfo info;
      if (std::string wrong = check_line(line, info, key); !wrong.empty()) {
        r.problem = where + wrong;
        return r;
      }
      if (!started) {
        if (info.seq == 1 && info.prev != kZeroHash) {
          r.problem = where + "seq 1 but prev is not 64 zeros";
          return r;
        }
        r.first_seq = info.seq;
      } else if (info.seq != prev_seq + 1) {
        r.problem =
            where + "seq " + std::to_string(info.seq) + " follows " + std::to_string(prev_seq);
        if (info.seq <= prev_seq) {
          r.problem += " (lines reordered or duplicated?)";
        } else {
          const std::uint64_t from = prev_seq + 1, to = info.seq - 1;
          r.problem += from == to ? " (line " + std::to_string(from) + " removed"
                                  : " (lines " + std::to_string(from) + "-" + std::to_string(to) +
                                        " removed";
          r.problem += number == 1 && fi > 0 ? ", or a rotated file missing?)" : "?)";
        }
        return r;
      } else if (info.prev != prev_hash) {
        r.problem = where + "prev does not match the previous line's hash (line replaced?)";
        return r;
      }
      if (anchor && info.seq == anchor->seq && info.hash != anchor->hash) {
        r.problem = where + "seq " + std::to_string(info.seq) +
                    " does not have the anchor's hash (the file was rewritten since)";
        return r;
      }
      // A trail keyed since some line stays keyed: a SHA-256 line after it is a rewrite by
      // someone without the key (recomputing SHA-256 needs none).
      if (!key.empty() && r.keyed_lines > 0 && !info.keyed) {
        r.problem = where + "a SHA-256 line after HMAC-SM3 lines (rewritten without the key?)";
        return r;
      }
      if (info.keyed) ++r.keyed_lines;
      started = true;
      prev_seq = info.seq;
      prev_hash = info.hash;
      ++r.lines;
      r.last_seq = info.seq;
      r.last_hash = info.hash;
    }
    if (in.bad()) {
      r.problem = file + ": read error";
      return r;
    }
  }
  if (anchor && (r.lines == 0 || anchor->seq < r.first_seq || anchor->seq > r.last_seq)) {
    r.problem = "anchor seq " + std::to_string(anchor->seq) + " is not in the files (lines " +
                std::to_string(r.first_seq) + ".." + std::to_string(r.last_seq) + ")" +
                (anchor->seq > r.last_seq ? ": the end of the trail was cut off" : "");
    return r;
  }
  r.ok = true;
  return r;
}

}  // namespace vw::controller
