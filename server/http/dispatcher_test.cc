#include "server/http/dispatcher.h"

#include "boost/json/parse.hpp"
#include "dag/base/matrix_error.h"
#include "gtest/gtest.h"

namespace myelin::http {
namespace {

class FakeAuthenticator : public Authenticator {
 public:
  absl::StatusOr<Principal> Authenticate(
      std::string_view token) const override {
    if (token == "user-token") return Principal{"@alice:example.org", "DEV", false};
    if (token == "admin-token") return Principal{"", "", true};
    return UnknownToken("Unknown access token");
  }
};

Route Echo(Method method, std::string pattern, Auth auth, Body body) {
  Route route;
  route.method = method;
  route.pattern = std::move(pattern);
  route.auth = auth;
  route.body = body;
  route.handler = [](const Request& r) -> absl::StatusOr<Response> {
    return Response::Json(r.principal.user_id);
  };
  return route;
}

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() : dispatcher_(MakeTable(), &authenticator_) {}

  static RouteTable MakeTable() {
    RouteTable table;
    EXPECT_TRUE(table.Add(Echo(Method::kGet, "/open", Auth::kNone, Body::kAny)).ok());
    EXPECT_TRUE(table.Add(Echo(Method::kGet, "/user", Auth::kUser, Body::kAny)).ok());
    EXPECT_TRUE(table.Add(Echo(Method::kGet, "/admin", Auth::kAdmin, Body::kAny)).ok());
    EXPECT_TRUE(table.Add(Echo(Method::kPost, "/json", Auth::kNone, Body::kJson)).ok());
    return table;
  }

  Dispatcher::Decision Run(Method method, std::string path,
                           std::string body = "",
                           std::string authorization = "") {
    request_ = Request();
    request_.method = method;
    size_t q = path.find('?');
    request_.path = path.substr(0, q);
    if (q != std::string::npos) request_.query = ParseQuery(path.substr(q + 1));
    request_.body = std::move(body);
    if (!authorization.empty()) request_.headers["authorization"] = authorization;
    return dispatcher_.Prepare(&request_);
  }

  static std::string Errcode(const Response& response) {
    return boost::json::parse(response.body).as_object().at("errcode").as_string().c_str();
  }

  static bool HasHeader(const Response& response, const std::string& name) {
    for (const auto& [n, v] : response.headers) {
      if (n == name) return true;
    }
    return false;
  }

  FakeAuthenticator authenticator_;
  Dispatcher dispatcher_;
  Request request_;
};

TEST_F(DispatcherTest, UnknownPathIs404Unrecognized) {
  auto decision = Run(Method::kGet, "/nope");
  EXPECT_EQ(decision.route, nullptr);
  EXPECT_EQ(decision.response.status, 404);
  EXPECT_EQ(Errcode(decision.response), "M_UNRECOGNIZED");
  EXPECT_TRUE(HasHeader(decision.response, "Access-Control-Allow-Origin"));
}

TEST_F(DispatcherTest, WrongMethodIs405UnrecognizedWithAllow) {
  auto decision = Run(Method::kDelete, "/open");
  EXPECT_EQ(decision.response.status, 405);
  EXPECT_EQ(Errcode(decision.response), "M_UNRECOGNIZED");
  EXPECT_TRUE(HasHeader(decision.response, "Allow"));
}

TEST_F(DispatcherTest, OptionsIsAPreflightOnAnyPath) {
  for (std::string path : {"/open", "/user", "/nope"}) {
    auto decision = Run(Method::kOptions, path);
    EXPECT_EQ(decision.route, nullptr);
    EXPECT_EQ(decision.response.status, 204);
    EXPECT_TRUE(HasHeader(decision.response, "Access-Control-Allow-Headers"));
    EXPECT_TRUE(HasHeader(decision.response, "Access-Control-Max-Age"));
  }
}

TEST_F(DispatcherTest, InvalidJsonIsNotJson) {
  auto decision = Run(Method::kPost, "/json", "{not json");
  EXPECT_EQ(decision.response.status, 400);
  EXPECT_EQ(Errcode(decision.response), "M_NOT_JSON");
  EXPECT_EQ(Errcode(Run(Method::kPost, "/json", "[1,2]").response), "M_NOT_JSON");
}

TEST_F(DispatcherTest, ValidJsonIsParsedForTheHandler) {
  auto decision = Run(Method::kPost, "/json", R"({"a": 1})");
  ASSERT_NE(decision.route, nullptr);
  EXPECT_EQ(request_.json.as_object().at("a").as_int64(), 1);
  EXPECT_EQ(decision.label, "/json");
}

TEST_F(DispatcherTest, DecideLooksAtHeadersOnlyAndCheckBodyParses) {
  request_ = Request();
  request_.method = Method::kPost;
  request_.path = "/json";
  Dispatcher::Decision decision = dispatcher_.Decide(&request_);
  ASSERT_NE(decision.route, nullptr);  // No body yet: not judged.
  request_.body = "{not json";
  dispatcher_.CheckBody(&request_, &decision);
  EXPECT_EQ(decision.route, nullptr);
  EXPECT_EQ(Errcode(decision.response), "M_NOT_JSON");
}

TEST_F(DispatcherTest, UserRoutesNeedAToken) {
  EXPECT_EQ(Errcode(Run(Method::kGet, "/user").response), "M_MISSING_TOKEN");
  EXPECT_EQ(Run(Method::kGet, "/user").response.status, 401);
  EXPECT_EQ(Errcode(Run(Method::kGet, "/user", "", "Bearer bad").response),
            "M_UNKNOWN_TOKEN");
  auto decision = Run(Method::kGet, "/user", "", "Bearer user-token");
  ASSERT_NE(decision.route, nullptr);
  EXPECT_EQ(request_.principal.user_id, "@alice:example.org");
}

TEST_F(DispatcherTest, AccessTokenQueryParameterIsAccepted) {
  auto decision = Run(Method::kGet, "/user?access_token=user-token");
  ASSERT_NE(decision.route, nullptr);
}

TEST_F(DispatcherTest, AdminRoutesNeedTheAdminToken) {
  EXPECT_EQ(Run(Method::kGet, "/admin", "", "Bearer user-token").response.status,
            403);
  EXPECT_NE(Run(Method::kGet, "/admin", "", "Bearer admin-token").route, nullptr);
  EXPECT_EQ(Errcode(Run(Method::kGet, "/user", "", "Bearer admin-token").response),
            "M_UNKNOWN_TOKEN");
}

TEST_F(DispatcherTest, CompleteRendersErrorsAndAddsCors) {
  Response response = dispatcher_.Complete(Forbidden("no"));
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(Errcode(response), "M_FORBIDDEN");
  EXPECT_TRUE(HasHeader(response, "Access-Control-Allow-Methods"));
  Response limited = dispatcher_.Complete(LimitExceeded("slow", 2500));
  EXPECT_EQ(limited.status, 429);
  auto body = boost::json::parse(limited.body).as_object();
  EXPECT_EQ(body.at("retry_after_ms").as_int64(), 2500);
  EXPECT_TRUE(HasHeader(limited, "Retry-After"));
}

}  // namespace
}  // namespace myelin::http
