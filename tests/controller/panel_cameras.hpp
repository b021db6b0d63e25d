// Camera configs for the panel's tests.
#pragma once

#include <string>

#include "controller/core/config.hpp"

namespace vw::controller::panel {

inline CameraConfig camera(std::string id, std::string name, std::string street,
                           std::string sub_url = "") {
  CameraConfig c;
  c.id = std::move(id);
  c.name = std::move(name);
  c.street = std::move(street);
  c.main_url = "rtsp://h/" + c.id;
  c.sub_url = std::move(sub_url);
  return c;
}

}  // namespace vw::controller::panel
