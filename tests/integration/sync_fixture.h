// The fixture of the /sync integration tests: users with their devices,
// room helpers, and readers for sync responses that treat a missing section
// as an empty one (the spec lets servers omit empty sections).
#ifndef MYELIN_TESTS_INTEGRATION_SYNC_FIXTURE_H_
#define MYELIN_TESTS_INTEGRATION_SYNC_FIXTURE_H_

#include <cctype>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "boost/json.hpp"
#include "tests/integration/accounts_fixture.h"

namespace myelin::testing {

namespace json = boost::json;

// Percent-encodes a query parameter value (RFC 3986 unreserved kept).
inline std::string UrlEncode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

inline std::string ToString(const json::value& value) {
  return value.is_string() ? std::string(value.get_string()) : "";
}

// The object at `path` under `root`, or an empty object when any step is
// missing or not an object.
inline const json::object& At(const json::object& root,
                              std::initializer_list<std::string> path) {
  static const json::object kEmpty;
  const json::object* here = &root;
  for (const std::string& key : path) {
    const json::value* next = here->if_contains(key);
    if (next == nullptr || !next->is_object()) return kEmpty;
    here = &next->get_object();
  }
  return *here;
}

// The `events` array of `section` ("timeline", "state", ...) of a room or
// of the top level; empty when absent.
inline const json::array& Events(const json::object& holder,
                                 const std::string& section) {
  static const json::array kEmpty;
  const json::value* events = At(holder, {section}).if_contains("events");
  return events != nullptr && events->is_array() ? events->get_array() : kEmpty;
}

inline std::string Field(const json::value& event, const std::string& key) {
  const json::value* value =
      event.is_object() ? event.get_object().if_contains(key) : nullptr;
  return value != nullptr ? ToString(*value) : "";
}

inline std::string ContentField(const json::value& event,
                                const std::string& key) {
  const json::value* content =
      event.is_object() ? event.get_object().if_contains("content") : nullptr;
  return content != nullptr ? Field(*content, key) : "";
}

// Bodies of the m.room.message events, in order.
inline std::vector<std::string> Bodies(const json::array& events) {
  std::vector<std::string> bodies;
  for (const auto& event : events) {
    if (Field(event, "type") == "m.room.message") {
      bodies.push_back(ContentField(event, "body"));
    }
  }
  return bodies;
}

// The last event of `type` (and `state_key`, unless null) in `events`.
inline const json::value* FindEvent(const json::array& events,
                                    const std::string& type,
                                    const char* state_key = nullptr) {
  const json::value* found = nullptr;
  for (const auto& event : events) {
    if (Field(event, "type") != type) continue;
    if (state_key != nullptr) {
      const json::value* key = event.get_object().if_contains("state_key");
      if (key == nullptr || ToString(*key) != state_key) continue;
    }
    found = &event;
  }
  return found;
}

// FindEvent points into `events`: not into a temporary.
const json::value* FindEvent(json::array&& events, const std::string& type,
                             const char* state_key = nullptr) = delete;

// State and timeline of a room together, state first: the room's state as
// of the end of the response is the last of each (type, state_key).
inline json::array StateAndTimeline(const json::object& room) {
  json::array all = Events(room, "state");
  for (const auto& event : Events(room, "timeline")) all.push_back(event);
  return all;
}

inline std::vector<std::string> Senders(const json::array& events) {
  std::vector<std::string> senders;
  for (const auto& event : events) senders.push_back(Field(event, "sender"));
  return senders;
}

class SyncTest : public AccountsTest {
 protected:
  struct User {
    std::string id, token, device;
  };

  void SetUp() override {
    Start();
    alice_ = NewUser("alice");
    bob_ = NewUser("bob");
  }

  User NewUser(const std::string& name) {
    Reply reply = Register(name, "pw");
    EXPECT_EQ(reply.status, 200) << json::serialize(reply.body);
    return {reply.Str("user_id"), reply.Str("access_token"),
            reply.Str("device_id")};
  }

  // A second device of an existing user.
  User NewDevice(const User& user, const std::string& name) {
    Reply reply = Login(name, "pw");
    EXPECT_EQ(reply.status, 200) << json::serialize(reply.body);
    return {user.id, reply.Str("access_token"), reply.Str("device_id")};
  }

  // GET /sync with `query` ("since=...&timeout=..."); expects 200.
  Reply Sync(const User& user, const std::string& query = "") {
    Reply reply = Call("GET", absl::StrCat(kV3, "/sync?", query), "", user.token);
    EXPECT_EQ(reply.status, 200) << query << ": " << json::serialize(reply.body);
    EXPECT_FALSE(reply.Str("next_batch").empty()) << json::serialize(reply.body);
    return reply;
  }
  Reply SyncSince(const User& user, const std::string& since,
                  const std::string& extra = "") {
    return Sync(user, absl::StrCat("since=", UrlEncode(since), extra));
  }
  static std::string FilterParam(const std::string& filter_json) {
    return "&filter=" + UrlEncode(filter_json);
  }

  // Sections of a sync reply; empty objects when absent.
  static const json::object& Joined(const Reply& r, const std::string& room) {
    return At(r.body, {"rooms", "join", room});
  }
  static const json::object& Invited(const Reply& r, const std::string& room) {
    return At(r.body, {"rooms", "invite", room});
  }
  static const json::object& Left(const Reply& r, const std::string& room) {
    return At(r.body, {"rooms", "leave", room});
  }
  static const json::object& Knocked(const Reply& r, const std::string& room) {
    return At(r.body, {"rooms", "knock", room});
  }
  static bool InSection(const Reply& r, const std::string& section,
                        const std::string& room) {
    return At(r.body, {"rooms", section}).contains(room);
  }
  static bool Limited(const json::object& room) {
    const json::value* limited = At(room, {"timeline"}).if_contains("limited");
    return limited != nullptr && limited->is_bool() && limited->get_bool();
  }

  std::string RoomPath(const std::string& room, const std::string& rest) {
    return absl::StrCat(kV3, "/rooms/", room, rest);
  }

  std::string CreateRoom(const User& user, const std::string& body) {
    Reply reply = Call("POST", absl::StrCat(kV3, "/createRoom"), body, user.token);
    EXPECT_EQ(reply.status, 200) << json::serialize(reply.body);
    return reply.Str("room_id");
  }

  void Join(const User& user, const std::string& room) {
    Reply reply = Call("POST", absl::StrCat(kV3, "/join/", room), "{}", user.token);
    ASSERT_EQ(reply.status, 200) << json::serialize(reply.body);
  }

  // One of invite, kick, ban, unban on `target`.
  void Moderate(const User& by, const std::string& room, const std::string& action,
                const User& target, const std::string& reason = "") {
    json::object body{{"user_id", target.id}};
    if (!reason.empty()) body["reason"] = reason;
    Reply reply = Call("POST", RoomPath(room, "/" + action), json::serialize(body),
                       by.token);
    ASSERT_EQ(reply.status, 200) << action << ": " << json::serialize(reply.body);
  }

  void Leave(const User& user, const std::string& room) {
    Reply reply = Call("POST", RoomPath(room, "/leave"), "{}", user.token);
    ASSERT_EQ(reply.status, 200) << json::serialize(reply.body);
  }

  // Sends a text message; returns its event id.
  std::string Send(const User& user, const std::string& room, const std::string& text,
                   const std::string& txn = "") {
    std::string id = txn.empty() ? absl::StrCat("t", ++txn_counter_) : txn;
    json::object content{{"msgtype", "m.text"}, {"body", text}};
    Reply reply = Call("PUT", RoomPath(room, "/send/m.room.message/" + id),
                       json::serialize(content), user.token);
    EXPECT_EQ(reply.status, 200) << json::serialize(reply.body);
    return reply.Str("event_id");
  }

  std::string PutState(const User& user, const std::string& room,
                       const std::string& type, const std::string& state_key,
                       const std::string& content) {
    Reply reply = Call("PUT", RoomPath(room, "/state/" + type + "/" + state_key),
                       content, user.token);
    EXPECT_EQ(reply.status, 200) << json::serialize(reply.body);
    return reply.Str("event_id");
  }

  std::string UserPath(const User& user, const std::string& rest) {
    return absl::StrCat(kV3, "/user/", user.id, rest);
  }

  User alice_, bob_;
  int txn_counter_ = 0;
};

}  // namespace myelin::testing

#endif  // MYELIN_TESTS_INTEGRATION_SYNC_FIXTURE_H_
