#include "controller/cases/alarm_rules.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>

#include "controller/cases/district.hpp"
#include "controller/core/yaml_reader.hpp"
#include "controller/quality/quality_checks.hpp"
#include "renderer/quality_labels.hpp"

namespace vw::controller {
namespace {

constexpr std::array<std::string_view, 5> kPlaceholders = {"count", "street", "category", "camera",
                                                           "check"};
constexpr const char* kPlaceholderList = "{count}, {street}, {category}, {camera} or {check}";

// Checks a banner template; returns an empty string when it is fine, else what is wrong.
std::string banner_problem(const std::string& banner) {
  for (std::size_t i = 0; i < banner.size(); ++i) {
    const char ch = banner[i];
    if (ch == '{') {
      if (i + 1 < banner.size() && banner[i + 1] == '{') {
        ++i;
        continue;
      }
      const auto close = banner.find('}', i + 1);
      if (close == std::string::npos)
        return std::string("has a { that is never closed: placeholders are ") + kPlaceholderList +
               "; write {{ for a literal brace";
      const std::string_view name(banner.data() + i + 1, close - i - 1);
      if (std::find(kPlaceholders.begin(), kPlaceholders.end(), name) == kPlaceholders.end())
        return "has an unknown placeholder {" + std::string(name) + "}: use " + kPlaceholderList +
               "; write {{ for a literal brace";
      i = close;
    } else if (ch == '}') {
      if (i + 1 < banner.size() && banner[i + 1] == '}') {
        ++i;
        continue;
      }
      return "has a } with no matching {: write }} for a literal brace";
    }
  }
  return {};
}

void parse_when(YamlMap& rule_reader, const YAML::Node& node, AlarmRule& rule,
                const std::string& file) {
  YamlMap when(node, rule_reader.field("when"), file);

  if (YAML::Node street = when.take("street"); YamlMap::present(street)) {
    rule.street = when.text("street", street);
    if (!is_jianghan_street(rule.street))
      when.fail(street, "street",
                "\"" + rule.street + "\" is not a street of Jianghan District; use one of: " +
                    jianghan_streets_text() + " (or leave street out for any street)");
  }
  if (YAML::Node category = when.take("category"); YamlMap::present(category)) {
    rule.category = when.text("category", category);
    if (rule.category.empty())
      when.fail(category, "category", "is empty: name a category or leave it out for any");
  }

  YAML::Node major = when.take("major");
  YAML::Node at_least = when.take("open_at_least");
  YAML::Node within = when.take("within_minutes");
  if (YamlMap::present(major)) rule.major = when.boolean("major", major);
  const bool has_threshold = YamlMap::present(at_least) || YamlMap::present(within);

  // A quality rule: picture faults of the cameras (on the street), held for for_seconds.
  YAML::Node checks_node = when.take("quality");
  YAML::Node held = when.take("for_seconds");
  if (YamlMap::present(checks_node) || YamlMap::present(held)) {
    if (rule.major || has_threshold || !rule.category.empty())
      when.fail(node, "quality",
                "cannot be combined with major, a threshold or a category: a quality rule "
                "watches the cameras' pictures (street is the only filter); write two rules");
    if (!YamlMap::present(checks_node) || !checks_node.IsSequence() || checks_node.size() == 0)
      when.fail(YamlMap::present(checks_node) ? checks_node : node, "quality",
                "must be a non-empty list of picture checks, e.g. quality: [black, covered]");
    std::string names;
    for (const auto& c : quality::kChecks) names += (names.empty() ? "" : ", ") + std::string(c);
    for (std::size_t i = 0; i < checks_node.size(); ++i) {
      const std::string key = "quality[" + std::to_string(i) + "]";
      const std::string check = checks_node[i].IsScalar() ? checks_node[i].Scalar() : "";
      if (std::find(quality::kChecks.begin(), quality::kChecks.end(), check) ==
          quality::kChecks.end())
        when.fail(checks_node[i], key, "\"" + check + "\" is not a picture check; use " + names);
      if (std::find(rule.quality.begin(), rule.quality.end(), check) == rule.quality.end())
        rule.quality.push_back(check);
    }
    if (YamlMap::present(held))
      rule.quality_for = std::chrono::seconds(when.integer("for_seconds", held, 1, 86400));
    when.reject_unknown(
        "street, category, open_at_least, within_minutes, major, quality, "
        "for_seconds");
    return;
  }

  if (rule.major && has_threshold)
    when.fail(YamlMap::present(at_least) ? at_least : within,
              YamlMap::present(at_least) ? "open_at_least" : "within_minutes",
              "cannot be combined with major: true; use either a threshold "
              "(open_at_least + within_minutes) or major: true, in two rules if you need both");
  if (!rule.major) {
    if (!has_threshold)
      when.fail(node, "open_at_least",
                "is missing: a rule's when needs a threshold (open_at_least: N and "
                "within_minutes: M), major: true, or picture checks (quality: [black])");
    if (!YamlMap::present(at_least))
      when.fail(node, "open_at_least",
                "is missing: give how many open cases within within_minutes fire the rule");
    if (!YamlMap::present(within))
      when.fail(node, "within_minutes",
                "is missing: give the window, in minutes, in which open_at_least cases count");
    rule.open_at_least = when.integer("open_at_least", at_least, 1, 100000);
    rule.window = std::chrono::minutes(when.integer("within_minutes", within, 1, 7 * 24 * 60));
  }
  when.reject_unknown(
      "street, category, open_at_least, within_minutes, major, quality, "
      "for_seconds");
}

void parse_show(YamlMap& rule_reader, const YAML::Node& node, AlarmRule& rule,
                const std::string& file, const Config& config,
                const layouts::LayoutLibrary& library) {
  YamlMap show(node, rule_reader.field("show"), file);

  YAML::Node layout_node = show.take("layout");
  if (!YamlMap::present(layout_node))
    show.fail(node, "layout", "is missing: name the layout to switch to, e.g. layout: 1+5");
  rule.layout = show.text("layout", layout_node);
  const layouts::Layout* layout = library.find(rule.layout);
  if (!layout) {
    std::string names;
    for (const auto& n : library.names()) names += (names.empty() ? "" : " ") + n;
    show.fail(layout_node, "layout",
              "names unknown layout \"" + rule.layout + "\"; known layouts: " + names);
  }

  YAML::Node cams = show.take("cameras");
  if (!YamlMap::present(cams) || !cams.IsSequence() || cams.size() == 0)
    show.fail(YamlMap::present(cams) ? cams : node, "cameras",
              "must be a non-empty list of camera ids in tile order, e.g. [hualou-01, hualou-02]");
  for (std::size_t i = 0; i < cams.size(); ++i) {
    const std::string key = "cameras[" + std::to_string(i) + "]";
    if (!cams[i].IsScalar()) show.fail(cams[i], key, "must be a camera id");
    const CameraConfig* cam = config.find_camera(cams[i].Scalar());
    if (!cam)
      show.fail(cams[i], key,
                "names unknown camera \"" + cams[i].Scalar() +
                    "\": use an id from the cameras "
                    "list of " +
                    (config.path.empty() ? std::string("the config") : config.path));
    if (std::find(rule.cameras.begin(), rule.cameras.end(), cam->id) != rule.cameras.end())
      show.fail(cams[i], key, "shows camera \"" + cam->id + "\" a second time: list it once");
    rule.cameras.push_back(cam->id);
  }
  if (rule.cameras.size() > layout->tiles.size())
    show.fail(cams, "cameras",
              "lists " + std::to_string(rule.cameras.size()) + " cameras but layout " +
                  rule.layout + " has only " + std::to_string(layout->tiles.size()) +
                  " tiles: list fewer cameras or choose a bigger layout");
  show.reject_unknown("layout, cameras");
}

AlarmRule parse_rule(const YAML::Node& node, std::size_t index, const std::string& file,
                     const Config& config, const layouts::LayoutLibrary& library) {
  YamlMap r(node, "rules[" + std::to_string(index) + "]", file);
  AlarmRule rule;
  rule.line = yaml_line(node);

  YAML::Node name = r.take("name");
  if (!YamlMap::present(name))
    r.fail(node, "name", "is missing: every rule needs a unique name (shown to operators)");
  rule.name = r.text("name", name);
  if (rule.name.empty()) r.fail(name, "name", "is empty: give the rule a unique name");

  YAML::Node when = r.take("when");
  if (!YamlMap::present(when))
    r.fail(node, "when",
           "is missing: say when the rule fires, e.g. when: {street: 花楼街, open_at_least: 21, "
           "within_minutes: 60} or when: {major: true}");
  parse_when(r, when, rule, file);

  YAML::Node show = r.take("show");
  if (!YamlMap::present(show))
    r.fail(node, "show",
           "is missing: say what the wall shows, e.g. show: {layout: 1+5, cameras: [hualou-01]}");
  parse_show(r, show, rule, file, config, library);

  rule.banner = rule.name;
  if (YAML::Node banner = r.take("banner"); YamlMap::present(banner)) {
    rule.banner = r.text("banner", banner);
    if (auto problem = banner_problem(rule.banner); !problem.empty())
      r.fail(banner, "banner", problem);
  }
  if (YAML::Node v = r.take("revert_after_minutes"); YamlMap::present(v))
    rule.revert_after = std::chrono::minutes(r.integer("revert_after_minutes", v, 1, 24 * 60));
  if (YAML::Node v = r.take("cooldown_minutes"); YamlMap::present(v))
    rule.cooldown = std::chrono::minutes(r.integer("cooldown_minutes", v, 0, 24 * 60));

  r.reject_unknown("name, when, show, banner, revert_after_minutes, cooldown_minutes",
                   {{"street", "when"},
                    {"category", "when"},
                    {"open_at_least", "when"},
                    {"within_minutes", "when"},
                    {"major", "when"},
                    {"quality", "when"},
                    {"for_seconds", "when"},
                    {"layout", "show"},
                    {"cameras", "show"}});
  return rule;
}

}  // namespace

const AlarmRule* AlarmRuleSet::find(const std::string& name) const {
  for (const auto& rule : rules)
    if (rule.name == name) return &rule;
  return nullptr;
}

AlarmRuleSet load_alarm_rules_text(const std::string& yaml, const std::string& file_label,
                                   const Config& config, const layouts::LayoutLibrary& layouts) {
  YAML::Node root = load_yaml_document(yaml, file_label);
  if (!root.IsDefined() || root.IsNull())
    throw ConfigError(file_label, 0, "(file)",
                      "is empty: it needs a rules: list (rules: [] for none)");

  YamlMap top(root, "", file_label);
  AlarmRuleSet set;
  set.path = file_label;
  YAML::Node rules = top.take("rules");
  if (!rules.IsDefined() || !rules.IsSequence())
    top.fail(rules.IsDefined() ? rules : root, "rules",
             rules.IsDefined() ? "must be a list of rules (rules: [] for none)"
                               : "is missing: list the rules under rules:");
  top.reject_unknown("rules");

  std::map<std::string, int> seen;  // name -> line
  for (std::size_t i = 0; i < rules.size(); ++i) {
    AlarmRule rule = parse_rule(rules[i], i, file_label, config, layouts);
    if (auto [it, fresh] = seen.emplace(rule.name, rule.line); !fresh)
      throw ConfigError(file_label, yaml_line(rules[i]["name"]),
                        "rules[" + std::to_string(i) + "].name",
                        "\"" + rule.name + "\" is already the name of the rule on line " +
                            std::to_string(it->second) + ": rule names must be unique");
    set.rules.push_back(std::move(rule));
  }
  return set;
}

AlarmRuleSet load_alarm_rules_file(const std::string& path, const Config& config,
                                   const layouts::LayoutLibrary& layouts) {
  std::ifstream in(path);
  if (!in)
    throw ConfigError(path, 0, "(file)",
                      "cannot be read: check the alarm rules path in the config and the file's "
                      "permissions");
  std::stringstream text;
  text << in.rdbuf();
  return load_alarm_rules_text(text.str(), path, config, layouts);
}

std::string fill_banner(const std::string& banner_template, int count, const std::string& street,
                        const std::string& category, const std::string& camera,
                        const std::string& check) {
  std::string out;
  out.reserve(banner_template.size() + 16);
  for (std::size_t i = 0; i < banner_template.size(); ++i) {
    const char ch = banner_template[i];
    const bool doubled = i + 1 < banner_template.size() && banner_template[i + 1] == ch;
    if ((ch == '{' || ch == '}') && doubled) {
      out += ch;
      ++i;
      continue;
    }
    if (ch == '{') {
      const auto close = banner_template.find('}', i + 1);
      if (close != std::string::npos) {
        const std::string_view name(banner_template.data() + i + 1, close - i - 1);
        if (name == "count") {
          out += std::to_string(count);
          i = close;
          continue;
        }
        const std::array<std::pair<std::string_view, const std::string*>, 4> texts{
            {{"street", &street}, {"category", &category}, {"camera", &camera}, {"check", &check}}};
        const auto text = std::find_if(texts.begin(), texts.end(),
                                       [&](const auto& t) { return t.first == name; });
        if (text != texts.end()) {
          out += *text->second;
          i = close;
          continue;
        }
      }
    }
    out += ch;
  }
  return out;
}

// ---- AlarmEngine ------------------------------------------------------------------------

AlarmEngine::AlarmEngine(AlarmRuleSet rules, std::size_t max_cases)
    : rules_(std::move(rules)),
      states_(rules_.rules.size()),
      max_cases_(std::max<std::size_t>(max_cases, 1)),
      retention_(std::chrono::hours(24)) {
  for (const auto& rule : rules_.rules)
    retention_ = std::max<Clock::duration>(retention_, 2 * rule.window);
}

AlarmEngine AlarmEngine::with_rules(AlarmRuleSet rules, TimePoint now) const {
  AlarmEngine next(std::move(rules), max_cases_);
  next.cases_ = cases_;
  next.by_seen_ = by_seen_;
  next.quality_ = quality_;
  next.stats_ = stats_;
  for (std::size_t i = 0; i < next.rules_.rules.size(); ++i) {
    const AlarmRule& rule = next.rules_.rules[i];
    RuleState& st = next.states_[i];
    for (const auto& [id, c] : next.cases_)
      if (next.counts(rule, c, now)) st.members.insert({c.reported_at, id});
    const auto old = std::find_if(rules_.rules.begin(), rules_.rules.end(),
                                  [&](const AlarmRule& r) { return r.name == rule.name; });
    if (old != rules_.rules.end()) {
      const RuleState& before = states_[static_cast<std::size_t>(old - rules_.rules.begin())];
      st.phase = before.phase;
      st.revert_at = before.revert_at;
      st.cooldown_until = before.cooldown_until;
      st.announced = before.announced;
    } else if (rule.major) {
      for (const auto& member : st.members) st.announced.insert(member.second);
    }
  }
  return next;
}

bool AlarmEngine::matches(const AlarmRule& rule, const CaseState& c) const {
  return (rule.street.empty() || rule.street == c.street) &&
         (rule.category.empty() || rule.category == c.category);
}

bool AlarmEngine::counts(const AlarmRule& rule, const CaseState& c, TimePoint now) const {
  if (!rule.quality.empty() || c.status == CaseStatus::Closed || !matches(rule, c)) return false;
  if (rule.major) return c.major;
  return c.reported_at >= now - rule.window;
}

void AlarmEngine::refresh_phase(RuleState& st, TimePoint now) const {
  if (st.phase == Phase::Cooldown && now >= st.cooldown_until) st.phase = Phase::Idle;
}

void AlarmEngine::prune_window(std::size_t rule_index, TimePoint now) {
  const AlarmRule& rule = rules_.rules[rule_index];
  if (rule.major || !rule.quality.empty()) return;
  auto& members = states_[rule_index].members;
  const TimePoint oldest = now - rule.window;
  while (!members.empty() && members.begin()->first < oldest) members.erase(members.begin());
}

void AlarmEngine::forget_case(const std::string& id) {
  auto it = cases_.find(id);
  if (it == cases_.end()) return;
  for (auto& st : states_) {
    st.members.erase({it->second.reported_at, id});
    st.announced.erase(id);
  }
  by_seen_.erase({it->second.seen, id});
  cases_.erase(it);
  ++stats_.evicted;
}

void AlarmEngine::forget_old_cases(TimePoint now) {
  while (!by_seen_.empty() &&
         (cases_.size() > max_cases_ || by_seen_.begin()->first < now - retention_)) {
    const std::string id = by_seen_.begin()->second;
    forget_case(id);
  }
}

AlarmAction AlarmEngine::activate(std::size_t rule_index, int count, TimePoint now) {
  const AlarmRule& rule = rules_.rules[rule_index];
  RuleState& st = states_[rule_index];
  st.phase = Phase::Active;
  st.revert_at = now + rule.revert_after;
  ++stats_.raised;

  AlarmAction action;
  action.kind = AlarmAction::Kind::Raise;
  action.rule = rule.name;
  action.layout = rule.layout;
  action.cameras = rule.cameras;
  action.count = count;
  action.at = now;
  return action;
}

AlarmAction AlarmEngine::raise(std::size_t rule_index, const std::string& case_id,
                               const CaseState& c, TimePoint now) {
  const AlarmRule& rule = rules_.rules[rule_index];
  AlarmAction action =
      activate(rule_index, static_cast<int>(states_[rule_index].members.size()), now);
  action.case_id = case_id;
  action.banner =
      fill_banner(rule.banner, action.count, rule.street.empty() ? c.street : rule.street,
                  rule.category.empty() ? c.category : rule.category);
  return action;
}

std::vector<AlarmAction> AlarmEngine::on_event(const CaseEvent& event, TimePoint now) {
  ++stats_.events;
  std::vector<AlarmAction> actions;

  auto found = cases_.find(event.id);
  const bool known = found != cases_.end();
  if (known && event.updated_at <= found->second.updated_at) {
    ++stats_.stale;
    return actions;
  }
  CaseState previous;
  if (known) {
    previous = found->second;
    by_seen_.erase({previous.seen, event.id});
  }
  CaseState& c = cases_[event.id];
  c.street = event.street;
  c.category = event.category;
  c.status = event.status;
  c.major = event.major;
  c.reported_at = event.reported_at;
  c.updated_at = event.updated_at;
  c.seen = now;
  by_seen_.insert({now, event.id});

  for (std::size_t i = 0; i < rules_.rules.size(); ++i) {
    const AlarmRule& rule = rules_.rules[i];
    RuleState& st = states_[i];
    refresh_phase(st, now);
    prune_window(i, now);
    const bool was_member = known && st.members.erase({previous.reported_at, event.id}) > 0;
    if (!counts(rule, c, now)) continue;
    st.members.insert({c.reported_at, event.id});

    bool fires = false;
    if (rule.major) {
      // Each major case is judged once, on its first event marked major (and open).
      fires = st.announced.insert(event.id).second;
    } else {
      fires = !was_member && static_cast<int>(st.members.size()) >= rule.open_at_least;
    }
    if (!fires) continue;
    if (st.phase == Phase::Idle)
      actions.push_back(raise(i, event.id, c, now));
    else
      ++stats_.suppressed;
  }
  forget_old_cases(now);
  return actions;
}

void AlarmEngine::on_quality(const std::string& stream, const std::string& camera_name,
                             const std::string& street, const std::vector<std::string>& faults,
                             TimePoint now) {
  QualityState& q = quality_[stream];
  q.camera_name = camera_name;
  q.street = street;
  for (auto it = q.since.begin(); it != q.since.end();) {
    if (std::find(faults.begin(), faults.end(), it->first) != faults.end()) {
      ++it;
      continue;
    }
    for (auto& st : states_) st.announced.erase(stream + '\n' + it->first);  // the period ended
    it = q.since.erase(it);
  }
  for (const auto& f : faults) q.since.emplace(f, now);
  if (q.since.empty()) quality_.erase(stream);
}

// A quality rule fires once per fault period: the first held long enough, in stream order.
void AlarmEngine::tick_quality(std::size_t rule_index, TimePoint now,
                               std::vector<AlarmAction>& actions) {
  const AlarmRule& rule = rules_.rules[rule_index];
  RuleState& st = states_[rule_index];
  std::vector<std::pair<std::string, std::string>> due;  // (stream, check), not yet announced
  int held = 0;
  for (const auto& [stream, q] : quality_) {
    if (!rule.street.empty() && q.street != rule.street) continue;
    bool counted = false;
    for (const auto& check : rule.quality) {
      const auto it = q.since.find(check);
      if (it == q.since.end() || now - it->second < rule.quality_for) continue;
      if (!counted) ++held;
      counted = true;
      if (!st.announced.count(stream + '\n' + check)) due.emplace_back(stream, check);
    }
  }
  if (due.empty()) return;
  if (st.phase != Phase::Idle) {
    ++stats_.suppressed;
    return;
  }
  const auto& [stream, check] = due.front();
  const QualityState& q = quality_.at(stream);
  st.announced.insert(stream + '\n' + check);
  AlarmAction action = activate(rule_index, held, now);
  action.stream = stream;
  action.banner = fill_banner(
      rule.banner, held, rule.street.empty() ? q.street : rule.street, "", q.camera_name,
      std::string(renderer::quality_check_name(check, renderer::Language::Chinese)));
  actions.push_back(std::move(action));
}

std::vector<AlarmAction> AlarmEngine::tick(TimePoint now) {
  std::vector<AlarmAction> actions;
  for (std::size_t i = 0; i < rules_.rules.size(); ++i) {
    RuleState& st = states_[i];
    prune_window(i, now);
    if (st.phase == Phase::Active && now >= st.revert_at) {
      AlarmAction action;
      action.kind = AlarmAction::Kind::Revert;
      action.rule = rules_.rules[i].name;
      action.at = st.revert_at;
      actions.push_back(std::move(action));
      ++stats_.reverted;
      st.phase = Phase::Cooldown;
      st.cooldown_until = st.revert_at + rules_.rules[i].cooldown;
    }
    refresh_phase(st, now);
    if (!rules_.rules[i].quality.empty()) tick_quality(i, now, actions);
  }
  forget_old_cases(now);
  return actions;
}

bool AlarmEngine::acknowledged(const std::string& rule, TimePoint now) {
  bool any = false;
  for (std::size_t i = 0; i < rules_.rules.size(); ++i) {
    if (!rule.empty() && rules_.rules[i].name != rule) continue;
    RuleState& st = states_[i];
    if (st.phase != Phase::Active) continue;
    st.phase = Phase::Cooldown;
    st.cooldown_until = now + rules_.rules[i].cooldown;
    refresh_phase(st, now);
    any = true;
  }
  return any;
}

AlarmEngine::Phase AlarmEngine::phase(const std::string& rule, TimePoint now) const {
  for (std::size_t i = 0; i < rules_.rules.size(); ++i) {
    if (rules_.rules[i].name != rule) continue;
    const RuleState& st = states_[i];
    if (st.phase == Phase::Cooldown && now >= st.cooldown_until) return Phase::Idle;
    return st.phase;
  }
  return Phase::Idle;
}

int AlarmEngine::count(const std::string& rule) const {
  for (std::size_t i = 0; i < rules_.rules.size(); ++i)
    if (rules_.rules[i].name == rule) return static_cast<int>(states_[i].members.size());
  return 0;
}

AlarmStats AlarmEngine::stats() const {
  AlarmStats s = stats_;
  s.cases = cases_.size();
  return s;
}

}  // namespace vw::controller
