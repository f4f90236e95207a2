#include "dag/auth/test_room.h"

#include "absl/strings/str_format.h"

namespace myelin {

TestRoom::TestRoom(std::string_view version, std::string_view join_rule,
                   bool with_power_levels)
    : rules_(*FindRoomVersion(version)) {
  PduBuilder create("$create", "m.room.create", kAlice);
  create.StateKey("").Content(absl::StrFormat(
      R"({"creator": "%s", "room_version": "%s"})", kAlice, version));
  if (rules_.room_id_is_create_event_id) {
    room_id_ = "!create";
    create.NoRoom();
  } else {
    room_id_ = "!room:a.org";
  }
  Add(create);
  Add(Member("$alice-join", kAlice, kAlice, "join").Prev({"$create"}));
  if (with_power_levels) {
    Add(Event("$pl", "m.room.power_levels", kAlice)
            .StateKey("")
            .Content(
                rules_.privileged_creators
                    ? "{}"
                    : absl::StrFormat(R"({"users": {"%s": 100}})", kAlice)));
  }
  Add(Event("$jr", "m.room.join_rules", kAlice)
          .StateKey("")
          .Content(absl::StrFormat(R"({"join_rule": "%s"})", join_rule)));
}

PduBuilder TestRoom::Event(std::string_view id, std::string_view type,
                           std::string_view sender) const {
  PduBuilder b(id, type, sender);
  b.Room(room_id_).Prev({"$jr"});
  return b;
}

PduBuilder TestRoom::Member(std::string_view id, std::string_view sender,
                            std::string_view target,
                            std::string_view membership) const {
  PduBuilder b = Event(id, "m.room.member", sender);
  b.StateKey(target).Content(
      absl::StrFormat(R"({"membership": "%s"})", membership));
  return b;
}

const Pdu& TestRoom::Add(const PduBuilder& b) {
  events_.push_back(b.Build(rules_));
  const Pdu& pdu = events_.back();
  state_[StateKey(pdu.type(), pdu.state_key().value_or(""))] = &pdu;
  return pdu;
}

absl::Status TestRoom::Check(const PduBuilder& b, const AuthHooks& hooks) {
  Pdu pdu = b.Build(rules_);
  return CheckAuth(pdu, rules_, state_, hooks);
}

}  // namespace myelin
