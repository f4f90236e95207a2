// The key management API of end-to-end encryption (Spec: client-server-
// api, "End-to-End Encryption"; keys.yaml, cross_signing.yaml):
//
//   keys_routes.cc:          POST /keys/upload, /keys/query, /keys/claim,
//                            GET /keys/changes
//   cross_signing_routes.cc: POST /keys/device_signing/upload,
//                            /keys/signatures/upload
//
// Only local users have keys until federation comes: users of other
// servers are reported in `failures` as unreachable.
#ifndef MYELIN_SERVER_E2EE_KEYS_ROUTES_H_
#define MYELIN_SERVER_E2EE_KEYS_ROUTES_H_

#include <string>

#include "absl/status/status.h"
#include "server/client/accounts.h"
#include "server/http/router.h"
#include "storage/e2ee/key_store.h"
#include "storage/events/event_store.h"

namespace myelin::e2ee {

// Not owned; everything must outlive the route table.
struct KeysContext {
  std::string server_name;
  storage::KeyStore* keys = nullptr;
  // Device display names, UIA for replacing cross-signing keys.
  client::Accounts* accounts = nullptr;
  // Room sharing, for GET /keys/changes.
  const storage::EventStore* events = nullptr;
};

absl::Status AddKeysRoutes(http::RouteTable* table, const KeysContext* context);
absl::Status AddCrossSigningRoutes(http::RouteTable* table,
                                   const KeysContext* context);

// --- Shared by the handler files. ---

// Whether `user_id` belongs to this server.
bool IsLocal(const KeysContext& context, std::string_view user_id);
// The `failures` entry of an unreachable server.
boost::json::object Unreachable();

}  // namespace myelin::e2ee

#endif  // MYELIN_SERVER_E2EE_KEYS_ROUTES_H_
