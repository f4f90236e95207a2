// Table-driven tests of the non-membership rules across room versions.
#include "dag/auth/auth_test_util.h"

namespace myelin {
namespace {

using R = TestRoom;

void JoinBob(R& r) { r.Add(r.Member("$bob-join", kBob, kBob, "join")); }

PduBuilder Create(const R& r, std::string_view content) {
  PduBuilder b("$c2", "m.room.create", kAlice);
  b.StateKey("").Content(content);
  if (r.rules().room_id_is_create_event_id) b.NoRoom();
  return b;
}

TEST(AuthTest, Create) {
  RunAuthCases({
      {"valid", 1, 12, "public", nullptr,
       [](const R& r) { return Create(r, R"({"creator": "@alice:a.org"})"); },
       ""},
      {"has prev_events", 1, 12, "public", nullptr,
       [](const R& r) {
         return Create(r, R"({"creator": "@alice:a.org"})").Prev({"$x"});
       },
       "rule 1.1:"},
      {"room_id on another server", 1, 11, "public", nullptr,
       [](const R& r) {
         return Create(r, R"({"creator": "@alice:a.org"})").Room("!r:b.org");
       },
       "rule 1.2:"},
      {"room_id present", 12, 12, "public", nullptr,
       [](const R& r) { return Create(r, "{}").Room("!r:a.org"); },
       "rule 1.2:"},
      {"unknown room_version", 1, 12, "public", nullptr,
       [](const R& r) {
         return Create(r,
                       R"({"creator": "@alice:a.org", "room_version": "99"})");
       },
       "rule 1.3:"},
      {"no creator", 1, 10, "public", nullptr,
       [](const R& r) { return Create(r, "{}"); }, "rule 1.4:"},
      {"no creator needed", 11, 12, "public", nullptr,
       [](const R& r) { return Create(r, "{}"); }, ""},
      {"bad additional_creators", 12, 12, "public", nullptr,
       [](const R& r) {
         return Create(r, R"({"additional_creators": ["bob"]})");
       },
       "rule 1.4:"},
      {"additional_creators ignored before v12", 11, 11, "public", nullptr,
       [](const R& r) {
         return Create(r, R"({"additional_creators": ["bob"]})");
       },
       ""},
  });
}

TEST(AuthTest, RoomAndFederation) {
  RunAuthCases({
      {"room id is not the create event", 12, 12, "public", nullptr,
       [](const R& r) {
         return r.Event("$e", "m.room.message", kAlice).Room("!other");
       },
       "rule 2:"},
      {"create from another room", 1, 11, "public", nullptr,
       [](const R& r) {
         return r.Event("$e", "m.room.message", kAlice).Room("!other:a.org");
       },
       "rule 3.5:"},
      {"m.federate false", 1, 12, "public",
       [](R& r) {
         PduBuilder c("$create", "m.room.create", kAlice);
         c.StateKey("").Content(
             R"({"creator": "@alice:a.org", "m.federate": false})");
         if (r.rules().room_id_is_create_event_id) c.NoRoom();
         r.Add(c);
         JoinBob(r);
       },
       [](const R& r) { return r.Event("$e", "m.room.message", kBob); },
       "rule 4:"},
  });
}

TEST(AuthTest, AliasesSpecialCase) {
  auto aliases = [](std::string_view key) {
    return [key](const R& r) {
      return r.Event("$e", "m.room.aliases", kBob)
          .StateKey(key)
          .Content(R"({"aliases": ["#a:b.org"]})");
    };
  };
  RunAuthCases({
      {"own server, not joined", 1, 5, "public", nullptr, aliases("b.org"), ""},
      {"other server", 1, 5, "public", nullptr, aliases("a.org"),
       "rule 4.2 (v1-v5):"},
      {"no special case from v6", 6, 12, "public", nullptr, aliases("b.org"),
       "rule 6:"},
  });
}

TEST(AuthTest, GeneralRules) {
  RunAuthCases({
      {"message from member", 1, 12, "public", JoinBob,
       [](const R& r) { return r.Event("$e", "m.room.message", kBob); }, ""},
      {"message from non-member", 1, 12, "public", nullptr,
       [](const R& r) { return r.Event("$e", "m.room.message", kBob); },
       "rule 6:"},
      {"third party invite below invite level", 1, 12, "public",
       [](R& r) {
         JoinBob(r);
         r.Add(r.Event("$pl2", "m.room.power_levels", kAlice)
                   .StateKey("")
                   .Content(R"({"invite": 10})"));
       },
       [](const R& r) {
         return r.Event("$e", "m.room.third_party_invite", kBob).StateKey("t");
       },
       "rule 7.1:"},
      {"state below state_default", 1, 12, "public", JoinBob,
       [](const R& r) {
         return r.Event("$e", "m.room.topic", kBob).StateKey("");
       },
       "rule 8:"},
      {"state with events override", 1, 12, "public",
       [](R& r) {
         JoinBob(r);
         r.Add(r.Event("$pl2", "m.room.power_levels", kAlice)
                   .StateKey("")
                   .Content(R"({"events": {"m.room.topic": 0}})"));
       },
       [](const R& r) {
         return r.Event("$e", "m.room.topic", kBob).StateKey("");
       },
       ""},
      {"message above events_default", 1, 12, "public",
       [](R& r) {
         JoinBob(r);
         r.Add(r.Event("$pl2", "m.room.power_levels", kAlice)
                   .StateKey("")
                   .Content(R"({"events_default": 1})"));
       },
       [](const R& r) { return r.Event("$e", "m.room.message", kBob); },
       "rule 8:"},
      {"state_key of another user", 1, 12, "public", nullptr,
       [](const R& r) {
         return r.Event("$e", "m.custom", kAlice).StateKey("@bob:b.org");
       },
       "rule 9:"},
      {"state_key of sender", 1, 12, "public", nullptr,
       [](const R& r) {
         return r.Event("$e", "m.custom", kAlice).StateKey("@alice:a.org");
       },
       ""},
  });
}

PduBuilder Pl(const R& r, std::string_view sender, std::string_view content) {
  return r.Event("$e", "m.room.power_levels", sender)
      .StateKey("")
      .Content(content);
}

void BobIsMod(R& r) {
  JoinBob(r);
  r.Add(r.Event("$pl2", "m.room.power_levels", kAlice)
            .StateKey("")
            .Content(r.rules().privileged_creators
                         ? R"({"users": {"@bob:b.org": 50}})"
                         : R"({"users": {"@alice:a.org": 100,
                                         "@bob:b.org": 50}})"));
}

TEST(AuthTest, PowerLevels) {
  RunAuthCases({
      {"string level accepted before v10", 1, 9, "public", nullptr,
       [](const R& r) {
         return Pl(r, kAlice,
                   R"({"ban": "50", "users": {"@alice:a.org": 100}})");
       },
       ""},
      {"string level rejected from v10", 10, 11, "public", nullptr,
       [](const R& r) {
         return Pl(r, kAlice,
                   R"({"ban": "50", "users": {"@alice:a.org": 100}})");
       },
       "rule 11.1:"},
      {"users key not a user id", 1, 12, "public", nullptr,
       [](const R& r) { return Pl(r, kAlice, R"({"users": {"bob": 1}})"); },
       "rule 11.3:"},
      {"creator in users", 12, 12, "public", nullptr,
       [](const R& r) {
         return Pl(r, kAlice, R"({"users": {"@alice:a.org": 100}})");
       },
       "rule 11.4:"},
      {"mod raises ban above own", 1, 11, "public", BobIsMod,
       [](const R& r) {
         return Pl(r, kBob, R"({"ban": 60, "users": {"@alice:a.org": 100,
                                "@bob:b.org": 50}})");
       },
       "rule 11.6.2:"},
      {"mod lowers kick (current 50 <= 50)", 1, 11, "public", BobIsMod,
       [](const R& r) {
         return Pl(r, kBob, R"({"kick": 10, "users": {"@alice:a.org": 100,
                                "@bob:b.org": 50}})");
       },
       ""},
      {"mod edits admin", 1, 11, "public", BobIsMod,
       [](const R& r) {
         return Pl(r, kBob, R"({"users": {"@alice:a.org": 1,
                                "@bob:b.org": 50}})");
       },
       "rule 11.9.1:"},
      {"mod promotes self above own", 1, 11, "public", BobIsMod,
       [](const R& r) {
         return Pl(r, kBob, R"({"users": {"@alice:a.org": 100,
                                "@bob:b.org": 51}})");
       },
       "rule 11.10.1:"},
      {"mod demotes self", 1, 11, "public", BobIsMod,
       [](const R& r) {
         return Pl(r, kBob, R"({"users": {"@alice:a.org": 100,
                                "@bob:b.org": 10}})");
       },
       ""},
      {"mod sets event level above own", 1, 11, "public", BobIsMod,
       [](const R& r) {
         return Pl(r, kBob, R"({"events": {"m.x": 51},
             "users": {"@alice:a.org": 100, "@bob:b.org": 50}})");
       },
       "rule 11.8.1:"},
      {"notifications unchecked before v6", 1, 5, "public", BobIsMod,
       [](const R& r) {
         return Pl(r, kBob, R"({"notifications": {"room": 99},
             "users": {"@alice:a.org": 100, "@bob:b.org": 50}})");
       },
       ""},
      {"notifications limited from v6", 6, 11, "public", BobIsMod,
       [](const R& r) {
         return Pl(r, kBob, R"({"notifications": {"room": 99},
             "users": {"@alice:a.org": 100, "@bob:b.org": 50}})");
       },
       "rule 11.8.1:"},
      {"creator is all-powerful", 12, 12, "public", BobIsMod,
       [](const R& r) {
         return Pl(r, kAlice,
                   R"({"ban": 1000000, "users": {"@bob:b.org": 99}})");
       },
       ""},
      {"mod cannot touch creator-level fields", 12, 12, "public", BobIsMod,
       [](const R& r) {
         return Pl(r, kBob, R"({"users": {"@bob:b.org": 60}})");
       },
       "rule 11.10.1:"},
  });
}

TEST(AuthTest, RedactionSpecialCase) {
  auto redact = [](std::string_view target) {
    return [target](const R& r) {
      return r.Event("$e:b.org", "m.room.redaction", kBob).Redacts(target);
    };
  };
  RunAuthCases({
      {"same domain", 1, 2, "public", JoinBob, redact("$x:b.org"), ""},
      {"other domain", 1, 2, "public", JoinBob, redact("$x:a.org"),
       "rule 11 (v1-v2):"},
      {"no special case from v3", 3, 12, "public", JoinBob, redact("$x:a.org"),
       ""},
  });
}

TEST(AuthTest, AuthEventsList) {
  for (int v = 1; v <= 12; ++v) {
    TestRoom r(std::to_string(v), "public");
    const Pdu* create = r.state().at(StateKey("m.room.create", ""));
    const Pdu* pl = r.state().at(StateKey("m.room.power_levels", ""));
    const Pdu* alice = r.state().at(StateKey("m.room.member", kAlice));
    const Pdu* jr = r.state().at(StateKey("m.room.join_rules", ""));
    Pdu msg = r.Event("$e", "m.room.message", kAlice).Build(r.rules());
    const bool v12 = r.rules().room_id_is_create_event_id;
    std::vector<const Pdu*> good = {pl, alice};
    if (!v12) good.push_back(create);
    EXPECT_TRUE(CheckAuthEvents(msg, r.rules(), good).ok()) << v;
    std::vector<const Pdu*> dup = {pl, pl};
    EXPECT_NE(CheckAuthEvents(msg, r.rules(), dup).message().find("rule 3.1"),
              std::string::npos);
    std::vector<const Pdu*> extra = {pl, jr};
    EXPECT_NE(CheckAuthEvents(msg, r.rules(), extra).message().find("rule 3.2"),
              std::string::npos);
    std::vector<const Pdu*> no_create = {pl};
    EXPECT_EQ(CheckAuthEvents(msg, r.rules(), no_create).ok(), v12) << v;
    if (v12) {
      std::vector<const Pdu*> with_create = {create};
      EXPECT_FALSE(CheckAuthEvents(msg, r.rules(), with_create).ok());
    }
  }
}

TEST(AuthTest, AuthAgainstOwnAuthEvents) {
  TestRoom r("10", "public");
  JoinBob(r);
  std::vector<const Pdu*> auth = {
      r.state().at(StateKey("m.room.create", "")),
      r.state().at(StateKey("m.room.power_levels", "")),
      r.state().at(StateKey("m.room.member", kBob))};
  Pdu msg = r.Event("$e", "m.room.message", kBob).Build(r.rules());
  EXPECT_TRUE(CheckAuthEvents(msg, r.rules(), auth).ok());
  EXPECT_TRUE(CheckAuth(msg, r.rules(), AuthStateFromEvents(auth)).ok());
  auth.pop_back();  // Without bob's membership he is not joined.
  absl::Status s = CheckAuth(msg, r.rules(), AuthStateFromEvents(auth));
  EXPECT_NE(s.message().find("rule 6:"), absl::string_view::npos) << s;
}

TEST(AuthTest, Selection) {
  const RoomVersionRules& v9 = *FindRoomVersion("9");
  const RoomVersionRules& v12 = *FindRoomVersion("12");
  boost::json::object join = boost::json::parse(
                                 R"({"membership": "join",
          "join_authorised_via_users_server": "@carol:c.org"})")
                                 .as_object();
  std::vector<StateKey> want = {{"m.room.create", ""},
                                {"m.room.power_levels", ""},
                                {"m.room.member", "@bob:b.org"},
                                {"m.room.join_rules", ""},
                                {"m.room.member", "@carol:c.org"}};
  EXPECT_EQ(
      AuthEventsSelection("m.room.member", kBob, std::string(kBob), join, v9),
      want);
  want.erase(want.begin());
  EXPECT_EQ(
      AuthEventsSelection("m.room.member", kBob, std::string(kBob), join, v12),
      want);
  boost::json::object tpi = boost::json::parse(
                                R"({"membership": "invite",
          "third_party_invite": {"signed": {"token": "t"}}})")
                                .as_object();
  std::vector<StateKey> want_tpi = {{"m.room.create", ""},
                                    {"m.room.power_levels", ""},
                                    {"m.room.member", "@alice:a.org"},
                                    {"m.room.member", "@bob:b.org"},
                                    {"m.room.join_rules", ""},
                                    {"m.room.third_party_invite", "t"}};
  EXPECT_EQ(
      AuthEventsSelection("m.room.member", kAlice, std::string(kBob), tpi, v9),
      want_tpi);
  EXPECT_TRUE(
      AuthEventsSelection("m.room.create", kAlice, std::string(""), {}, v9)
          .empty());
}

TEST(AuthTest, UserPowerLevel) {
  TestRoom v11("11", "public");
  EXPECT_EQ(*UserPowerLevel(kAlice, v11.rules(), v11.state()), 100);
  EXPECT_EQ(*UserPowerLevel(kBob, v11.rules(), v11.state()), 0);
  TestRoom v12("12", "public");
  EXPECT_EQ(*UserPowerLevel(kAlice, v12.rules(), v12.state()),
            kInfinitePowerLevel);
}

}  // namespace
}  // namespace myelin

namespace myelin {
namespace {

// Rooms whose power levels event is missing: the creator has 100 (v12:
// infinite), everyone else 0, and state needs 50.
void JoinBobNoPl(R& r) {
  r.Add(r.Event("$bob-join", "m.room.member", kBob)
            .StateKey(kBob)
            .Content(R"({"membership": "join"})"));
}

TEST(AuthTest, DefaultsWithoutPowerLevels) {
  for (int v = 1; v <= 12; ++v) {
    TestRoom r(std::to_string(v), "public", /*with_power_levels=*/false);
    JoinBobNoPl(r);
    EXPECT_TRUE(
        r.Check(r.Event("$e", "m.room.topic", kAlice).StateKey("")).ok())
        << v;
    absl::Status s = r.Check(r.Event("$e", "m.room.topic", kBob).StateKey(""));
    EXPECT_NE(s.message().find("rule 8:"), absl::string_view::npos) << v << s;
    EXPECT_TRUE(r.Check(r.Event("$e", "m.room.message", kBob)).ok()) << v;
    // Kick needs 50.
    EXPECT_TRUE(r.Check(r.Member("$e", kAlice, kBob, "leave")).ok()) << v;
    EXPECT_FALSE(r.Check(r.Member("$e", kBob, kAlice, "leave")).ok()) << v;
  }
}

TEST(AuthTest, AdditionalCreatorsAreAllPowerful) {
  TestRoom r("12", "public", /*with_power_levels=*/false);
  PduBuilder create("$create", "m.room.create", kAlice);
  create.NoRoom().StateKey("").Content(
      R"({"room_version": "12", "additional_creators": ["@bob:b.org"]})");
  r.Add(create);
  JoinBobNoPl(r);
  // Bob is a creator: infinite power, alice cannot ban him and he can set
  // any power levels except listing creators.
  EXPECT_FALSE(r.Check(r.Member("$e", kAlice, kBob, "ban")).ok());
  EXPECT_TRUE(r.Check(r.Event("$e", "m.room.power_levels", kBob)
                          .StateKey("")
                          .Content(R"({"ban": 1000})"))
                  .ok());
  absl::Status s = r.Check(r.Event("$e", "m.room.power_levels", kAlice)
                               .StateKey("")
                               .Content(R"({"users": {"@bob:b.org": 1}})"));
  EXPECT_NE(s.message().find("rule 11.4:"), absl::string_view::npos) << s;
  // Not a creator before v12.
  TestRoom r11("11", "public");
  r11.Add(r11.Member("$bob-join", kBob, kBob, "join"));
  EXPECT_TRUE(r11.Check(r11.Member("$e", kAlice, kBob, "ban")).ok());
}

TEST(AuthTest, PowerLevelsCacheParsesOnce) {
  TestRoom r("10", "public");
  JoinBob(r);
  PowerLevelsCache cache;
  const Pdu* pl = r.state().at(StateKey("m.room.power_levels", ""));
  absl::StatusOr<std::shared_ptr<const PowerLevels>> a =
      cache.Get(*pl, r.rules());
  absl::StatusOr<std::shared_ptr<const PowerLevels>> b =
      cache.Get(*pl, r.rules());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->get(), b->get());
  EXPECT_EQ((*a)->UserLevel(kAlice), 100);
  Pdu msg = r.Event("$e", "m.room.message", kBob).Build(r.rules());
  EXPECT_TRUE(CheckAuth(msg, r.rules(), r.state(), {}, &cache).ok());
  Pdu topic = r.Event("$e", "m.room.topic", kBob).StateKey("").Build(r.rules());
  EXPECT_FALSE(CheckAuth(topic, r.rules(), r.state(), {}, &cache).ok());
}

}  // namespace
}  // namespace myelin

namespace myelin {
namespace {

// Malformed content in events and in the state never crashes the rules;
// it only ever rejects.
TEST(AuthTest, MalformedContentIsRejectedNotFatal) {
  const char* contents[] = {
      "{}",
      R"({"membership": 5})",
      R"({"membership": null})",
      R"({"membership": "join", "join_authorised_via_users_server": 7})",
      R"({"membership": "invite", "third_party_invite": []})",
      R"({"membership": "invite", "third_party_invite": {"signed": 1}})",
      R"({"membership": "invite",
          "third_party_invite": {"signed": {"mxid": 1, "token": []}}})",
      R"({"users": [], "events": "x"})",
      R"({"users": {"@a:x": {}}})",
      R"({"join_rule": ["public"]})",
      R"({"room_version": 12, "creator": [], "additional_creators": {}})",
  };
  const char* types[] = {
      "m.room.member", "m.room.power_levels",       "m.room.join_rules",
      "m.room.create", "m.room.third_party_invite", "m.room.aliases"};
  for (int v = 1; v <= 12; ++v) {
    for (const char* type : types) {
      for (const char* content : contents) {
        TestRoom r(std::to_string(v), "public");
        JoinBob(r);
        // Also poison the state: the same content as current state.
        PduBuilder bad = r.Event("$bad", type, kAlice)
                             .StateKey(std::string(type) == "m.room.member"
                                           ? std::string(kCarol)
                                           : std::string())
                             .Content(content);
        if (std::string(type) != "m.room.create" &&
            std::string(type) != "m.room.power_levels") {
          r.Add(bad);
        }
        absl::Status s =
            r.Check(r.Event("$e", type, kBob).StateKey(kBob).Content(content));
        (void)s;  // Outcome varies; reaching here without a crash is the test.
        s = r.Check(r.Event("$e2", type, kBob).StateKey("").Content(content));
        (void)s;
      }
    }
  }
}

}  // namespace
}  // namespace myelin
