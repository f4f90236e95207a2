// Extra error-body fields (soft_logout, UIA state) and route rate limits.
#include "boost/json/parse.hpp"
#include "dag/base/matrix_error.h"
#include "gtest/gtest.h"
#include "server/http/dispatcher.h"
#include "server/http/error_response.h"

namespace myelin::http {
namespace {

boost::json::object BodyOf(const Response& response) {
  return boost::json::parse(response.body).as_object();
}

TEST(ErrorFieldsTest, FieldsJoinErrcodeAndError) {
  Response response = ErrorResponse(WithErrorFields(
      UnknownToken("expired"), boost::json::object{{"soft_logout", true},
                                                   {"errcode", "X"}}));
  EXPECT_EQ(response.status, 401);
  boost::json::object body = BodyOf(response);
  EXPECT_EQ(body.at("errcode"), "M_UNKNOWN_TOKEN");
  EXPECT_EQ(body.at("error"), "expired");
  EXPECT_EQ(body.at("soft_logout"), true);
}

TEST(ErrorFieldsTest, BareBodyHasNoErrcode) {
  Response response =
      ErrorResponse(BareErrorBody(401, boost::json::object{{"session", "s"}}));
  EXPECT_EQ(response.status, 401);
  boost::json::object body = BodyOf(response);
  EXPECT_EQ(body.size(), 1u);
  EXPECT_EQ(body.at("session"), "s");
}

class CountingLimiter final : public RequestLimiter {
 public:
  absl::Status Admit(const Request& request) const override {
    if (++calls_ > 1) return LimitExceeded("slow down", 1500);
    return absl::OkStatus();
  }
  mutable int calls_ = 0;
};

TEST(RateLimitRouteTest, DispatcherAsksTheRoutesLimiter) {
  CountingLimiter limiter;
  RouteTable table;
  Route route;
  route.method = Method::kGet;
  route.pattern = "/limited";
  route.rate_limit = &limiter;
  route.handler = [](const Request&) { return Response::Json("{}"); };
  ASSERT_TRUE(table.Add(route).ok());
  Dispatcher dispatcher(std::move(table), nullptr);
  Request request;
  request.path = "/limited";
  EXPECT_NE(dispatcher.Prepare(&request).route, nullptr);
  Dispatcher::Decision second = dispatcher.Prepare(&request);
  EXPECT_EQ(second.route, nullptr);
  EXPECT_EQ(second.response.status, 429);
  EXPECT_EQ(BodyOf(second.response).at("retry_after_ms"), 1500);
}

TEST(ForwardedForTest, LastEntryWhenTrusted) {
  auto prepare = [](bool trusted, std::string header) {
    RouteTable table;
    Dispatcher dispatcher(std::move(table), nullptr,
                          DispatcherOptions{trusted});
    Request request;
    request.path = "/x";
    request.remote_address = "10.0.0.1";
    if (!header.empty()) request.headers["x-forwarded-for"] = header;
    dispatcher.Prepare(&request);
    return request.remote_address;
  };
  EXPECT_EQ(prepare(false, "1.2.3.4"), "10.0.0.1");
  EXPECT_EQ(prepare(true, ""), "10.0.0.1");
  EXPECT_EQ(prepare(true, "1.2.3.4"), "1.2.3.4");
  EXPECT_EQ(prepare(true, "6.6.6.6, 1.2.3.4 "), "1.2.3.4");
  EXPECT_EQ(prepare(true, "1.2.3.4,"), "10.0.0.1");
}

}  // namespace
}  // namespace myelin::http
