#include "tests/support/http_client.h"

#include <chrono>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "boost/asio.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"

namespace myelin::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

std::string HttpResult::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

struct HttpClient::Impl {
  std::string host;
  uint16_t port;
  bool tls;
  std::chrono::seconds timeout;
  asio::io_context ioc;
  ssl::context tls_context{ssl::context::tls_client};
  std::optional<beast::tcp_stream> plain;
  std::optional<ssl::stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  bool open = false;

  beast::tcp_stream& lowest() {
    return tls ? beast::get_lowest_layer(*secure) : *plain;
  }

  absl::Status Connect() {
    beast::error_code ec;
    tcp::endpoint endpoint(asio::ip::make_address(host, ec), port);
    if (ec) return absl::InvalidArgumentError("bad host " + host);
    buffer.clear();
    if (tls) {
      tls_context.set_verify_mode(ssl::verify_none);
      secure.emplace(ioc, tls_context);
    } else {
      plain.emplace(ioc);
    }
    lowest().expires_after(timeout);
    lowest().connect(endpoint, ec);
    if (ec) return absl::UnavailableError("connect: " + ec.message());
    if (tls) {
      secure->handshake(ssl::stream_base::client, ec);
      if (ec) return absl::UnavailableError("handshake: " + ec.message());
    }
    open = true;
    return absl::OkStatus();
  }

  template <typename Stream>
  absl::StatusOr<HttpResult> Exchange(Stream& stream,
                                      bhttp::request<bhttp::string_body>& req) {
    beast::error_code ec;
    lowest().expires_after(timeout);
    bhttp::write(stream, req, ec);
    if (ec) return absl::UnavailableError("write: " + ec.message());
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1ull << 30);
    if (req.method() == bhttp::verb::head) parser.skip(true);
    bhttp::read(stream, buffer, parser, ec);
    if (ec) return absl::UnavailableError("read: " + ec.message());
    auto& res = parser.get();
    HttpResult result;
    result.status = res.result_int();
    for (const auto& field : res) {
      std::string name(field.name_string());
      absl::AsciiStrToLower(&name);
      result.headers[name] = std::string(field.value());
    }
    result.body = res.body();
    open = res.keep_alive();
    return result;
  }
};

HttpClient::HttpClient(std::string host, uint16_t port, bool tls,
                       int timeout_seconds)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->tls = tls;
  impl_->timeout = std::chrono::seconds(timeout_seconds);
}

HttpClient::~HttpClient() = default;

bool HttpClient::connected() const { return impl_->open; }

absl::StatusOr<HttpResult> HttpClient::Send(
    const std::string& method, const std::string& target,
    const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  if (!impl_->open) {
    if (absl::Status status = impl_->Connect(); !status.ok()) return status;
  }
  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, impl_->host);
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  if (!body.empty() || method == "POST" || method == "PUT") {
    req.prepare_payload();
  }
  absl::StatusOr<HttpResult> result =
      impl_->tls ? impl_->Exchange(*impl_->secure, req)
                 : impl_->Exchange(*impl_->plain, req);
  if (!result.ok()) impl_->open = false;
  return result;
}

absl::StatusOr<RawExchangeResult> RawExchange(const std::string& host,
                                              uint16_t port,
                                              const std::string& bytes,
                                              int timeout_ms) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.expires_after(std::chrono::milliseconds(timeout_ms));
  stream.connect(tcp::endpoint(asio::ip::make_address(host, ec), port), ec);
  if (ec) return absl::UnavailableError("connect: " + ec.message());
  asio::write(stream.socket(), asio::buffer(bytes), ec);
  RawExchangeResult result;
  char chunk[4096];
  for (;;) {
    stream.expires_after(std::chrono::milliseconds(timeout_ms));
    size_t n = stream.read_some(asio::buffer(chunk), ec);
    result.received.append(chunk, n);
    if (ec == beast::error::timeout) break;
    if (ec) {
      result.closed = true;
      break;
    }
  }
  return result;
}

}  // namespace myelin::testing
