// Account data and tags (Spec: client-server-api, "Client Config" and
// "Room Tagging"): GET/PUT /user/{userId}/account_data/{type},
// GET/PUT /user/{userId}/rooms/{roomId}/account_data/{type},
// GET /user/{userId}/rooms/{roomId}/tags, PUT/DELETE .../tags/{tag}.
#ifndef MYELIN_SERVER_SYNC_ACCOUNT_DATA_ROUTES_H_
#define MYELIN_SERVER_SYNC_ACCOUNT_DATA_ROUTES_H_

#include "absl/status/status.h"
#include "server/http/router.h"
#include "storage/accountdata/account_data_store.h"

namespace myelin::sync {

// `store` must outlive the table.
absl::Status AddAccountDataRoutes(http::RouteTable* table,
                                  storage::AccountDataStore* store);

}  // namespace myelin::sync

#endif  // MYELIN_SERVER_SYNC_ACCOUNT_DATA_ROUTES_H_
