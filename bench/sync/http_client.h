// A keep-alive HTTP/1.1 client connection for the sync benchmark, as Asio
// coroutines. One request at a time; the connection is (re)opened on demand,
// so a request after a failure or a server-side close starts a new one.
//
// Thread safety: none; use a connection from one io_context thread.
#ifndef MYELIN_BENCH_SYNC_HTTP_CLIENT_H_
#define MYELIN_BENCH_SYNC_HTTP_CLIENT_H_

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace myelin::bench {

using Clock = std::chrono::steady_clock;

// A full initial sync of a large account is tens of megabytes.
inline constexpr uint64_t kResponseBodyLimit = 512ull * 1024 * 1024;

struct Reply {
  // Empty on success; otherwise status and body are not meaningful.
  boost::system::error_code error;
  unsigned status = 0;
  std::string body;
  // Just before the request was written (after connecting, if the call
  // had to), and once the whole response body had been read.
  Clock::time_point start;
  Clock::time_point done;

  bool ok() const { return !error && status >= 200 && status <= 299; }
  uint64_t nanos() const {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(done - start)
            .count());
  }
};

class HttpConnection {
 public:
  HttpConnection(boost::asio::any_io_executor executor,
                 boost::asio::ip::tcp::endpoint endpoint);

  // Sends one request (with "Authorization: Bearer <token>" when a token is
  // given and a JSON content type when a body is) and reads the response.
  // Gives up with an error after `timeout`. `on_written`, if set, runs once
  // the request has been written, before the response is awaited (a
  // long-poll is then on its way to the server).
  boost::asio::awaitable<Reply> Call(
      boost::beast::http::verb method, std::string target,
      std::string_view token, std::string body, Clock::duration timeout,
      std::function<void()> on_written = nullptr);

  // Closes the socket: a Call in progress ends with an error.
  void Close();

 private:
  boost::asio::ip::tcp::endpoint endpoint_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  bool open_ = false;
};

}  // namespace myelin::bench

#endif  // MYELIN_BENCH_SYNC_HTTP_CLIENT_H_
