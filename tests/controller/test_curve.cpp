// CURVE keys (generation, fingerprints, key files) and the ZAP handler over real loopback sockets.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zmq.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "controller/api/curve_keys.hpp"
#include "controller/api/zap_handler.hpp"

namespace {

namespace fs = std::filesystem;
using namespace vw::controller::api;
using namespace std::chrono_literals;

// The error message of `fn`, or "" when it did not throw std::runtime_error.
template <typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "";
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "vw-curve-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string write(const std::string& name, const std::string& text, mode_t mode = 0600) const {
    const std::string file = path(name);
    std::ofstream(file, std::ios::binary) << text;
    ::chmod(file.c_str(), mode);
    return file;
  }
  static std::string read(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  static mode_t mode_of(const std::string& file) {
    struct stat info {};
    EXPECT_EQ(::stat(file.c_str(), &info), 0) << file;
    return info.st_mode & 0777;
  }

  fs::path dir_;
};

// ---------------------------------------------------------------------------------------------
// Keys

TEST(CurveKeys, GeneratedPairIsConsistent) {
  const KeyPair keys = generate_key_pair();
  EXPECT_EQ(keys.public_key.size(), 40u);
  EXPECT_EQ(keys.secret_key.size(), 40u);
  EXPECT_TRUE(is_valid_key(keys.public_key));
  EXPECT_TRUE(is_valid_key(keys.secret_key));
  EXPECT_EQ(public_key_of(keys.secret_key), keys.public_key);
  const KeyPair other = generate_key_pair();
  EXPECT_NE(other.public_key, keys.public_key);
  EXPECT_NE(other.secret_key, keys.secret_key);
}

TEST(CurveKeys, PublicKeyOfRejectsInvalidSecret) {
  EXPECT_THROW(public_key_of(""), std::runtime_error);
  EXPECT_THROW(public_key_of(std::string(39, 'a')), std::runtime_error);
  EXPECT_THROW(public_key_of(std::string(45, 'a')), std::runtime_error);  // no overflow either
  EXPECT_THROW(public_key_of(std::string(40, ' ')), std::runtime_error);
}

TEST(CurveKeys, FingerprintFormatAndStability) {
  // SHA-256 of 32 zero bytes starts 66687aadf862bd77; Z85 of them is forty '0'.
  EXPECT_EQ(fingerprint(std::string(40, '0')), "sha256:66687aadf862bd77");

  const KeyPair keys = generate_key_pair();
  const std::string print = fingerprint(keys.public_key);
  ASSERT_EQ(print.size(), 7u + 16u);
  EXPECT_EQ(print.substr(0, 7), "sha256:");
  EXPECT_EQ(print.find_first_not_of("0123456789abcdef", 7), std::string::npos) << print;
  EXPECT_EQ(fingerprint(keys.public_key), print);
  EXPECT_NE(fingerprint(generate_key_pair().public_key), print);
  EXPECT_THROW(fingerprint("not a key"), std::runtime_error);
}

TEST(CurveKeys, IsValidKeyRejectsBadInput) {
  const std::string good = generate_key_pair().public_key;
  EXPECT_TRUE(is_valid_key(good));
  EXPECT_FALSE(is_valid_key(""));
  EXPECT_FALSE(is_valid_key(good.substr(0, 39)));
  EXPECT_FALSE(is_valid_key(good + "0"));
  EXPECT_FALSE(is_valid_key(good + good));
  EXPECT_FALSE(is_valid_key(std::string(40, ' ')));
  EXPECT_FALSE(is_valid_key(good.substr(0, 39) + "\""));
  EXPECT_FALSE(is_valid_key(good.substr(0, 39) + "~"));
  EXPECT_FALSE(is_valid_key(good.substr(0, 39) + "\x7f"));
  EXPECT_FALSE(is_valid_key(good.substr(0, 20) + std::string(1, '\0') + good.substr(21)));
  EXPECT_FALSE(is_valid_key(good.substr(0, 38) + "\xc3\xa9"));  // UTF-8 'é': 2 bytes
  EXPECT_FALSE(is_valid_key(std::string(40, '#')));  // every group's value overflows 32 bits
}

TEST(CurveKeys, IsValidKeyNeverCrashesOnRandomInput) {
  std::mt19937 random(12345);
  std::string alphabet =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
  int valid = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    const bool z85_only = i % 2 == 0;
    const std::size_t length = z85_only ? 40 : random() % 100;
    for (std::size_t j = 0; j < length; ++j) {
      text += z85_only ? alphabet[random() % alphabet.size()] : static_cast<char>(random() % 256);
    }
    if (is_valid_key(text)) {
      ++valid;
      EXPECT_EQ(text.size(), 40u);
      EXPECT_NO_THROW(fingerprint(text));
    }
  }
  EXPECT_GT(valid, 0);  // most random Z85 strings decode
}

// ---------------------------------------------------------------------------------------------
// Key files

using KeyFiles = TempDir;

TEST_F(KeyFiles, RoundTripAndModes) {
  const KeyPair keys = generate_key_pair();
  const mode_t old_umask = ::umask(077);  // the .pub must still come out 0644
  write_key_files(path("desk"), keys);
  ::umask(old_umask);

  EXPECT_EQ(mode_of(path("desk.key")), 0600u);
  EXPECT_EQ(mode_of(path("desk.pub")), 0644u);
  EXPECT_EQ(read(path("desk.key")),
            "# videowall CURVE secret key\npublic-key = " + keys.public_key +
                "\nsecret-key = " + keys.secret_key + "\n");
  EXPECT_EQ(read(path("desk.pub")),
            "# videowall CURVE public key\npublic-key = " + keys.public_key + "\n");

  const KeyPair secret = read_key_file(path("desk.key"));
  EXPECT_EQ(secret.public_key, keys.public_key);
  EXPECT_EQ(secret.secret_key, keys.secret_key);
  const KeyPair pub = read_key_file(path("desk.pub"));
  EXPECT_EQ(pub.public_key, keys.public_key);
  EXPECT_EQ(pub.secret_key, "");
}

TEST_F(KeyFiles, SecretReadableByOthersIsRefused) {
  const KeyPair keys = generate_key_pair();
  write_key_files(path("desk"), keys);
  for (mode_t mode : {0640u, 0604u, 0644u}) {
    ASSERT_EQ(::chmod(path("desk.key").c_str(), mode), 0);
    const std::string message = error_of([&] { read_key_file(path("desk.key")); });
    EXPECT_NE(message.find(path("desk.key")), std::string::npos) << message;
    EXPECT_NE(message.find("readable by group or others"), std::string::npos) << message;
    EXPECT_EQ(message.find(keys.secret_key), std::string::npos) << "the secret is never quoted";
  }
  ASSERT_EQ(::chmod(path("desk.key").c_str(), 0400), 0);
  EXPECT_EQ(read_key_file(path("desk.key")).secret_key, keys.secret_key);
}

TEST_F(KeyFiles, RefusesToOverwrite) {
  const KeyPair first = generate_key_pair();
  write_key_files(path("desk"), first);
  const std::string before = read(path("desk.key"));
  const std::string message = error_of([&] { write_key_files(path("desk"), generate_key_pair()); });
  EXPECT_NE(message.find(path("desk.key")), std::string::npos) << message;
  EXPECT_NE(message.find("refusing to overwrite"), std::string::npos) << message;
  EXPECT_EQ(read(path("desk.key")), before);

  // Only the .pub exists: refused, naming it, and no stray .key is left behind.
  write("wall.pub", "# someone else's\n", 0644);
  const std::string pub_message =
      error_of([&] { write_key_files(path("wall"), generate_key_pair()); });
  EXPECT_NE(pub_message.find(path("wall.pub")), std::string::npos) << pub_message;
  EXPECT_FALSE(fs::exists(path("wall.key")));
  EXPECT_EQ(read(path("wall.pub")), "# someone else's\n");
}

TEST_F(KeyFiles, RefusesAnInconsistentPair) {
  KeyPair keys = generate_key_pair();
  keys.public_key = generate_key_pair().public_key;
  EXPECT_THROW(write_key_files(path("bad"), keys), std::runtime_error);
  EXPECT_FALSE(fs::exists(path("bad.key")));
  EXPECT_FALSE(fs::exists(path("bad.pub")));
}

TEST_F(KeyFiles, ParseErrorsNameFileAndLine) {
  const KeyPair keys = generate_key_pair();
  const std::string pub_line = "public-key = " + keys.public_key + "\n";
  const std::string secret_line = "secret-key = " + keys.secret_key + "\n";
  const auto error_for = [&](const std::string& name, const std::string& text) {
    const std::string file = write(name, text);
    return error_of([&] { read_key_file(file); });
  };

  EXPECT_EQ(error_for("a.key", "# comment\n\npublic-key = abc\n" + secret_line),
            path("a.key") + ":3: expected 'public-key = <40 Z85 characters>'");
  EXPECT_EQ(error_for("b.pub", "# comment\nhello\n"),
            path("b.pub") + ":2: expected 'public-key = <40 Z85 characters>'");
  EXPECT_EQ(error_for("c.key", pub_line + "secret-key = " + keys.secret_key.substr(1) + "\n"),
            path("c.key") + ":2: expected 'secret-key = <40 Z85 characters>'");
  const std::string unknown = error_for("d.key", pub_line + "private = x\n");
  EXPECT_EQ(unknown.rfind(path("d.key") + ":2: expected 'public-key", 0), 0u) << unknown;
  EXPECT_EQ(unknown.find(keys.secret_key), std::string::npos);  // never echoes key material

  const std::string in_pub = error_for("e.pub", pub_line + secret_line);
  EXPECT_EQ(in_pub.rfind(path("e.pub") + ":2: ", 0), 0u) << in_pub;
  const std::string twice = error_for("f.key", pub_line + pub_line + secret_line);
  EXPECT_EQ(twice.rfind(path("f.key") + ":2: ", 0), 0u) << twice;
  const std::string no_secret = error_for("g.key", pub_line);
  EXPECT_EQ(no_secret.rfind(path("g.key") + ": ", 0), 0u) << no_secret;
  EXPECT_NE(no_secret.find("secret-key"), std::string::npos) << no_secret;
  const std::string empty = error_for("h.pub", "# nothing\n");
  EXPECT_EQ(empty.rfind(path("h.pub") + ": ", 0), 0u) << empty;
  const std::string missing = error_of([&] { read_key_file(path("missing.key")); });
  EXPECT_EQ(missing.rfind(path("missing.key") + ": ", 0), 0u) << missing;
  const std::string directory = error_of([&] { read_key_file(dir_.string()); });
  EXPECT_EQ(directory.rfind(dir_.string() + ": ", 0), 0u) << directory;
}

TEST_F(KeyFiles, ToleratesCrlfAndSpacing) {
  const KeyPair keys = generate_key_pair();
  const std::string file =
      write("crlf.key", "# c\r\n\r\n  public-key=" + keys.public_key +
                            "  \r\n\tsecret-key =  " + keys.secret_key + "\r\n");
  const KeyPair read_back = read_key_file(file);
  EXPECT_EQ(read_back.public_key, keys.public_key);
  EXPECT_EQ(read_back.secret_key, keys.secret_key);
  // A .key without its public-key line: the public key is derived.
  const KeyPair derived =
      read_key_file(write("secret-only.key", "secret-key = " + keys.secret_key));
  EXPECT_EQ(derived.public_key, keys.public_key);
}

TEST_F(KeyFiles, MismatchedPairIsRefused) {
  const KeyPair a = generate_key_pair();
  const KeyPair b = generate_key_pair();
  const std::string file = write("mixed.key", "# mixed\npublic-key = " + a.public_key +
                                                  "\nsecret-key = " + b.secret_key + "\n");
  const std::string message = error_of([&] { read_key_file(file); });
  EXPECT_EQ(message.rfind(file + ":2: ", 0), 0u) << message;
  EXPECT_NE(message.find("does not match"), std::string::npos) << message;
}

TEST_F(KeyFiles, WritablePublicKeyIsWarnedAbout) {
  const KeyPair keys = generate_key_pair();
  write_key_files(path("open"), keys);
  ASSERT_EQ(::chmod(path("open.pub").c_str(), 0666), 0);
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  KeyPair read_back;
  EXPECT_NO_THROW(read_back = read_key_file(path("open.pub")));
  const std::string output =
      ::testing::internal::GetCapturedStdout() + ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(read_back.public_key, keys.public_key);
  EXPECT_NE(output.find(path("open.pub")), std::string::npos) << output;
  EXPECT_NE(output.find("chmod 644"), std::string::npos) << output;
}

// ---------------------------------------------------------------------------------------------
// ZAP handler over real sockets

struct Refusal {
  std::string fingerprint;
  std::string address;
  std::string reason;
};

class Zap : public ::testing::Test {
 protected:
  void SetUp() override {
    server_keys_ = generate_key_pair();
    desk_ = generate_key_pair();
    stranger_ = generate_key_pair();
  }

  ZapHandler::OnRefused recorder() {
    return [this](const std::string& print, const std::string& address, const std::string& reason) {
      const std::lock_guard lock(mutex_);
      refusals_.push_back({print, address, reason});
    };
  }
  std::vector<Refusal> refusals() {
    const std::lock_guard lock(mutex_);
    return refusals_;
  }
  // Bounded wait for at least one refusal.
  bool wait_for_refusal(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!refusals().empty()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return !refusals().empty();
  }

  // A CURVE ROUTER as the API uses it; returns its tcp endpoint.
  std::string bind_server(zmq::socket_t& server, bool curve = true) {
    server.set(zmq::sockopt::linger, 0);
    if (curve) {
      server.set(zmq::sockopt::curve_server, 1);
      server.set(zmq::sockopt::curve_secretkey, server_keys_.secret_key);
    }
    server.set(zmq::sockopt::zap_domain, "videowall");
    server.bind("tcp://127.0.0.1:*");
    return server.get(zmq::sockopt::last_endpoint);
  }
  zmq::socket_t connect_client(const std::string& endpoint, const KeyPair* keys) {
    zmq::socket_t client(context_, zmq::socket_type::dealer);
    client.set(zmq::sockopt::linger, 0);
    client.set(zmq::sockopt::sndtimeo, 1000);
    if (keys != nullptr) {
      client.set(zmq::sockopt::curve_serverkey, server_keys_.public_key);
      client.set(zmq::sockopt::curve_publickey, keys->public_key);
      client.set(zmq::sockopt::curve_secretkey, keys->secret_key);
    }
    client.connect(endpoint);
    return client;
  }
  // The next message on `server` within `timeout`: [routing id, body...].
  static std::optional<std::vector<zmq::message_t>> receive(zmq::socket_t& server,
                                                            std::chrono::milliseconds timeout) {
    zmq::pollitem_t item{server.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, timeout);
    if ((item.revents & ZMQ_POLLIN) == 0) return std::nullopt;
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(server, std::back_inserter(frames), zmq::recv_flags::dontwait)) {
      return std::nullopt;
    }
    return frames;
  }

  std::vector<AllowedClient> desk_only() const {
    return {{"应急指挥席", desk_.public_key, vw::controller::api::Role::Operator}};
  }

  KeyPair server_keys_, desk_, stranger_;
  std::mutex mutex_;
  std::vector<Refusal> refusals_;
  zmq::context_t context_{1};  // destroyed last: after every socket and the handler
};

TEST_F(Zap, ListedKeyIsLetInWithItsFingerprint) {
  ZapHandler zap(context_, desk_only(), recorder());
  zmq::socket_t server(context_, zmq::socket_type::router);
  const std::string endpoint = bind_server(server);
  zmq::socket_t client = connect_client(endpoint, &desk_);
  ASSERT_TRUE(client.send(zmq::str_buffer("hello"), zmq::send_flags::none));

  auto frames = receive(server, 3000ms);
  ASSERT_TRUE(frames.has_value()) << "nothing received from a listed client";
  ASSERT_EQ(frames->size(), 2u);
  EXPECT_EQ(frames->at(1).to_string(), "hello");
  const std::string print = fingerprint(desk_.public_key);
  EXPECT_EQ(std::string(frames->at(1).gets("User-Id")), print);

  const auto known = zap.client(print);
  ASSERT_TRUE(known.has_value());
  EXPECT_EQ(known->name, "应急指挥席");
  EXPECT_EQ(known->public_key, desk_.public_key);
  EXPECT_EQ(known->role, vw::controller::api::Role::Operator);
  EXPECT_FALSE(zap.client(fingerprint(stranger_.public_key)).has_value());
  EXPECT_FALSE(zap.client("").has_value());
  EXPECT_TRUE(refusals().empty());
}

TEST_F(Zap, UnlistedKeyIsRefusedAndReported) {
  ZapHandler zap(context_, desk_only(), recorder());
  zmq::socket_t server(context_, zmq::socket_type::router);
  const std::string endpoint = bind_server(server);
  zmq::socket_t client = connect_client(endpoint, &stranger_);
  ASSERT_TRUE(client.send(zmq::str_buffer("let me in"), zmq::send_flags::none));

  EXPECT_FALSE(receive(server, 1000ms).has_value()) << "an unlisted key got through";
  ASSERT_TRUE(wait_for_refusal(2000ms));
  const Refusal first = refusals().front();
  EXPECT_EQ(first.fingerprint, fingerprint(stranger_.public_key));
  EXPECT_EQ(first.address, "127.0.0.1");
  EXPECT_FALSE(first.reason.empty());
}

TEST_F(Zap, ClientWithoutCurveGetsNothingThrough) {
  ZapHandler zap(context_, desk_only(), recorder());
  zmq::socket_t server(context_, zmq::socket_type::router);
  const std::string endpoint = bind_server(server);
  zmq::socket_t client = connect_client(endpoint, nullptr);
  ASSERT_TRUE(client.send(zmq::str_buffer("plain"), zmq::send_flags::none));
  EXPECT_FALSE(receive(server, 1000ms).has_value()) << "a client without CURVE got through";
}

TEST_F(Zap, NonCurveMechanismIsRefused) {
  // A NULL-mechanism socket with a ZAP domain asks the handler, which allows CURVE only.
  ZapHandler zap(context_, desk_only(), recorder());
  zmq::socket_t server(context_, zmq::socket_type::router);
  const std::string endpoint = bind_server(server, /*curve=*/false);
  zmq::socket_t client = connect_client(endpoint, nullptr);
  ASSERT_TRUE(client.send(zmq::str_buffer("plain"), zmq::send_flags::none));
  EXPECT_FALSE(receive(server, 1000ms).has_value());
  ASSERT_TRUE(wait_for_refusal(2000ms));
  EXPECT_EQ(refusals().front().fingerprint, "");
  EXPECT_NE(refusals().front().reason.find("NULL"), std::string::npos) << refusals().front().reason;
}

TEST_F(Zap, SetClientsLetsANewConnectionIn) {
  ZapHandler zap(context_, desk_only(), recorder());
  zmq::socket_t server(context_, zmq::socket_type::router);
  const std::string endpoint = bind_server(server);
  {
    zmq::socket_t refused = connect_client(endpoint, &stranger_);
    ASSERT_TRUE(refused.send(zmq::str_buffer("first"), zmq::send_flags::none));
    EXPECT_FALSE(receive(server, 500ms).has_value());
    ASSERT_TRUE(wait_for_refusal(2000ms));
  }  // closed (linger 0): its queued message is dropped

  auto clients = desk_only();
  clients.push_back({"值班席", stranger_.public_key, vw::controller::api::Role::Viewer});
  zap.set_clients(clients);
  const std::string print = fingerprint(stranger_.public_key);
  ASSERT_TRUE(zap.client(print).has_value());
  EXPECT_EQ(zap.client(print)->name, "值班席");

  zmq::socket_t client = connect_client(endpoint, &stranger_);
  ASSERT_TRUE(client.send(zmq::str_buffer("second"), zmq::send_flags::none));
  auto frames = receive(server, 3000ms);
  ASSERT_TRUE(frames.has_value()) << "a newly listed key was not let in";
  ASSERT_EQ(frames->size(), 2u);
  EXPECT_EQ(frames->at(1).to_string(), "second");
  EXPECT_EQ(std::string(frames->at(1).gets("User-Id")), print);

  // Removing it again: the open connection keeps working, a new one is refused.
  zap.set_clients(desk_only());
  EXPECT_FALSE(zap.client(print).has_value());
}

TEST_F(Zap, BadAllowListsAreRefusedAndKeepTheOldOne) {
  ZapHandler zap(context_, desk_only(), recorder());
  const std::string print = fingerprint(desk_.public_key);
  EXPECT_THROW(zap.set_clients({{"broken", "not a key", vw::controller::api::Role::Admin}}),
               std::runtime_error);
  EXPECT_THROW(zap.set_clients({{"a", stranger_.public_key, vw::controller::api::Role::Admin},
                                {"b", stranger_.public_key, vw::controller::api::Role::Viewer}}),
               std::runtime_error);
  EXPECT_TRUE(zap.client(print).has_value());
  EXPECT_THROW(ZapHandler(context_, {{"x", "bad", vw::controller::api::Role::Viewer}}, nullptr),
               std::runtime_error);
}

TEST_F(Zap, SecondHandlerOnTheSameContextThrows) {
  ZapHandler zap(context_, desk_only(), recorder());
  EXPECT_THROW(ZapHandler(context_, desk_only(), recorder()), zmq::error_t);
}

// Speaks RFC 27 to the handler directly: malformed requests get an answer, and the handler keeps
// answering even when the refusal callback throws.
TEST_F(Zap, AnswersRawRequestsAndSurvivesBadInput) {
  std::atomic<int> calls{0};
  ZapHandler zap(context_, desk_only(),
                 [&](const std::string&, const std::string&, const std::string&) {
                   ++calls;
                   throw std::runtime_error("audit trail is down");
                 });
  zmq::socket_t req(context_, zmq::socket_type::req);
  req.set(zmq::sockopt::linger, 0);
  req.set(zmq::sockopt::rcvtimeo, 2000);
  req.set(zmq::sockopt::req_relaxed, 1);
  req.connect("inproc://zeromq.zap.01");

  const auto ask = [&](const std::vector<std::string>& frames) {
    for (std::size_t i = 0; i < frames.size(); ++i) {
      req.send(zmq::buffer(frames[i]),
               i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
    std::vector<std::string> reply;
    std::vector<zmq::message_t> messages;
    if (zmq::recv_multipart(req, std::back_inserter(messages))) {
      for (const auto& message : messages) reply.push_back(message.to_string());
    }
    return reply;
  };
  std::string raw(32, '\0');
  ASSERT_NE(zmq_z85_decode(reinterpret_cast<std::uint8_t*>(raw.data()), desk_.public_key.c_str()),
            nullptr);

  auto reply = ask({"1.0"});
  ASSERT_EQ(reply.size(), 6u);
  EXPECT_EQ(reply[2], "500");

  reply = ask({"2.0", "7", "videowall", "10.0.0.1", "", "CURVE", raw});
  ASSERT_EQ(reply.size(), 6u);
  EXPECT_EQ(reply[1], "7");
  EXPECT_EQ(reply[2], "500");

  reply = ask({"1.0", "8", "videowall", "10.0.0.1", "", "CURVE", raw.substr(0, 31)});
  ASSERT_EQ(reply.size(), 6u);
  EXPECT_EQ(reply[2], "400");
  EXPECT_EQ(reply[4], "");

  reply = ask({"1.0", "9", "videowall", "10.0.0.1", "", "PLAIN", "user", "password"});
  ASSERT_EQ(reply.size(), 6u);
  EXPECT_EQ(reply[2], "400");

  reply = ask({"1.0", "10", "videowall", "10.0.0.1", "", "CURVE", raw});
  ASSERT_EQ(reply.size(), 6u);
  EXPECT_EQ(reply[0], "1.0");
  EXPECT_EQ(reply[1], "10");
  EXPECT_EQ(reply[2], "200");
  EXPECT_EQ(reply[4], fingerprint(desk_.public_key));
  EXPECT_EQ(reply[5], "");
  EXPECT_EQ(calls.load(), 4);
}

TEST_F(Zap, DestructorReturnsPromptly) {
  auto zap = std::make_unique<ZapHandler>(context_, desk_only(), recorder());
  std::this_thread::sleep_for(50ms);
  const auto start = std::chrono::steady_clock::now();
  zap.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  // The endpoint is free again for a new handler.
  EXPECT_NO_THROW(ZapHandler(context_, desk_only(), recorder()));
}

}  // namespace
