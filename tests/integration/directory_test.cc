// Room aliases and the published room directory over the Client-Server API,
// against the real binary: alias put/get/delete with their permissions,
// createRoom with room_alias_name and visibility, joining by alias,
// m.room.canonical_alias checks, directory visibility, and /publicRooms
// with pagination and search.
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "server/client/account_crypto.h"
#include "tests/integration/accounts_fixture.h"

namespace myelin::testing {
namespace {

using ::testing::ElementsAre;

class DirectoryTest : public AccountsTest {
 protected:
  void SetUp() override {
    Start();
    alice_ = Register("alice", "pw").Str("access_token");
    bob_ = Register("bob", "pw").Str("access_token");
    ASSERT_FALSE(alice_.empty());
    ASSERT_FALSE(bob_.empty());
  }

  // "#name:test.example", percent-encoded for a path.
  static std::string AliasPath(const std::string& name) {
    return absl::StrCat(kV3, "/directory/room/%23", name, "%3Atest.example");
  }
  static std::string Alias(const std::string& name) {
    return absl::StrCat("#", name, ":test.example");
  }
  std::string Room(const std::string& room_id, const std::string& rest) {
    return absl::StrCat(kV3, "/rooms/", room_id, rest);
  }

  std::string CreateRoom(const std::string& body,
                         const std::string& token = "") {
    Reply reply = Call("POST", absl::StrCat(kV3, "/createRoom"), body,
                       token.empty() ? alice_ : token);
    EXPECT_EQ(reply.status, 200) << boost::json::serialize(reply.body);
    return reply.Str("room_id");
  }

  Reply PutAlias(const std::string& name, const std::string& room_id,
                 const std::string& token) {
    return Call("PUT", AliasPath(name),
                absl::StrCat(R"({"room_id":")", room_id, R"("})"), token);
  }

  Reply Join(const std::string& room_or_alias, const std::string& token) {
    return Call("POST", absl::StrCat(kV3, "/join/", room_or_alias), "{}", token);
  }

  std::vector<std::string> RoomIds(const Reply& page) {
    std::vector<std::string> ids;
    if (const auto* chunk = page.body.if_contains("chunk")) {
      for (const auto& room : chunk->as_array()) {
        ids.emplace_back(room.as_object().at("room_id").as_string());
      }
    }
    return ids;
  }

  std::string alice_, bob_;
};

TEST_F(DirectoryTest, AliasPutGetDelete) {
  std::string room = CreateRoom(R"({"preset":"public_chat"})");
  EXPECT_EQ(PutAlias("pets", room, alice_).status, 200);
  Reply got = Call("GET", AliasPath("pets"));  // No token needed.
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.Str("room_id"), room);
  EXPECT_EQ(boost::json::serialize(got.body["servers"]), R"(["test.example"])");

  Reply taken = PutAlias("pets", room, alice_);
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(taken.Errcode(), "M_ROOM_IN_USE");
  EXPECT_EQ(PutAlias("cats", room, alice_).status, 200);
  Reply listed = Call("GET", Room(room, "/aliases"), "", alice_);
  EXPECT_EQ(boost::json::serialize(listed.body["aliases"]),
            absl::StrCat(R"([")", Alias("cats"), R"(",")", Alias("pets"),
                         R"("])"));
  // Bob is not in the room: he may not list its aliases.
  EXPECT_EQ(Call("GET", Room(room, "/aliases"), "", bob_).Errcode(),
            "M_FORBIDDEN");

  // Bob joins: a member without power may not delete Alice's alias.
  ASSERT_EQ(Join(room, bob_).status, 200);
  Reply refused = Call("DELETE", AliasPath("pets"), "", bob_);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.Errcode(), "M_FORBIDDEN");
  // ...but his own, and Alice (power 100) may delete his.
  ASSERT_EQ(PutAlias("bobs", room, bob_).status, 200);
  EXPECT_EQ(Call("DELETE", AliasPath("bobs"), "", bob_).status, 200);
  ASSERT_EQ(PutAlias("bobs", room, bob_).status, 200);
  EXPECT_EQ(Call("DELETE", AliasPath("bobs"), "", alice_).status, 200);

  EXPECT_EQ(Call("DELETE", AliasPath("pets"), "", alice_).status, 200);
  Reply gone = Call("GET", AliasPath("pets"));
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.Errcode(), "M_NOT_FOUND");
  EXPECT_EQ(Call("DELETE", AliasPath("pets"), "", alice_).Errcode(),
            "M_NOT_FOUND");
  // Free again.
  EXPECT_EQ(PutAlias("pets", room, alice_).status, 200);
}

TEST_F(DirectoryTest, AliasErrors) {
  std::string room = CreateRoom(R"({"preset":"private_chat"})");
  auto put = [&](const std::string& encoded_alias, const std::string& body,
                 const std::string& token) {
    return Call("PUT", absl::StrCat(kV3, "/directory/room/", encoded_alias),
                body, token);
  };
  std::string body = absl::StrCat(R"({"room_id":")", room, R"("})");
  EXPECT_EQ(put("%23noserver", body, alice_).Errcode(), "M_INVALID_PARAM");
  EXPECT_EQ(put("nosigil%3Atest.example", body, alice_).Errcode(),
            "M_INVALID_PARAM");
  EXPECT_EQ(put("%23a%3Aother.example", body, alice_).Errcode(),
            "M_INVALID_PARAM");
  EXPECT_EQ(put("%23a%20b%3Atest.example", body, alice_).Errcode(),
            "M_INVALID_PARAM");
  EXPECT_EQ(put("%23x%3Atest.example", "{}", alice_).Errcode(),
            "M_MISSING_PARAM");
  EXPECT_EQ(put("%23x%3Atest.example", R"({"room_id":"!nope:test.example"})",
                alice_).Errcode(),
            "M_NOT_FOUND");
  // Bob is not in the (private) room.
  EXPECT_EQ(put("%23x%3Atest.example", body, bob_).Errcode(), "M_FORBIDDEN");
  EXPECT_EQ(put("%23x%3Atest.example", body, "").status, 401);

  EXPECT_EQ(Call("GET", AliasPath("unknown")).Errcode(), "M_NOT_FOUND");
  Reply remote = Call("GET", absl::StrCat(kV3, "/directory/room/%23a%3Aother.example"));
  EXPECT_EQ(remote.Errcode(), "M_NOT_FOUND");
  EXPECT_THAT(remote.Str("error"), ::testing::HasSubstr("federation"));
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/directory/room/bad")).Errcode(),
            "M_INVALID_PARAM");
}

TEST_F(DirectoryTest, CreateRoomWithAliasAndJoinByAlias) {
  std::string room = CreateRoom(
      R"({"preset":"public_chat","room_alias_name":"lobby","name":"Lobby"})");
  Reply got = Call("GET", AliasPath("lobby"));
  EXPECT_EQ(got.Str("room_id"), room);
  Reply canonical =
      Call("GET", Room(room, "/state/m.room.canonical_alias/"), "", alice_);
  EXPECT_EQ(canonical.Str("alias"), Alias("lobby"));

  Reply again = Call("POST", absl::StrCat(kV3, "/createRoom"),
                     R"({"room_alias_name":"lobby"})", alice_);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.Errcode(), "M_ROOM_IN_USE");
  EXPECT_EQ(Call("POST", absl::StrCat(kV3, "/createRoom"),
                 R"({"room_alias_name":"a:b"})", alice_).Errcode(),
            "M_INVALID_PARAM");
  EXPECT_EQ(Call("POST", absl::StrCat(kV3, "/createRoom"),
                 R"({"room_alias_name":"a b"})", alice_).Errcode(),
            "M_INVALID_PARAM");
  EXPECT_EQ(Call("POST", absl::StrCat(kV3, "/createRoom"),
                 R"({"visibility":"everyone"})", alice_).Errcode(),
            "M_INVALID_PARAM");

  Reply joined = Join("%23lobby%3Atest.example", bob_);
  EXPECT_EQ(joined.status, 200) << boost::json::serialize(joined.body);
  EXPECT_EQ(joined.Str("room_id"), room);
  Reply rooms = Call("GET", absl::StrCat(kV3, "/joined_rooms"), "", bob_);
  EXPECT_EQ(boost::json::serialize(rooms.body["joined_rooms"]),
            absl::StrCat(R"([")", room, R"("])"));
  EXPECT_EQ(Join("%23nowhere%3Atest.example", bob_).Errcode(), "M_NOT_FOUND");
  EXPECT_EQ(Join("%23far%3Aother.example", bob_).Errcode(), "M_NOT_FOUND");
}

TEST_F(DirectoryTest, CanonicalAliasMustPointToTheRoom) {
  std::string room = CreateRoom(R"({"preset":"public_chat"})");
  std::string other = CreateRoom(R"({"preset":"public_chat"})");
  ASSERT_EQ(PutAlias("here", room, alice_).status, 200);
  ASSERT_EQ(PutAlias("there", other, alice_).status, 200);
  auto set = [&](const std::string& content) {
    return Call("PUT", Room(room, "/state/m.room.canonical_alias"), content,
                alice_);
  };
  Reply wrong_room = set(absl::StrCat(R"({"alias":")", Alias("there"), R"("})"));
  EXPECT_EQ(wrong_room.status, 400);
  EXPECT_EQ(wrong_room.Errcode(), "M_BAD_ALIAS");
  EXPECT_EQ(set(absl::StrCat(R"({"alias":")", Alias("unknown"), R"("})"))
                .Errcode(),
            "M_BAD_ALIAS");
  EXPECT_EQ(set(absl::StrCat(R"({"alt_aliases":[")", Alias("there"), R"("]})"))
                .Errcode(),
            "M_BAD_ALIAS");
  Reply remote = set(R"({"alt_aliases":["#far:other.example"]})");
  EXPECT_EQ(remote.Errcode(), "M_BAD_ALIAS");
  EXPECT_THAT(remote.Str("error"), ::testing::HasSubstr("federation"));
  EXPECT_EQ(set(R"({"alias":"not an alias"})").Errcode(), "M_INVALID_PARAM");
  EXPECT_EQ(set(R"({"alt_aliases":"#here:test.example"})").Errcode(),
            "M_INVALID_PARAM");
  EXPECT_EQ(set(absl::StrCat(R"({"alias":")", Alias("here"),
                             R"(","alt_aliases":[")", Alias("here"), R"("]})"))
                .status,
            200);
  EXPECT_EQ(set("{}").status, 200);  // Clearing needs no check.
  // Also through createRoom's initial_state.
  Reply bad_initial = Call(
      "POST", absl::StrCat(kV3, "/createRoom"),
      absl::StrCat(R"({"initial_state":[{"type":"m.room.canonical_alias",
                   "state_key":"","content":{"alias":")",
                   Alias("there"), R"("}}]})"),
      alice_);
  EXPECT_EQ(bad_initial.Errcode(), "M_BAD_ALIAS");

  // Deleting an alias drops it from the canonical alias event.
  ASSERT_EQ(set(absl::StrCat(R"({"alias":")", Alias("here"), R"("})")).status,
            200);
  ASSERT_EQ(Call("DELETE", AliasPath("here"), "", alice_).status, 200);
  Reply canonical =
      Call("GET", Room(room, "/state/m.room.canonical_alias/"), "", alice_);
  EXPECT_EQ(canonical.status, 200);
  EXPECT_FALSE(canonical.body.contains("alias"));
}

TEST_F(DirectoryTest, DirectoryVisibility) {
  std::string room = CreateRoom(R"({"preset":"public_chat"})");
  std::string path = absl::StrCat(kV3, "/directory/list/room/", room);
  EXPECT_EQ(Call("GET", path).Str("visibility"), "private");
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/directory/list/room/!nope:test.example"))
                .Errcode(),
            "M_NOT_FOUND");
  EXPECT_EQ(Call("PUT", path, R"({"visibility":"public"})", alice_).status, 200);
  EXPECT_EQ(Call("GET", path).Str("visibility"), "public");
  EXPECT_EQ(Call("PUT", path, R"({"visibility":"private"})", alice_).status, 200);
  EXPECT_EQ(Call("GET", path).Str("visibility"), "private");
  EXPECT_EQ(Call("PUT", path, "{}", alice_).status, 200);  // Default: public.
  EXPECT_EQ(Call("GET", path).Str("visibility"), "public");
  EXPECT_EQ(Call("PUT", path, R"({"visibility":"hidden"})", alice_).Errcode(),
            "M_INVALID_PARAM");
  // Bob, out of the room and then a member without power, may not.
  EXPECT_EQ(Call("PUT", path, R"({"visibility":"private"})", bob_).Errcode(),
            "M_FORBIDDEN");
  ASSERT_EQ(Join(room, bob_).status, 200);
  EXPECT_EQ(Call("PUT", path, R"({"visibility":"private"})", bob_).Errcode(),
            "M_FORBIDDEN");
  EXPECT_EQ(Call("PUT", absl::StrCat(kV3, "/directory/list/room/!nope:test.example"),
                 "{}", alice_).Errcode(),
            "M_NOT_FOUND");
  // createRoom with visibility public publishes the room.
  std::string published = CreateRoom(R"({"visibility":"public"})");
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/directory/list/room/", published))
                .Str("visibility"),
            "public");
}

TEST_F(DirectoryTest, PublicRoomsPaginateAndSearch) {
  // Five published rooms; Bob and Carol join some so the order by joined
  // members is checked. Unlisted and invite-only rooms are not shown.
  std::string carol = Register("carol", "pw").Str("access_token");
  std::vector<std::string> rooms;
  for (int i = 0; i < 5; ++i) {
    rooms.push_back(CreateRoom(absl::StrCat(
        R"({"preset":"public_chat","visibility":"public","name":"Room )", i,
        R"(","topic":")", i % 2 ? "Odd" : "even", R"("})")));
  }
  CreateRoom(R"({"preset":"public_chat","name":"Unlisted"})");
  CreateRoom(R"({"preset":"private_chat","visibility":"public","name":"Closed"})");
  ASSERT_EQ(Join(rooms[3], bob_).status, 200);
  ASSERT_EQ(Join(rooms[3], carol).status, 200);
  ASSERT_EQ(Join(rooms[1], bob_).status, 200);

  Reply all = Call("GET", absl::StrCat(kV3, "/publicRooms"));  // No token.
  ASSERT_EQ(all.status, 200) << boost::json::serialize(all.body);
  std::vector<std::string> ids = RoomIds(all);
  ASSERT_EQ(ids.size(), 5u);
  EXPECT_EQ(ids[0], rooms[3]);
  EXPECT_EQ(ids[1], rooms[1]);
  EXPECT_EQ(all.body["total_room_count_estimate"].to_number<int64_t>(), 5);
  const auto& first = all.body["chunk"].as_array()[0].as_object();
  EXPECT_EQ(first.at("num_joined_members").to_number<int64_t>(), 3);
  EXPECT_EQ(first.at("name").as_string(), "Room 3");
  EXPECT_EQ(first.at("topic").as_string(), "Odd");
  EXPECT_EQ(first.at("join_rule").as_string(), "public");
  EXPECT_EQ(first.at("world_readable").as_bool(), false);
  EXPECT_EQ(first.at("guest_can_join").as_bool(), false);

  // Forward in pages of two, then back.
  std::vector<std::string> paged;
  std::string since;
  std::vector<std::string> prevs;
  for (int page = 0; page < 10; ++page) {
    Reply reply = Call("GET", absl::StrCat(kV3, "/publicRooms?limit=2",
                                           since.empty() ? "" : "&since=" + since));
    ASSERT_EQ(reply.status, 200);
    for (const std::string& id : RoomIds(reply)) paged.push_back(id);
    EXPECT_EQ(reply.body.contains("prev_batch"), page > 0);
    prevs.push_back(reply.Str("prev_batch"));
    if (!reply.body.contains("next_batch")) break;
    since = reply.Str("next_batch");
  }
  EXPECT_EQ(paged, ids);
  ASSERT_EQ(prevs.size(), 3u);
  Reply back = Call("POST", absl::StrCat(kV3, "/publicRooms"),
                    absl::StrCat(R"({"limit":2,"since":")", prevs[2], R"("})"),
                    alice_);
  EXPECT_THAT(RoomIds(back), ElementsAre(ids[2], ids[3]));
  EXPECT_TRUE(back.body.contains("prev_batch"));
  EXPECT_TRUE(back.body.contains("next_batch"));

  Reply odd = Call("POST", absl::StrCat(kV3, "/publicRooms"),
                   R"({"filter":{"generic_search_term":"ODD"}})", alice_);
  std::vector<std::string> odd_ids = RoomIds(odd);
  EXPECT_EQ(std::set<std::string>(odd_ids.begin(), odd_ids.end()),
            (std::set<std::string>{rooms[1], rooms[3]}));
  EXPECT_EQ(odd.body["total_room_count_estimate"].to_number<int64_t>(), 2);
  Reply named = Call("POST", absl::StrCat(kV3, "/publicRooms"),
                     R"({"filter":{"generic_search_term":"room 4"}})", alice_);
  EXPECT_THAT(RoomIds(named), ElementsAre(rooms[4]));
  // A change in a listed room shows at once (entries are cached per room
  // until its next event).
  ASSERT_EQ(Call("PUT", Room(rooms[0], "/state/m.room.name/"),
                 R"({"name":"Renamed"})", alice_).status,
            200);
  Reply renamed = Call("POST", absl::StrCat(kV3, "/publicRooms"),
                       R"({"filter":{"generic_search_term":"renamed"}})", alice_);
  EXPECT_THAT(RoomIds(renamed), ElementsAre(rooms[0]));
  ASSERT_EQ(Join(rooms[0], carol).status, 200);
  Reply recount = Call("POST", absl::StrCat(kV3, "/publicRooms"),
                       R"({"filter":{"generic_search_term":"renamed"}})", alice_);
  EXPECT_EQ(recount.body["chunk"].as_array()[0].as_object()
                .at("num_joined_members").to_number<int64_t>(),
            2);
  Reply spaces = Call("POST", absl::StrCat(kV3, "/publicRooms"),
                      R"({"filter":{"room_types":["m.space"]}})", alice_);
  EXPECT_TRUE(RoomIds(spaces).empty());
  Reply plain = Call("POST", absl::StrCat(kV3, "/publicRooms"),
                     R"({"filter":{"room_types":[null]}})", alice_);
  EXPECT_EQ(RoomIds(plain).size(), 5u);

  Reply bridged = Call("POST", absl::StrCat(kV3, "/publicRooms"),
                       R"({"third_party_instance_id":"irc"})", alice_);
  EXPECT_EQ(bridged.status, 200);
  EXPECT_TRUE(RoomIds(bridged).empty());

  Reply remote = Call("GET", absl::StrCat(kV3, "/publicRooms?server=other.example"));
  EXPECT_EQ(remote.status, 502);
  EXPECT_THAT(remote.Str("error"), ::testing::HasSubstr("federation"));
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/publicRooms?server=test.example"))
                .status,
            200);
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/publicRooms?limit=x")).Errcode(),
            "M_INVALID_PARAM");
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/publicRooms?since=zzz")).Errcode(),
            "M_INVALID_PARAM");
  EXPECT_EQ(Call("POST", absl::StrCat(kV3, "/publicRooms"), R"({"limit":"2"})",
                 alice_).Errcode(),
            "M_BAD_JSON");
  EXPECT_EQ(Call("POST", absl::StrCat(kV3, "/publicRooms"), "{}").status, 401);
}

// A server admin may delete any alias and publish any room without being
// in it.
TEST_F(DirectoryTest, ServerAdminManagesAnyRoom) {
  constexpr char kAdminRegister[] = "/_synapse/admin/v1/register";
  std::string nonce = Call("GET", kAdminRegister).Str("nonce");
  std::string mac =
      client::SharedSecretMac("s3cret", nonce, "root", "pw", true, "");
  Reply root = Call("POST", kAdminRegister,
                    absl::StrCat(R"({"nonce":")", nonce,
                                 R"(","username":"root","password":"pw",)",
                                 R"("admin":true,"mac":")", mac, R"("})"));
  ASSERT_EQ(root.status, 200) << boost::json::serialize(root.body);
  std::string admin = root.Str("access_token");

  std::string room = CreateRoom(R"({"preset":"private_chat"})");
  ASSERT_EQ(PutAlias("secret", room, alice_).status, 200);
  std::string path = absl::StrCat(kV3, "/directory/list/room/", room);
  EXPECT_EQ(Call("PUT", path, R"({"visibility":"public"})", bob_).Errcode(),
            "M_FORBIDDEN");
  EXPECT_EQ(Call("PUT", path, R"({"visibility":"public"})", admin).status, 200);
  EXPECT_EQ(Call("GET", path).Str("visibility"), "public");
  EXPECT_EQ(Call("GET", Room(room, "/aliases"), "", admin).status, 200);
  EXPECT_EQ(Call("DELETE", AliasPath("secret"), "", bob_).Errcode(),
            "M_FORBIDDEN");
  EXPECT_EQ(Call("DELETE", AliasPath("secret"), "", admin).status, 200);
  EXPECT_EQ(Call("GET", AliasPath("secret")).status, 404);
}

// Spec: room upgrades move local aliases; the directory entry and the
// canonical alias follow.
TEST_F(DirectoryTest, UpgradeMovesAliasesAndPublication) {
  std::string old_room = CreateRoom(
      R"({"preset":"public_chat","visibility":"public","room_alias_name":"town"})");
  ASSERT_EQ(PutAlias("square", old_room, alice_).status, 200);
  Reply upgraded = Call("POST", Room(old_room, "/upgrade"),
                        R"({"new_version":"12"})", alice_);
  ASSERT_EQ(upgraded.status, 200) << boost::json::serialize(upgraded.body);
  std::string room = upgraded.Str("replacement_room");
  EXPECT_EQ(Call("GET", AliasPath("town")).Str("room_id"), room);
  EXPECT_EQ(Call("GET", AliasPath("square")).Str("room_id"), room);
  EXPECT_EQ(boost::json::serialize(
                Call("GET", Room(room, "/aliases"), "", alice_).body["aliases"]),
            absl::StrCat(R"([")", Alias("square"), R"(",")", Alias("town"),
                         R"("])"));
  EXPECT_EQ(Call("GET", Room(room, "/state/m.room.canonical_alias/"), "", alice_)
                .Str("alias"),
            Alias("town"));
  EXPECT_FALSE(
      Call("GET", Room(old_room, "/state/m.room.canonical_alias/"), "", alice_)
          .body.contains("alias"));
  EXPECT_THAT(RoomIds(Call("GET", absl::StrCat(kV3, "/publicRooms"))),
              ElementsAre(room));
  // Bob joins the new room by the alias.
  EXPECT_EQ(Join("%23town%3Atest.example", bob_).Str("room_id"), room);
}

TEST_F(DirectoryTest, SurvivesRestart) {
  std::string room = CreateRoom(
      R"({"preset":"public_chat","visibility":"public","room_alias_name":"kept"})");
  Restart();
  EXPECT_EQ(Call("GET", AliasPath("kept")).Str("room_id"), room);
  EXPECT_THAT(RoomIds(Call("GET", absl::StrCat(kV3, "/publicRooms"))),
              ElementsAre(room));
  EXPECT_EQ(Call("GET", "/_matrix/client/r0/publicRooms").status, 200);
}

}  // namespace
}  // namespace myelin::testing
