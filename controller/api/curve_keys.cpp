#include "controller/api/curve_keys.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace vw::controller::api {

namespace {

constexpr std::size_t kZ85KeyLength = 40;
constexpr std::size_t kRawKeyLength = 32;
constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
// Key files are a few lines; anything bigger is not one (and must not be read whole).
constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;

using RawKey = std::array<std::uint8_t, kRawKeyLength>;

// zmq_z85_decode writes len*4/5 bytes unchecked and stops at a NUL, so the length and alphabet
// are checked here first; it still rejects groups whose value overflows 32 bits.
std::optional<RawKey> decode_key(const std::string& z85) {
  if (z85.size() != kZ85KeyLength) return std::nullopt;
  for (const char c : z85) {
    if (c == '\0' || kZ85Alphabet.find(c) == std::string_view::npos) return std::nullopt;
  }
  RawKey raw{};
  if (zmq_z85_decode(raw.data(), z85.c_str()) == nullptr) return std::nullopt;
  return raw;
}

void ensure_sodium() {
  // sodium_init is thread-safe, but once is enough; a static makes it so.
  static const int result = sodium_init();
  if (result < 0) throw std::runtime_error("libsodium could not be initialised");
}

std::string errno_text(int error) {
  return std::strerror(error);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, so that a failed close (data not written) is reported.
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

// O_EXCL: an existing key is never replaced (it may be the only copy of a secret).
int create_exclusive(const std::string& path, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) {
    const int error = errno;
    if (error == EEXIST) {
      throw std::runtime_error(path + ": already exists, refusing to overwrite it");
    }
    throw std::runtime_error(path + ": cannot create: " + errno_text(error));
  }
  // The umask may have dropped bits of `mode` (0644 for the .pub); set it exactly.
  if (::fchmod(fd, mode) != 0) {
    const int error = errno;
    ::close(fd);
    throw std::runtime_error(path + ": cannot set mode: " + errno_text(error));
  }
  return fd;
}

void write_all(Fd& fd, const std::string& path, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(path + ": cannot write: " + errno_text(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0 || fd.close() != 0) {
    throw std::runtime_error(path + ": cannot write: " + errno_text(errno));
  }
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

std::string expected_line(std::string_view name) {
  return "expected '" + std::string(name) + " = <40 Z85 characters>'";
}

// Reads the whole file; the fstat of the same descriptor also gives the mode to check.
std::string read_small_file(const std::string& path, mode_t& mode) {
  // O_NONBLOCK: a FIFO given by mistake must not hang the open.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) throw std::runtime_error(path + ": cannot open: " + errno_text(errno));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    throw std::runtime_error(path + ": cannot stat: " + errno_text(errno));
  }
  if (!S_ISREG(info.st_mode)) throw std::runtime_error(path + ": not a regular file");
  mode = info.st_mode;
  std::string content;
  std::array<char, 4096> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(path + ": cannot read: " + errno_text(errno));
    }
    if (n == 0) break;
    content.append(buffer.data(), static_cast<std::size_t>(n));
    if (content.size() > kMaxKeyFileBytes) {
      sodium_memzero(content.data(), content.size());
      throw std::runtime_error(path + ": too large for a key file");
    }
  }
  sodium_memzero(buffer.data(), buffer.size());
  return content;
}

struct ParsedKeyFile {
  std::string public_key;
  std::string secret_key;
  int public_line = 0;
  int secret_line = 0;
};

// Errors never quote the offending line: it may hold (part of) a secret key.
ParsedKeyFile parse_key_file(const std::string& path, std::string_view content) {
  const bool is_pub = ends_with(path, ".pub");
  ParsedKeyFile parsed;
  int line_number = 0;
  std::size_t start = 0;
  while (start <= content.size()) {
    auto end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    const std::string_view line = trim(content.substr(start, end - start));
    ++line_number;
    start = end + 1;
    if (line.empty() || line.front() == '#') continue;
    const std::string where = path + ":" + std::to_string(line_number) + ": ";
    const auto equals = line.find('=');
    const std::string_view name = trim(line.substr(0, equals));
    const bool known = name == "public-key" || name == "secret-key";
    if (!known) {
      if (is_pub) throw std::runtime_error(where + expected_line("public-key"));
      throw std::runtime_error(where + expected_line("public-key") + " or '" +
                               "secret-key = <40 Z85 characters>'");
    }
    const std::string value(equals == std::string_view::npos ? std::string_view{}
                                                             : trim(line.substr(equals + 1)));
    if (!is_valid_key(value)) throw std::runtime_error(where + expected_line(name));
    const bool is_secret = name == "secret-key";
    if (is_secret && is_pub) {
      throw std::runtime_error(where + "a .pub file must not hold a secret key");
    }
    std::string& slot = is_secret ? parsed.secret_key : parsed.public_key;
    int& slot_line = is_secret ? parsed.secret_line : parsed.public_line;
    if (!slot.empty()) {
      throw std::runtime_error(where + "second '" + std::string(name) + "' line (first on line " +
                               std::to_string(slot_line) + ")");
    }
    slot = value;
    slot_line = line_number;
  }
  return parsed;
}

}  // namespace

KeyPair generate_key_pair() {
  std::array<char, kZ85KeyLength + 1> public_key{};
  std::array<char, kZ85KeyLength + 1> secret_key{};
  if (zmq_curve_keypair(public_key.data(), secret_key.data()) != 0) {
    throw std::runtime_error(std::string("cannot generate a CURVE key pair: ") +
                             zmq_strerror(zmq_errno()) +
                             (zmq_has("curve") ? "" : " (libzmq built without CURVE)"));
  }
  KeyPair keys{public_key.data(), secret_key.data()};
  sodium_memzero(secret_key.data(), secret_key.size());
  return keys;
}

std::string public_key_of(const std::string& secret_z85) {
  if (!is_valid_key(secret_z85)) {
    throw std::runtime_error("not a valid CURVE secret key (expected 40 Z85 characters)");
  }
  std::array<char, kZ85KeyLength + 1> public_key{};
  if (zmq_curve_public(public_key.data(), secret_z85.c_str()) != 0) {
    throw std::runtime_error(std::string("cannot derive the CURVE public key: ") +
                             zmq_strerror(zmq_errno()));
  }
  return public_key.data();
}

bool is_valid_key(const std::string& z85) {
  return decode_key(z85).has_value();
}

std::string fingerprint(const std::string& public_z85) {
  const auto raw = decode_key(public_z85);
  if (!raw) throw std::runtime_error("not a valid CURVE public key (expected 40 Z85 characters)");
  ensure_sodium();
  std::array<unsigned char, crypto_hash_sha256_BYTES> hash{};
  crypto_hash_sha256(hash.data(), raw->data(), raw->size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = "sha256:";
  for (std::size_t i = 0; i < 8; ++i) {  // 8 bytes: the first 16 hex digits
    text += kHex[hash[i] >> 4];
    text += kHex[hash[i] & 0x0f];
  }
  return text;
}

void write_key_files(const std::string& base, const KeyPair& keys) {
  if (!is_valid_key(keys.public_key) || !is_valid_key(keys.secret_key)) {
    throw std::runtime_error(base + ": not a valid CURVE key pair (expected 40 Z85 characters)");
  }
  if (public_key_of(keys.secret_key) != keys.public_key) {
    throw std::runtime_error(base + ": the public key does not match the secret key");
  }
  const std::string key_path = base + ".key";
  const std::string pub_path = base + ".pub";
  // Both are created before anything is written, so an existing .pub leaves no stray .key.
  Fd key_fd(create_exclusive(key_path, 0600));
  std::optional<Fd> pub_fd;
  try {
    pub_fd.emplace(create_exclusive(pub_path, 0644));
  } catch (...) {
    ::unlink(key_path.c_str());  // ours: just created with O_EXCL
    throw;
  }
  try {
    std::string secret_text = "# videowall CURVE secret key\npublic-key = " + keys.public_key +
                              "\nsecret-key = " + keys.secret_key + "\n";
    try {
      write_all(key_fd, key_path, secret_text);
    } catch (...) {
      sodium_memzero(secret_text.data(), secret_text.size());
      throw;
    }
    sodium_memzero(secret_text.data(), secret_text.size());
    write_all(*pub_fd, pub_path,
              "# videowall CURVE public key\npublic-key = " + keys.public_key + "\n");
  } catch (...) {
    // Half-written key files would fail later in confusing ways; leave none.
    ::unlink(key_path.c_str());
    ::unlink(pub_path.c_str());
    throw;
  }
}

KeyPair read_key_file(const std::string& path) {
  mode_t mode = 0;
  std::string content = read_small_file(path, mode);
  ParsedKeyFile parsed;
  try {
    parsed = parse_key_file(path, content);
  } catch (...) {
    sodium_memzero(content.data(), content.size());
    throw;
  }
  sodium_memzero(content.data(), content.size());

  if (parsed.secret_key.empty()) {
    if (ends_with(path, ".key")) {
      throw std::runtime_error(path + ": no 'secret-key = <40 Z85 characters>' line");
    }
    if (parsed.public_key.empty()) {
      throw std::runtime_error(path + ": no 'public-key = <40 Z85 characters>' line");
    }
    if ((mode & (S_IWGRP | S_IWOTH)) != 0) {
      spdlog::warn(
          "{}: the public key file is writable by group or others (mode {:o}): whoever "
          "can write it can put their own key in its place; run 'chmod 644 {}'",
          path, mode & 0777, path);
    }
    return KeyPair{parsed.public_key, ""};
  }

  const std::string derived = public_key_of(parsed.secret_key);
  if (!parsed.public_key.empty() && parsed.public_key != derived) {
    throw std::runtime_error(path + ":" + std::to_string(parsed.public_line) +
                             ": public-key does not match the secret key on line " +
                             std::to_string(parsed.secret_line));
  }
  if ((mode & (S_IRGRP | S_IROTH)) != 0) {
    // Like ssh with a private key: a secret others may have read is no longer a secret.
    throw std::runtime_error(fmt::format(
        "{}: the secret key file is readable by group or others (mode {:o}); refusing to use it. "
        "Run 'chmod 600 {}' (and make a new key pair if others may have read it)",
        path, mode & 0777, path));
  }
  return KeyPair{derived, parsed.secret_key};
}

}  // namespace vw::controller::api
