// Crash test of the whole server: client threads send messages over HTTP into
// two rooms while the server is killed with SIGKILL at random moments, again
// and again. With sync_writes on, a send that was acknowledged (200 and an
// event_id) must survive: after every restart each acknowledged event is
// served by /event, each room's history holds every acknowledged event
// exactly once and nothing the clients never sent, paging backward and
// forward agree, and the rooms still accept events.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "gtest/gtest.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

namespace myelin::testing {
namespace {

constexpr char kV3[] = "/_matrix/client/v3";
constexpr int kKills = 10;
constexpr int kSenderThreads = 3;
constexpr int kMinLoadMs = 100;
constexpr int kMaxLoadMs = 600;

std::string CrashConfig() {
  return R"(server_name: crash.example
listeners:
  - bind_addresses: ["127.0.0.1"]
    port: 0
    resources: [client]
data_dir: ./data
memory_budget_mb: 32
sync_writes: true
argon2_opslimit: 1
argon2_memlimit_kib: 8
enable_registration: true
rate_limiting: {enabled: false}
)";
}

// A message the clients sent: its body is unique across the whole test.
struct Sent {
  std::string room;
  std::string body;
  std::string event_id;  // Empty when the send was not acknowledged.
};

// One JSON call on `client`; a null object when the call or the parse failed.
boost::json::object CallJson(HttpClient& client, const std::string& method,
                             const std::string& path, const std::string& body,
                             const std::string& token, int* status) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  auto result = client.Send(method, path, body, headers);
  *status = result.ok() ? result->status : 0;
  if (!result.ok()) return {};
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(result->body, ec);
  return !ec && value.is_object() ? value.get_object() : boost::json::object{};
}

std::string Str(const boost::json::object& object, const char* key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->get_string())
                                                : "";
}

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = NewTempDir("crash");
    StartServer();
    token_ = Register("alice");
    std::string bob = Register("bob");
    for (int i = 0; i < 2; ++i) {
      std::string room =
          Str(Call("POST", absl::StrCat(kV3, "/createRoom"),
                   R"({"preset":"public_chat"})", token_),
              "room_id");
      ASSERT_FALSE(room.empty());
      Call("POST", absl::StrCat(kV3, "/join/", room), "{}", bob);
      ASSERT_EQ(last_status_, 200);
      rooms_.push_back(room);
    }
    tokens_ = {token_, bob};
  }

  void StartServer() {
    auto server = ServerProcess::Start(dir_, CrashConfig());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());
  }

  void Kill() {
    client_.reset();
    ASSERT_TRUE(server_->Stop(SIGKILL).ok());
    server_.reset();
  }

  boost::json::object Call(const std::string& method, const std::string& path,
                           const std::string& body, const std::string& token) {
    return CallJson(*client_, method, path, body, token, &last_status_);
  }

  std::string Register(const std::string& user) {
    std::string path = absl::StrCat(kV3, "/register");
    std::string session = Str(Call("POST", path, "{}", ""), "session");
    return Str(Call("POST", path,
                    absl::StrCat(R"({"username":")", user,
                                 R"(","password":"pw","auth":{"type":)"
                                 R"("m.login.dummy","session":")",
                                 session, R"("}})"),
                    ""),
               "access_token");
  }

  // Sends into the rooms from kSenderThreads threads until `stop` or the
  // server goes away; every attempt is recorded, with its event id if acked.
  std::vector<Sent> SendUntilStopped(int round, uint16_t port,
                                     std::atomic<bool>& stop) {
    std::vector<std::vector<Sent>> per_thread(kSenderThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kSenderThreads; ++t) {
      threads.emplace_back([&, t] {
        HttpClient client("127.0.0.1", port);
        const std::string& token = tokens_[t % tokens_.size()];
        for (int n = 0; !stop.load(); ++n) {
          Sent sent{rooms_[(t + n) % rooms_.size()],
                    absl::StrCat("r", round, "-t", t, "-n", n), ""};
          per_thread[t].push_back(sent);
          int status = 0;
          boost::json::object reply = CallJson(
              client, "PUT",
              absl::StrCat(kV3, "/rooms/", sent.room,
                           "/send/m.room.message/", sent.body),
              absl::StrCat(R"({"msgtype":"m.text","body":")", sent.body,
                           R"("})"),
              token, &status);
          if (status == 0) break;  // The server is gone.
          if (status == 200) per_thread[t].back().event_id = Str(reply, "event_id");
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    std::vector<Sent> all;
    for (auto& sent : per_thread) all.insert(all.end(), sent.begin(), sent.end());
    return all;
  }

  // Event ids and message bodies of a room's whole history, paging in `dir`.
  struct History {
    std::vector<std::string> event_ids;
    std::vector<std::string> bodies;
  };
  History Page(const std::string& room, char dir) {
    History history;
    std::string from;
    for (int pages = 0; pages < 1000; ++pages) {
      boost::json::object page = Call(
          "GET",
          absl::StrCat(kV3, "/rooms/", room, "/messages?limit=100&dir=", std::string(1, dir),
                       from.empty() ? "" : "&from=" + from),
          "", token_);
      EXPECT_EQ(last_status_, 200) << boost::json::serialize(page);
      if (last_status_ != 200) break;
      for (const auto& event : page["chunk"].as_array()) {
        history.event_ids.emplace_back(event.at("event_id").as_string());
        if (event.at("type") != "m.room.message") continue;
        history.bodies.emplace_back(event.at("content").at("body").as_string());
      }
      if (!page.contains("end")) break;
      from = Str(page, "end");
    }
    return history;
  }

  // Every acked event is served; histories are whole, in one piece and
  // consistent between the two directions.
  void CheckRecovered(const std::vector<Sent>& attempts) {
    std::set<std::string> attempted;
    for (const Sent& sent : attempts) {
      attempted.insert(sent.body);
      if (sent.event_id.empty()) continue;
      boost::json::object event =
          Call("GET", absl::StrCat(kV3, "/rooms/", sent.room, "/event/", sent.event_id),
               "", token_);
      ASSERT_EQ(last_status_, 200) << "lost acked event " << sent.event_id;
      ASSERT_EQ(event["content"].at("body"), sent.body.c_str());
    }
    for (const std::string& room : rooms_) {
      History back = Page(room, 'b');
      History forward = Page(room, 'f');
      std::reverse(forward.event_ids.begin(), forward.event_ids.end());
      EXPECT_EQ(back.event_ids, forward.event_ids) << room;
      EXPECT_EQ(std::set<std::string>(back.event_ids.begin(), back.event_ids.end()).size(),
                back.event_ids.size())
          << "duplicate events in " << room;
      std::set<std::string> bodies(back.bodies.begin(), back.bodies.end());
      EXPECT_EQ(bodies.size(), back.bodies.size()) << "a message twice in " << room;
      for (const std::string& body : back.bodies) {
        EXPECT_TRUE(attempted.count(body)) << "never sent: " << body;
      }
      std::set<std::string> ids(back.event_ids.begin(), back.event_ids.end());
      for (const Sent& sent : attempts) {
        if (sent.room == room && !sent.event_id.empty()) {
          EXPECT_TRUE(ids.count(sent.event_id)) << "acked " << sent.body
                                                << " missing from history";
        }
      }
    }
  }

  std::string dir_, token_;
  std::vector<std::string> tokens_, rooms_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
  int last_status_ = 0;
};

TEST_F(CrashTest, AcknowledgedSendsSurviveSigkill) {
  const unsigned seed = std::random_device{}();
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> load_ms(kMinLoadMs, kMaxLoadMs);
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::vector<Sent> attempts;
  size_t acked = 0;
  for (int round = 0; round < kKills; ++round) {
    std::atomic<bool> stop{false};
    std::vector<Sent> sent;
    std::thread load([&, port = server_->port()] {
      sent = SendUntilStopped(round, port, stop);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(load_ms(random)));
    Kill();  // Mid-stream: the senders see their connections die.
    stop = true;
    load.join();
    for (const Sent& s : sent) acked += !s.event_id.empty();
    attempts.insert(attempts.end(), sent.begin(), sent.end());
    StartServer();
    CheckRecovered(attempts);
    if (HasFatalFailure()) return;
  }
  // Still writable after the last crash, in both rooms.
  for (const std::string& room : rooms_) {
    Call("PUT", absl::StrCat(kV3, "/rooms/", room, "/send/m.room.message/final"),
         R"({"msgtype":"m.text","body":"final"})", token_);
    EXPECT_EQ(last_status_, 200);
  }
  EXPECT_GT(acked, static_cast<size_t>(kKills)) << "the load never got going";
  std::printf("%zu sends attempted, %zu acknowledged, %d kills\n",
              attempts.size(), acked, kKills);
}

}  // namespace
}  // namespace myelin::testing
