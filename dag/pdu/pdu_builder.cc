#include "dag/pdu/pdu_builder.h"

#include <cstdio>
#include <cstdlib>

namespace myelin {

PduBuilder::PduBuilder(std::string_view event_id, std::string_view type,
                       std::string_view sender)
    : event_id_(event_id) {
  json_["type"] = type;
  json_["sender"] = sender;
  json_["room_id"] = "!room:a.org";
  json_["content"] = boost::json::object();
  json_["prev_events"] = boost::json::array();
  json_["auth_events"] = boost::json::array();
  json_["origin_server_ts"] = 0;
  json_["depth"] = 1;
}

PduBuilder& PduBuilder::Room(std::string_view room_id) {
  json_["room_id"] = room_id;
  return *this;
}

PduBuilder& PduBuilder::NoRoom() {
  json_.erase("room_id");
  return *this;
}

PduBuilder& PduBuilder::StateKey(std::string_view state_key) {
  json_["state_key"] = state_key;
  return *this;
}

PduBuilder& PduBuilder::Content(std::string_view json) {
  json_["content"] =
      boost::json::parse(boost::json::string_view(json.data(), json.size()));
  return *this;
}

static boost::json::array ToArray(const std::vector<std::string>& ids) {
  boost::json::array a;
  for (const std::string& id : ids) a.emplace_back(id);
  return a;
}

PduBuilder& PduBuilder::Prev(std::vector<std::string> ids) {
  json_["prev_events"] = ToArray(ids);
  return *this;
}

PduBuilder& PduBuilder::Auth(std::vector<std::string> ids) {
  json_["auth_events"] = ToArray(ids);
  return *this;
}

PduBuilder& PduBuilder::Ts(int64_t origin_server_ts) {
  json_["origin_server_ts"] = origin_server_ts;
  return *this;
}

PduBuilder& PduBuilder::Depth(int64_t depth) {
  json_["depth"] = depth;
  return *this;
}

PduBuilder& PduBuilder::Redacts(std::string_view id) {
  redacts_ = std::string(id);
  return *this;
}

Pdu PduBuilder::Build(const RoomVersionRules& rules) const {
  boost::json::object json = json_;
  if (!redacts_.empty()) {
    if (rules.redacts_in_content) {
      json["content"].as_object()["redacts"] = redacts_;
    } else {
      json["redacts"] = redacts_;
    }
  }
  absl::StatusOr<Pdu> pdu = Pdu::Parse(json, rules, event_id_);
  if (!pdu.ok()) {
    std::fprintf(stderr, "PduBuilder: %s\n", pdu.status().ToString().c_str());
    std::abort();
  }
  return *std::move(pdu);
}

}  // namespace myelin
