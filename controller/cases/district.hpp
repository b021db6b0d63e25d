// Jianghan District (江汉区, Wuhan): its 13 streets (街道), the one list the case board, the
// alarm rules and the case simulator share.
//
// Threads: any (immutable after first use).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vw::controller {

// In the order the wall lists them.
const std::vector<std::string>& jianghan_streets();

bool is_jianghan_street(std::string_view name);

// "民族街 花楼街 ..." for messages that say which names are allowed.
std::string jianghan_streets_text();

}  // namespace vw::controller
