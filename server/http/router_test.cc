#include "server/http/router.h"

#include "gtest/gtest.h"

namespace myelin::http {
namespace {

Route MakeRoute(Method method, std::string pattern) {
  Route route;
  route.method = method;
  route.pattern = std::move(pattern);
  route.handler = [](const Request&) -> absl::StatusOr<Response> {
    return Response::Json("{}");
  };
  return route;
}

RouteTable SampleTable() {
  RouteTable table;
  EXPECT_TRUE(table.Add(MakeRoute(Method::kGet, "/_matrix/client/versions")).ok());
  EXPECT_TRUE(table.AddUnder(ClientPrefixes(),
                             MakeRoute(Method::kGet, "/rooms/{roomId}/state"))
                  .ok());
  EXPECT_TRUE(table.AddUnder(ClientPrefixes(),
                             MakeRoute(Method::kPut,
                                       "/rooms/{roomId}/state/{eventType}/{stateKey}"))
                  .ok());
  EXPECT_TRUE(table.AddUnder(ClientPrefixes(),
                             MakeRoute(Method::kGet, "/rooms/{roomId}/members"))
                  .ok());
  EXPECT_TRUE(table.AddUnder(ClientPrefixes(),
                             MakeRoute(Method::kGet, "/rooms/joined/members"))
                  .ok());
  return table;
}

TEST(RouterTest, MatchesLiteralPaths) {
  RouteTable table = SampleTable();
  Match match = table.Lookup(Method::kGet, "/_matrix/client/versions");
  ASSERT_EQ(match.kind, Match::Kind::kFound);
  EXPECT_EQ(match.route->pattern, "/_matrix/client/versions");
}

TEST(RouterTest, PercentDecodesParameters) {
  RouteTable table = SampleTable();
  Match match = table.Lookup(
      Method::kPut,
      "/_matrix/client/v3/rooms/%21abc%3Aexample.org/state/m.room.name/");
  ASSERT_EQ(match.kind, Match::Kind::kFound);
  EXPECT_EQ(match.params["roomId"], "!abc:example.org");
  EXPECT_EQ(match.params["eventType"], "m.room.name");
  EXPECT_EQ(match.params["stateKey"], "");  // Empty state key.
}

TEST(RouterTest, LegacyR0PrefixServesTheSameRoute) {
  RouteTable table = SampleTable();
  Match v3 = table.Lookup(Method::kGet, "/_matrix/client/v3/rooms/!a:b/state");
  Match r0 = table.Lookup(Method::kGet, "/_matrix/client/r0/rooms/!a:b/state");
  ASSERT_EQ(v3.kind, Match::Kind::kFound);
  ASSERT_EQ(r0.kind, Match::Kind::kFound);
  EXPECT_EQ(r0.params["roomId"], "!a:b");
}

TEST(RouterTest, LiteralSegmentsWinOverParameters) {
  RouteTable table = SampleTable();
  Match match =
      table.Lookup(Method::kGet, "/_matrix/client/v3/rooms/joined/members");
  ASSERT_EQ(match.kind, Match::Kind::kFound);
  EXPECT_EQ(match.route->pattern, "/_matrix/client/v3/rooms/joined/members");
  EXPECT_TRUE(match.params.empty());
  Match other =
      table.Lookup(Method::kGet, "/_matrix/client/v3/rooms/!x:y/members");
  ASSERT_EQ(other.kind, Match::Kind::kFound);
  EXPECT_EQ(other.params["roomId"], "!x:y");
}

TEST(RouterTest, DistinguishesUnknownPathFromWrongMethod) {
  RouteTable table = SampleTable();
  EXPECT_EQ(table.Lookup(Method::kGet, "/_matrix/client/v3/nope").kind,
            Match::Kind::kUnknownPath);
  EXPECT_EQ(table.Lookup(Method::kGet, "/_matrix/client/versions/extra").kind,
            Match::Kind::kUnknownPath);
  Match wrong = table.Lookup(Method::kPost, "/_matrix/client/versions");
  EXPECT_EQ(wrong.kind, Match::Kind::kWrongMethod);
  EXPECT_EQ(wrong.allowed, std::vector<Method>{Method::kGet});
}

TEST(RouterTest, RejectsMalformedEscapesInParameters) {
  RouteTable table = SampleTable();
  EXPECT_EQ(table.Lookup(Method::kGet, "/_matrix/client/v3/rooms/%zz/state").kind,
            Match::Kind::kBadEncoding);
  EXPECT_EQ(table.Lookup(Method::kGet, "/_matrix/client/v3/rooms/%00/state").kind,
            Match::Kind::kBadEncoding);
}

TEST(RouterTest, RejectsBadDeclarations) {
  RouteTable table = SampleTable();
  EXPECT_FALSE(table.Add(MakeRoute(Method::kGet, "/_matrix/client/versions")).ok());
  EXPECT_FALSE(table.Add(MakeRoute(Method::kGet, "no-slash")).ok());
  EXPECT_FALSE(
      table.Add(MakeRoute(Method::kGet, "/_matrix/client/v3/rooms/{other}/x")).ok());
  Route no_handler;
  no_handler.pattern = "/x";
  EXPECT_FALSE(table.Add(no_handler).ok());
  Route two = MakeRoute(Method::kPost, "/two");
  two.stream_handler = [](const Request&)
      -> absl::StatusOr<std::unique_ptr<BodySink>> { return nullptr; };
  EXPECT_FALSE(table.Add(two).ok());
  Route stream;
  stream.method = Method::kPost;
  stream.pattern = "/stream";
  stream.stream_handler = two.stream_handler;
  stream.body = Body::kJson;  // A streamed body is never parsed.
  EXPECT_FALSE(table.Add(stream).ok());
  stream.body = Body::kAny;
  EXPECT_TRUE(table.Add(stream).ok());
}

}  // namespace
}  // namespace myelin::http
