#include "controller/api/config_keys.hpp"

#include <stdexcept>

#include "controller/api/curve_keys.hpp"

namespace vw::controller::api {

void load_curve_keys(Config& config) {
  ApiConfig& api = config.api;
  if (!api.secret_key_file.empty()) {
    try {
      auto keys = read_key_file(api.secret_key_file);
      if (keys.secret_key.empty())
        throw std::runtime_error(api.secret_key_file + " holds no secret-key (a .pub file?)");
      api.server_secret_key = keys.secret_key;
      api.server_public_key = public_key_of(keys.secret_key);
    } catch (const std::runtime_error& e) {
      throw ConfigError(config.path, api.secret_key_line, "api.curve.secret_key_file", e.what());
    }
  }
  CasesConfig& cases = config.cases;
  if (cases.curve()) {
    try {
      auto keys = read_key_file(cases.client_key_file);
      if (keys.secret_key.empty())
        throw std::runtime_error(cases.client_key_file + " holds no secret-key (a .pub file?)");
      cases.client_secret_key = keys.secret_key;
      cases.client_public_key = keys.public_key;
    } catch (const std::runtime_error& e) {
      throw ConfigError(config.path, cases.client_key_line, "cases.curve.client_key_file",
                        e.what());
    }
    for (std::size_t i = 0; i < cases.publishers.size(); ++i) {
      auto& publisher = cases.publishers[i];
      const std::string where = "cases.curve.publishers[" + std::to_string(i) + "]";
      try {
        if (!publisher.key_file.empty())
          publisher.public_key = read_key_file(publisher.key_file).public_key;
        else if (!is_valid_key(publisher.public_key))
          throw std::runtime_error("is not a CURVE public key (40 Z85 characters)");
      } catch (const std::runtime_error& e) {
        throw ConfigError(config.path, publisher.line, where, e.what());
      }
    }
  }
  for (std::size_t i = 0; i < api.clients.size(); ++i) {
    auto& client = api.clients[i];
    const std::string where = "api.curve.clients[" + std::to_string(i) + "]";
    if (!client.key_file.empty()) {
      try {
        client.public_key = read_key_file(client.key_file).public_key;
      } catch (const std::runtime_error& e) {
        throw ConfigError(config.path, client.key_line, where + ".key_file", e.what());
      }
    } else if (!is_valid_key(client.public_key)) {
      throw ConfigError(config.path, client.key_line, where + ".public_key",
                        "is not a CURVE public key (40 Z85 characters, as in a .pub file)");
    }
  }
}

}  // namespace vw::controller::api
