// Redactions, relations, bundled aggregations and threads over the
// Client-Server API, against the real binary. Spec: client-server-api,
// "Redactions", "Forming relationships between events", "Aggregations of
// child events", modules/event_replacements, modules/threading.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/integration/accounts_fixture.h"

namespace myelin::testing {
namespace {

constexpr char kV1[] = "/_matrix/client/v1";

class RelationsTest : public AccountsTest {
 protected:
  void SetUp() override {
    Start();
    alice_ = Register("alice", "pw").Str("access_token");
    bob_ = Register("bob", "pw").Str("access_token");
    carol_ = Register("carol", "pw").Str("access_token");
    Reply created = Call("POST", absl::StrCat(kV3, "/createRoom"),
                         R"({"preset":"public_chat"})", alice_);
    ASSERT_EQ(created.status, 200);
    room_ = created.Str("room_id");
    for (const std::string* token : {&bob_, &carol_}) {
      ASSERT_EQ(
          Call("POST", absl::StrCat(kV3, "/join/", room_), "{}", *token).status,
          200);
    }
  }

  std::string Room(const std::string& rest) {
    return absl::StrCat(kV3, "/rooms/", room_, rest);
  }
  std::string V1(const std::string& rest) {
    return absl::StrCat(kV1, "/rooms/", room_, rest);
  }

  // Sends an m.room.message with `content` (JSON); returns its event id.
  std::string Send(const std::string& token, const std::string& content) {
    Reply reply =
        Call("PUT", Room(absl::StrCat("/send/m.room.message/t", ++txn_)),
             content, token);
    EXPECT_EQ(reply.status, 200) << boost::json::serialize(reply.body);
    return reply.Str("event_id");
  }
  std::string Text(const std::string& token, const std::string& body) {
    return Send(token,
                absl::StrCat(R"({"msgtype":"m.text","body":")", body, R"("})"));
  }
  std::string Related(const std::string& token, const std::string& rel_type,
                      const std::string& parent, const std::string& body,
                      const std::string& extra = "") {
    return Send(token,
                absl::StrCat(R"({"msgtype":"m.text","body":")", body, R"(",)",
                             extra, R"("m.relates_to":{"rel_type":")", rel_type,
                             R"(","event_id":")", parent, R"("}})"));
  }
  std::string Edit(const std::string& token, const std::string& original,
                   const std::string& body) {
    return Related(
        token, "m.replace", original, "* " + body,
        absl::StrCat(R"("m.new_content":{"msgtype":"m.text","body":")", body,
                     R"("},)"));
  }
  Reply Redact(const std::string& token, const std::string& event) {
    return Call("PUT", Room(absl::StrCat("/redact/", event, "/r", ++txn_)),
                R"({"reason":"spam"})", token);
  }
  boost::json::object GetEvent(const std::string& event,
                               const std::string& token = "") {
    Reply reply = Call("GET", Room("/event/" + event), "",
                       token.empty() ? alice_ : token);
    EXPECT_EQ(reply.status, 200);
    return reply.body;
  }
  static const boost::json::object& Relations(
      const boost::json::object& event) {
    static const boost::json::object kEmpty;
    const auto* u = event.if_contains("unsigned");
    if (u == nullptr || !u->is_object()) return kEmpty;
    const auto* r = u->as_object().if_contains("m.relations");
    return r != nullptr && r->is_object() ? r->as_object() : kEmpty;
  }
  static std::vector<std::string> Ids(const boost::json::object& body,
                                      const char* key = "chunk") {
    std::vector<std::string> ids;
    for (const auto& e : body.at(key).as_array()) {
      ids.emplace_back(e.at("event_id").as_string());
    }
    return ids;
  }

  std::string alice_, bob_, carol_, room_;
  int txn_ = 0;
};

TEST_F(RelationsTest, RedactionNeedsPowerForOthersEvents) {
  std::string bobs = Text(bob_, "bob's");
  std::string alices = Text(alice_, "alice's");
  // Bob (level 0) may redact his own event but not Alice's.
  EXPECT_EQ(Redact(bob_, bobs).status, 200);
  Reply denied = Redact(bob_, alices);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.Errcode(), "M_FORBIDDEN");
  // Alice (creator, level 100) may redact Bob's.
  std::string other = Text(bob_, "again");
  EXPECT_EQ(Redact(alice_, other).status, 200);
  Reply unknown = Redact(alice_, "$nope:test.example");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.Errcode(), "M_NOT_FOUND");
}

TEST_F(RelationsTest, RedactedEventsAreServedStripped) {
  std::string target = Text(bob_, "secret");
  Reply redaction = Redact(bob_, target);
  ASSERT_EQ(redaction.status, 200);
  auto check = [&](const boost::json::value& event) {
    const auto& object = event.as_object();
    EXPECT_TRUE(object.at("content").as_object().empty())
        << boost::json::serialize(object);
    const auto& because =
        object.at("unsigned").at("redacted_because").as_object();
    EXPECT_EQ(because.at("event_id").as_string(), redaction.Str("event_id"));
    EXPECT_EQ(because.at("type").as_string(), "m.room.redaction");
    EXPECT_EQ(because.at("content").at("reason").as_string(), "spam");
  };
  check(GetEvent(target));
  Reply messages = Call("GET", Room("/messages?dir=b&limit=5"), "", alice_);
  bool seen = false;
  for (const auto& event : messages.body["chunk"].as_array()) {
    if (event.at("event_id").as_string() == target) {
      check(event);
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
  Reply context = Call("GET", Room("/context/" + target), "", alice_);
  ASSERT_EQ(context.status, 200);
  check(context.body["event"]);
  // Other events are untouched.
  std::string kept = Text(bob_, "kept");
  EXPECT_EQ(GetEvent(kept).at("content").at("body").as_string(), "kept");
}

TEST_F(RelationsTest, LatestEditByTheSenderIsBundled) {
  std::string original = Text(bob_, "v0");
  Edit(bob_, original, "v1");
  std::string v2 = Edit(bob_, original, "v2");
  Edit(carol_, original, "not allowed");  // another sender: ignored
  boost::json::object event = GetEvent(original);
  // Spec: the original content stays; the newest valid edit is bundled.
  EXPECT_EQ(event.at("content").at("body").as_string(), "v0");
  const auto& replace = Relations(event).at("m.replace").as_object();
  EXPECT_EQ(replace.at("event_id").as_string(), v2);
  EXPECT_EQ(replace.at("content").at("m.new_content").at("body").as_string(),
            "v2");
  // Redacting the latest edit reverts to the one before.
  ASSERT_EQ(Redact(bob_, v2).status, 200);
  EXPECT_EQ(Relations(GetEvent(original))
                .at("m.replace")
                .at("content")
                .at("m.new_content")
                .at("body")
                .as_string(),
            "v1");
  // A redacted original has no edit bundled.
  ASSERT_EQ(Redact(bob_, original).status, 200);
  EXPECT_FALSE(Relations(GetEvent(original)).contains("m.replace"));
}

TEST_F(RelationsTest, EncryptedEditsAreBundledWithoutCleartextNewContent) {
  auto send_encrypted = [&](const std::string& extra) {
    Reply reply = Call(
        "PUT", Room(absl::StrCat("/send/m.room.encrypted/e", ++txn_)),
        absl::StrCat(R"({"algorithm":"m.megolm.v1.aes-sha2",)",
                     R"("ciphertext":"AwgA","device_id":"D","sender_key":"k",)",
                     R"("session_id":"s")", extra, "}"),
        bob_);
    EXPECT_EQ(reply.status, 200);
    return reply.Str("event_id");
  };
  std::string original = send_encrypted("");
  std::string edit = send_encrypted(
      absl::StrCat(R"(,"m.relates_to":{"rel_type":"m.replace","event_id":")",
                   original, R"("})"));
  EXPECT_EQ(
      Relations(GetEvent(original)).at("m.replace").at("event_id").as_string(),
      edit);
}

TEST_F(RelationsTest, ThreadSummaryAndReferences) {
  std::string root = Text(alice_, "root");
  Related(bob_, "m.thread", root, "one");
  std::string latest = Related(bob_, "m.thread", root, "two");
  std::string ref = Related(carol_, "m.reference", root, "see");
  boost::json::object as_bob = GetEvent(root, bob_);
  const auto& thread = Relations(as_bob).at("m.thread").as_object();
  EXPECT_EQ(thread.at("count").as_int64(), 2);
  EXPECT_EQ(thread.at("latest_event").at("event_id").as_string(), latest);
  EXPECT_EQ(thread.at("latest_event").at("content").at("body").as_string(),
            "two");
  EXPECT_TRUE(thread.at("current_user_participated").as_bool());
  EXPECT_TRUE(Relations(GetEvent(root, alice_))
                  .at("m.thread")
                  .at("current_user_participated")
                  .as_bool());  // root sender
  EXPECT_FALSE(Relations(GetEvent(root, carol_))
                   .at("m.thread")
                   .at("current_user_participated")
                   .as_bool());
  // /messages too.
  Reply messages = Call("GET", Room("/messages?dir=b&limit=10"), "", bob_);
  bool root_seen = false;
  for (const auto& e : messages.body["chunk"].as_array()) {
    if (e.at("event_id").as_string() != root) continue;
    root_seen = true;
    const auto& summary = Relations(e.as_object()).at("m.thread");
    EXPECT_EQ(summary.at("count").as_int64(), 2);
    EXPECT_TRUE(summary.at("current_user_participated").as_bool());
  }
  EXPECT_TRUE(root_seen);
  // /context serves the same summary for its viewer.
  Reply context = Call("GET", Room("/context/" + root), "", bob_);
  ASSERT_EQ(context.status, 200);
  EXPECT_TRUE(Relations(context.body["event"].as_object())
                  .at("m.thread")
                  .at("current_user_participated")
                  .as_bool());
  const auto& refs = Relations(as_bob).at("m.reference").at("chunk").as_array();
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].at("event_id").as_string(), ref);
  // Annotations are not aggregated by the server (since v1.7).
  Send(carol_, absl::StrCat(R"({"m.relates_to":{"rel_type":"m.annotation",)",
                            R"("event_id":")", root, R"(","key":"+1"}})"));
  EXPECT_FALSE(Relations(GetEvent(root)).contains("m.annotation"));
}

TEST_F(RelationsTest, RelationsFilterAndPaginate) {
  std::string root = Text(alice_, "root");
  std::vector<std::string> replies;
  for (int i = 0; i < 5; ++i) {
    replies.push_back(Related(bob_, "m.thread", root, absl::StrCat("r", i)));
  }
  std::string ref = Related(bob_, "m.reference", root, "ref");
  Reply other = Call("PUT", Room("/send/m.custom/x1"),
                     absl::StrCat(R"({"m.relates_to":{"rel_type":"m.thread",)",
                                  R"("event_id":")", root, R"("}})"),
                     bob_);
  ASSERT_EQ(other.status, 200);
  // Everything, newest first.
  Reply all = Call("GET", V1("/relations/" + root), "", alice_);
  ASSERT_EQ(all.status, 200) << boost::json::serialize(all.body);
  EXPECT_EQ(Ids(all.body).size(), 7u);
  EXPECT_EQ(Ids(all.body)[0], other.Str("event_id"));
  // By rel_type, and by rel_type and event type.
  Reply refs =
      Call("GET", V1("/relations/" + root + "/m.reference"), "", alice_);
  EXPECT_THAT(Ids(refs.body), ::testing::ElementsAre(ref));
  Reply typed = Call(
      "GET", V1("/relations/" + root + "/m.thread/m.room.message"), "", alice_);
  EXPECT_THAT(Ids(typed.body),
              ::testing::ElementsAre(replies[4], replies[3], replies[2],
                                     replies[1], replies[0]));
  // Backward pages of 2.
  std::vector<std::string> seen;
  std::string from;
  for (int page = 0; page < 10; ++page) {
    Reply r = Call(
        "GET",
        V1(absl::StrCat("/relations/", root, "/m.thread/m.room.message?limit=2",
                        from.empty() ? "" : "&from=" + from)),
        "", alice_);
    ASSERT_EQ(r.status, 200);
    for (const auto& id : Ids(r.body)) seen.push_back(id);
    if (!r.body.contains("next_batch")) break;
    from = r.Str("next_batch");
  }
  EXPECT_THAT(seen, ::testing::ElementsAre(replies[4], replies[3], replies[2],
                                           replies[1], replies[0]));
  // Forward pages of 3.
  Reply f1 = Call("GET", V1("/relations/" + root + "/m.thread?dir=f&limit=3"),
                  "", alice_);
  EXPECT_THAT(Ids(f1.body),
              ::testing::ElementsAre(replies[0], replies[1], replies[2]));
  ASSERT_TRUE(f1.body.contains("next_batch"));
  Reply f2 = Call("GET",
                  V1("/relations/" + root +
                     "/m.thread?dir=f&limit=3&from=" + f1.Str("next_batch")),
                  "", alice_);
  EXPECT_THAT(Ids(f2.body), ::testing::ElementsAre(replies[3], replies[4],
                                                   other.Str("event_id")));
  EXPECT_FALSE(f2.body.contains("next_batch"));
  // Unknown parent.
  EXPECT_EQ(Call("GET", V1("/relations/$nope"), "", alice_).status, 404);
  // Not a member.
  Reply created = Call("POST", absl::StrCat(kV3, "/createRoom"), "{}", carol_);
  EXPECT_EQ(Call("GET",
                 absl::StrCat(kV1, "/rooms/", created.Str("room_id"),
                              "/relations/", root),
                 "", alice_)
                .status,
            403);
}

TEST_F(RelationsTest, RelationsStopAtToAndHideRedactedChildren) {
  std::string root = Text(alice_, "root");
  std::vector<std::string> replies;
  for (int i = 0; i < 4; ++i) {
    replies.push_back(Related(bob_, "m.thread", root, absl::StrCat("r", i)));
  }
  // A forward page of 1 gives a token after replies[0]; paging backward
  // from the end to it stops before replies[0].
  Reply first =
      Call("GET", V1("/relations/" + root + "?dir=f&limit=1"), "", alice_);
  ASSERT_TRUE(first.body.contains("next_batch"));
  Reply back =
      Call("GET", V1("/relations/" + root + "?to=" + first.Str("next_batch")),
           "", alice_);
  EXPECT_THAT(Ids(back.body),
              ::testing::ElementsAre(replies[3], replies[2], replies[1]));
  // A redacted child no longer relates: not listed, not counted.
  ASSERT_EQ(Redact(bob_, replies[3]).status, 200);
  Reply after = Call("GET", V1("/relations/" + root), "", alice_);
  EXPECT_THAT(Ids(after.body),
              ::testing::ElementsAre(replies[2], replies[1], replies[0]));
  boost::json::object served = GetEvent(root);
  const auto& thread = Relations(served).at("m.thread").as_object();
  EXPECT_EQ(thread.at("count").as_int64(), 3);
  EXPECT_EQ(thread.at("latest_event").at("event_id").as_string(), replies[2]);
  // Bad parameters.
  EXPECT_EQ(Call("GET", V1("/relations/" + root + "?dir=x"), "", alice_).status,
            400);
  EXPECT_EQ(Call("GET", V1("/relations/" + root + "?from=garbage"), "", alice_)
                .status,
            400);
}

TEST_F(RelationsTest, RelationsRecurse) {
  std::string root = Text(alice_, "root");
  std::string reply = Related(bob_, "m.thread", root, "reply");
  std::string edit = Edit(bob_, reply, "reply edited");
  Reply flat = Call("GET", V1("/relations/" + root), "", alice_);
  EXPECT_THAT(Ids(flat.body), ::testing::ElementsAre(reply));
  EXPECT_FALSE(flat.body.contains("recursion_depth"));
  Reply deep =
      Call("GET", V1("/relations/" + root + "?recurse=true"), "", alice_);
  ASSERT_EQ(deep.status, 200);
  EXPECT_THAT(Ids(deep.body), ::testing::ElementsAre(edit, reply));
  EXPECT_TRUE(deep.body.contains("recursion_depth"));
  Reply edits = Call(
      "GET", V1("/relations/" + root + "/m.replace?recurse=true"), "", alice_);
  EXPECT_THAT(Ids(edits.body), ::testing::ElementsAre(edit));
}

TEST_F(RelationsTest, ThreadsListAllAndParticipated) {
  std::string a = Text(alice_, "a");
  std::string b = Text(carol_, "b");
  std::string c = Text(carol_, "c");
  Related(bob_, "m.thread", a, "a1");
  Related(carol_, "m.thread", b, "b1");
  Related(carol_, "m.thread", c, "c1");
  Related(carol_, "m.thread", a, "a2");  // a is now the most recent
  Reply all = Call("GET", V1("/threads"), "", bob_);
  ASSERT_EQ(all.status, 200) << boost::json::serialize(all.body);
  EXPECT_THAT(Ids(all.body), ::testing::ElementsAre(a, c, b));
  EXPECT_EQ(Relations(all.body["chunk"].as_array()[0].as_object())
                .at("m.thread")
                .at("count")
                .as_int64(),
            2);
  Reply mine = Call("GET", V1("/threads?include=participated"), "", bob_);
  EXPECT_THAT(Ids(mine.body), ::testing::ElementsAre(a));
  // Pages of one.
  std::vector<std::string> seen;
  std::string from;
  for (int page = 0; page < 10; ++page) {
    Reply r = Call("GET",
                   V1(absl::StrCat("/threads?limit=1",
                                   from.empty() ? "" : "&from=" + from)),
                   "", bob_);
    ASSERT_EQ(r.status, 200);
    for (const auto& id : Ids(r.body)) seen.push_back(id);
    if (!r.body.contains("next_batch")) break;
    from = r.Str("next_batch");
  }
  EXPECT_THAT(seen, ::testing::ElementsAre(a, c, b));
  EXPECT_EQ(Call("GET", V1("/threads?include=bogus"), "", bob_).status, 400);
}

TEST_F(RelationsTest, SendingChecksThreadRootsAndDuplicateAnnotations) {
  std::string root = Text(alice_, "root");
  std::string reply = Related(bob_, "m.thread", root, "reply");
  // Spec: threading — no thread off an event that has a relation itself.
  Reply nested =
      Call("PUT", Room("/send/m.room.message/n1"),
           absl::StrCat(R"({"body":"x","m.relates_to":{"rel_type":"m.thread",)",
                        R"("event_id":")", reply, R"("}})"),
           carol_);
  EXPECT_EQ(nested.status, 400);
  EXPECT_EQ(nested.Errcode(), "M_UNKNOWN");
  // Spec: event_annotations — one annotation per (sender, type, key).
  std::string annotation =
      absl::StrCat(R"({"m.relates_to":{"rel_type":"m.annotation","event_id":")",
                   root, R"(","key":"+1"}})");
  Reply first = Call("PUT", Room("/send/m.reaction/a1"), annotation, carol_);
  ASSERT_EQ(first.status, 200);
  Reply again = Call("PUT", Room("/send/m.reaction/a2"), annotation, carol_);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.Errcode(), "M_DUPLICATE_ANNOTATION");
  EXPECT_EQ(Call("PUT", Room("/send/m.reaction/a3"), annotation, bob_).status,
            200);
  // Allowed again once the first is redacted.
  ASSERT_EQ(Redact(carol_, first.Str("event_id")).status, 200);
  EXPECT_EQ(Call("PUT", Room("/send/m.reaction/a4"), annotation, carol_).status,
            200);
}

}  // namespace
}  // namespace myelin::testing
