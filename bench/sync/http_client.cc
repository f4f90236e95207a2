#include "bench/sync/http_client.h"

#include <utility>

namespace myelin::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {
constexpr auto kUseAwaitable = asio::as_tuple(asio::use_awaitable);
}  // namespace

HttpConnection::HttpConnection(asio::any_io_executor executor,
                               tcp::endpoint endpoint)
    : endpoint_(std::move(endpoint)), stream_(std::move(executor)) {}

void HttpConnection::Close() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
  open_ = false;
}

asio::awaitable<Reply> HttpConnection::Call(http::verb method,
                                            std::string target,
                                            std::string_view token,
                                            std::string body,
                                            Clock::duration timeout,
                                            std::function<void()> on_written) {
  Reply reply;
  stream_.expires_after(timeout);
  if (!open_) {
    buffer_.clear();
    auto [ec] = co_await stream_.async_connect(endpoint_, kUseAwaitable);
    if (ec) {
      reply.error = ec;
      reply.start = reply.done = Clock::now();
      co_return reply;
    }
    beast::error_code ignored;
    stream_.socket().set_option(tcp::no_delay(true), ignored);
    open_ = true;
  }
  reply.start = Clock::now();
  http::request<http::string_body> req(method, target, 11);
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::user_agent, "myelin-sync-bench");
  if (!token.empty()) {
    req.set(http::field::authorization, "Bearer " + std::string(token));
  }
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = std::move(body);
  req.keep_alive(true);
  req.prepare_payload();
  auto [write_ec, written] =
      co_await http::async_write(stream_, req, kUseAwaitable);
  if (!write_ec && on_written) on_written();
  http::response_parser<http::string_body> parser;
  parser.body_limit(kResponseBodyLimit);
  beast::error_code read_ec = write_ec;
  if (!write_ec) {
    auto [ec, read] =
        co_await http::async_read(stream_, buffer_, parser, kUseAwaitable);
    read_ec = ec;
  }
  reply.done = Clock::now();
  if (read_ec) {
    reply.error = read_ec;
    Close();
    co_return reply;
  }
  reply.status = parser.get().result_int();
  if (!parser.get().keep_alive()) Close();
  reply.body = std::move(parser.get().body());
  co_return reply;
}

}  // namespace myelin::bench
