// Filters (Spec: client-server-api, "Filtering"): POST /user/{userId}/filter
// stores a validated filter, GET /user/{userId}/filter/{filterId} returns
// it; /sync's `filter` parameter names one or carries one inline.
#ifndef MYELIN_SERVER_SYNC_FILTER_ROUTES_H_
#define MYELIN_SERVER_SYNC_FILTER_ROUTES_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "server/filter/filter.h"
#include "server/http/router.h"
#include "storage/filters/filter_store.h"

namespace myelin::sync {

// `store` must outlive the table.
absl::Status AddFilterRoutes(http::RouteTable* table,
                             storage::FilterStore* store);

// The filter a /sync request asks for: inline JSON, or the id of one of
// `user_id`'s stored filters. Empty text: the default filter.
absl::StatusOr<filter::Filter> ResolveFilter(const storage::FilterStore& store,
                                             std::string_view user_id,
                                             std::string_view text);

}  // namespace myelin::sync

#endif  // MYELIN_SERVER_SYNC_FILTER_ROUTES_H_
