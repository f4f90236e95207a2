// The baseline for HTTP benchmarks: the smallest Beast HTTP/1.1 server that
// answers like Myelin's /_matrix/client/versions, with the same thread model
// (one io_context run by one thread per core) and keep-alive. What it serves
// per second is the ceiling of this machine for a Beast server; Myelin's own
// figures are reported as a fraction of it (see ceiling.sh).
//
//   bare_server [--port N] [--threads T]
//
// Listens on 127.0.0.1 only. Prints "listening on 127.0.0.1:PORT" (flushed)
// once accepting, so a script can start it with --port 0 and read the port.
// Stops on SIGINT or SIGTERM.
#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

constexpr std::string_view kVersionsBody = R"({"versions":["v1.11"]})";
// A benchmark client sends nothing large; anything bigger is refused.
constexpr uint64_t kBodyLimit = 64 * 1024;
// An idle keep-alive connection is closed after this long.
constexpr auto kIdleTimeout = std::chrono::seconds(30);

constexpr auto kUseAwaitable = asio::as_tuple(asio::use_awaitable);

// The handler is a pure function of the request, as in Beast's examples.
http::response<http::string_body> Respond(
    const http::request<http::string_body>& req) {
  const bool get = req.method() == http::verb::get;
  http::response<http::string_body> res(
      get ? http::status::ok : http::status::method_not_allowed, req.version());
  res.set(http::field::server, "myelin-bare-server");
  res.set(http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = get ? std::string(kVersionsBody)
                   : R"({"errcode":"M_UNRECOGNIZED","error":"GET only"})";
  res.prepare_payload();
  return res;
}

asio::awaitable<void> Session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    stream.expires_after(kIdleTimeout);
    auto [read_ec, read_bytes] =
        co_await http::async_read(stream, buffer, parser, kUseAwaitable);
    if (read_ec) break;  // Closed by the peer, timed out or malformed.
    http::response<http::string_body> res = Respond(parser.get());
    const bool keep_alive = res.keep_alive();
    auto [write_ec, write_bytes] =
        co_await http::async_write(stream, res, kUseAwaitable);
    if (write_ec || !keep_alive) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> Listen(tcp::acceptor& acceptor) {
  for (;;) {
    // Each connection gets its own strand: tcp_stream's timeout handler must
    // not run concurrently with the session when several threads run ioc.
    auto [ec, socket] = co_await acceptor.async_accept(
        asio::make_strand(acceptor.get_executor()), kUseAwaitable);
    if (ec == asio::error::operation_aborted) co_return;  // Shutting down.
    if (ec) continue;  // E.g. EMFILE: drop this one, keep serving.
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Session(std::move(socket)),
                   [](std::exception_ptr e) {
                     if (e) std::fprintf(stderr, "session failed\n");
                   });
  }
}

bool ParseInt(std::string_view text, int& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

int Serve(int port, int threads) {
  asio::io_context ioc(threads);
  tcp::acceptor acceptor(ioc);
  const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"),
                               static_cast<unsigned short>(port));
  beast::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "bare_server: cannot listen on port %d: %s\n", port,
                 ec.message().c_str());
    return 1;
  }
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&ioc](beast::error_code, int) { ioc.stop(); });
  asio::co_spawn(ioc, Listen(acceptor), [](std::exception_ptr e) {
    if (e) std::fprintf(stderr, "bare_server: accept loop failed\n");
  });
  std::printf("listening on 127.0.0.1:%u\n",
              static_cast<unsigned>(acceptor.local_endpoint().port()));
  std::fflush(stdout);

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (std::thread& t : pool) t.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  int threads =
      static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    const bool has_value = i + 1 < argc;
    if (flag == "--port" && has_value && ParseInt(argv[i + 1], port) &&
        port >= 0 && port <= 65535) {
      ++i;
    } else if (flag == "--threads" && has_value &&
               ParseInt(argv[i + 1], threads) && threads >= 1 &&
               threads <= 256) {
      ++i;
    } else {
      std::fprintf(stderr, "usage: bare_server [--port N] [--threads T]\n");
      return 2;
    }
  }
  try {
    return Serve(port, threads);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bare_server: %s\n", e.what());
    return 1;
  }
}
