#include "controller/api/wallctl_cli.hpp"

namespace vw::controller::api::wallctl_cli {

ClientOptions client_options(const Globals& g) {
  ClientOptions options = g.client;
  options.timeout = std::chrono::milliseconds(std::llround(g.timeout_s * 1000.0));
  return options;
}

void print_refusal(const json& reply) {
  const json& error = reply.contains("error") ? reply["error"] : json();
  std::string code = wallctl::text_of(error, "code");
  std::string message = wallctl::text_of(error, "message");
  if (code.empty()) code = "error";
  std::cerr << "wallctl: " << wallctl::sanitize(code) << ": " << wallctl::sanitize(message) << '\n';
}

bool is_ok(const json& reply) {
  return reply.is_object() && reply.contains("ok") && reply["ok"] == true;
}

int finish(const Globals& g, const json& reply, const Printer& print) {
  if (!reply.is_object()) throw BadReply("reply is not a JSON object");
  const bool ok = is_ok(reply);
  if (g.json) std::cout << wallctl::one_line(reply) << '\n';
  if (!ok) {
    print_refusal(reply);
    return kRefused;
  }
  if (!g.json && print) print(reply);
  return kOk;
}

int call(const Globals& g, const json& request, const Printer& print) {
  auto client = make<ApiClient>(g);
  return finish(g, client.request(request), print);
}

Printer command_printer(const Globals& g) {
  return [&g](const json& reply) { wallctl::print_command_reply(std::cout, g.language(), reply); };
}

}  // namespace vw::controller::api::wallctl_cli
