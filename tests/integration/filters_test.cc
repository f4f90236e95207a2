// Filters over the Client-Server API against the real binary.
#include "absl/strings/str_cat.h"
#include "tests/integration/accounts_fixture.h"

namespace myelin::testing {
namespace {

class FiltersTest : public AccountsTest {
 protected:
  void SetUp() override {
    Start();
    alice_ = Register("alice", "pw").Str("access_token");
    bob_ = Register("bob", "pw").Str("access_token");
  }
  std::string alice_, bob_;
};

constexpr char kAlice[] = "/_matrix/client/v3/user/@alice:test.example/filter";

TEST_F(FiltersTest, UploadAndReadBack) {
  Reply first = Call("POST", kAlice,
                     R"({"room":{"timeline":{"limit":10,"types":["m.room.message"]}},
                         "event_format":"client"})",
                     alice_);
  ASSERT_EQ(first.status, 200) << boost::json::serialize(first.body);
  EXPECT_EQ(first.Str("filter_id"), "0");
  EXPECT_EQ(Call("POST", kAlice, "{}", alice_).Str("filter_id"), "1");
  Reply read = Call("GET", absl::StrCat(kAlice, "/0"), "", alice_);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.body["room"].at("timeline").at("limit").as_int64(), 10);
  EXPECT_EQ(read.body["event_format"].as_string(), "client");
  // Filters survive a restart.
  Restart();
  alice_ = Login("alice", "pw").Str("access_token");
  EXPECT_EQ(Call("GET", absl::StrCat(kAlice, "/1"), "", alice_).status, 200);
}

TEST_F(FiltersTest, ErrorsFollowTheSpec) {
  EXPECT_EQ(Call("POST", kAlice, "{}", bob_).Errcode(), "M_FORBIDDEN");
  EXPECT_EQ(Call("POST", kAlice, R"({"room":{"timeline":{"limit":"x"}}})", alice_)
                .Errcode(),
            "M_BAD_JSON");
  EXPECT_EQ(Call("POST", kAlice, R"({"event_format":"xml"})", alice_).Errcode(),
            "M_INVALID_PARAM");
  EXPECT_EQ(Call("POST", kAlice, "{oops", alice_).Errcode(), "M_NOT_JSON");
  EXPECT_EQ(Call("GET", absl::StrCat(kAlice, "/42"), "", alice_).Errcode(), "M_NOT_FOUND");
  EXPECT_EQ(Call("GET", absl::StrCat(kAlice, "/abc"), "", alice_).Errcode(), "M_NOT_FOUND");
  ASSERT_EQ(Call("POST", kAlice, "{}", alice_).status, 200);
  EXPECT_EQ(Call("GET", absl::StrCat(kAlice, "/0"), "", bob_).Errcode(), "M_FORBIDDEN");
  EXPECT_EQ(Call("GET", absl::StrCat(kAlice, "/0")).Errcode(), "M_MISSING_TOKEN");
}

}  // namespace
}  // namespace myelin::testing
