// How each audit line's "hash" is made. SHA-256 of the line's text finds an edited or removed
// line, but anyone can recompute a whole rewritten chain. HMAC-SM3 (GB/T 15852.2 with the SM3
// hash, GB/T 32905: the national algorithms a commercial-cryptography assessment, 密评, expects)
// with a secret key cannot be recomputed without the key, which lives in a 0600 file beside the
// trail (or wherever storage.audit_key_file says).
//
// Threads: pure functions, any thread.
#pragma once

#include <string>
#include <string_view>

namespace vw::controller {

// SHA-256 of `bytes` as 64 lowercase hex digits (libsodium).
std::string sha256_hex(std::string_view bytes);

// SM3 of `bytes` (GB/T 32905) as 64 lowercase hex digits (OpenSSL 3). Throws std::runtime_error
// when OpenSSL cannot provide it.
std::string sm3_hex(std::string_view bytes);

// HMAC-SM3 of `bytes` under `key` as 64 lowercase hex digits (OpenSSL 3). Throws
// std::runtime_error when OpenSSL cannot provide it.
std::string hmac_sm3_hex(std::string_view key, std::string_view bytes);

// Reads the audit key file: one line of 64 hex digits (32 bytes), readable by its owner only.
// With `create`, a missing file is made (O_EXCL, mode 0600) with a new random key. Returns the
// raw key bytes. Throws std::runtime_error naming the path: unreadable, readable by group or
// others, or not 64 hex digits (the key itself is never quoted).
std::string load_audit_key(const std::string& path, bool create);

}  // namespace vw::controller
