// The Beast/Asio side of server/http. The only translation unit of the
// server that includes Asio; handlers stay free of it (see server.h).
#include "server/http/server.h"

#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <tuple>
#include <type_traits>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "boost/asio.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"
#include "dag/base/clock.h"
#include "dag/base/log.h"
#include "dag/base/matrix_error.h"
#include "dag/base/strings.h"

namespace myelin::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// One deferred request's completion. Completes exactly once: with the
// handler's result, or with an error if every Responder copy is dropped
// unanswered (so a connection can never hang on a lost responder).
template <typename CompletionHandler>
class DeferredState {
 public:
  explicit DeferredState(CompletionHandler handler)
      : handler_(std::move(handler)) {}
  ~DeferredState() {
    Complete(absl::UnavailableError("request abandoned by its handler"));
  }
  void Complete(absl::StatusOr<Response> result) {
    std::optional<CompletionHandler> handler;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!handler_.has_value()) return;
      handler.emplace(std::move(*handler_));
      handler_.reset();
    }
    if (!handler.has_value()) return;
    auto executor = asio::get_associated_executor(*handler);
    asio::post(executor, [h = std::move(*handler),
                          r = std::move(result)]() mutable {
      std::move(h)(std::move(r));
    });
  }

 private:
  std::mutex mu_;
  std::optional<CompletionHandler> handler_;
};

// What Shutdown() needs to reach a connection: its strand and a way to
// cancel an idle read. `idle` is only touched on the strand.
struct Connection {
  asio::any_io_executor strand;
  std::function<void()> cancel;
  bool idle = true;
};

class ServerImpl final : public HttpServer {
 public:
  explicit ServerImpl(ServerOptions options)
      : options_(std::move(options)),
        io_threads_(options_.io_threads > 0
                        ? options_.io_threads
                        : std::max(1u, std::thread::hardware_concurrency())),
        ioc_(io_threads_),
        workers_(std::max(1, options_.worker_threads)),
        tls_context_(ssl::context::tls_server),
        work_guard_(asio::make_work_guard(ioc_)) {}

  ~ServerImpl() override {
    Shutdown();
    Wait();
  }

  absl::Status Bind();
  void Run();

  std::vector<BoundEndpoint> endpoints() const override { return endpoints_; }
  void AddShutdownHook(std::function<void()> hook) override {
    std::lock_guard<std::mutex> lock(mu_);
    shutdown_hooks_.push_back(std::move(hook));
  }
  bool RunAfter(int64_t delay_ms, std::function<void()> fn) override;
  bool RunBlocking(std::function<void()> fn) override;
  void Shutdown() override;
  void HandleSignals() override;
  void Wait() override;

 private:
  struct Acceptor {
    ListenerSpec spec;
    std::unique_ptr<tcp::acceptor> acceptor;
  };

  awaitable<void> AcceptLoop(Acceptor* acceptor);
  awaitable<void> RunConnection(tcp::socket socket, const ListenerSpec* spec);
  // A streamed upload's outcome: the response to send, if any, and whether
  // the connection may serve another request afterwards.
  struct Received {
    std::optional<Response> response;
    bool reusable = false;
  };

  template <typename Stream>
  awaitable<void> ServeRequests(Stream& stream, beast::flat_buffer& buffer,
                                Connection& connection,
                                const ListenerSpec& spec,
                                const std::string& remote);
  template <typename Stream>
  awaitable<Received> ReceiveStream(
      Stream& stream, beast::flat_buffer& buffer,
      bhttp::request_parser<bhttp::empty_body>& header_parser,
      const Route& route, const Dispatcher& dispatcher,
      const Request& request);
  // Returns whether the connection may serve another request.
  template <typename Stream>
  awaitable<bool> WriteResponse(Stream& stream, Response response,
                                unsigned version, bool keep_alive, bool head);
  awaitable<Response> Handle(Dispatcher::Decision& decision,
                             const Request& request);
  // Runs `fn` on the worker pool and resumes on the caller's strand.
  template <typename Fn>
  awaitable<std::invoke_result_t<Fn&>> OnWorkers(Fn fn);
  awaitable<Response> AwaitDeferred(const Route& route,
                                    const Request& request);
  void Register(const std::shared_ptr<Connection>& connection);
  void Unregister(const std::shared_ptr<Connection>& connection);
  void FinishShutdownWhenIdle(int64_t deadline_nanos);

  ServerOptions options_;
  int io_threads_;
  asio::io_context ioc_;
  asio::thread_pool workers_;
  ssl::context tls_context_;
  asio::executor_work_guard<asio::io_context::executor_type> work_guard_;
  std::vector<Acceptor> acceptors_;
  std::vector<BoundEndpoint> endpoints_;
  std::vector<std::thread> threads_;
  std::unique_ptr<asio::signal_set> signals_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> open_connections_{0};
  std::mutex mu_;
  std::set<std::shared_ptr<Connection>> connections_;  // Guarded by mu_.
  std::vector<std::function<void()>> shutdown_hooks_;  // Guarded by mu_.
  std::once_flag joined_;
};

absl::Status ServerImpl::Bind() {
  bool any_tls = false;
  for (const ListenerSpec& spec : options_.listeners) any_tls |= spec.tls;
  if (any_tls) {
    beast::error_code ec;
    tls_context_.set_options(ssl::context::default_workarounds |
                             ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                             ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    tls_context_.use_certificate_chain_file(options_.tls_certificate_path, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot load TLS certificate ",
                       options_.tls_certificate_path, ": ", ec.message()));
    }
    tls_context_.use_private_key_file(options_.tls_private_key_path,
                                      ssl::context::pem, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot load TLS private key ",
                       options_.tls_private_key_path, ": ", ec.message()));
    }
  }
  for (const ListenerSpec& spec : options_.listeners) {
    beast::error_code ec;
    asio::ip::address address = asio::ip::make_address(spec.address, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad bind address '", spec.address, "'"));
    }
    tcp::endpoint endpoint(address, spec.port);
    auto acceptor = std::make_unique<tcp::acceptor>(ioc_);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && address.is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return absl::UnavailableError(absl::StrCat(
          "cannot listen on ", spec.address, ":", spec.port, ": ",
          ec.message()));
    }
    tcp::endpoint bound = acceptor->local_endpoint(ec);
    endpoints_.push_back({spec.address, bound.port(), spec.tls});
    acceptors_.push_back({spec, std::move(acceptor)});
  }
  return absl::OkStatus();
}

void ServerImpl::Run() {
  for (Acceptor& acceptor : acceptors_) {
    asio::co_spawn(ioc_, AcceptLoop(&acceptor), asio::detached);
  }
  for (int i = 0; i < io_threads_; ++i) {
    threads_.emplace_back([this] { ioc_.run(); });
  }
}

awaitable<void> ServerImpl::AcceptLoop(Acceptor* acceptor) {
  while (!stopping_) {
    auto [ec, socket] =
        co_await acceptor->acceptor->async_accept(asio::make_strand(ioc_), kTuple);
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) break;
      MLOG(WARN) << "accept failed: " << ec.message();
      continue;
    }
    asio::any_io_executor executor = socket.get_executor();
    asio::co_spawn(executor,
                   RunConnection(std::move(socket), &acceptor->spec),
                   asio::detached);
  }
}

void ServerImpl::Register(const std::shared_ptr<Connection>& connection) {
  std::lock_guard<std::mutex> lock(mu_);
  connections_.insert(connection);
}

void ServerImpl::Unregister(const std::shared_ptr<Connection>& connection) {
  std::lock_guard<std::mutex> lock(mu_);
  connections_.erase(connection);
}

awaitable<void> ServerImpl::RunConnection(tcp::socket socket,
                                          const ListenerSpec* spec) {
  ++open_connections_;
  beast::error_code ec;
  tcp::endpoint peer = socket.remote_endpoint(ec);
  std::string remote = ec ? "unknown" : peer.address().to_string();
  auto connection = std::make_shared<Connection>();
  connection->strand = socket.get_executor();
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  connection->cancel = [&stream] { stream.socket().cancel(); };
  Register(connection);
  const auto timeout = std::chrono::seconds(options_.request_timeout_seconds);
  if (spec->tls) {
    ssl::stream<beast::tcp_stream&> tls(stream, tls_context_);
    stream.expires_after(timeout);
    auto [hec] = co_await tls.async_handshake(ssl::stream_base::server, kTuple);
    if (!hec) {
      co_await ServeRequests(tls, buffer, *connection, *spec, remote);
      stream.expires_after(std::chrono::seconds(2));
      co_await tls.async_shutdown(kTuple);
    }
  } else {
    // A TLS ClientHello on a plain port: close at once instead of letting
    // the client wait for a handshake that never comes.
    stream.expires_after(timeout);
    auto [dec, is_tls] = co_await beast::async_detect_ssl(stream, buffer, kTuple);
    if (!dec && !is_tls) {
      co_await ServeRequests(stream, buffer, *connection, *spec, remote);
    }
  }
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream.close();
  connection->cancel = nullptr;
  Unregister(connection);
  --open_connections_;
}

Method MethodOf(bhttp::verb verb) {
  switch (verb) {
    case bhttp::verb::get: return Method::kGet;
    case bhttp::verb::head: return Method::kHead;
    case bhttp::verb::post: return Method::kPost;
    case bhttp::verb::put: return Method::kPut;
    case bhttp::verb::delete_: return Method::kDelete;
    case bhttp::verb::options: return Method::kOptions;
    case bhttp::verb::patch: return Method::kPatch;
    default: return Method::kOther;
  }
}

// The body is read separately (see ServeRequests).
Request ToRequest(const bhttp::request_header<>& in, const std::string& remote,
                  bool tls) {
  Request request;
  request.method = MethodOf(in.method());
  std::string_view target(in.target().data(), in.target().size());
  size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) {
    request.query = ParseQuery(target.substr(question + 1));
  }
  for (const auto& field : in) {
    std::string name(field.name_string());
    absl::AsciiStrToLower(&name);
    request.headers[name] = std::string(field.value());
  }
  request.remote_address = remote;
  request.tls = tls;
  return request;
}

template <typename Body>
void SetHeaders(const Response& in, bool keep_alive,
                bhttp::response<Body>* out) {
  out->result(static_cast<bhttp::status>(in.status));
  out->set(bhttp::field::server, "Myelin");
  out->set(bhttp::field::content_type, in.content_type);
  for (auto& [name, value] : in.headers) out->insert(name, value);
  out->keep_alive(keep_alive);
}

bhttp::response<bhttp::string_body> ToBeast(Response&& in, unsigned version,
                                            bool keep_alive, bool head) {
  bhttp::response<bhttp::string_body> out;
  out.version(version);
  SetHeaders(in, keep_alive, &out);
  if (head) {
    // HEAD: the headers of the GET, no body.
    out.content_length(in.stream != nullptr ? in.stream->size()
                                            : in.body.size());
  } else {
    out.body() = std::move(in.body);
    out.prepare_payload();
  }
  return out;
}

Response CallHandler(const Route& route, const Request& request) {
  try {
    absl::StatusOr<Response> result = route.handler(request);
    if (!result.ok()) return Dispatcher::Reject(result.status());
    Response response = std::move(result).value();
    AddCorsHeaders(&response);
    return response;
  } catch (const std::exception& e) {
    // Handlers return Status; an escaped exception is a bug, not a crash.
    return Dispatcher::Reject(
        absl::InternalError(absl::StrCat("handler threw: ", e.what())));
  }
}

// A parse error gets a 400; a closed, cancelled or timed-out socket gets
// nothing.
bool IsMalformed(const beast::error_code& ec) {
  return ec.category() ==
             bhttp::make_error_code(bhttp::error::bad_target).category() &&
         ec != bhttp::error::end_of_stream &&
         ec != bhttp::error::partial_message;
}

// Why a body did not arrive whole, for BodySink::Abort().
absl::Status ReadFailure(const beast::error_code& ec) {
  if (ec == beast::error::timeout) {
    return absl::DeadlineExceededError("timed out reading the request body");
  }
  if (IsMalformed(ec)) {
    return MatrixError(400, errcode::kUnknown,
                       absl::StrCat("Malformed request body: ", ec.message()));
  }
  return absl::CancelledError(
      absl::StrCat("client went away mid-body: ", ec.message()));
}

// Sink and source calls return Status; an escaped exception is a bug, not a
// crash.
template <typename Fn>
auto Guarded(Fn fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("handler threw: ", e.what()));
  }
}

// Owns a BodySink and keeps its contract, Finish() or Abort(), even when the
// server stops mid-body and destroys the coroutine holding it.
struct SinkHolder {
  std::unique_ptr<BodySink> sink;
  bool settled = false;
  ~SinkHolder() {
    if (settled || sink == nullptr) return;
    try {
      sink->Abort(absl::CancelledError("server stopped mid-body"));
    } catch (const std::exception& e) {
      MLOG(WARN) << "BodySink::Abort threw: " << e.what();
    }
  }
};

// The size of the pieces a BodySink receives.
constexpr size_t kPieceBytes = 64 * 1024;

// Not a coroutine itself: GCC 12 mishandles a coroutine's by-value
// parameter captured in a nested coroutine lambda. `fn` moves into the
// spawned coroutine's frame instead.
template <typename Fn>
awaitable<std::invoke_result_t<Fn&>> ServerImpl::OnWorkers(Fn fn) {
  using Result = std::invoke_result_t<Fn&>;
  return asio::co_spawn(
      workers_,
      [fn = std::move(fn)]() mutable -> awaitable<Result> { co_return fn(); },
      use_awaitable);
}

template <typename Stream>
awaitable<void> ServerImpl::ServeRequests(Stream& stream,
                                          beast::flat_buffer& buffer,
                                          Connection& connection,
                                          const ListenerSpec& spec,
                                          const std::string& remote) {
  const auto timeout = std::chrono::seconds(options_.request_timeout_seconds);
  const Dispatcher& dispatcher = *spec.dispatcher;
  while (!stopping_) {
    // The headers first: the route decides how its body is read.
    bhttp::request_parser<bhttp::empty_body> header_parser;
    header_parser.body_limit(boost::none);  // Checked per route below.
    header_parser.header_limit(64 * 1024);
    beast::get_lowest_layer(stream).expires_after(timeout);
    connection.idle = true;
    auto [ec, unused_bytes] =
        co_await bhttp::async_read_header(stream, buffer, header_parser, kTuple);
    connection.idle = false;
    int64_t started = SystemClock::Get().MonotonicNanos();
    if (ec) {
      if (IsMalformed(ec)) {
        co_await WriteResponse(
            stream,
            Dispatcher::Reject(
                MatrixError(400, errcode::kUnknown, "Malformed HTTP request")),
            11, false, false);
      }
      break;
    }
    const auto& header = header_parser.get();
    unsigned version = header.version();
    bool keep_alive = header.keep_alive();
    bool head = header.method() == bhttp::verb::head;
    Request request = ToRequest(header, remote, spec.tls);
    Dispatcher::Decision decision = dispatcher.Decide(&request);
    Response response;
    if (decision.route != nullptr && decision.route->stream_handler) {
      Received received = co_await ReceiveStream(
          stream, buffer, header_parser, *decision.route, dispatcher, request);
      if (!received.response.has_value()) break;
      response = std::move(*received.response);
      keep_alive &= received.reusable;
    } else {
      bhttp::request_parser<bhttp::string_body> parser(std::move(header_parser));
      boost::optional<uint64_t> length = parser.content_length();
      bool too_large = length.has_value() && *length > options_.max_body_bytes;
      beast::error_code bec;
      if (!too_large) {
        parser.body_limit(options_.max_body_bytes);
        std::tie(bec, unused_bytes) =
            co_await bhttp::async_read(stream, buffer, parser, kTuple);
        too_large = bec == bhttp::error::body_limit;
      }
      if (too_large) {
        co_await WriteResponse(
            stream, Dispatcher::Reject(TooLarge("Request body too large")), 11,
            false, false);
        break;
      }
      if (bec) {
        if (IsMalformed(bec)) {
          co_await WriteResponse(
              stream,
              Dispatcher::Reject(MatrixError(400, errcode::kUnknown,
                                             "Malformed HTTP request")),
              11, false, false);
        }
        break;
      }
      request.body = std::move(parser.get().body());
      dispatcher.CheckBody(&request, &decision);
      response = co_await Handle(decision, request);
    }
    int status = response.status;
    bool reusable = co_await WriteResponse(stream, std::move(response), version,
                                           keep_alive && !stopping_, head);
    if (options_.observer != nullptr) {
      double seconds =
          (SystemClock::Get().MonotonicNanos() - started) / 1e9;
      options_.observer->OnResponse(decision.label, request.method, status,
                                    seconds);
    }
    if (!reusable) break;
  }
}

template <typename Stream>
awaitable<ServerImpl::Received> ServerImpl::ReceiveStream(
    Stream& stream, beast::flat_buffer& buffer,
    bhttp::request_parser<bhttp::empty_body>& header_parser,
    const Route& route, const Dispatcher& dispatcher, const Request& request) {
  const auto timeout = std::chrono::seconds(options_.request_timeout_seconds);
  const uint64_t limit =
      route.max_body_bytes > 0 ? route.max_body_bytes : options_.max_body_bytes;
  // The body is never read on a refusal, so the connection closes after it.
  boost::optional<uint64_t> length = header_parser.content_length();
  if (length.has_value() && *length > limit) {
    co_return Received{Dispatcher::Reject(TooLarge("Request body too large")),
                       false};
  }
  auto open = [&route, &request] {
    return Guarded([&]() -> absl::StatusOr<std::unique_ptr<BodySink>> {
      return route.stream_handler(request);
    });
  };
  // Not `?:`: GCC 12 miscompiles a co_await inside a conditional expression.
  absl::StatusOr<std::unique_ptr<BodySink>> opened =
      absl::InternalError("stream handler not run");
  if (route.execution == Execution::kInline) {
    opened = open();
  } else {
    opened = co_await OnWorkers(open);
  }
  if (opened.ok() && *opened == nullptr) {
    opened = absl::InternalError("stream handler returned no sink");
  }
  if (!opened.ok()) co_return Received{Dispatcher::Reject(opened.status()), false};
  SinkHolder holder{std::move(opened).value()};
  BodySink* sink = holder.sink.get();
  // Not a coroutine: GCC 12 loses a coroutine lambda's by-value parameter
  // when a nested lambda captures it.
  auto abort = [this, &holder, sink](absl::Status why) {
    holder.settled = true;
    return OnWorkers([sink, why = std::move(why)] {
      try {
        sink->Abort(why);
      } catch (const std::exception& e) {
        MLOG(WARN) << "BodySink::Abort threw: " << e.what();
      }
      return true;
    });
  };
  if (absl::AsciiStrToLower(AV(request.Header("expect"))) ==
      "100-continue") {
    // curl waits a second for this before sending a large body.
    bhttp::response<bhttp::empty_body> go_on(bhttp::status::continue_,
                                             header_parser.get().version());
    beast::get_lowest_layer(stream).expires_after(timeout);
    auto [cec, unused] = co_await bhttp::async_write(stream, go_on, kTuple);
    if (cec) {
      co_await abort(ReadFailure(cec));
      co_return Received{};
    }
  }
  bhttp::request_parser<bhttp::buffer_body> parser(std::move(header_parser));
  parser.body_limit(limit);  // Chunked bodies; Content-Length was checked.
  std::vector<char> piece(kPieceBytes);
  uint64_t received = 0;
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    beast::get_lowest_layer(stream).expires_after(timeout);
    auto [ec, unused] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
    if (ec == bhttp::error::need_buffer) ec = {};
    size_t got = piece.size() - parser.get().body().size;
    received += got;
    if (ec == bhttp::error::body_limit || received > limit) {
      absl::Status too_large = TooLarge("Request body too large");
      co_await abort(too_large);
      co_return Received{Dispatcher::Reject(too_large), false};
    }
    if (ec) {
      absl::Status why = ReadFailure(ec);
      co_await abort(why);
      if (!IsMalformed(ec)) co_return Received{};
      co_return Received{Dispatcher::Reject(why), false};
    }
    if (got == 0) continue;
    std::string_view data(piece.data(), got);
    absl::Status written = co_await OnWorkers(
        [sink, data] { return Guarded([&] { return sink->Write(data); }); });
    if (!written.ok()) {
      co_await abort(written);
      co_return Received{Dispatcher::Reject(written), false};
    }
  }
  holder.settled = true;
  absl::StatusOr<Response> finished = co_await OnWorkers(
      [sink] { return Guarded([&] { return sink->Finish(); }); });
  co_return Received{dispatcher.Complete(std::move(finished)), true};
}

template <typename Stream>
awaitable<bool> ServerImpl::WriteResponse(Stream& stream, Response response,
                                          unsigned version, bool keep_alive,
                                          bool head) {
  const auto timeout = std::chrono::seconds(options_.request_timeout_seconds);
  // The read's deadline must not cut the write of a long-poll's answer.
  beast::get_lowest_layer(stream).expires_after(timeout);
  if (response.stream == nullptr || head) {
    auto out = ToBeast(std::move(response), version, keep_alive, head);
    auto [ec, written] = co_await bhttp::async_write(stream, out, kTuple);
    co_return !ec && out.keep_alive();
  }
  std::shared_ptr<BodySource> source = std::move(response.stream);
  auto next = [&source] {
    return Guarded(
        [&]() -> absl::StatusOr<std::string> { return source->Next(); });
  };
  // The first piece before the headers: a source failing at once (a missing
  // file) still gets a proper error response.
  absl::StatusOr<std::string> piece = co_await OnWorkers(next);
  if (!piece.ok()) {
    co_return co_await WriteResponse(stream, Dispatcher::Reject(piece.status()),
                                     version, keep_alive, false);
  }
  const uint64_t size = source->size();
  bhttp::response<bhttp::buffer_body> out;
  out.version(version);
  SetHeaders(response, keep_alive, &out);
  out.content_length(size);
  out.body().data = nullptr;
  out.body().more = true;
  bhttp::response_serializer<bhttp::buffer_body> serializer(out);
  beast::get_lowest_layer(stream).expires_after(timeout);
  auto [hec, unused] = co_await bhttp::async_write_header(stream, serializer, kTuple);
  if (hec) co_return false;
  uint64_t sent = 0;
  while (true) {
    if (!piece.ok()) {
      MLOG(WARN) << "streamed response failed after " << sent << " of "
                 << size << " bytes: " << piece.status();
      co_return false;
    }
    if (piece->size() > size - sent || (piece->empty() && sent != size)) {
      MLOG(ERROR) << "BodySource produced a body other than its size() "
                  << size << " (at " << sent << " + " << piece->size() << ")";
      co_return false;
    }
    sent += piece->size();
    bool last = piece->empty();
    out.body().data = last ? nullptr : piece->data();
    out.body().size = piece->size();
    out.body().more = !last;
    beast::get_lowest_layer(stream).expires_after(timeout);
    auto [ec, written] = co_await bhttp::async_write(stream, serializer, kTuple);
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) co_return false;
    if (last) break;
    piece = co_await OnWorkers(next);
  }
  co_return serializer.is_done() && out.keep_alive();
}

awaitable<Response> ServerImpl::Handle(Dispatcher::Decision& decision,
                                       const Request& request) {
  if (decision.route == nullptr) co_return std::move(decision.response);
  const Route& route = *decision.route;
  if (route.deferred_handler) co_return co_await AwaitDeferred(route, request);
  if (route.execution == Execution::kInline) {
    co_return CallHandler(route, request);
  }
  co_return co_await OnWorkers(
      [&route, &request] { return CallHandler(route, request); });
}

awaitable<Response> ServerImpl::AwaitDeferred(const Route& route,
                                              const Request& request) {
  asio::use_awaitable_t<> token;
  absl::StatusOr<Response> result = co_await asio::async_initiate<
      asio::use_awaitable_t<>, void(absl::StatusOr<Response>)>(
      [&route, &request](auto handler) {
        using State = DeferredState<decltype(handler)>;
        auto state = std::make_shared<State>(std::move(handler));
        try {
          route.deferred_handler(request,
                                 [state](absl::StatusOr<Response> response) {
                                   state->Complete(std::move(response));
                                 });
        } catch (const std::exception& e) {
          state->Complete(absl::InternalError(
              absl::StrCat("handler threw: ", e.what())));
        }
      },
      token);
  if (!result.ok()) co_return Dispatcher::Reject(result.status());
  Response response = std::move(result).value();
  AddCorsHeaders(&response);
  co_return response;
}

bool ServerImpl::RunAfter(int64_t delay_ms, std::function<void()> fn) {
  if (stopping_) return false;
  auto timer = std::make_shared<asio::steady_timer>(
      ioc_, std::chrono::milliseconds(delay_ms));
  timer->async_wait([timer, fn = std::move(fn)](beast::error_code ec) {
    if (!ec) fn();
  });
  return true;
}

bool ServerImpl::RunBlocking(std::function<void()> fn) {
  if (stopping_) return false;
  asio::post(workers_, std::move(fn));
  return true;
}

void ServerImpl::Shutdown() {
  if (stopping_.exchange(true)) return;
  MLOG(INFO) << "shutting down: no new connections, finishing requests";
  std::vector<std::function<void()>> hooks;
  std::vector<std::shared_ptr<Connection>> connections;
  {
    std::lock_guard<std::mutex> lock(mu_);
    hooks.swap(shutdown_hooks_);
    connections.assign(connections_.begin(), connections_.end());
  }
  for (auto& hook : hooks) hook();
  for (Acceptor& acceptor : acceptors_) {
    asio::post(acceptor.acceptor->get_executor(), [a = acceptor.acceptor.get()] {
      beast::error_code ec;
      a->close(ec);
    });
  }
  // Idle keep-alive connections would otherwise sit out their timeout.
  for (auto& connection : connections) {
    asio::post(connection->strand, [connection] {
      if (connection->idle && connection->cancel) connection->cancel();
    });
  }
  if (signals_) asio::post(ioc_, [this] { signals_->cancel(); });
  int64_t deadline = SystemClock::Get().MonotonicNanos() +
                     int64_t{options_.shutdown_grace_seconds} * 1'000'000'000;
  asio::post(ioc_, [this, deadline] { FinishShutdownWhenIdle(deadline); });
}

void ServerImpl::FinishShutdownWhenIdle(int64_t deadline_nanos) {
  if (open_connections_ > 0 &&
      SystemClock::Get().MonotonicNanos() < deadline_nanos) {
    auto timer = std::make_shared<asio::steady_timer>(
        ioc_, std::chrono::milliseconds(20));
    timer->async_wait([this, timer, deadline_nanos](beast::error_code) {
      FinishShutdownWhenIdle(deadline_nanos);
    });
    return;
  }
  if (open_connections_ > 0) {
    MLOG(WARN) << open_connections_ << " connection(s) still open after grace";
  }
  work_guard_.reset();
  ioc_.stop();
}

void ServerImpl::HandleSignals() {
  signals_ = std::make_unique<asio::signal_set>(ioc_, SIGINT, SIGTERM);
  signals_->async_wait([this](beast::error_code ec, int signal) {
    if (ec) return;
    MLOG(INFO) << "received signal " << signal;
    Shutdown();
  });
}

void ServerImpl::Wait() {
  std::call_once(joined_, [this] {
    for (std::thread& thread : threads_) thread.join();
    workers_.join();
  });
}

}  // namespace

std::string BoundEndpoint::Url() const {
  bool v6 = address.find(':') != std::string::npos;
  return absl::StrCat(tls ? "https://" : "http://", v6 ? "[" : "", address,
                      v6 ? "]" : "", ":", port);
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    ServerOptions options) {
  for (const ListenerSpec& spec : options.listeners) {
    if (spec.dispatcher == nullptr) {
      return absl::InvalidArgumentError("listener without a dispatcher");
    }
  }
  auto server = std::make_unique<ServerImpl>(std::move(options));
  if (absl::Status status = server->Bind(); !status.ok()) return status;
  server->Run();
  return server;
}

}  // namespace myelin::http
