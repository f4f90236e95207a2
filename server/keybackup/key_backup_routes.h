// Server-side key backups (Spec: client-server-api, "Server-side key
// backups", key_backup.yaml), all under the client prefixes, all needing an
// access token:
//   POST /room_keys/version, GET /room_keys/version,
//   GET/PUT/DELETE /room_keys/version/{version},
//   PUT/GET/DELETE /room_keys/keys[/{roomId}[/{sessionId}]]?version=V.
//
// Versions are decimal strings of the store's numbers. A backup belongs to
// the caller: every route reads and writes only the caller's own backups.
#ifndef MYELIN_SERVER_KEYBACKUP_KEY_BACKUP_ROUTES_H_
#define MYELIN_SERVER_KEYBACKUP_KEY_BACKUP_ROUTES_H_

#include "absl/status/status.h"
#include "server/http/router.h"
#include "storage/backup/backup_store.h"

namespace myelin::keybackup {

// `store` must outlive the table.
absl::Status AddKeyBackupRoutes(http::RouteTable* table,
                                storage::BackupStore* store);

}  // namespace myelin::keybackup

#endif  // MYELIN_SERVER_KEYBACKUP_KEY_BACKUP_ROUTES_H_
