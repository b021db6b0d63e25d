// The control API's strict request parser (controller/api/request.hpp): every command's fields,
// every error code, boundaries, and the description used for roles and the audit trail.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "controller/api/request.hpp"
#include "controller/api/wallctl_format.hpp"

namespace vw::controller::api {
namespace {

using json = nlohmann::json;

ParsedRequest parsed(std::string_view text) {
  ParseResult result = parse_request(text);
  if (auto* error = std::get_if<RequestError>(&result)) {
    ADD_FAILURE() << "refused: " << text << "\n  " << error->code << ": " << error->message;
    return {};
  }
  return std::get<ParsedRequest>(std::move(result));
}

template <typename T>
T command(std::string_view text) {
  const ParsedRequest request = parsed(text);
  const auto* cmd = std::get_if<Command>(&request.request);
  if (cmd == nullptr || !std::holds_alternative<T>(*cmd)) {
    ADD_FAILURE() << "not the expected command: " << text;
    return T{};
  }
  return std::get<T>(*cmd);
}

RequestError refused(std::string_view text) {
  ParseResult result = parse_request(text);
  if (!std::holds_alternative<RequestError>(result)) {
    ADD_FAILURE() << "accepted: " << text;
    return {};
  }
  auto error = std::get<RequestError>(std::move(result));
  // Every error must fit in a reply: dump() throws on invalid UTF-8.
  EXPECT_NO_THROW((void)error_reply(error.id, error.code, error.message).dump()) << text;
  EXPECT_FALSE(error.message.empty());
  return error;
}

// The code, and every word the message must contain (the field's name, what was got).
void expect_error(std::string_view text, const std::string& code,
                  const std::vector<std::string>& words = {}) {
  const RequestError error = refused(text);
  EXPECT_EQ(error.code, code) << text << "\n  " << error.message;
  for (const auto& word : words) {
    EXPECT_NE(error.message.find(word), std::string::npos)
        << text << "\n  message: " << error.message << "\n  lacks: " << word;
  }
}

TEST(ApiRequest, Queries) {
  EXPECT_TRUE(std::holds_alternative<StatusQuery>(parsed(R"({"cmd":"status"})").request));
  EXPECT_TRUE(std::holds_alternative<CamerasList>(parsed(R"({"cmd":"cameras.list"})").request));
  EXPECT_TRUE(std::holds_alternative<LayoutsList>(parsed(R"({"cmd":"layouts.list"})").request));
  EXPECT_TRUE(std::holds_alternative<StateGet>(parsed(R"({"cmd":"state.get"})").request));
  EXPECT_TRUE(
      std::holds_alternative<ConfigReloadQuery>(parsed(R"({"cmd":"config.reload"})").request));
  const ParsedRequest with_id = parsed(R"( {"id":"q-7","cmd":"status"} )");
  EXPECT_EQ(with_id.id, "q-7");
  EXPECT_EQ(parsed(R"({"cmd":"status"})").id, "");
  expect_error(R"({"cmd":"status","verbose":true})", "unknown_field", {"\"verbose\"", "status"});
}

TEST(ApiRequest, Layouts) {
  EXPECT_EQ(command<LayoutSet>(R"({"cmd":"layout.set","layout":"3x3"})").layout, "3x3");
  EXPECT_EQ(command<LayoutSet>(R"({"cmd":"layout.set","layout":"值班-大屏"})").layout, "值班-大屏");
  expect_error(R"({"cmd":"layout.set"})", "missing_field", {"\"layout\""});
  expect_error(R"({"cmd":"layout.set","layout":""})", "out_of_range", {"\"layout\"", "non-empty"});
  expect_error(R"({"cmd":"layout.set","layout":3})", "wrong_type", {"\"layout\"", "got 3"});
  EXPECT_EQ(command<LayoutSet>(R"({"cmd":"layout.set","layout":")" + std::string(128, 'x') + "\"}")
                .layout.size(),
            128u);
  expect_error(R"({"cmd":"layout.set","layout":")" + std::string(129, 'x') + "\"}", "out_of_range",
               {"\"layout\"", "128 bytes", "(129 bytes)"});

  EXPECT_EQ(command<LayoutStep>(R"({"cmd":"layout.step"})").delta, 1);
  EXPECT_EQ(command<LayoutStep>(R"({"cmd":"layout.step","delta":-1})").delta, -1);
  EXPECT_EQ(command<LayoutStep>(R"({"cmd":"layout.step","delta":64})").delta, 64);
  EXPECT_EQ(command<LayoutStep>(R"({"cmd":"layout.step","delta":-64})").delta, -64);
  expect_error(R"({"cmd":"layout.step","delta":0})", "out_of_range", {"\"delta\"", "got 0"});
  expect_error(R"({"cmd":"layout.step","delta":65})", "out_of_range", {"\"delta\"", "got 65"});
  expect_error(R"({"cmd":"layout.step","delta":-65})", "out_of_range", {"got -65"});
  expect_error(R"({"cmd":"layout.step","delta":"1"})", "wrong_type", {"\"delta\"", "got \"1\""});
}

TEST(ApiRequest, Tiles) {
  const auto assign = command<TileAssign>(R"({"cmd":"tile.assign","tile":3,"camera":"花楼街-01"})");
  EXPECT_EQ(assign.tile, 3);
  EXPECT_EQ(assign.camera, "花楼街-01");
  EXPECT_EQ(command<TileAssign>(R"({"cmd":"tile.assign","tile":1,"camera":""})").camera, "");
  EXPECT_EQ(command<TileAssign>(R"({"cmd":"tile.assign","tile":64,"camera":"c"})").tile, 64);
  expect_error(R"({"cmd":"tile.assign","tile":0,"camera":"c"})", "out_of_range",
               {"\"tile\"", "1..64", "got 0"});
  expect_error(R"({"cmd":"tile.assign","tile":65,"camera":"c"})", "out_of_range", {"got 65"});
  expect_error(R"({"cmd":"tile.assign","tile":3})", "missing_field", {"\"camera\""});
  expect_error(R"({"cmd":"tile.assign","camera":"c"})", "missing_field", {"\"tile\""});
  expect_error(R"({"cmd":"tile.assign","tile":3,"camera":7})", "wrong_type", {"\"camera\""});
  expect_error(R"({"cmd":"tile.assign","tile":3,"camera":")" + std::string(129, 'c') + "\"}",
               "out_of_range", {"\"camera\""});

  const auto swap = command<TileSwap>(R"({"cmd":"tile.swap","a":1,"b":64})");
  EXPECT_EQ(swap.a, 1);
  EXPECT_EQ(swap.b, 64);
  expect_error(R"({"cmd":"tile.swap","a":2,"b":2})", "out_of_range", {"\"b\""});
  expect_error(R"({"cmd":"tile.swap","a":2})", "missing_field", {"\"b\""});
  expect_error(R"({"cmd":"tile.swap","a":65,"b":1})", "out_of_range", {"\"a\""});

  EXPECT_EQ(command<TileMaximize>(R"({"cmd":"tile.maximize","tile":5})").tile, 5);
  expect_error(R"({"cmd":"tile.maximize"})", "missing_field", {"\"tile\""});
  command<TileRestore>(R"({"cmd":"tile.restore"})");
  expect_error(R"({"cmd":"tile.restore","tile":1})", "unknown_field", {"\"tile\""});
}

TEST(ApiRequest, IntegersOnly) {
  // Strings, floats (1e2 and 3.0 included), booleans, null and containers are wrong types.
  for (const char* value : {R"("3")", "3.5", "3.0", "1e2", "true", "null", "[3]", R"({"n":3})",
                            "99999999999999999999"}) {
    expect_error(std::string(R"({"cmd":"tile.maximize","tile":)") + value + "}", "wrong_type",
                 {"\"tile\"", "expected an integer 1..64, got "});
  }
  // Integers beyond int and int64 are out of range, never wrapped into it.
  for (const char* value : {"4294967299", "18446744073709551615", "9223372036854775808",
                            "-9223372036854775808", "-1"}) {
    expect_error(std::string(R"({"cmd":"tile.maximize","tile":)") + value + "}", "out_of_range",
                 {"\"tile\"", std::string("got ") + value});
  }
  expect_error(R"({"cmd":"tile.maximize","tile":1e400})", "bad_json");
  expect_error(R"({"cmd":"tile.maximize","tile":-0})", "out_of_range", {"got 0"});
}

TEST(ApiRequest, Tours) {
  const auto tour = command<TourStart>(
      R"({"cmd":"tour.start","tile":2,"cameras":["a","江汉路-3"],"dwell_s":30})");
  EXPECT_EQ(tour.tile, 2);
  EXPECT_EQ(tour.cameras, (std::vector<std::string>{"a", "江汉路-3"}));
  EXPECT_EQ(tour.dwell_s, 30);
  EXPECT_EQ(command<TourStart>(R"({"cmd":"tour.start","tile":1,"cameras":["a","b"]})").dwell_s, 10);
  const std::string base = R"({"cmd":"tour.start","tile":1,"cameras":["a","b"],"dwell_s":)";
  EXPECT_EQ(command<TourStart>(base + "3}").dwell_s, 3);
  EXPECT_EQ(command<TourStart>(base + "3600}").dwell_s, 3600);
  expect_error(base + "2}", "out_of_range", {"\"dwell_s\"", "3..3600", "got 2"});
  expect_error(base + "3601}", "out_of_range", {"\"dwell_s\"", "got 3601"});
  expect_error(base + "2.5}", "wrong_type", {"\"dwell_s\""});

  json many = {{"cmd", "tour.start"}, {"tile", 1}, {"cameras", json::array()}};
  for (int i = 0; i < 64; ++i) many["cameras"].push_back("cam-" + std::to_string(i));
  EXPECT_EQ(command<TourStart>(many.dump()).cameras.size(), 64u);
  many["cameras"].push_back("one-too-many");
  expect_error(many.dump(), "out_of_range", {"\"cameras\"", "2..64", "65 element(s)"});
  expect_error(R"({"cmd":"tour.start","tile":1,"cameras":["a"]})", "out_of_range",
               {"\"cameras\"", "1 element(s)"});
  expect_error(R"({"cmd":"tour.start","tile":1,"cameras":"a,b"})", "wrong_type", {"\"cameras\""});
  expect_error(R"({"cmd":"tour.start","tile":1,"cameras":["a",5]})", "wrong_type",
               {"\"cameras[1]\"", "got 5"});
  expect_error(R"({"cmd":"tour.start","tile":1,"cameras":["a",""]})", "out_of_range",
               {"\"cameras[1]\""});
  expect_error(R"({"cmd":"tour.start","tile":1})", "missing_field", {"\"cameras\""});
  expect_error(R"({"cmd":"tour.start","cameras":["a","b"]})", "missing_field", {"\"tile\""});

  EXPECT_EQ(command<TourStop>(R"({"cmd":"tour.stop"})").tile, 0);
  EXPECT_EQ(command<TourStop>(R"({"cmd":"tour.stop","tile":0})").tile, 0);
  EXPECT_EQ(command<TourStop>(R"({"cmd":"tour.stop","tile":64})").tile, 64);
  expect_error(R"({"cmd":"tour.stop","tile":65})", "out_of_range", {"\"tile\""});
  expect_error(R"({"cmd":"tour.stop","tile":-1})", "out_of_range", {"\"tile\""});
}

TEST(ApiRequest, Presets) {
  EXPECT_EQ(command<PresetSave>(R"({"cmd":"preset.save","name":"早高峰"})").name, "早高峰");
  EXPECT_EQ(command<PresetRecall>(R"({"cmd":"preset.recall","name":"night"})").name, "night");
  EXPECT_EQ(command<PresetDelete>(R"({"cmd":"preset.delete","name":"night"})").name, "night");
  const std::string prefix = R"({"cmd":"preset.save","name":")";
  EXPECT_EQ(command<PresetSave>(prefix + std::string(64, 'n') + "\"}").name.size(), 64u);
  expect_error(prefix + std::string(65, 'n') + "\"}", "out_of_range", {"\"name\"", "64 bytes"});
  std::string chinese;  // 22 characters, 66 bytes: the limit counts bytes
  for (int i = 0; i < 22; ++i) chinese += "街";
  expect_error(prefix + chinese + "\"}", "out_of_range", {"\"name\""});
  for (const char* bad : {"", "a\\u0007b", "a\\nb", "tab\\t", "del\\u007f", "c1\\u0085"}) {
    expect_error(prefix + bad + "\"}", "out_of_range", {"\"name\""});
  }
  expect_error(R"({"cmd":"preset.recall","name":true})", "wrong_type", {"\"name\"", "got true"});
  expect_error(R"({"cmd":"preset.delete"})", "missing_field", {"\"name\""});
}

TEST(ApiRequest, Alarms) {
  EXPECT_EQ(command<AlarmAck>(R"({"cmd":"alarm.ack"})").rule, "");
  EXPECT_EQ(command<AlarmAck>(R"({"cmd":"alarm.ack","rule":"fire-1"})").rule, "fire-1");
  expect_error(R"({"cmd":"alarm.ack","rule":1})", "wrong_type", {"\"rule\""});
  expect_error(R"({"cmd":"alarm.ack","rule":null})", "wrong_type", {"\"rule\"", "got null"});
}

TEST(ApiRequest, Snapshot) {
  auto snapshot = [](std::string_view text) {
    const ParsedRequest request = parsed(text);
    const auto* query = std::get_if<SnapshotQuery>(&request.request);
    EXPECT_NE(query, nullptr) << text;
    return query != nullptr ? *query : SnapshotQuery{};
  };
  const SnapshotQuery plain = snapshot(R"({"cmd":"snapshot"})");
  EXPECT_EQ(plain.format, SnapshotQuery::Format::Png);
  EXPECT_EQ(plain.path, "");
  EXPECT_EQ(plain.quality, 85);
  const SnapshotQuery jpeg =
      snapshot(R"({"cmd":"snapshot","format":"jpeg","path":"wall 1.jpg","quality":70})");
  EXPECT_EQ(jpeg.format, SnapshotQuery::Format::Jpeg);
  EXPECT_EQ(jpeg.path, "wall 1.jpg");
  EXPECT_EQ(jpeg.quality, 70);
  EXPECT_EQ(snapshot(R"({"cmd":"snapshot","format":"jpeg"})").quality, 85);
  EXPECT_EQ(snapshot(R"({"cmd":"snapshot","format":"png","path":"大屏.png"})").path, "大屏.png");
  EXPECT_EQ(snapshot(R"({"cmd":"snapshot","format":"jpeg","path":"a.jpeg"})").path, "a.jpeg");

  const std::string jpeg_quality = R"({"cmd":"snapshot","format":"jpeg","quality":)";
  EXPECT_EQ(snapshot(jpeg_quality + "1}").quality, 1);
  EXPECT_EQ(snapshot(jpeg_quality + "100}").quality, 100);
  expect_error(jpeg_quality + "0}", "out_of_range", {"\"quality\"", "1..100", "got 0"});
  expect_error(jpeg_quality + "101}", "out_of_range", {"\"quality\"", "got 101"});
  expect_error(jpeg_quality + "\"85\"}", "wrong_type", {"\"quality\""});
  expect_error(R"({"cmd":"snapshot","quality":50})", "unknown_field", {"\"quality\"", "jpeg"});
  expect_error(R"({"cmd":"snapshot","format":"gif"})", "out_of_range", {"\"format\"", "\"gif\""});
  expect_error(R"({"cmd":"snapshot","format":"PNG"})", "out_of_range", {"\"format\""});
  expect_error(R"({"cmd":"snapshot","format":1})", "wrong_type", {"\"format\""});
  expect_error(R"({"cmd":"snapshot","path":1})", "wrong_type", {"\"path\""});

  for (const char* path :
       {"../wall.png", "a/b.png", "/tmp/x.png", ".hidden.png", "..png", "a..png", "wall.jpg",
        "wall.PNG", "wall", "wall.png.txt", "a\\u0000.png", "a\\nb.png", ".png"}) {
    expect_error(std::string(R"({"cmd":"snapshot","path":")") + path + "\"}", "out_of_range",
                 {"\"path\""});
  }
  for (const char* path : {"wall.png", "wall.jpg.png", "wall"}) {
    expect_error(std::string(R"({"cmd":"snapshot","format":"jpeg","path":")") + path + "\"}",
                 "out_of_range", {"\"path\"", ".jpg or .jpeg"});
  }
  expect_error(R"({"cmd":"snapshot","path":")" + std::string(125, 'p') + ".png\"}", "out_of_range",
               {"\"path\""});
}

TEST(ApiRequest, Ids) {
  const std::string long_id(128, 'i');
  EXPECT_EQ(parsed(R"({"cmd":"status","id":")" + long_id + "\"}").id, long_id);
  const RequestError too_long = refused(R"({"cmd":"status","id":")" + long_id + "i\"}");
  EXPECT_EQ(too_long.code, "out_of_range");
  EXPECT_NE(too_long.message.find("\"id\""), std::string::npos);
  EXPECT_EQ(too_long.id, "");  // not echoed: it is the thing refused
  EXPECT_EQ(too_long.cmd, "status");
  expect_error(R"({"cmd":"status","id":7})", "wrong_type", {"\"id\"", "got 7"});

  // Every later error echoes the id and the cmd.
  const RequestError error = refused(R"({"id":"r-1","cmd":"tile.assign","tile":"3","camera":"c"})");
  EXPECT_EQ(error.id, "r-1");
  EXPECT_EQ(error.cmd, "tile.assign");
  EXPECT_EQ(error.code, "wrong_type");
  EXPECT_EQ(refused(R"({"id":"r-2"})").id, "r-2");
  EXPECT_EQ(refused(R"({"id":"r-3","cmd":"nope"})").id, "r-3");
  EXPECT_EQ(refused(R"({"id":"r-4","cmd":"status","x":1})").id, "r-4");
}

TEST(ApiRequest, CommandErrors) {
  expect_error(R"({"id":"x"})", "missing_field", {"\"cmd\"", "status", "tile.assign"});
  expect_error(R"({"cmd":5})", "wrong_type", {"\"cmd\"", "got 5"});
  const RequestError unknown = refused(R"({"cmd":"tile.explode","tile":1})");
  EXPECT_EQ(unknown.code, "unknown_command");
  EXPECT_EQ(unknown.cmd, "tile.explode");
  for (const char* word : {"\"tile.explode\"", "status", "cameras.list", "layout.set", "tour.start",
                           "preset.delete", "alarm.ack", "snapshot", "config.reload"}) {
    EXPECT_NE(unknown.message.find(word), std::string::npos) << unknown.message;
  }
  for (const char* internal : {"alarm.raise", "alarm.expire", "tour.advance"}) {
    const RequestError error =
        refused(std::string(R"({"cmd":")") + internal + R"(","rule":"r","tile":1})");
    EXPECT_EQ(error.code, "unknown_command");
    EXPECT_EQ(error.cmd, internal);
    EXPECT_NE(error.message.find(internal), std::string::npos);
    EXPECT_NE(error.message.find("not available over the API"), std::string::npos);
  }
  // A huge cmd is cut for the message and the audit trail.
  const RequestError huge = refused(R"({"cmd":")" + std::string(5000, 'z') + "\"}");
  EXPECT_EQ(huge.code, "unknown_command");
  EXPECT_LT(huge.cmd.size(), 64u);
  EXPECT_LT(huge.message.size(), 600u);

  const RequestError typo = refused(R"({"cmd":"tile.assign","tiel":3,"camera":"c"})");
  EXPECT_EQ(typo.code, "unknown_field");
  EXPECT_NE(typo.message.find("\"tiel\""), std::string::npos);
  EXPECT_NE(typo.message.find("tile, camera"), std::string::npos) << typo.message;
}

TEST(ApiRequest, ShownValuesAreCut) {
  const std::string value(300, 'v');
  const RequestError error = refused(R"({"cmd":"tile.maximize","tile":")" + value + "\"}");
  EXPECT_EQ(error.code, "wrong_type");
  EXPECT_EQ(error.message.find(value), std::string::npos);
  EXPECT_NE(error.message.find("(300 bytes)"), std::string::npos) << error.message;
  // Cut at a character boundary: still valid UTF-8 (refused() dumps the reply).
  std::string chinese;
  for (int i = 0; i < 50; ++i) chinese += "街";
  refused(R"({"cmd":"tile.maximize","tile":")" + chinese + "\"}");
}

TEST(ApiRequest, SizeAndSyntax) {
  std::string big = R"({"cmd":"status"})";
  big.resize(kMaxRequestBytes, ' ');  // trailing whitespace is still one valid object
  EXPECT_TRUE(std::holds_alternative<StatusQuery>(parsed(big).request));
  big.push_back(' ');
  expect_error(big, "too_large", {"1048577", "1048576"});
  expect_error(std::string(kMaxRequestBytes + 1, '\xff'), "too_large");

  for (const std::string& text :
       {std::string(), std::string("   "), std::string("{"), std::string("not json"),
        std::string(R"({"cmd":"status"} {})"), std::string(R"({"cmd":"status",})"),
        std::string(R"({'cmd':'status'})"), std::string("{\"cmd\":\"status\"}\x00", 17),
        std::string("\x00\x01\x02\xff\xfe\x80\x81", 7), std::string("{\"cmd\":\"st\xff\"}"),
        std::string("{\"cmd\":\"preset.save\",\"name\":\"\xc3\x28\"}"),
        std::string("{\"cmd\":\"preset.save\",\"name\":\"\xed\xa0\x80\"}"),
        std::string(R"({"cmd":"preset.save","name":"\ud800"})"),
        std::string(R"({"cmd":"status" /* c */})"), std::string(R"({"cmd":"status","cmd":"x"})")}) {
    expect_error(text, "bad_json");
  }
  // nlohmann alone would stop at a NUL and accept what came before it.
  expect_error(std::string("{\"cmd\":\"status\"}\0\xff{", 19), "bad_json", {"NUL"});
  // Nesting is refused before anything walks it, however deep it goes.
  expect_error(R"({"cmd":"status","x":)" + std::string(40, '[') + std::string(40, ']') + "}",
               "bad_json", {"nested"});
  expect_error(std::string(400000, '[') + std::string(400000, ']'), "bad_json", {"nested"});
  expect_error(std::string(kMaxRequestBytes, '['), "bad_json");

  for (const char* text : {"[]", R"(["cmd","status"])", R"("status")", "3", "null", "true"}) {
    expect_error(text, "not_an_object", {"JSON object"});
  }
}

TEST(ApiRequest, RolesAndNames) {
  const std::vector<std::pair<std::string, Role>> expected = {
      {R"({"cmd":"status"})", Role::Viewer},
      {R"({"cmd":"cameras.list"})", Role::Viewer},
      {R"({"cmd":"layouts.list"})", Role::Viewer},
      {R"({"cmd":"state.get"})", Role::Viewer},
      {R"({"cmd":"snapshot"})", Role::Viewer},
      {R"({"cmd":"config.reload"})", Role::Admin},
      {R"({"cmd":"layout.set","layout":"2x2"})", Role::Operator},
      {R"({"cmd":"layout.step"})", Role::Operator},
      {R"({"cmd":"tile.assign","tile":1,"camera":""})", Role::Operator},
      {R"({"cmd":"tile.swap","a":1,"b":2})", Role::Operator},
      {R"({"cmd":"tile.maximize","tile":1})", Role::Operator},
      {R"({"cmd":"tile.restore"})", Role::Operator},
      {R"({"cmd":"tour.start","tile":1,"cameras":["a","b"]})", Role::Operator},
      {R"({"cmd":"tour.stop"})", Role::Operator},
      {R"({"cmd":"preset.save","name":"p"})", Role::Admin},
      {R"({"cmd":"preset.recall","name":"p"})", Role::Operator},
      {R"({"cmd":"preset.delete","name":"p"})", Role::Admin},
      {R"({"cmd":"alarm.ack"})", Role::Operator},
  };
  for (const auto& [text, role] : expected) {
    const ParsedRequest request = parsed(text);
    EXPECT_EQ(required_role(request.request), role) << text;
    EXPECT_EQ(json::parse(text)["cmd"], request_name(request.request));
  }
  EXPECT_EQ(request_name(Request{Command{AlarmRaise{}}}), "alarm.raise");
  EXPECT_EQ(request_name(Request{Command{AlarmExpire{}}}), "alarm.expire");
  EXPECT_EQ(request_name(Request{Command{TourAdvance{}}}), "tour.advance");
  EXPECT_EQ(request_name(Request{Command{ConfigReload{}}}), "config.reload");
  EXPECT_EQ(required_role(Request{Command{AlarmRaise{}}}), Role::Admin);

  EXPECT_EQ(to_string(Role::Viewer), "viewer");
  EXPECT_EQ(to_string(Role::Operator), "operator");
  EXPECT_EQ(to_string(Role::Admin), "admin");
  Role role = Role::Viewer;
  EXPECT_TRUE(parse_role("admin", role));
  EXPECT_EQ(role, Role::Admin);
  EXPECT_TRUE(parse_role("operator", role));
  EXPECT_EQ(role, Role::Operator);
  for (const char* text : {"Admin", "", "system", "admin "}) EXPECT_FALSE(parse_role(text, role));
  EXPECT_EQ(role, Role::Operator);
}

TEST(ApiRequest, Arguments) {
  auto arguments = [](std::string_view text) { return request_arguments(parsed(text).request); };
  EXPECT_EQ(arguments(R"({"cmd":"status","id":"x"})"), json::object());
  EXPECT_EQ(arguments(R"({"cmd":"snapshot"})"),
            (json{{"format", "png"}, {"path", ""}, {"quality", 85}}));
  EXPECT_EQ(arguments(R"({"cmd":"snapshot","format":"jpeg","path":"a.jpg","quality":9})"),
            (json{{"format", "jpeg"}, {"path", "a.jpg"}, {"quality", 9}}));
  EXPECT_EQ(arguments(R"({"cmd":"tour.start","tile":4,"cameras":["a","b"]})"),
            (json{{"tile", 4}, {"cameras", {"a", "b"}}, {"dwell_s", 10}}));
  EXPECT_EQ(arguments(R"({"cmd":"tour.stop"})"), (json{{"tile", 0}}));
  EXPECT_EQ(arguments(R"({"cmd":"tile.assign","tile":3,"camera":"花楼街-01","id":"abc"})"),
            (json{{"tile", 3}, {"camera", "花楼街-01"}}));
  EXPECT_EQ(arguments(R"({"cmd":"tile.swap","a":3,"b":4})"), (json{{"a", 3}, {"b", 4}}));
  EXPECT_EQ(arguments(R"({"cmd":"tile.maximize","tile":2})"), (json{{"tile", 2}}));
  EXPECT_EQ(arguments(R"({"cmd":"tile.restore"})"), json::object());
  EXPECT_EQ(arguments(R"({"cmd":"layout.set","layout":"3x3"})"), (json{{"layout", "3x3"}}));
  EXPECT_EQ(arguments(R"({"cmd":"layout.step"})"), (json{{"delta", 1}}));
  EXPECT_EQ(arguments(R"({"cmd":"preset.save","name":"p"})"), (json{{"name", "p"}}));
  EXPECT_EQ(arguments(R"({"cmd":"preset.recall","name":"p"})"), (json{{"name", "p"}}));
  EXPECT_EQ(arguments(R"({"cmd":"preset.delete","name":"p"})"), (json{{"name", "p"}}));
  EXPECT_EQ(arguments(R"({"cmd":"alarm.ack"})"), (json{{"rule", ""}}));
  EXPECT_EQ(arguments(R"({"cmd":"config.reload"})"), json::object());
  const AlarmRaise raise{"fire", "2x2", {"a", "b"}, "火警"};
  EXPECT_EQ(
      request_arguments(Request{Command{raise}}),
      (json{{"rule", "fire"}, {"layout", "2x2"}, {"cameras", {"a", "b"}}, {"banner", "火警"}}));
}

TEST(ApiRequest, Replies) {
  EXPECT_EQ(ok_reply(""), (json{{"ok", true}}));
  EXPECT_EQ(ok_reply("r1", {{"state", 3}}), (json{{"ok", true}, {"id", "r1"}, {"state", 3}}));
  EXPECT_EQ(error_reply("", "bad_json", "m"),
            (json{{"ok", false}, {"error", {{"code", "bad_json"}, {"message", "m"}}}}));
  EXPECT_EQ(error_reply("r2", "wrong_type", "m")["id"], "r2");
}

// wallctl status: each stream's picture-quality verdict in the operator's words (画质 column).
TEST(WallctlFormat, StatusNamesEachStreamsPictureFaults) {
  const json reply = {
      {"ok", true},
      {"streams",
       {{{"key", "red/main"},
         {"state", "playing"},
         {"quality", {{"faults", {"covered", "frozen"}}}}},
        {{"key", "green/main"}, {"state", "playing"}, {"quality", {{"faults", json::array()}}}},
        {{"key", "blue/main"}, {"state", "playing"}, {"quality", nullptr}}}}};
  std::ostringstream zh, en;
  wallctl::print_status(zh, wallctl::Lang::Zh, reply);
  wallctl::print_status(en, wallctl::Lang::En, reply);
  auto line_of = [](const std::string& text, const std::string& key) {
    const auto at = text.find(key);
    return at == std::string::npos ? std::string() : text.substr(at, text.find('\n', at) - at);
  };
  EXPECT_NE(zh.str().find("画质"), std::string::npos) << zh.str();
  EXPECT_NE(line_of(zh.str(), "red/main").find("遮挡、画面冻结"), std::string::npos) << zh.str();
  EXPECT_NE(line_of(zh.str(), "green/main").find("正常"), std::string::npos) << zh.str();
  EXPECT_EQ(line_of(zh.str(), "blue/main").find("正常"), std::string::npos) << zh.str();
  EXPECT_NE(line_of(en.str(), "red/main").find("covered, frozen"), std::string::npos) << en.str();
}

// wallctl quality report: durations as hh:mm:ss, the checks in the operator's words, a stream
// without a fault as 正常; CSV quotes what needs quoting.
TEST(WallctlFormat, QualityReportAsATableAndAsCsv) {
  const json reply = {{"ok", true},
                      {"since", "2026-12-01T09:00:00+08:00"},
                      {"until", "2026-12-02T09:00:00+08:00"},
                      {"streams",
                       {{{"stream", "minzu-01/main"},
                         {"camera", "minzu-01"},
                         {"faults",
                          {{{"check", "covered"},
                            {"seconds", 3725.0},
                            {"periods", 2},
                            {"longest_s", 65.0},
                            {"longest_from", "2026-12-01T10:00:00+08:00"},
                            {"ongoing", true}}}}},
                        {{"stream", "a,b/sub"}, {"camera", "a,b"}, {"faults", json::array()}}}}};
  std::ostringstream table, csv;
  wallctl::print_quality_report(table, wallctl::Lang::Zh, reply);
  wallctl::print_quality_csv(csv, reply);
  EXPECT_NE(table.str().find("视频质量诊断报告 2026-12-01T09:00:00+08:00"), std::string::npos)
      << table.str();
  EXPECT_NE(table.str().find("遮挡"), std::string::npos) << table.str();
  EXPECT_NE(table.str().find("01:02:05"), std::string::npos) << table.str();
  EXPECT_NE(table.str().find("00:01:05"), std::string::npos) << table.str();
  EXPECT_NE(table.str().find("正常"), std::string::npos) << table.str();
  EXPECT_EQ(csv.str(),
            "stream,camera,check,seconds,periods,longest_s,longest_from,ongoing\n"
            "minzu-01/main,minzu-01,covered,3725.0,2,65.0,2026-12-01T10:00:00+08:00,true\n"
            "\"a,b/sub\",\"a,b\",,0,0,0,,false\n");
}

}  // namespace
}  // namespace vw::controller::api
