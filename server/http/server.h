// The HTTP server: Boost.Beast on Asio, kept out of this header so handler
// code never compiles Asio.
//
// Threads: `io_threads` run the event loop (one per core by default);
// handlers declared Execution::kBlocking run on a separate worker pool so
// a slow database read never stalls the I/O threads. Every read has a body
// limit and a deadline (for streamed bodies, a deadline per piece).
// Stream routes (Route::stream_handler) receive their body in pieces of at
// most 64 KiB; responses with Response::stream are sent one piece at a time.
// Shutdown() stops accepting, lets in-flight requests finish (bounded),
// closes idle keep-alive connections and runs the shutdown hooks so
// long-polls can answer at once.
#ifndef MYELIN_SERVER_HTTP_SERVER_H_
#define MYELIN_SERVER_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "server/http/dispatcher.h"

namespace myelin::http {

// Sees every response; implemented by server/metrics. Thread-safe.
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void OnResponse(std::string_view route_label, Method method,
                          int status, double seconds) = 0;
};

struct ListenerSpec {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: the kernel picks; see HttpServer::endpoints().
  bool tls = false;
  const Dispatcher* dispatcher = nullptr;  // Must outlive the server.
};

struct ServerOptions {
  std::vector<ListenerSpec> listeners;
  std::string tls_certificate_path;  // PEM; required if any listener is TLS.
  std::string tls_private_key_path;
  // Also the limit of stream routes that set no Route::max_body_bytes.
  uint64_t max_body_bytes = 1 << 20;
  int request_timeout_seconds = 30;
  int io_threads = 0;  // 0: one per core.
  int worker_threads = 4;
  // How long Shutdown() waits for in-flight requests.
  int shutdown_grace_seconds = 10;
  RequestObserver* observer = nullptr;  // Optional; must outlive the server.
};

struct BoundEndpoint {
  std::string address;
  uint16_t port = 0;
  bool tls = false;
  // "http://127.0.0.1:8008" or "https://[::1]:8448".
  std::string Url() const;
};

class HttpServer {
 public:
  // Binds every listener and starts the threads. Fails (with the address) if
  // a port is taken or the TLS files cannot be loaded.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      ServerOptions options);
  virtual ~HttpServer() = default;

  virtual std::vector<BoundEndpoint> endpoints() const = 0;

  // Runs `hook` at the start of Shutdown(), before waiting for in-flight
  // requests. For waking long-polls.
  virtual void AddShutdownHook(std::function<void()> hook) = 0;

  // Runs `fn` on an I/O thread after `delay_ms`; for deferred handlers'
  // timeouts. Returns false once shutting down.
  virtual bool RunAfter(int64_t delay_ms, std::function<void()> fn) = 0;
  // Runs `fn` on the worker pool (for deferred handlers' database work).
  // Returns false once shutting down.
  virtual bool RunBlocking(std::function<void()> fn) = 0;

  // Also triggered by SIGINT/SIGTERM when HandleSignals() was called.
  virtual void Shutdown() = 0;
  // Installs SIGINT/SIGTERM handlers that call Shutdown().
  virtual void HandleSignals() = 0;
  // Blocks until shut down and every thread has stopped.
  virtual void Wait() = 0;
};

}  // namespace myelin::http

#endif  // MYELIN_SERVER_HTTP_SERVER_H_
