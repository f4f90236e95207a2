#include "bench/sync/sync_query.h"

#include <string>

namespace myelin::bench {

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
                            (u >= '0' && u <= '9') || u == '-' || u == '.' ||
                            u == '_' || u == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

std::string SyncTarget(std::string_view filter, std::string_view since,
                       int64_t timeout_ms) {
  std::string target = std::string(kClientV3) + "/sync";
  char separator = '?';
  auto add = [&](std::string_view name, std::string_view value) {
    target += separator;
    target += name;
    target += '=';
    target += UrlEncode(value);
    separator = '&';
  };
  if (!filter.empty()) add("filter", filter);
  if (!since.empty()) add("since", since);
  if (timeout_ms >= 0) add("timeout", std::to_string(timeout_ms));
  return target;
}

std::string SendTarget(std::string_view room_id, std::string_view txn_id) {
  return std::string(kClientV3) + "/rooms/" + UrlEncode(room_id) +
         "/send/m.room.message/" + UrlEncode(txn_id);
}

std::string MessageBody(std::string_view text) {
  return R"({"msgtype":"m.text","body":")" + std::string(text) + R"("})";
}

std::optional<std::string> NextBatch(std::string_view body) {
  static constexpr std::string_view kKey = "\"next_batch\":";
  const size_t key = body.find(kKey);
  if (key == std::string_view::npos) return std::nullopt;
  size_t i = key + kKey.size();
  while (i < body.size() && (body[i] == ' ' || body[i] == '\t')) ++i;
  if (i >= body.size() || body[i] != '"') return std::nullopt;
  const size_t begin = i + 1;
  const size_t end = body.find('"', begin);
  if (end == std::string_view::npos) return std::nullopt;
  const std::string_view value = body.substr(begin, end - begin);
  if (value.find('\\') != std::string_view::npos) return std::nullopt;
  return std::string(value);
}

std::string Marker(std::string_view prefix, std::string_view run, int64_t n) {
  return std::string(prefix) + "-" + std::string(run) + "-" +
         std::to_string(n) + ".";
}

}  // namespace myelin::bench
