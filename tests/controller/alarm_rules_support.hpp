// What the alarm-rule tests share: a camera config, the preset layouts, the loader with a file
// label, the error a bad file raises (EXPECT_ERROR: line, field, text), and a fixed start time.
// Threads: the tests' one thread.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "controller/cases/alarm_rules.hpp"

namespace vw::controller::alarm_test {

using namespace std::chrono_literals;
using TimePoint = std::chrono::system_clock::time_point;

inline const Config& test_config() {
  static const Config config = load_config_text(R"(cameras:
  - id: hualou-01
    name: 花楼街-01
    main: rtsp://10.0.0.1/a
  - id: hualou-02
    main: rtsp://10.0.0.1/b
  - id: minzu-01
    main: rtsp://10.0.0.1/c
  - id: shuita-01
    main: rtsp://10.0.0.1/d
)",
                                                "cameras.yaml", "/etc/videowall");
  return config;
}

inline const layouts::LayoutLibrary& test_layouts() {
  static const layouts::LayoutLibrary library;
  return library;
}

inline AlarmRuleSet load(const std::string& yaml) {
  return load_alarm_rules_text(yaml, "rules.yaml", test_config(), test_layouts());
}

// Loads `yaml` and returns the error it raises (fails the test if it loads).
inline ConfigError error_of(const std::string& yaml) {
  try {
    load(yaml);
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a ConfigError for:\n" << yaml;
  return ConfigError("", 0, "", "");
}

#define EXPECT_ERROR(yaml, want_line, want_field, want_text)             \
  do {                                                                   \
    ConfigError e_ = error_of(yaml);                                     \
    EXPECT_EQ(e_.file(), "rules.yaml");                                  \
    EXPECT_EQ(e_.line(), want_line) << e_.what();                        \
    EXPECT_EQ(e_.field(), want_field) << e_.what();                      \
    EXPECT_NE(std::string(e_.what()).find(want_text), std::string::npos) \
        << "message: " << e_.what();                                     \
  } while (0)

inline const TimePoint T0 = std::chrono::sys_days{std::chrono::year{2024} / 3 / 1} + 9h;

}  // namespace vw::controller::alarm_test
