#include "storage/events/test_room.h"

#include <boost/json.hpp>
#include <cstdlib>
#include <iostream>
#include <utility>

namespace myelin::storage::testing {

TestRoom::TestRoom(EventStore& store, std::string room_id,
                   std::string_view version)
    : store_(&store),
      room_id_(std::move(room_id)),
      rules_(FindRoomVersion(version)) {
  if (rules_ == nullptr) std::abort();
}

BuiltEvent TestRoom::Build(std::string_view type, std::string_view sender,
                           std::optional<std::string_view> state_key,
                           std::string_view content_json,
                           const std::vector<std::string>& prev_events,
                           int64_t depth) {
  std::string event_id = "$" + id_prefix_ + std::to_string(++counter_) + "." +
                         room_id_.substr(1);
  boost::json::object o;
  o["room_id"] = room_id_;
  o["type"] = type;
  o["sender"] = sender;
  if (state_key) o["state_key"] = *state_key;
  o["content"] = boost::json::parse(content_json);
  boost::json::array prev;
  for (const auto& id : prev_events) prev.emplace_back(id);
  o["prev_events"] = std::move(prev);
  o["auth_events"] = boost::json::array();
  o["depth"] = depth;
  o["origin_server_ts"] = 1700000000000 + counter_;
  std::string json = boost::json::serialize(o);
  auto pdu = Pdu::Parse(o, *rules_, event_id);
  if (!pdu.ok()) {
    std::cerr << "TestRoom: " << pdu.status() << "\n";
    std::abort();
  }
  return BuiltEvent{event_id, std::move(json), *std::move(pdu)};
}

BuiltEvent TestRoom::Next(std::string_view type, std::string_view sender,
                          std::optional<std::string_view> state_key,
                          std::string_view content_json) {
  std::vector<std::string> prev;
  if (!last_event_id_.empty()) prev.push_back(last_event_id_);
  BuiltEvent event =
      Build(type, sender, state_key, content_json, prev, last_depth_ + 1);
  last_event_id_ = event.event_id;
  ++last_depth_;
  return event;
}

absl::StatusOr<PersistedEvent> TestRoom::Persist(const BuiltEvent& event,
                                                 PersistRequest request) {
  request.room_id = room_id_;
  request.pdu = &event.pdu;
  request.event_json = event.json;
  request.room_version = rules_;
  return store_->Persist(request);
}

absl::StatusOr<PersistedEvent> TestRoom::Create(std::string_view creator) {
  std::string content = R"({"creator":")" + std::string(creator) +
                        R"(","room_version":")" + std::string(rules_->id) +
                        "\"}";
  return Persist(Next("m.room.create", creator, "", content));
}

absl::StatusOr<PersistedEvent> TestRoom::Member(std::string_view user,
                                                std::string_view membership,
                                                std::string_view sender) {
  std::string content =
      R"({"membership":")" + std::string(membership) + "\"}";
  return Persist(Next("m.room.member", sender.empty() ? user : sender, user,
                      content));
}

absl::StatusOr<PersistedEvent> TestRoom::State(std::string_view type,
                                               std::string_view state_key,
                                               std::string_view sender,
                                               std::string_view content_json) {
  return Persist(Next(type, sender, state_key, content_json));
}

absl::StatusOr<PersistedEvent> TestRoom::Message(std::string_view sender,
                                                 std::string_view body) {
  boost::json::object content;
  content["msgtype"] = "m.text";
  content["body"] = body;
  return Persist(Next("m.room.message", sender, std::nullopt,
                      boost::json::serialize(content)));
}

}  // namespace myelin::storage::testing
