#include "server/client/uia.h"

#include "boost/json/parse.hpp"
#include "dag/base/matrix_error.h"
#include "gtest/gtest.h"
#include "server/http/error_response.h"

namespace myelin::client {
namespace {

boost::json::object Rendered(const absl::Status& status, int* http_status) {
  http::Response response = http::ErrorResponse(status);
  *http_status = response.status;
  return boost::json::parse(response.body).as_object();
}

class UiaTest : public ::testing::Test {
 protected:
  UiaTest() : sessions_(&clock_, /*ttl_ms=*/60'000) {
    request_.flows = {{"m.login.dummy"}, {"m.login.password", "x.stage"}};
    request_.bound_to = "op";
  }

  absl::StatusOr<UiaResult> Send(const std::string& json) {
    return sessions_.Authenticate(
        boost::json::parse(json).as_object(), request_,
        [](std::string_view type, const boost::json::object& auth)
            -> absl::StatusOr<std::string> {
          if (type == "m.login.password" &&
              auth.at("password").as_string() != "right") {
            return Forbidden("Invalid password");
          }
          return std::string(type);
        });
  }

  // Starts a session; returns its id.
  std::string Start() {
    auto result = Send("{}");
    int status = 0;
    return std::string(
        Rendered(result.status(), &status).at("session").as_string());
  }

  FakeClock clock_;
  UiaSessions sessions_;
  UiaRequest request_;
};

TEST_F(UiaTest, FirstChallengeListsFlowsWithoutErrcode) {
  auto result = Send(R"({"username":"a"})");
  ASSERT_FALSE(result.ok());
  int status = 0;
  boost::json::object body = Rendered(result.status(), &status);
  EXPECT_EQ(status, 401);
  EXPECT_FALSE(body.contains("errcode"));
  EXPECT_EQ(body.at("flows").as_array().size(), 2u);
  EXPECT_EQ(body.at("flows").as_array()[1].at("stages").as_array()[1],
            "x.stage");
  EXPECT_TRUE(body.at("params").is_object());
  EXPECT_TRUE(body.at("completed").as_array().empty());
  EXPECT_FALSE(body.at("session").as_string().empty());
}

TEST_F(UiaTest, DummyCompletesAndTheSessionIsGone) {
  std::string session = Start();
  auto result = Send(R"({"auth":{"type":"m.login.dummy","session":")" +
                     session + R"("}})");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->count("m.login.dummy"), 1u);
  auto again = Send(R"({"auth":{"type":"m.login.dummy","session":")" +
                    session + R"("}})");
  EXPECT_EQ(ErrcodeOf(again.status()), "M_UNKNOWN");
}

TEST_F(UiaTest, FailedStageCarriesErrcodeAndState) {
  std::string session = Start();
  auto result = Send(R"({"auth":{"type":"m.login.password","password":"no",)"
                     R"("session":")" + session + R"("}})");
  int status = 0;
  boost::json::object body = Rendered(result.status(), &status);
  EXPECT_EQ(status, 401);
  EXPECT_EQ(body.at("errcode"), "M_FORBIDDEN");
  EXPECT_EQ(body.at("session").as_string(), session);
  EXPECT_TRUE(body.at("completed").as_array().empty());
}

TEST_F(UiaTest, MultiStageFlowReportsCompletedStages) {
  auto first = Send(R"({"auth":{"type":"m.login.password","password":"right"}})");
  int status = 0;
  boost::json::object body = Rendered(first.status(), &status);
  EXPECT_EQ(status, 401);
  EXPECT_FALSE(body.contains("errcode"));
  ASSERT_EQ(body.at("completed").as_array().size(), 1u);
  std::string session(body.at("session").as_string());
  auto second = Send(R"({"auth":{"type":"x.stage","session":")" + session +
                     R"("}})");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->size(), 2u);
}

TEST_F(UiaTest, UnofferedStageIsRejected) {
  auto result = Send(R"({"auth":{"type":"m.login.sso"}})");
  int status = 0;
  boost::json::object body = Rendered(result.status(), &status);
  EXPECT_EQ(status, 401);
  EXPECT_EQ(body.at("errcode"), "M_BAD_JSON");
}

TEST_F(UiaTest, SessionsAreBoundAndExpire) {
  std::string session = Start();
  request_.bound_to = "other";
  auto other = Send(R"({"auth":{"type":"m.login.dummy","session":")" +
                    session + R"("}})");
  EXPECT_EQ(ErrcodeOf(other.status()), "M_FORBIDDEN");
  request_.bound_to = "op";
  clock_.Advance(60'000);
  auto expired = Send(R"({"auth":{"type":"m.login.dummy","session":")" +
                      session + R"("}})");
  EXPECT_EQ(ErrcodeOf(expired.status()), "M_UNKNOWN");
}

}  // namespace
}  // namespace myelin::client
