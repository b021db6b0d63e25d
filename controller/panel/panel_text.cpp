// Every string the operator panel draws, in Chinese (operators' language) and English. State
// names follow the wall's tiles (renderer/tile_compositor.cpp) so both say the same thing.
#include <cstdarg>
#include <cstdio>
#include <iterator>
#include <utility>

#include "controller/panel/panel_internal.hpp"

namespace vw::controller::panel {
namespace {

struct Entry {
  Text id;  // checked against the position, so the table cannot drift from the enum
  const char* zh;
  const char* en;
};

constexpr Entry kTexts[] = {
    {Text::WindowTitle, "操作面板", "Operator panel"},
    {Text::AlarmAck, "确认告警", "Acknowledge"},
    {Text::AlarmCount, "（共 %d 条告警）", "(%d alarms)"},
    {Text::SelectedTile, "已选 %d 号窗口", "Tile %d selected"},
    {Text::NoTileSelected, "点击缩略图选择窗口", "Click a tile to select it"},
    {Text::Maximize, "最大化 (F)", "Maximize (F)"},
    {Text::Restore, "还原 (Esc)", "Restore (Esc)"},
    {Text::Clear, "清空", "Clear"},
    {Text::DwellFormat, "每路 %d 秒", "%d s each"},
    {Text::TourStart, "轮巡当前列表", "Tour the list"},
    {Text::TourStop, "停止轮巡", "Stop tour"},
    {Text::TourBadge, "轮巡", "Tour"},
    {Text::TourHint, "以摄像机列表当前的搜索结果轮巡（至少 2 路，最多 64 路）",
     "Cycles the cameras the list shows now (2 to 64)"},
    {Text::DragHint, "拖动摄像机到窗口上分配，拖动窗口到另一窗口上交换",
     "Drag a camera onto a tile to show it there, a tile onto another to swap them"},
    {Text::Layouts, "布局", "Layouts"},
    {Text::Presets, "布局预案", "Presets"},
    {Text::NoPresets, "暂无预案", "No presets yet"},
    {Text::PresetNameHint, "预案名称", "Preset name"},
    {Text::PresetSave, "保存预案", "Save preset"},
    {Text::PresetDelete, "删除预案", "Delete preset"},
    {Text::PresetTooltip, "布局 %s，右键删除", "Layout %s; right-click to delete"},
    {Text::TabCameras, "摄像机", "Cameras"},
    {Text::TabStreams, "视频流状态", "Streams"},
    {Text::TabCases, "案件", "Cases"},
    {Text::TabOutputs, "输出", "Outputs"},
    {Text::NoOutputs, "没有配置输出（配置文件的 outputs）",
     "No outputs configured (outputs: in the config)"},
    {Text::ColOutput, "输出", "Output"},
    {Text::ColClients, "观看", "Clients"},
    {Text::ColFrames, "已编码帧", "Frames"},
    {Text::ColAddress, "地址", "Address"},
    {Text::OutputStart, "启动", "Start"},
    {Text::OutputStop, "停止", "Stop"},
    {Text::OutputRunning, "输出中", "running"},
    {Text::OutputStopped, "未启动", "stopped"},
    {Text::OutputFailed, "故障", "failed"},
    {Text::MasksInForce, "隐私遮挡：已生效", "Privacy masks: on"},
    {Text::MasksLifted, "隐私遮挡：已解除（仅本地大屏，输出仍遮挡）",
     "Privacy masks: lifted (on the wall only; outputs stay masked)"},
    {Text::MasksLift, "解除遮挡", "Lift masks"},
    {Text::MasksRestore, "恢复遮挡", "Restore masks"},
    {Text::SearchHint, "搜索：名称 / 街道 / 拼音首字母", "Search: name / street / pinyin initials"},
    {Text::CameraCount, "%d / %d 路", "%d of %d"},
    {Text::ColCamera, "摄像机", "Camera"},
    {Text::ColStreet, "街道", "Street"},
    {Text::ColState, "状态", "State"},
    {Text::ColVideo, "画面", "Video"},
    {Text::ColFps, "帧率", "FPS"},
    {Text::ColBitrate, "码率", "Bitrate"},
    {Text::ColResolution, "分辨率", "Resolution"},
    {Text::ColCodec, "编码", "Codec"},
    {Text::ColDecoder, "解码器", "Decoder"},
    {Text::ColDrops, "丢帧", "Dropped"},
    {Text::ColReconnects, "重连", "Reconnects"},
    {Text::ColQuality, "画质", "Picture"},
    {Text::QualityOk, "正常", "good"},
    {Text::QualityLastVisit, "（上次巡检）", "(last visit)"},
    {Text::SetReference, "设为基准", "Set reference"},
    {Text::ResetReference, "重设基准", "Reset reference"},
    {Text::ReferenceHint, "以当前画面为该摄像机的基准画面：画面偏离基准时报 场景变更",
     "Take the current picture as the camera's reference: a different view is reported as "
     "scene changed"},
    {Text::ColLastError, "最近错误", "Last error"},
    {Text::Hardware, "硬件", "Hardware"},
    {Text::Software, "软件", "Software"},
    {Text::MainStream, "主码流", "main"},
    {Text::SubStream, "子码流", "sub"},
    {Text::StatePlaying, "播放中", "Playing"},
    {Text::StateConnecting, "连接中", "Connecting"},
    {Text::StateStalled, "信号中断", "Signal lost"},
    {Text::StateReconnecting, "重连中", "Reconnecting"},
    {Text::StateAuthFailed, "认证失败", "Authentication failed"},
    {Text::StateNotFound, "视频流不存在", "Stream not found"},
    {Text::StateUnsupported, "格式不支持", "Unsupported format"},
    {Text::StateIdle, "未连接", "Offline"},
    {Text::WaitingData, "等待数据", "Waiting for data"},
    {Text::DataInterrupted, "数据中断", "Data interrupted"},
    {Text::ReportedToday, "今日上报", "Reported today"},
    {Text::OpenCases, "未办结", "Open"},
    {Text::Overdue, "超期", "Overdue"},
    {Text::Closed, "办结", "Closed"},
    {Text::ClosureRate, "办结率", "Closure rate"},
    {Text::ByStreet, "按街道", "By street"},
    {Text::ByCategory, "按类别", "By category"},
    {Text::ColCategory, "类别", "Category"},
    {Text::ColReported, "上报", "Reported"},
    {Text::HourlyReported, "今日每小时上报", "Reports per hour today"},
    {Text::Ready, "就绪", "Ready"},
    // The switch names the language it switches to.
    {Text::LanguageSwitch, "English", "中文"},
    {Text::LanguageChanged, "界面语言：中文", "Language: English"},
    {Text::MsgLayout, "已切换布局 %s", "Layout %s"},
    {Text::MsgAssign, "%d 号窗口显示 %s", "Tile %d shows %s"},
    {Text::MsgClear, "已清空 %d 号窗口", "Tile %d cleared"},
    {Text::MsgSwap, "已交换 %d 号与 %d 号窗口", "Tiles %d and %d swapped"},
    {Text::MsgMaximize, "%d 号窗口已最大化", "Tile %d maximized"},
    {Text::MsgRestore, "已还原", "Restored"},
    {Text::MsgAck, "已确认告警", "Alarm acknowledged"},
    {Text::MsgTourStart, "%d 号窗口开始轮巡（%d 路，每路 %d 秒）",
     "Tour on tile %d: %d cameras, %d s each"},
    {Text::MsgTourStop, "%d 号窗口已停止轮巡", "Tour on tile %d stopped"},
    {Text::MsgPresetSave, "已保存预案 %s", "Preset %s saved"},
    {Text::MsgPresetRecall, "已调用预案 %s", "Preset %s recalled"},
    {Text::MsgPresetDelete, "已删除预案 %s", "Preset %s deleted"},
    {Text::MsgOutputStart, "已启动输出 %s", "Output %s started"},
    {Text::MsgOutputStop, "已停止输出 %s", "Output %s stopped"},
    {Text::MsgMasksLifted, "已解除大屏隐私遮挡", "Privacy masks lifted on the wall"},
    {Text::MsgMasksRestored, "已恢复大屏隐私遮挡", "Privacy masks restored on the wall"},
    {Text::MsgReference, "已设基准画面", "Reference picture set"},
    {Text::MsgRefused, "未执行：%s", "Refused: %s"},
    {Text::MsgNeedsRole, "未执行：需要%s权限", "Refused: this needs the %s role"},
    {Text::RoleOperator, "操作员", "operator"},
    {Text::RoleAdmin, "管理员", "admin"},
    {Text::WhyUnknownLayout, "布局不存在", "unknown layout"},
    {Text::WhyUnknownCamera, "摄像机不存在", "unknown camera"},
    {Text::WhyTileOutOfRange, "当前布局没有该窗口", "no such tile in this layout"},
    {Text::WhyBadTour, "轮巡至少需要 2 路摄像机，每路至少 3 秒",
     "a tour needs 2 cameras, 3 s each"},
    {Text::WhyNoTour, "该窗口没有轮巡", "no tour on this tile"},
    {Text::WhyTooManyPresets, "预案已达上限", "too many presets"},
    {Text::WhyUnknownPreset, "预案不存在", "no such preset"},
    {Text::WhyUnknownAlarm, "没有该告警", "no such alarm"},
    {Text::WhyUnknownOutput, "输出不存在", "no such output"},
    {Text::WhyAuditUnavailable, "审计日志无法写入, 操作未执行",
     "the audit trail cannot be written"},
    {Text::WhyStateUnavailable, "状态文件无法写入, 操作未执行", "the state file cannot be written"},
    {Text::WhyBusy, "控制器繁忙, 请稍后再试", "the controller is busy"},
    {Text::WhyOther, "控制器拒绝了该操作", "refused by the controller"},
    {Text::AuditFailing, "审计异常: 审计日志无法写入, 所有操作均被拒绝",
     "AUDIT FAILING: the audit trail cannot be written; every action is refused"},
    {Text::StateFailing, "状态文件异常: 无法保存, 所有操作均被拒绝",
     "STATE FILE FAILING: the wall cannot be saved; every action is refused"},
};

constexpr bool table_matches_enum() {
  if (std::size(kTexts) != static_cast<std::size_t>(Text::Count)) return false;
  for (std::size_t i = 0; i < std::size(kTexts); ++i)
    if (static_cast<std::size_t>(kTexts[i].id) != i) return false;
  return true;
}
static_assert(table_matches_enum(), "kTexts must list every Text in enum order");

}  // namespace

const char* text(Text id, renderer::Language language) {
  const auto& entry = kTexts[static_cast<std::size_t>(id)];
  return language == renderer::Language::English ? entry.en : entry.zh;
}

std::vector<std::string> all_texts() {
  std::vector<std::string> out;
  out.reserve(std::size(kTexts) * 2);
  for (const auto& entry : kTexts) {
    out.emplace_back(entry.zh);
    out.emplace_back(entry.en);
  }
  return out;
}

const char* state_text(streams::StreamState state, renderer::Language language) {
  using streams::StreamState;
  switch (state) {
    case StreamState::Playing:
      return text(Text::StatePlaying, language);
    case StreamState::Connecting:
      return text(Text::StateConnecting, language);
    case StreamState::Stalled:
      return text(Text::StateStalled, language);
    case StreamState::Reconnecting:
      return text(Text::StateReconnecting, language);
    case StreamState::AuthFailed:
      return text(Text::StateAuthFailed, language);
    case StreamState::NotFound:
      return text(Text::StateNotFound, language);
    case StreamState::Unsupported:
      return text(Text::StateUnsupported, language);
    case StreamState::Idle:
      break;
  }
  return text(Text::StateIdle, language);
}

std::string refusal_text(const CommandResult& result, renderer::Language language) {
  if (language == renderer::Language::English) {
    return format_text(text(Text::MsgRefused, language), result.message.c_str());
  }
  static constexpr std::pair<const char*, Text> kReasons[] = {
      {"unknown_layout", Text::WhyUnknownLayout},
      {"unknown_camera", Text::WhyUnknownCamera},
      {"tile_out_of_range", Text::WhyTileOutOfRange},
      {"bad_tour", Text::WhyBadTour},
      {"no_tour", Text::WhyNoTour},
      {"too_many_presets", Text::WhyTooManyPresets},
      {"unknown_preset", Text::WhyUnknownPreset},
      {"unknown_output", Text::WhyUnknownOutput},
      {"unknown_alarm", Text::WhyUnknownAlarm},
      {"audit_unavailable", Text::WhyAuditUnavailable},
      {"state_unavailable", Text::WhyStateUnavailable},
      {"busy", Text::WhyBusy},
  };
  Text why = Text::WhyOther;
  for (const auto& [code, reason] : kReasons) {
    if (result.code == code) why = reason;
  }
  return format_text(text(Text::MsgRefused, language), text(why, language));
}

Text role_text(Role role) {
  return role == Role::Admin ? Text::RoleAdmin : Text::RoleOperator;
}

std::string format_text(const char* format, ...) {
  char buffer[512];
  va_list args;
  va_start(args, format);
  int n = std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  if (n < 0) return {};
  if (static_cast<std::size_t>(n) < sizeof buffer)
    return std::string(buffer, static_cast<std::size_t>(n));
  // Long names (a preset, a refusal listing every layout): format again at full size.
  std::string out(static_cast<std::size_t>(n), '\0');
  va_start(args, format);
  std::vsnprintf(out.data(), out.size() + 1, format, args);
  va_end(args);
  return out;
}

}  // namespace vw::controller::panel
