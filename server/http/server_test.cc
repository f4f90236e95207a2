// The Beast server on loopback, port 0, with a small route table: framing,
// limits, keep-alive, TLS, deferred handlers, streamed bodies and graceful
// shutdown.
#include "server/http/server.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"

#include "gtest/gtest.h"
#include "tests/support/http_client.h"
#include "tests/support/self_signed.h"

namespace myelin::http {
namespace {

using ::myelin::testing::HttpClient;
using ::myelin::testing::HttpResult;

constexpr uint64_t kLarge = 64ull << 20;

// FNV-1a, continued across pieces.
uint64_t Hash(std::string_view data, uint64_t hash = 14695981039346656037ull) {
  for (unsigned char c : data) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

// The byte at `offset` of a generated body: not periodic in any piece size.
char ByteAt(uint64_t offset) {
  return static_cast<char>((offset * 131 + offset / 4099) & 0xff);
}

std::string Generate(uint64_t offset, uint64_t size) {
  std::string out(size, '\0');
  for (uint64_t i = 0; i < size; ++i) out[i] = ByteAt(offset + i);
  return out;
}

// What the counting sinks saw, shared with the test.
struct SinkLog {
  std::mutex mu;
  uint64_t bytes = 0;
  uint64_t hash = Hash("");
  size_t largest_piece = 0;
  int opened = 0;
  bool finished = false;
  bool concurrent_write = false;
  std::optional<absl::Status> aborted;
  std::atomic<bool> writing{false};
};

// Counts and hashes what it is given; keeps nothing.
class CountingSink : public BodySink {
 public:
  CountingSink(SinkLog* log, uint64_t fail_after = UINT64_MAX)
      : log_(log), fail_after_(fail_after) {}
  absl::Status Write(std::string_view piece) override {
    if (log_->bytes + piece.size() > fail_after_) {
      return absl::ResourceExhaustedError("quota exceeded");
    }
    if (log_->writing.exchange(true)) log_->concurrent_write = true;
    {
      std::lock_guard<std::mutex> lock(log_->mu);
      log_->bytes += piece.size();
      log_->hash = Hash(piece, log_->hash);
      log_->largest_piece = std::max(log_->largest_piece, piece.size());
    }
    log_->writing = false;
    return absl::OkStatus();
  }
  absl::StatusOr<Response> Finish() override {
    std::lock_guard<std::mutex> lock(log_->mu);
    log_->finished = true;
    return Response::Json(absl::StrCat(R"({"bytes":)", log_->bytes, "}"));
  }
  void Abort(const absl::Status& why) override {
    std::lock_guard<std::mutex> lock(log_->mu);
    log_->aborted = why;
  }

 private:
  SinkLog* log_;
  uint64_t fail_after_;
};

// Produces a generated body in 256 KiB pieces; fails at `fail_at`.
class GeneratedSource : public BodySource {
 public:
  GeneratedSource(uint64_t size, std::atomic<int>* calls,
                  uint64_t fail_at = UINT64_MAX)
      : size_(size), calls_(calls), fail_at_(fail_at) {}
  uint64_t size() const override { return size_; }
  absl::StatusOr<std::string> Next() override {
    ++*calls_;
    if (produced_ >= fail_at_) return absl::NotFoundError("file vanished");
    uint64_t n = std::min<uint64_t>(256 * 1024, size_ - produced_);
    std::string piece = Generate(produced_, n);
    produced_ += n;
    return piece;
  }

 private:
  uint64_t size_;
  uint64_t produced_ = 0;
  std::atomic<int>* calls_;
  uint64_t fail_at_;
};

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
    Route upload;
    upload.method = Method::kPost;
    upload.pattern = "/upload";
    upload.max_body_bytes = 2 * kLarge;
    upload.stream_handler = [this](const Request& r)
        -> absl::StatusOr<std::unique_ptr<BodySink>> {
      EXPECT_EQ(r.body, "");
      std::lock_guard<std::mutex> lock(sinks_.mu);
      ++sinks_.opened;
      return std::make_unique<CountingSink>(&sinks_);
    };
    ASSERT_TRUE(table.Add(upload).ok());
    Route small = upload;
    small.pattern = "/small_upload";
    small.max_body_bytes = 1000;
    ASSERT_TRUE(table.Add(small).ok());
    Route download;
    download.pattern = "/download";
    download.handler = [this](const Request&) -> absl::StatusOr<Response> {
      Response response;
      response.content_type = "application/octet-stream";
      response.stream = std::make_shared<GeneratedSource>(kLarge, &next_calls_);
      return response;
    };
    ASSERT_TRUE(table.Add(download).ok());
    Route quota = upload;
    quota.pattern = "/quota_upload";
    quota.stream_handler = [this](const Request& r)
        -> absl::StatusOr<std::unique_ptr<BodySink>> {
      if (r.Header("content-type") != "image/png") {
        return absl::InvalidArgumentError("only PNG");
      }
      return std::make_unique<CountingSink>(&sinks_, 100000);
    };
    ASSERT_TRUE(table.Add(quota).ok());
    Route broken = download;
    broken.pattern = "/broken_download";
    broken.handler = [this](const Request& r) -> absl::StatusOr<Response> {
      Response response;
      uint64_t fail_at = r.HasQuery("late") ? 1 << 20 : 0;
      response.stream =
          std::make_shared<GeneratedSource>(kLarge, &next_calls_, fail_at);
      return response;
    };
    ASSERT_TRUE(table.Add(broken).ok());
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
  SinkLog sinks_;
  std::atomic<int> next_calls_{0};

  // Waits (bounded) until a sink was aborted.
  std::optional<absl::Status> AwaitAbort() {
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard<std::mutex> lock(sinks_.mu);
        if (sinks_.aborted.has_value()) return sinks_.aborted;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::nullopt;
  }

  // The same connection still serves a plain request.
  void ExpectKeptAlive(HttpClient& client) {
    ASSERT_TRUE(client.connected());
    absl::StatusOr<HttpResult> hello = client.Get("/hello");
    ASSERT_TRUE(hello.ok()) << hello.status();
    EXPECT_EQ(hello->status, 200);
    EXPECT_TRUE(client.connected());
  }
};

// Connects, sends `bytes` and closes the socket without reading.
bool SendAndHangUp(uint16_t port, const std::string& bytes) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address),
                    sizeof(address)) == 0;
  for (size_t sent = 0; ok && sent < bytes.size();) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, 0);
    ok = n > 0;
    if (ok) sent += n;
  }
  close(fd);
  return ok;
}

// "5\r\nhello\r\n" ... "0\r\n\r\n": `body` in chunks of `chunk` bytes.
std::string Chunked(std::string_view body, size_t chunk) {
  std::string out;
  for (size_t i = 0; i < body.size(); i += chunk) {
    std::string_view piece = body.substr(i, chunk);
    absl::StrAppend(&out, absl::Hex(piece.size()), "\r\n", std::string(piece),
                    "\r\n");
  }
  return out + "0\r\n\r\n";
}

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

TEST_F(ServerTest, StreamsLargeUploadInBoundedPieces) {
  StartServer();  // The server's own limit is 1 KiB; the route's is 128 MiB.
  HttpClient client("127.0.0.1", port_, false, 60);
  std::string body = Generate(0, kLarge);
  absl::StatusOr<HttpResult> result = client.Send("POST", "/upload", body);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, absl::StrCat(R"({"bytes":)", kLarge, "}"));
  EXPECT_EQ(result->Header("access-control-allow-origin"), "*");
  {
    std::lock_guard<std::mutex> lock(sinks_.mu);
    EXPECT_EQ(sinks_.bytes, kLarge);
    EXPECT_EQ(sinks_.hash, Hash(body));
    EXPECT_GT(sinks_.largest_piece, 0u);
    EXPECT_LE(sinks_.largest_piece, 64u * 1024);
    EXPECT_TRUE(sinks_.finished);
    EXPECT_FALSE(sinks_.aborted.has_value());
    EXPECT_FALSE(sinks_.concurrent_write);
  }
  ExpectKeptAlive(client);
}

TEST_F(ServerTest, ChunkedUploadThenKeepAlive) {
  StartServer();
  std::string body = Generate(0, 300 * 1024);
  // A second request pipelined on the same connection after the chunked one.
  std::string bytes = absl::StrCat(
      "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
      Chunked(body, 10000),
      "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto result = myelin::testing::RawExchange("127.0.0.1", port_, bytes, 5000);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->received.find("HTTP/1.1 200"), 0u) << result->received;
  EXPECT_NE(result->received.find(absl::StrCat(R"({"bytes":)", body.size())),
            std::string::npos);
  EXPECT_NE(result->received.find(R"({"hello":"world"})"), std::string::npos)
      << result->received;
  EXPECT_TRUE(result->closed);
  std::lock_guard<std::mutex> lock(sinks_.mu);
  EXPECT_EQ(sinks_.hash, Hash(body));
  EXPECT_TRUE(sinks_.finished);
}

TEST_F(ServerTest, ExpectContinueIsAnsweredBeforeTheBody) {
  StartServer();
  std::string bytes = absl::StrCat(
      "POST /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
      "Connection: close\r\nContent-Length: 5\r\n\r\nhello");
  auto result = myelin::testing::RawExchange("127.0.0.1", port_, bytes, 5000);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->received.find("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200"),
            0u)
      << result->received;
  EXPECT_NE(result->received.find(R"({"bytes":5})"), std::string::npos);
}

TEST_F(ServerTest, UploadGrowingPastTheLimitIs413AndAborts) {
  StartServer();
  // Chunked: no Content-Length to refuse up front; the limit bites mid-body.
  std::string bytes = absl::StrCat(
      "POST /small_upload HTTP/1.1\r\nHost: x\r\n"
      "Transfer-Encoding: chunked\r\n\r\n",
      Chunked(std::string(3000, 'x'), 400));
  auto result = myelin::testing::RawExchange("127.0.0.1", port_, bytes, 5000);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->received.find("HTTP/1.1 413"), 0u) << result->received;
  EXPECT_NE(result->received.find("M_TOO_LARGE"), std::string::npos);
  EXPECT_TRUE(result->closed);
  std::optional<absl::Status> aborted = AwaitAbort();
  ASSERT_TRUE(aborted.has_value());
  EXPECT_FALSE(aborted->ok());
  std::lock_guard<std::mutex> lock(sinks_.mu);
  EXPECT_LE(sinks_.bytes, 1000u);
  EXPECT_FALSE(sinks_.finished);
}

TEST_F(ServerTest, ContentLengthOverTheLimitIsRefusedBeforeTheBody) {
  StartServer();
  // Headers only: the answer must not wait for the body.
  auto result = myelin::testing::RawExchange(
      "127.0.0.1", port_,
      "POST /small_upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n",
      3000);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->received.find("HTTP/1.1 413"), 0u) << result->received;
  EXPECT_NE(result->received.find("M_TOO_LARGE"), std::string::npos);
  EXPECT_TRUE(result->closed);
  std::lock_guard<std::mutex> lock(sinks_.mu);
  EXPECT_EQ(sinks_.opened, 0);
}

TEST_F(ServerTest, ClientLeavingMidBodyAborts) {
  StartServer();
  ASSERT_TRUE(SendAndHangUp(
      port_, absl::StrCat("POST /upload HTTP/1.1\r\nHost: x\r\n"
                          "Content-Length: 1000000\r\n\r\n",
                          std::string(200000, 'y'))));
  std::optional<absl::Status> aborted = AwaitAbort();
  ASSERT_TRUE(aborted.has_value());
  EXPECT_TRUE(absl::IsCancelled(*aborted)) << *aborted;
  {
    std::lock_guard<std::mutex> lock(sinks_.mu);
    // Whole pieces only: the last partial one is dropped with the body.
    EXPECT_LE(sinks_.bytes, 200000u);
    EXPECT_FALSE(sinks_.finished);
  }
  HttpClient again("127.0.0.1", port_);
  EXPECT_EQ(again.Get("/hello")->status, 200);
}

TEST_F(ServerTest, StalledUploadTimesOutAndAborts) {
  StartServer();  // request_timeout_seconds = 5.
  // RawExchange keeps the connection open until the server closes it.
  auto result = myelin::testing::RawExchange(
      "127.0.0.1", port_,
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc",
      10000);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->closed);
  std::optional<absl::Status> aborted = AwaitAbort();
  ASSERT_TRUE(aborted.has_value());
  EXPECT_TRUE(absl::IsDeadlineExceeded(*aborted)) << *aborted;
}

TEST_F(ServerTest, StreamsLargeResponse) {
  StartServer();
  HttpClient client("127.0.0.1", port_, false, 60);
  absl::StatusOr<HttpResult> result = client.Get("/download");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->Header("content-length"), absl::StrCat(kLarge));
  EXPECT_EQ(result->Header("content-type"), "application/octet-stream");
  EXPECT_EQ(result->Header("access-control-allow-origin"), "*");
  ASSERT_EQ(result->body.size(), kLarge);
  EXPECT_EQ(Hash(result->body), Hash(Generate(0, kLarge)));
  ExpectKeptAlive(client);
}

TEST_F(ServerTest, HeadOfStreamedResponseSendsNoBody) {
  StartServer();
  HttpClient client("127.0.0.1", port_);
  absl::StatusOr<HttpResult> result = client.Send("HEAD", "/download");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "");
  EXPECT_EQ(result->Header("content-length"), absl::StrCat(kLarge));
  EXPECT_EQ(next_calls_, 0);
  ExpectKeptAlive(client);
}

TEST_F(ServerTest, StreamHandlerRefusalAndWriteErrorsAreAnswered) {
  StartServer();
  HttpClient client("127.0.0.1", port_);
  absl::StatusOr<HttpResult> refused = client.Send(
      "POST", "/quota_upload", "abc", {{"Content-Type", "text/plain"}});
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->status, 400);
  EXPECT_EQ(refused->Header("access-control-allow-origin"), "*");
  EXPECT_FALSE(client.connected());  // The body was never read.

  HttpClient writer("127.0.0.1", port_);
  absl::StatusOr<HttpResult> failed =
      writer.Send("POST", "/quota_upload", std::string(300000, 'z'),
                  {{"Content-Type", "image/png"}});
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(failed->status, 429);  // ResourceExhausted, as the sink said.
  EXPECT_FALSE(writer.connected());
  std::optional<absl::Status> aborted = AwaitAbort();
  ASSERT_TRUE(aborted.has_value());
  EXPECT_TRUE(absl::IsResourceExhausted(*aborted)) << *aborted;
}

TEST_F(ServerTest, StreamedResponseErrors) {
  StartServer();
  // Failing before the first byte: a proper error response, kept alive.
  HttpClient client("127.0.0.1", port_);
  absl::StatusOr<HttpResult> early = client.Get("/broken_download");
  ASSERT_TRUE(early.ok()) << early.status();
  EXPECT_EQ(early->status, 404);
  ExpectKeptAlive(client);
  // Failing mid-body: the headers are gone, so the connection is cut.
  EXPECT_FALSE(client.Get("/broken_download?late=1").ok());
  HttpClient again("127.0.0.1", port_);
  EXPECT_EQ(again.Get("/hello")->status, 200);
}

}  // namespace
}  // namespace myelin::http
