// Test helper: a room's auth state built event by event.
#ifndef MYELIN_DAG_AUTH_TEST_ROOM_H_
#define MYELIN_DAG_AUTH_TEST_ROOM_H_

#include <deque>
#include <string>
#include <string_view>

#include "dag/auth/auth.h"
#include "dag/pdu/pdu_builder.h"

namespace myelin {

// Users on two servers.
inline constexpr std::string_view kAlice = "@alice:a.org";  // creator
inline constexpr std::string_view kBob = "@bob:b.org";
inline constexpr std::string_view kCarol = "@carol:c.org";

class TestRoom {
 public:
  // A room of `version` created by alice, who is joined; power levels give
  // alice 100 (v12: alice is a creator and not listed) and the join rule is
  // `join_rule`. Without `with_power_levels` there is no power levels event.
  TestRoom(std::string_view version, std::string_view join_rule,
           bool with_power_levels = true);

  const RoomVersionRules& rules() const { return rules_; }
  const std::string& room_id() const { return room_id_; }
  const AuthState& state() const { return state_; }

  // A builder for an event in this room.
  PduBuilder Event(std::string_view id, std::string_view type,
                   std::string_view sender) const;
  PduBuilder Member(std::string_view id, std::string_view sender,
                    std::string_view target, std::string_view membership) const;

  // Builds and adds to the state without checking.
  const Pdu& Add(const PduBuilder& b);
  // Builds and authorises against the current state.
  absl::Status Check(const PduBuilder& b, const AuthHooks& hooks = {});

 private:
  const RoomVersionRules& rules_;
  std::string room_id_;
  std::deque<Pdu> events_;
  AuthState state_;
};

}  // namespace myelin

#endif  // MYELIN_DAG_AUTH_TEST_ROOM_H_
