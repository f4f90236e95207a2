#include "server/ops/ops_routes.h"

namespace myelin::ops {

using http::Execution;
using http::Request;
using http::Response;
using http::Route;

absl::Status AddHealthRoutes(http::RouteTable* table) {
  Route route;
  route.pattern = "/health";
  route.execution = Execution::kInline;
  route.handler = [](const Request&) -> absl::StatusOr<Response> {
    return Response::Text("OK", "text/plain; charset=utf-8");
  };
  return table->Add(std::move(route));
}

absl::Status AddMetricsRoutes(http::RouteTable* table,
                              const metrics::Registry* registry) {
  Route route;
  route.pattern = "/metrics";
  // Collectors read RocksDB properties: keep them off the I/O threads.
  route.execution = Execution::kBlocking;
  route.handler = [registry](const Request&) -> absl::StatusOr<Response> {
    return Response::Text(registry->Render(),
                          "text/plain; version=0.0.4; charset=utf-8");
  };
  return table->Add(std::move(route));
}

}  // namespace myelin::ops
