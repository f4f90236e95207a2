// The Beast server on loopback, port 0, with a small route table: framing,
// limits, keep-alive, TLS, deferred handlers and graceful shutdown.
#include "server/http/server.h"

#include <atomic>
#include <cstdlib>
#include <thread>

#include "gtest/gtest.h"
#include "tests/support/http_client.h"
#include "tests/support/self_signed.h"

namespace myelin::http {
namespace {

using ::myelin::testing::HttpClient;
using ::myelin::testing::HttpResult;

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(bool tls = false, uint64_t max_body = 1024) {
    RouteTable table;
    Route hello;
    hello.pattern = "/hello";
    hello.execution = Execution::kInline;
    hello.handler = [](const Request&) -> absl::StatusOr<Response> {
      return Response::Json(R"({"hello":"world"})");
    };
    ASSERT_TRUE(table.Add(hello).ok());
    Route echo;
    echo.method = Method::kPost;
    echo.pattern = "/echo";
    echo.body = Body::kJson;
    echo.handler = [](const Request& r) -> absl::StatusOr<Response> {
      return Response::Json(r.body);
    };
    ASSERT_TRUE(table.Add(echo).ok());
    Route later;
    later.pattern = "/later";
    later.deferred_handler = [this](const Request&, Responder respond) {
      waiting_ = true;
      server_->RunAfter(50, [respond] {
        respond(Response::Json(R"({"late":true})"));
      });
    };
    ASSERT_TRUE(table.Add(later).ok());
    Route forever;
    forever.pattern = "/forever";
    forever.deferred_handler = [this](const Request&, Responder respond) {
      // Answered only by the shutdown hook, like a long-poll.
      server_->AddShutdownHook([respond] {
        respond(Response::Json(R"({"woken":true})"));
      });
      waiting_ = true;
    };
    ASSERT_TRUE(table.Add(forever).ok());
    dispatcher_ = std::make_unique<Dispatcher>(std::move(table), nullptr);
    ServerOptions options;
    options.listeners.push_back({"127.0.0.1", 0, tls, dispatcher_.get()});
    options.max_body_bytes = max_body;
    options.io_threads = 2;
    options.request_timeout_seconds = 5;
    if (tls) {
      std::string dir = std::getenv("TEST_TMPDIR");
      options.tls_certificate_path = dir + "/cert.pem";
      options.tls_private_key_path = dir + "/key.pem";
      ASSERT_TRUE(myelin::testing::WriteSelfSignedCertificate(
                      options.tls_certificate_path,
                      options.tls_private_key_path, "localhost")
                      .ok());
    }
    auto server = HttpServer::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    port_ = server_->endpoints()[0].port;
  }

  void TearDown() override {
    if (server_) {
      server_->Shutdown();
      server_->Wait();
    }
  }

  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::atomic<bool> waiting_{false};
};

TEST_F(ServerTest, ServesRoutesOverKeepAlive) {
  StartServer();
  HttpClient client("127.0.0.1", port_);
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<HttpResult> result = client.Get("/hello");
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(result->body, R"({"hello":"world"})");
    EXPECT_EQ(result->Header("content-type"), "application/json");
    EXPECT_EQ(result->Header("access-control-allow-origin"), "*");
    EXPECT_TRUE(client.connected());
  }
}

TEST_F(ServerTest, HeadReturnsHeadersOnly) {
  StartServer();
  HttpClient client("127.0.0.1", port_);
  absl::StatusOr<HttpResult> result = client.Send("HEAD", "/hello");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "");
  EXPECT_EQ(result->Header("content-length"), "17");
}

TEST_F(ServerTest, OversizedBodyIs413AndConnectionCloses) {
  StartServer(false, 1024);
  HttpClient client("127.0.0.1", port_);
  absl::StatusOr<HttpResult> result =
      client.Send("POST", "/echo", std::string(4096, 'x'));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->status, 413);
  EXPECT_NE(result->body.find("M_TOO_LARGE"), std::string::npos);
  EXPECT_FALSE(client.connected());
  // The server still serves new connections.
  HttpClient again("127.0.0.1", port_);
  EXPECT_EQ(again.Get("/hello")->status, 200);
}

TEST_F(ServerTest, BodyWithinLimitIsDelivered) {
  StartServer(false, 1024);
  HttpClient client("127.0.0.1", port_);
  absl::StatusOr<HttpResult> result =
      client.Send("POST", "/echo", R"({"k":"v"})");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, R"({"k":"v"})");
}

TEST_F(ServerTest, MalformedRequestGets400) {
  StartServer();
  auto result = myelin::testing::RawExchange(
      "127.0.0.1", port_, "GARBAGE / HTTP/9.9\r\n\r\n", 2000);
  ASSERT_TRUE(result.ok());
  EXPECT_NE(result->received.find("400"), std::string::npos);
  EXPECT_TRUE(result->closed);
}

TEST_F(ServerTest, TlsHandshakeOnPlainListenerIsClosedAtOnce) {
  StartServer();
  // The first bytes of a TLS 1.2 ClientHello record.
  std::string client_hello("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 11);
  auto result =
      myelin::testing::RawExchange("127.0.0.1", port_, client_hello, 3000);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->closed);
  EXPECT_EQ(result->received, "");
}

TEST_F(ServerTest, ServesTls) {
  StartServer(/*tls=*/true);
  HttpClient client("127.0.0.1", port_, /*tls=*/true);
  absl::StatusOr<HttpResult> result = client.Get("/hello");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, R"({"hello":"world"})");
  EXPECT_EQ(server_->endpoints()[0].Url().substr(0, 8), "https://");
}

TEST_F(ServerTest, DeferredHandlerAnswersLater) {
  StartServer();
  HttpClient client("127.0.0.1", port_);
  absl::StatusOr<HttpResult> result = client.Get("/later");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->body, R"({"late":true})");
  EXPECT_EQ(result->Header("access-control-allow-origin"), "*");
}

TEST_F(ServerTest, ShutdownWakesLongPollsAndClosesIdleConnections) {
  StartServer();
  HttpClient idle("127.0.0.1", port_);
  ASSERT_EQ(idle.Get("/hello")->status, 200);
  ASSERT_TRUE(idle.connected());
  absl::StatusOr<HttpResult> polled;
  std::thread poller([&] {
    HttpClient client("127.0.0.1", port_);
    polled = client.Get("/forever");
  });
  for (int i = 0; i < 500 && !waiting_; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(waiting_);
  auto started = std::chrono::steady_clock::now();
  server_->Shutdown();
  server_->Wait();
  poller.join();
  // Finished well before the 5 s read timeout: the idle connection was closed.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
  ASSERT_TRUE(polled.ok()) << polled.status();
  EXPECT_EQ(polled->body, R"({"woken":true})");
  EXPECT_FALSE(idle.Get("/hello").ok());
  server_.reset();
}

TEST_F(ServerTest, PortInUseIsAClearError) {
  StartServer();
  RouteTable table;
  Dispatcher dispatcher(std::move(table), nullptr);
  ServerOptions options;
  options.listeners.push_back({"127.0.0.1", port_, false, &dispatcher});
  auto second = HttpServer::Start(std::move(options));
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("cannot listen on 127.0.0.1"),
            std::string::npos);
}

}  // namespace
}  // namespace myelin::http
