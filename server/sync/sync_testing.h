// Test and benchmark helper: a database with everything /sync reads, in
// a temporary directory, and ComputeSync's sources over it.
//
//   SyncDb db;
//   TestRoom room(db.store(), "!r:example.org");
//   ... persist events ...
//   absl::StatusOr<SyncResult> result = ComputeSync(db.sources(), request);
#ifndef MYELIN_SERVER_SYNC_SYNC_TESTING_H_
#define MYELIN_SERVER_SYNC_SYNC_TESTING_H_

#include <memory>
#include <string>

#include "federation/signing_key.h"
#include "server/rooms/room_writer.h"
#include "server/rooms/rooms_api.h"
#include "server/sync/presence.h"
#include "server/sync/recent_changes.h"
#include "server/sync/sync.h"
#include "server/sync/typing.h"
#include "storage/accountdata/account_data_store.h"
#include "storage/engine.h"
#include "storage/events/event_store.h"
#include "storage/membership/forgotten_store.h"
#include "storage/receipts/receipt_store.h"
#include "storage/relations/relation_store.h"
#include "storage/todevice/inbox_store.h"

namespace myelin::sync::testing {

class SyncDb {
 public:
  // A fresh database under $TMPDIR (default /tmp), deleted on destruction.
  SyncDb();
  ~SyncDb();
  SyncDb(const SyncDb&) = delete;
  SyncDb& operator=(const SyncDb&) = delete;

  storage::EventStore& store() { return *store_; }
  storage::AccountDataStore& account_data() { return *account_data_; }
  const SyncSources& sources() const { return sources_; }
  // Data in SST files and the block cache, as in a server that has run a
  // while (a huge memtable makes every read slower than it would be).
  void Settle();

 private:
  std::string path_;
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<storage::EventStore> store_;
  std::unique_ptr<storage::AccountDataStore> account_data_;
  std::unique_ptr<storage::ReceiptStore> receipts_;
  std::unique_ptr<storage::InboxStore> inbox_;
  std::unique_ptr<storage::ForgottenStore> forgotten_;
  std::unique_ptr<storage::RelationStore> relations_;
  std::unique_ptr<federation::SigningKey> key_;
  std::unique_ptr<rooms::RoomWriter> writer_;
  rooms::RoomsContext rooms_;
  TypingTracker typing_;
  PresenceTracker presence_;
  std::unique_ptr<RecentChanges> receipt_rooms_;
  SyncSources sources_;
};

}  // namespace myelin::sync::testing

#endif  // MYELIN_SERVER_SYNC_SYNC_TESTING_H_
