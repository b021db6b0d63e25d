// Reads the CURVE key files a config names (api.curve.secret_key_file, clients' key_file,
// cases.curve.client_key_file and the case publishers' key_file) and checks written public keys. A
// separate step after load_config_file because core does not handle key material; every problem is
// a ConfigError at the line the config named it.
//
// Threads: any; touches only the Config passed in.
#pragma once

#include "controller/core/config.hpp"

namespace vw::controller::api {

// Fills config.api.server_secret_key, server_public_key, each client's public_key, and the case
// feed's client key pair and each publisher's public_key. Throws
// ConfigError naming the file, line and field of the key that could not be used.
void load_curve_keys(Config& config);

}  // namespace vw::controller::api
