// Long-polling /sync: a poll with a `since` and a timeout answers as soon as
// something for the user happens (a message, an invite, typing, a receipt,
// presence, account data, a to-device message), and with an empty response
// when nothing does.
#include <chrono>
#include <functional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/integration/sync_fixture.h"

namespace myelin::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class SyncLongPollTest : public SyncTest {
 protected:
  struct Polled {
    json::object body;
    int64_t millis = 0;
  };

  // Long-polls /sync for `user` from `since` with a 10 s timeout, on its own
  // connection and thread, runs `wake` meanwhile and returns the answer.
  // The connection's deadline (60 s) is far beyond the poll's timeout, so
  // only a broken server fails it.
  Polled LongPoll(const User& user, const std::string& since,
                  const std::function<void()>& wake) {
    HttpClient poller("127.0.0.1", server_->port(), false, 60);
    absl::StatusOr<HttpResult> result;
    auto started = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration took{};
    std::thread poll([&] {
      result = poller.Send(
          "GET", absl::StrCat(kV3, "/sync?timeout=10000&since=", UrlEncode(since)), "",
          {{"Authorization", "Bearer " + user.token}});
      took = std::chrono::steady_clock::now() - started;
    });
    // Give the request a moment to reach the server. Correctness does not
    // depend on it: a change made first is returned at once.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    wake();
    poll.join();
    Polled polled;
    polled.millis = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
    if (!result.ok()) {
      ADD_FAILURE() << result.status();
      return polled;
    }
    EXPECT_EQ(result->status, 200) << result->body;
    boost::json::error_code ec;
    json::value body = json::parse(result->body, ec);
    if (!ec && body.is_object()) polled.body = std::move(body.get_object());
    // Generous: a poll that was not woken answers only at its 10 s timeout.
    EXPECT_LT(polled.millis, 9000) << "the long poll was not woken";
    return polled;
  }

  std::string SharedRoom() {
    std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
    Join(bob_, room);
    return room;
  }
};

TEST_F(SyncLongPollTest, WakesOnANewMessage) {
  std::string room = SharedRoom();
  std::string since = Sync(bob_).Str("next_batch");
  Polled polled = LongPoll(bob_, since, [&] { Send(alice_, room, "wake up"); });
  EXPECT_THAT(Bodies(Events(At(polled.body, {"rooms", "join", room}), "timeline")),
              ElementsAre("wake up"));
}

TEST_F(SyncLongPollTest, WakesOnAnInviteToANewRoom) {
  std::string since = Sync(bob_).Str("next_batch");
  std::string room;
  Polled polled = LongPoll(bob_, since, [&] {
    room = CreateRoom(alice_, R"({"preset":"private_chat"})");
    Moderate(alice_, room, "invite", bob_);
  });
  EXPECT_TRUE(At(polled.body, {"rooms", "invite"}).contains(room))
      << json::serialize(polled.body);
}

TEST_F(SyncLongPollTest, WakesOnTyping) {
  std::string room = SharedRoom();
  std::string since = Sync(bob_).Str("next_batch");
  Polled polled = LongPoll(bob_, since, [&] {
    ASSERT_EQ(Call("PUT", RoomPath(room, "/typing/" + alice_.id),
                   R"({"typing":true,"timeout":30000})", alice_.token).status,
              200);
  });
  const json::value* typing =
      FindEvent(Events(At(polled.body, {"rooms", "join", room}), "ephemeral"), "m.typing");
  ASSERT_NE(typing, nullptr) << json::serialize(polled.body);
  EXPECT_EQ(ToString(typing->at("content").at("user_ids").at(0)), alice_.id);
}

TEST_F(SyncLongPollTest, WakesOnAReceipt) {
  std::string room = SharedRoom();
  std::string event = Send(bob_, room, "read me");
  std::string since = Sync(bob_).Str("next_batch");
  Polled polled = LongPoll(bob_, since, [&] {
    ASSERT_EQ(Call("POST", RoomPath(room, "/receipt/m.read/" + event), "{}", alice_.token)
                  .status,
              200);
  });
  const json::value* receipt =
      FindEvent(Events(At(polled.body, {"rooms", "join", room}), "ephemeral"), "m.receipt");
  ASSERT_NE(receipt, nullptr) << json::serialize(polled.body);
  EXPECT_TRUE(At(receipt->as_object(), {"content", event, "m.read"}).contains(alice_.id));
}

TEST_F(SyncLongPollTest, WakesOnPresence) {
  SharedRoom();
  std::string since = Sync(bob_).Str("next_batch");
  Polled polled = LongPoll(bob_, since, [&] {
    ASSERT_EQ(Call("PUT", absl::StrCat(kV3, "/presence/", alice_.id, "/status"),
                   R"({"presence":"unavailable"})", alice_.token).status,
              200);
  });
  std::vector<std::string> senders = Senders(Events(polled.body, "presence"));
  EXPECT_THAT(senders, Contains(alice_.id)) << json::serialize(polled.body);
}

TEST_F(SyncLongPollTest, WakesOnAccountData) {
  std::string since = Sync(bob_).Str("next_batch");
  Polled polled = LongPoll(bob_, since, [&] {
    ASSERT_EQ(Call("PUT", UserPath(bob_, "/account_data/org.example.x"), R"({"v":1})",
                   bob_.token).status,
              200);
  });
  EXPECT_NE(FindEvent(Events(polled.body, "account_data"), "org.example.x"), nullptr)
      << json::serialize(polled.body);
}

TEST_F(SyncLongPollTest, WakesOnAToDeviceMessage) {
  std::string since = Sync(bob_).Str("next_batch");
  Polled polled = LongPoll(bob_, since, [&] {
    std::string body = absl::StrCat(R"({"messages":{")", bob_.id, R"(":{")", bob_.device,
                                    R"(":{"n":1}}}})");
    ASSERT_EQ(Call("PUT", absl::StrCat(kV3, "/sendToDevice/org.example.ping/t1"), body,
                   alice_.token).status,
              200);
  });
  const json::value* message = FindEvent(Events(polled.body, "to_device"), "org.example.ping");
  ASSERT_NE(message, nullptr) << json::serialize(polled.body);
  EXPECT_EQ(Field(*message, "sender"), alice_.id);
}

TEST_F(SyncLongPollTest, NothingNewGivesAnEmptyResponse) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  Send(alice_, room, "old news");
  std::string since = Sync(alice_).Str("next_batch");
  Reply quiet = SyncSince(alice_, since, "&timeout=500");
  EXPECT_FALSE(quiet.Str("next_batch").empty());
  for (const auto& [id, joined] : At(quiet.body, {"rooms", "join"})) {
    EXPECT_THAT(Events(joined.as_object(), "timeline"), IsEmpty()) << id;
    EXPECT_THAT(Events(joined.as_object(), "state"), IsEmpty()) << id;
  }
  EXPECT_TRUE(At(quiet.body, {"rooms", "invite"}).empty());
  EXPECT_TRUE(At(quiet.body, {"rooms", "leave"}).empty());
  EXPECT_THAT(Events(quiet.body, "to_device"), IsEmpty());
  EXPECT_THAT(Events(quiet.body, "account_data"), IsEmpty());
  // Its token still works and still sees what comes next.
  Send(alice_, room, "fresh");
  Reply next = SyncSince(alice_, quiet.Str("next_batch"));
  EXPECT_THAT(Bodies(Events(Joined(next, room), "timeline")), ElementsAre("fresh"));
}

}  // namespace
}  // namespace myelin::testing
