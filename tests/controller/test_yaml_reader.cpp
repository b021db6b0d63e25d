// The one YAML reader of the config and the alarm rules (controller/core/yaml_reader.hpp): every
// kind of bad node, wherever it stands, is a ConfigError naming file, line and field, and never a
// yaml-cpp exception. Checked on YamlMap and load_yaml_document directly, then through the two
// public loaders (load_config_text, load_alarm_rules_text) on the same kinds of mistakes.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "controller/cases/alarm_rules.hpp"
#include "controller/core/config.hpp"
#include "controller/core/yaml_reader.hpp"

namespace vw::controller {
namespace {

constexpr const char* kFile = "reader.yaml";
constexpr const char* kCameras = "cameras:\n  - {id: a, main: rtsp://h/a}\n";

// Runs `load` and returns the ConfigError it throws. Any other exception (a YAML:: one above all)
// or none at all fails the test.
ConfigError error_of(const std::function<void()>& load, const std::string& input) {
  try {
    load();
  } catch (const ConfigError& e) {
    return e;
  } catch (const YAML::Exception& e) {
    ADD_FAILURE() << "a yaml-cpp exception escaped: " << e.what() << "\nfor:\n" << input;
    return ConfigError("", -1, "", "");
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a ConfigError: " << e.what() << "\nfor:\n" << input;
    return ConfigError("", -1, "", "");
  }
  ADD_FAILURE() << "expected a ConfigError for:\n" << input;
  return ConfigError("", -1, "", "");
}

struct Expected {
  int line;
  const char* field;
  const char* words;  // part of the message
};

void expect_error(const ConfigError& e, const std::string& file, const Expected& want,
                  const std::string& input) {
  EXPECT_EQ(e.file(), file) << input;
  EXPECT_EQ(e.line(), want.line) << input << "-> " << e.what();
  EXPECT_EQ(e.field(), want.field) << input << "-> " << e.what();
  EXPECT_NE(std::string(e.what()).find(want.words), std::string::npos)
      << input << "-> " << e.what();
  // what() is what main() prints: file:line: field: message.
  const std::string prefix = file + ":" + std::to_string(want.line) + ": " + want.field + ": ";
  EXPECT_EQ(std::string(e.what()).rfind(prefix, 0), 0u) << e.what();
}

// One mapping at field path "wall", read from `yaml` by `read`.
struct MapCase {
  const char* yaml;
  std::function<void(YamlMap&)> read;
  Expected want;
};

void run_map_cases(const std::vector<MapCase>& cases) {
  for (const auto& c : cases) {
    const ConfigError e = error_of(
        [&] {
          YamlMap map(load_yaml_document(c.yaml, kFile), "wall", kFile);
          c.read(map);
          map.reject_unknown("width, name, fit, visible");
        },
        c.yaml);
    expect_error(e, kFile, c.want, c.yaml);
  }
}

auto text_of(const char* key) {
  return [key](YamlMap& m) { m.text_or(key, "fallback"); };
}
auto integer_of(const char* key, int lo = 0, int hi = 100) {
  return [key, lo, hi](YamlMap& m) { m.integer_or(key, 1, lo, hi); };
}
auto number_of(const char* key) {
  return [key](YamlMap& m) { m.number_or(key, 1.0, 0.5, 120, "seconds"); };
}
auto boolean_of(const char* key) {
  return [key](YamlMap& m) { m.boolean_or(key, false); };
}

TEST(YamlReader, TextRefusesListsAndMaps) {
  run_map_cases({
      {"name: [a, b]\n", text_of("name"), {1, "wall.name", "must be text"}},
      {"width: 1\nname:\n  - a\n", text_of("name"), {3, "wall.name", "must be text"}},
      {"name: {first: a}\n", text_of("name"), {1, "wall.name", "must be text"}},
      {"width: 1\nname:\n  first: a\n", text_of("name"), {3, "wall.name", "must be text"}},
  });
}

TEST(YamlReader, WholeNumbers) {
  run_map_cases({
      {"width: [1]\n", integer_of("width"), {1, "wall.width", "must be a whole number"}},
      {"width: {a: 1}\n", integer_of("width"), {1, "wall.width", "must be a whole number"}},
      {"width: wide\n", integer_of("width"), {1, "wall.width", "whole number from 0 to 100"}},
      {"width: 1.5\n", integer_of("width"), {1, "wall.width", "must be a whole number"}},
      {"width: 0x10\n", integer_of("width"), {1, "wall.width", "must be a whole number"}},
      {"width: 12px\n", integer_of("width"), {1, "wall.width", "must be a whole number"}},
      {"width: ''\n", integer_of("width"), {1, "wall.width", "must be a whole number"}},
      {"width: .inf\n", integer_of("width"), {1, "wall.width", "must be a whole number"}},
      {"width: 99999999999\n", integer_of("width"), {1, "wall.width", "must be a whole number"}},
      {"width: -99999999999\n", integer_of("width"), {1, "wall.width", "must be a whole number"}},
      {"name: x\nwidth: 101\n", integer_of("width"), {2, "wall.width", "from 0 to 100 (got 101)"}},
      {"width: -1\n", integer_of("width"), {1, "wall.width", "(got -1)"}},
      {"width: 5\n", integer_of("width", 160, 16384), {1, "wall.width", "from 160 to 16384"}},
  });
}

TEST(YamlReader, Numbers) {
  run_map_cases({
      {"width: fast\n", number_of("width"), {1, "wall.width", "between 0.5 and 120 seconds"}},
      {"width: [1]\n", number_of("width"), {1, "wall.width", "must be between"}},
      {"width: {s: 1}\n", number_of("width"), {1, "wall.width", "must be between"}},
      {"width: .nan\n", number_of("width"), {1, "wall.width", "must be between"}},
      {"width: .inf\n", number_of("width"), {1, "wall.width", "must be between"}},
      {"width: -.inf\n", number_of("width"), {1, "wall.width", "must be between"}},
      {"width: 1e999\n", number_of("width"), {1, "wall.width", "must be between"}},
      {"width: 0x10\n", number_of("width"), {1, "wall.width", "must be between"}},
      {"width: 2 s\n", number_of("width"), {1, "wall.width", "must be between"}},
      {"width: 0.1\n", number_of("width"), {1, "wall.width", "must be between"}},
      {"name: x\n\nwidth: 121\n", number_of("width"), {3, "wall.width", "must be between"}},
  });
}

TEST(YamlReader, Booleans) {
  run_map_cases({
      {"visible: maybe\n", boolean_of("visible"), {1, "wall.visible", "true or false"}},
      {"visible: 1\n", boolean_of("visible"), {1, "wall.visible", "true or false"}},
      {"visible: [true]\n", boolean_of("visible"), {1, "wall.visible", "true or false"}},
      {"visible: {a: b}\n", boolean_of("visible"), {1, "wall.visible", "true or false"}},
  });
}

TEST(YamlReader, AbsentAndNullValuesTakeTheFallback) {
  for (const char* yaml : {"fit: x\n", "fit: x\nname:\nwidth: ~\nvisible: null\n"}) {
    YamlMap m(load_yaml_document(yaml, kFile), "wall", kFile);
    EXPECT_EQ(m.text_or("name", "fallback"), "fallback") << yaml;
    EXPECT_EQ(m.integer_or("width", 7, 0, 10), 7) << yaml;
    EXPECT_EQ(m.number_or("height", 2.5, 0, 10, "s"), 2.5) << yaml;
    EXPECT_TRUE(m.boolean_or("visible", true)) << yaml;
    EXPECT_EQ(m.text_or("fit", ""), "x");
    m.reject_unknown("name, width, height, visible, fit");
  }
  // But a null value where a value is required is an error at its own line, not a crash.
  const std::string yaml = "fit: x\nname: ~\n";
  const ConfigError e = error_of(
      [&] {
        YamlMap m(load_yaml_document(yaml, kFile), "wall", kFile);
        m.text("name", m.take("name"));
      },
      yaml);
  expect_error(e, kFile, {2, "wall.name", "must be text"}, yaml);
  // A value that was never there is reported at its mapping's line.
  const ConfigError missing = error_of(
      [&] {
        YamlMap m(load_yaml_document(yaml, kFile), "wall", kFile);
        m.integer("width", m.take("width"), 0, 10);
      },
      yaml);
  expect_error(missing, kFile, {1, "wall.width", "whole number"}, yaml);
}

TEST(YamlReader, GoodValuesAreRead) {
  YamlMap m(load_yaml_document("width: 0042\nname: \"12\"\nfit: 2.5\nvisible: yes\n", kFile),
            "wall", kFile);
  EXPECT_EQ(m.integer_or("width", 0, 0, 100), 42);
  EXPECT_EQ(m.text_or("name", ""), "12");
  EXPECT_DOUBLE_EQ(m.number_or("fit", 0, 0, 10, "s"), 2.5);
  EXPECT_TRUE(m.boolean_or("visible", false));
  m.reject_unknown("width, name, fit, visible");
  EXPECT_EQ(m.field("x"), "wall.x");
  YamlMap top(load_yaml_document("a: 1\n", kFile), "", kFile);
  EXPECT_EQ(top.field("x"), "x");
}

TEST(YamlReader, KeysThatAreNotPlainNames) {
  const auto nothing = [](YamlMap&) {};
  run_map_cases({
      {"width: 1\n[a, b]: 1\n", integer_of("width"), {2, "wall.?", "a key must be a plain name"}},
      {"{a: b}: 1\n", nothing, {1, "wall.?", "a key must be a plain name"}},
      {"name: x\n? [a]\n: 1\n", text_of("name"), {2, "wall.?", "a key must be a plain name"}},
      {"? {a: 1}\n: 1\n", nothing, {1, "wall.?", "known keys here: width, name, fit, visible"}},
      {"~: 1\n", nothing, {1, "wall.?", "a key must be a plain name"}},
      // A stray ',' in a flow mapping makes a null key.
      {"{width: 1,, name: a}\n", integer_of("width"), {1, "wall.?", "a key must be a plain name"}},
      // A plain key that is unknown is named; an empty one as written.
      {"\"\": 1\n", nothing, {1, "wall.\"\"", "not a known key"}},
      {"width: 1\ncolour: red\n", integer_of("width"), {2, "wall.colour", "not a known key"}},
  });
  // A key that is a list does not stop a known key from being read first.
  YamlMap m(load_yaml_document("[a]: 1\nwidth: 5\n", kFile), "wall", kFile);
  EXPECT_EQ(m.integer_or("width", 0, 0, 10), 5);
  // The hints say where a misplaced key belongs.
  const std::string yaml = "a: 1\nstreet: x\n";
  const ConfigError hinted = error_of(
      [&] {
        YamlMap h(load_yaml_document(yaml, kFile), "rules[0]", kFile);
        h.take("a");
        h.reject_unknown("a", {{"street", "when"}});
      },
      yaml);
  expect_error(hinted, kFile, {2, "rules[0].street", "it belongs under when"}, yaml);
}

TEST(YamlReader, ANodeThatIsNotAMapping) {
  struct Case {
    const char* yaml;
    const char* where;
    Expected want;
  };
  const Case cases[] = {
      {"- a\n- b\n", "", {1, "(file)", "must be a mapping"}},
      {"just text\n", "", {1, "(file)", "must be a mapping"}},
      {"[a]\n", "api.curve", {1, "api.curve", "must be a mapping"}},
      {"\n\n42\n", "cameras[3]", {3, "cameras[3]", "must be a mapping"}},
  };
  for (const auto& c : cases) {
    const ConfigError e =
        error_of([&] { YamlMap(load_yaml_document(c.yaml, kFile), c.where, kFile); }, c.yaml);
    expect_error(e, kFile, c.want, c.yaml);
  }
  // A null node (an empty file) has no line.
  const ConfigError e = error_of([] { YamlMap(load_yaml_document("", kFile), "", kFile); }, "");
  EXPECT_EQ(e.field(), "(file)");
  EXPECT_EQ(e.line(), 0);
}

TEST(YamlReader, DocumentsSyntaxAndInputYamlCppWouldLoopOn) {
  struct Case {
    std::string yaml;
    Expected want;
  };
  const Case cases[] = {
      {"a: 1\n---\nb: 2\n", {2, "(file)", "more than one YAML document"}},
      {"---\na: 1\n---\na: 2\n", {3, "(file)", "more than one YAML document"}},
      {"a: 1\n...\n---\na: 2\n", {3, "(file)", "more than one YAML document"}},
      // yaml-cpp 0.7 reports empty documents at the same place forever on these.
      {",", {1, "(syntax)", "unexpected ',' at column 1"}},
      {"- a\n,\n", {2, "(syntax)", "unexpected ',' at column 1"}},
      {"[a],\n", {1, "(syntax)", "unexpected ',' at column 4"}},
      {"a: [1, 2\n", {2, "(syntax)", "fix the YAML syntax"}},
      {"a: \"x\" y\n", {1, "(syntax)", "fix the YAML syntax"}},
      {"a: 1\n]\n", {2, "(syntax)", "fix the YAML syntax"}},
      {"a: 1\n,b: 2\n", {2, "(syntax)", "fix the YAML syntax"}},
      {"a: b: c\n", {1, "(syntax)", "fix the YAML syntax"}},
      {"a:\n  b: 1\n c: 2\n", {3, "(syntax)", "fix the YAML syntax"}},
      {"a: *nowhere\n", {1, "(syntax)", "fix the YAML syntax"}},
      {"a: !<tag\n", {1, "(syntax)", "fix the YAML syntax"}},
      {std::string(5000, '[') + std::string(5000, ']'), {1, "(syntax)", "fix the YAML syntax"}},
  };
  for (const auto& c : cases) {
    const ConfigError e = error_of([&] { load_yaml_document(c.yaml, kFile); }, c.yaml);
    expect_error(e, kFile, c.want, c.yaml.substr(0, 80));
  }
  // One document, with or without its markers, is fine.
  for (const char* yaml : {"a: 1\n", "---\na: 1\n", "---\na: 1\n...\n", "%YAML 1.2\n---\na: 1\n"}) {
    YAML::Node root;
    EXPECT_NO_THROW(root = load_yaml_document(yaml, kFile)) << yaml;
    EXPECT_EQ(root["a"].as<int>(), 1) << yaml;
  }
}

// Found by scripts/fuzz.sh config: a key holding a NUL byte cut what() (a C string) short of its
// message. Control bytes are shown as \xNN, so the whole error reaches the operator.
TEST(YamlReader, ControlBytesInAnErrorAreShownEscaped) {
  using namespace std::string_literals;
  const std::string yaml = "wall: {wi\0\x30th: 1}\n"s + kCameras;  // the fuzzer's bytes
  const ConfigError e = error_of([&] { load_config_text(yaml, kFile, "/etc/vw"); }, yaml);
  EXPECT_EQ(e.field(), "wall.wi\0th"s);  // yaml-cpp 0.7 drops the byte after a NUL
  EXPECT_EQ(e.line(), 1);
  const std::string what = e.what();
  EXPECT_EQ(what.rfind("reader.yaml:1: wall.wi\\x00", 0), 0u) << what;
  EXPECT_NE(what.find(": is not a known key; known keys here: width, height, layout, "
                      "layouts_dir, fit, language"),
            std::string::npos)
      << what;
  const std::string esc = "cameras:\n  - {id: a, main: \"http://\x1b[2Jcam\"}\n";
  const ConfigError escaped = error_of([&] { load_config_text(esc, kFile, "/etc/vw"); }, esc);
  EXPECT_NE(std::string(escaped.what()).find("http://\\x1b[2Jcam"), std::string::npos)
      << escaped.what();
}

// ---- the same kinds of mistakes through the public loaders

TEST(YamlReader, ConfigLoaderNamesEveryBadNode) {
  struct Case {
    std::string yaml;
    Expected want;
  };
  const std::string cams = kCameras;  // lines 1-2
  const Case cases[] = {
      {cams + "tiles: [{a: b}]\n", {3, "tiles[0]", "must be text"}},
      {cams + "tiles:\n  - a\n  - [a]\n", {5, "tiles[1]", "must be text"}},
      {cams + "[x]: 1\n", {3, "?", "a key must be a plain name"}},
      {"{x: 1}: 1\n" + cams, {1, "?", "a key must be a plain name"}},
      {cams + "cases: {overlays: {[a]: [counters]}}\n", {3, "cases.overlays", "plain text"}},
      {cams + "cases: {overlays: {default: counters}}\n", {3, "cases.overlays.default", "list"}},
      {cams + "cases: {overlays: {default: [[counters]]}}\n",
       {3, "cases.overlays.default[0]", "must be one of"}},
      {cams + "cases: {endpoints: [[tcp://h:1]]}\n", {3, "cases.endpoints[0]", "ZeroMQ endpoint"}},
      {cams + "cases: {silence_timeout_s: .nan}\n", {3, "cases.silence_timeout_s", "between"}},
      {cams + "cases: [a]\n", {3, "cases", "must be a mapping"}},
      {"wall: {width: [1]}\n" + cams, {1, "wall.width", "whole number"}},
      {"wall:\n  height: {a: 1}\n" + cams, {2, "wall.height", "whole number"}},
      {"wall: {layout: [2x2]}\n" + cams, {1, "wall.layout", "must be text"}},
      {"wall: {[fit]: fill}\n" + cams, {1, "wall.?", "a key must be a plain name"}},
      {"wall: [1920, 1080]\n" + cams, {1, "wall", "must be a mapping"}},
      {"streams: {stall_timeout_s: 1e999}\n" + cams, {1, "streams.stall_timeout_s", "between"}},
      {"streams: {transport: [tcp]}\n" + cams, {1, "streams.transport", "must be text"}},
      {"streams: {latency_ms: 99999999999}\n" + cams, {1, "streams.latency_ms", "whole number"}},
      {"cameras: {id: a}\n", {1, "cameras", "is missing or empty"}},
      {"cameras: [[a]]\n", {1, "cameras[0]", "must be a mapping"}},
      {"cameras:\n  - id: [a]\n    main: rtsp://h/a\n", {2, "cameras[0].id", "must be text"}},
      {"cameras:\n  - {id: a, main: {url: rtsp://h/a}}\n", {2, "cameras[0].main", "must be text"}},
      {"cameras:\n  - {id: a, main: rtsp://h/a, main_size: [[1], 2]}\n",
       {2, "cameras[0].main_size[0]", "whole number"}},
      {"cameras:\n  - {id: a, main: rtsp://h/a, main_size: {w: 1, h: 2}}\n",
       {2, "cameras[0].main_size", "[width, height]"}},
      {"cameras:\n  - {id: a, main: rtsp://h/a, latency_ms: 1.5}\n",
       {2, "cameras[0].latency_ms", "whole number"}},
      {"cameras:\n  - id: a\n    main: rtsp://h/a\n    [k]: v\n",
       {4, "cameras[0].?", "a key must be a plain name"}},
      {cams + "api: {curve: {secret_key_file: s.key, clients: [[a]]}}\n",
       {3, "api.curve.clients[0]", "must be a mapping"}},
      {cams + "api: {curve: {secret_key_file: [s.key]}}\n",
       {3, "api.curve.secret_key_file", "must be text"}},
      {cams + "api: {anonymous_role: {a: b}}\n", {3, "api.anonymous_role", "must be text"}},
      {cams + "storage: {audit_keep: 1e3}\n", {3, "storage.audit_keep", "whole number"}},
      {cams + "panel: {visible: maybe}\n", {3, "panel.visible", "true or false"}},
      {cams + "panel: {toggle_key: [F1]}\n", {3, "panel.toggle_key", "must be text"}},
      {cams + "---\n" + cams, {3, "(file)", "more than one YAML document"}},
      {cams + ",\n", {3, "(syntax)", "fix the YAML syntax"}},
      {",\n" + cams, {1, "(syntax)", "unexpected ','"}},
      {"- ,\n", {1, "(syntax)", "fix the YAML syntax"}},
      {cams + "tiles: [a\n", {4, "(syntax)", "fix the YAML syntax"}},
  };
  for (const auto& c : cases) {
    const ConfigError e = error_of([&] { load_config_text(c.yaml, kFile, "/etc/vw"); }, c.yaml);
    expect_error(e, kFile, c.want, c.yaml);
  }
}

const Config& rules_config() {
  static const Config config = load_config_text(
      "cameras:\n  - {id: hualou-01, main: rtsp://h/1}\n  - {id: hualou-02, main: rtsp://h/2}\n",
      "cameras.yaml", "/etc/vw");
  return config;
}

TEST(YamlReader, AlarmRulesLoaderNamesEveryBadNode) {
  const layouts::LayoutLibrary library;
  // A rule that loads, written over lines 2-4: each case puts a mistake into a copy of it.
  const std::string head = "rules:\n  - name: r\n";
  const std::string when = "    when: {open_at_least: 2, within_minutes: 5}\n";
  const std::string show = "    show: {layout: 2x2, cameras: [hualou-01]}\n";
  struct Case {
    std::string yaml;
    Expected want;
  };
  const Case cases[] = {
      {"rules: {a: 1}\n", {1, "rules", "must be a list of rules"}},
      {"rules: [[a]]\n", {1, "rules[0]", "must be a mapping"}},
      {"rules: [a]\n", {1, "rules[0]", "must be a mapping"}},
      {"[rules]: []\n", {1, "rules", "is missing"}},
      {"rules: []\n[rules]: []\n", {2, "?", "a key must be a plain name"}},
      {"rules: []\n{a: 1}: 2\n", {2, "?", "a key must be a plain name"}},
      {"rules: []\n'': 2\n", {2, "\"\"", "not a known key"}},
      // Found by scripts/fuzz.sh alarm_rules: a tag at the end of the file makes an empty key.
      {"rules: []\n!", {2, "\"\"", "not a known key; known keys here: rules"}},
      {"rules:\n  - name: [r]\n" + when + show, {2, "rules[0].name", "must be text"}},
      {"rules:\n  - name: {r: 1}\n" + when + show, {2, "rules[0].name", "must be text"}},
      {head + "    when: [1]\n" + show, {3, "rules[0].when", "must be a mapping"}},
      {head + "    when: {major: [true]}\n" + show, {3, "rules[0].when.major", "true or false"}},
      {head + "    when: {major: maybe}\n" + show, {3, "rules[0].when.major", "true or false"}},
      {head + "    when: {street: [花楼街], major: true}\n" + show,
       {3, "rules[0].when.street", "must be text"}},
      {head + "    when: {open_at_least: abc, within_minutes: 5}\n" + show,
       {3, "rules[0].when.open_at_least", "whole number"}},
      {head + "    when: {open_at_least: 2, within_minutes: 99999999999}\n" + show,
       {3, "rules[0].when.within_minutes", "whole number"}},
      {head + "    when: {open_at_least: 2, within_minutes: {m: 5}}\n" + show,
       {3, "rules[0].when.within_minutes", "whole number"}},
      {head + "    when: {open_at_least: 0, within_minutes: 5}\n" + show,
       {3, "rules[0].when.open_at_least", "(got 0)"}},
      {head + "    when: {[open_at_least]: 2, within_minutes: 5}\n" + show,
       {3, "rules[0].when.open_at_least", "is missing"}},
      {head + "    when:\n      major: true\n      [x]: 1\n" + show,
       {5, "rules[0].when.?", "a key must be a plain name"}},
      {head + when + "    show: {layout: [2x2], cameras: [hualou-01]}\n",
       {4, "rules[0].show.layout", "must be text"}},
      {head + when + "    show: {layout: 2x2, cameras: [[hualou-01]]}\n",
       {4, "rules[0].show.cameras[0]", "must be a camera id"}},
      {head + when + "    show: {layout: 2x2, cameras: {a: hualou-01}}\n",
       {4, "rules[0].show.cameras", "non-empty list"}},
      {head + when + "    show: {layout: 2x2, cameras: [~]}\n",
       {4, "rules[0].show.cameras[0]", "must be a camera id"}},
      {head + when + "    show: hualou-01\n", {4, "rules[0].show", "must be a mapping"}},
      {head + when + show + "    banner: {a: b}\n", {5, "rules[0].banner", "must be text"}},
      {head + when + show + "    revert_after_minutes: .inf\n",
       {5, "rules[0].revert_after_minutes", "whole number"}},
      {head + when + show + "    cooldown_minutes: [1]\n",
       {5, "rules[0].cooldown_minutes", "whole number"}},
      {head + when + show + "    [banner]: x\n", {5, "rules[0].?", "a key must be a plain name"}},
      {head + when + show + "---\nrules: []\n", {5, "(file)", "more than one YAML document"}},
      {head + when + show + ",\n", {5, "(syntax)", "fix the YAML syntax"}},
      {",", {1, "(syntax)", "unexpected ','"}},
      {"rules: [\n", {2, "(syntax)", "fix the YAML syntax"}},
  };
  for (const auto& c : cases) {
    const ConfigError e =
        error_of([&] { load_alarm_rules_text(c.yaml, kFile, rules_config(), library); }, c.yaml);
    expect_error(e, kFile, c.want, c.yaml);
  }
  // The good rule of the cases above loads.
  const AlarmRuleSet good =
      load_alarm_rules_text(head + when + show, kFile, rules_config(), library);
  ASSERT_EQ(good.rules.size(), 1u);
  EXPECT_EQ(good.rules[0].open_at_least, 2);
  EXPECT_EQ(good.rules[0].cameras, (std::vector<std::string>{"hualou-01"}));
}

}  // namespace
}  // namespace vw::controller
