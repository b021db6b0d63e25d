#include "controller/persist/audit_mac.hpp"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string_view>

namespace vw::controller {
namespace {

constexpr std::size_t kKeyBytes = 32;

// Lowercase hex (libsodium, which the trail already uses for SHA-256).
std::string hex_of(const unsigned char* bytes, std::size_t size) {
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, size);
  hex.pop_back();
  return hex;
}

struct MacDeleter {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
  void operator()(EVP_MD* md) const { EVP_MD_free(md); }
};

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  static const bool ready = sodium_init() >= 0;  // once, thread-safe (magic static)
  if (!ready) spdlog::error("libsodium failed to initialise");
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return hex_of(digest, sizeof digest);
}

std::string sm3_hex(std::string_view bytes) {
  static const std::unique_ptr<EVP_MD, MacDeleter> sm3(EVP_MD_fetch(nullptr, "SM3", nullptr));
  std::array<unsigned char, 32> out{};
  unsigned int size = 0;
  if (!sm3 || EVP_Digest(bytes.data(), bytes.size(), out.data(), &size, sm3.get(), nullptr) != 1 ||
      size != out.size())
    throw std::runtime_error("OpenSSL cannot compute SM3 (is SM3 in its default provider?)");
  return hex_of(out.data(), size);
}

std::string hmac_sm3_hex(std::string_view key, std::string_view bytes) {
  // The MAC algorithm is fetched once; a context per call keeps this safe from any thread.
  static const std::unique_ptr<EVP_MAC, MacDeleter> hmac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!hmac) throw std::runtime_error("OpenSSL has no HMAC");
  std::unique_ptr<EVP_MAC_CTX, MacDeleter> ctx(EVP_MAC_CTX_new(hmac.get()));
  char digest_name[] = "SM3";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  std::array<unsigned char, 32> out{};
  std::size_t size = 0;
  if (!ctx ||
      EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                   params) != 1 ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &size, out.size()) != 1 || size != out.size()) {
    throw std::runtime_error("OpenSSL cannot compute HMAC-SM3 (is SM3 in its default provider?)");
  }
  return hex_of(out.data(), size);
}

std::string load_audit_key(const std::string& path, bool create) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT && create) {
    std::array<unsigned char, kKeyBytes> key{};
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
      throw std::runtime_error(path + ": cannot make an audit key: no random bytes from OpenSSL");
    const std::string text = hex_of(key.data(), key.size()) + "\n";
    const int out =
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (out < 0)
      throw std::runtime_error(path + ": cannot create the audit key: " + std::strerror(errno));
    const bool written = ::fchmod(out, 0600) == 0 &&
                         ::write(out, text.data(), text.size()) == ssize_t(text.size()) &&
                         ::fsync(out) == 0;
    const int error = errno;
    ::close(out);
    if (!written) {
      ::unlink(path.c_str());
      throw std::runtime_error(path + ": cannot write the audit key: " + std::strerror(error));
    }
    spdlog::warn(
        "audit key {} created: keep a copy off this machine (wallctl audit verify --key "
        "needs it to check the trail)",
        path);
    return std::string(reinterpret_cast<const char*>(key.data()), key.size());
  }
  if (fd < 0)
    throw std::runtime_error(path + ": cannot open the audit key: " + std::strerror(errno));
  struct stat info {};
  std::array<char, 2 * kKeyBytes + 8> text{};
  const ssize_t n = ::fstat(fd, &info) == 0 ? ::read(fd, text.data(), text.size()) : -1;
  ::close(fd);
  if (n < 0)
    throw std::runtime_error(path + ": cannot read the audit key: " + std::strerror(errno));
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    throw std::runtime_error(
        fmt::format("{}: the audit key is open to group or others (mode {:o}); run 'chmod 600 {}'",
                    path, info.st_mode & 0777, path));
  }
  std::array<unsigned char, kKeyBytes> key{};
  std::size_t key_size = 0;
  const char* end = nullptr;
  const bool parsed = sodium_hex2bin(key.data(), key.size(), text.data(), std::size_t(n), nullptr,
                                     &key_size, &end) == 0 &&
                      key_size == kKeyBytes;
  const std::string_view rest(end != nullptr ? end : text.data(),
                              std::size_t(text.data() + n - (end != nullptr ? end : text.data())));
  const bool rest_blank = rest.find_first_not_of("\r\n") == std::string_view::npos;
  std::string bytes(reinterpret_cast<const char*>(key.data()), key.size());
  sodium_memzero(text.data(), text.size());
  sodium_memzero(key.data(), key.size());
  if (!parsed || !rest_blank)
    throw std::runtime_error(path + ": not an audit key (expected one line of 64 hex digits)");
  return bytes;
}

}  // namespace vw::controller
