// Operational endpoints: GET /health (liveness, for load balancers and
// container health checks) and GET /metrics (Prometheus text).
#ifndef MYELIN_SERVER_OPS_OPS_ROUTES_H_
#define MYELIN_SERVER_OPS_OPS_ROUTES_H_

#include "absl/status/status.h"
#include "server/http/router.h"
#include "server/metrics/metrics.h"

namespace myelin::ops {

absl::Status AddHealthRoutes(http::RouteTable* table);

// `registry` must outlive the table.
absl::Status AddMetricsRoutes(http::RouteTable* table,
                              const metrics::Registry* registry);

}  // namespace myelin::ops

#endif  // MYELIN_SERVER_OPS_OPS_ROUTES_H_
