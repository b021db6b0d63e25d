// CURVE key pairs for the control API: generation (`wallctl keygen`), key files, fingerprints.
// Keys are Z85 text (40 characters), as libzmq uses them.
//
// Key files are small text files:
//   <name>.key (mode 0600):
//     "# videowall CURVE secret key\npublic-key = <Z85>\nsecret-key = <Z85>\n"
//   <name>.pub (mode 0644):
//     "# videowall CURVE public key\npublic-key = <Z85>\n"
// Lines starting with '#' and blank lines are ignored; anything else is an error.
#pragma once

#include <string>

namespace vw::controller::api {

struct KeyPair {
  std::string public_key;  // Z85, 40 characters
  std::string secret_key;  // Z85, 40 characters
};

KeyPair generate_key_pair();  // zmq_curve_keypair; throws std::runtime_error if unsupported

// Derives the public key of a secret one (zmq_curve_public). Throws std::runtime_error when
// `secret_z85` is not a valid Z85 key.
std::string public_key_of(const std::string& secret_z85);

// true when `z85` is 40 valid Z85 characters that decode to 32 bytes.
bool is_valid_key(const std::string& z85);

// "sha256:" + the first 16 hex digits of SHA-256 over the key's 32 raw bytes: what the audit
// trail records as the identity ("curve:sha256:…").
std::string fingerprint(const std::string& public_z85);

// Writes <base>.key (0600, secret + public) and <base>.pub (0644). Refuses to overwrite existing
// files (std::runtime_error naming the file).
void write_key_files(const std::string& base, const KeyPair& keys);

// Reads a .key file (secret-key required; public-key, when present, must match the secret) or a
// .pub file (public-key only; secret_key left empty). Throws std::runtime_error naming the file,
// the line and what is wrong, and when a file with a secret key is readable by group or others.
// A public key file writable by group or others gets a warning (spdlog).
KeyPair read_key_file(const std::string& path);

}  // namespace vw::controller::api
