#include "controller/cases/district.hpp"

#include <algorithm>

namespace vw::controller {

const std::vector<std::string>& jianghan_streets() {
  static const std::vector<std::string> streets = {
      "民族街", "花楼街",   "水塔街", "民权街", "满春街", "民意街", "新华街",
      "万松街", "唐家墩街", "北湖街", "前进街", "常青街", "汉兴街"};
  return streets;
}

bool is_jianghan_street(std::string_view name) {
  const auto& streets = jianghan_streets();
  return std::find(streets.begin(), streets.end(), name) != streets.end();
}

std::string jianghan_streets_text() {
  std::string all;
  for (const auto& s : jianghan_streets()) all += (all.empty() ? "" : " ") + s;
  return all;
}

}  // namespace vw::controller
