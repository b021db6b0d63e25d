// wallctl's plumbing shared by its commands (wallctl_main.cpp): exit codes, global options, a
// request sent and its reply printed (raw with --json) and turned into an exit code.
// Threads: the wallctl process's one thread.
#pragma once

#include <cmath>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <zmq.hpp>

#include "controller/api/api_client.hpp"
#include "controller/api/wallctl_format.hpp"

namespace vw::controller::api::wallctl_cli {

using nlohmann::json;
using wallctl::Lang;

constexpr int kOk = 0;
constexpr int kRefused = 1;
constexpr int kUsage = 2;
constexpr int kUnreachable = 3;

// Bad arguments found after parsing (and bad key files): exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A reply that is not what the protocol says: reported like a refusal (exit 1).
class BadReply : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Globals {
  ClientOptions client;
  double timeout_s = 5;
  bool json = false;
  std::string lang = "zh";
  Lang language() const { return lang == "en" ? Lang::En : Lang::Zh; }
};

ClientOptions client_options(const Globals& g);

// Key and endpoint problems are the user's to fix: exit 2, not "refused".
template <typename T>
T make(const Globals& g) {
  try {
    return T(client_options(g));
  } catch (const zmq::error_t& e) {
    throw UsageError("cannot connect to " + g.client.endpoint + " / " + g.client.pub_endpoint +
                     ": " + e.what());
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
}

void print_refusal(const json& reply);
bool is_ok(const json& reply);

using Printer = std::function<void(const json&)>;

// Prints a reply (raw with --json, else through `print`) and turns it into an exit code.
int finish(const Globals& g, const json& reply, const Printer& print);
// Sends `request` and finish()es its reply.
int call(const Globals& g, const json& request, const Printer& print);
// Prints a command's reply the way every command does.
Printer command_printer(const Globals& g);

}  // namespace vw::controller::api::wallctl_cli
