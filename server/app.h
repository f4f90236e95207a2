// The homeserver process: wires config, storage, keys, routes and the HTTP
// server together, in that order, and tears them down in reverse.
#ifndef MYELIN_SERVER_APP_H_
#define MYELIN_SERVER_APP_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "federation/signing_key.h"
#include "server/admin/admin.h"
#include "server/client/accounts.h"
#include "server/config/config.h"
#include "server/e2ee/keys_routes.h"
#include "server/http/dispatcher.h"
#include "server/http/server.h"
#include "server/media/media_routes.h"
#include "server/metrics/metrics.h"
#include "server/ratelimit/limits.h"
#include "server/rooms/room_writer.h"
#include "server/rooms/rooms_api.h"
#include "server/rooms/txn_cache.h"
#include "server/sync/presence.h"
#include "server/sync/notifier.h"
#include "server/sync/receipt_routes.h"
#include "server/sync/recent_changes.h"
#include "server/sync/sync_routes.h"
#include "server/sync/to_device_routes.h"
#include "server/sync/typing.h"
#include "storage/accountdata/account_data_store.h"
#include "storage/backup/backup_store.h"
#include "storage/directory/directory_store.h"
#include "storage/e2ee/key_store.h"
#include "storage/engine.h"
#include "storage/events/event_store.h"
#include "storage/filters/filter_store.h"
#include "storage/receipts/receipt_store.h"
#include "storage/todevice/inbox_store.h"
#include "storage/relations/relation_store.h"

namespace myelin {

class App {
 public:
  // Starts everything; on error nothing is left running and the message says
  // what to fix (config path, port in use, database of another server...).
  static absl::StatusOr<std::unique_ptr<App>> Start(
      const config::Config& config);
  ~App();

  std::vector<http::BoundEndpoint> endpoints() const {
    return server_->endpoints();
  }
  // Shuts down on SIGINT/SIGTERM.
  void HandleSignals() { server_->HandleSignals(); }
  void Shutdown() { server_->Shutdown(); }
  // Blocks until the server has stopped.
  void Wait() { server_->Wait(); }

  // Account changes other areas react to (profile propagation into member
  // events, leaving rooms on deactivation). Register before serving.
  client::AccountHooks& account_hooks() { return accounts_->hooks(); }

 private:
  explicit App(config::Config config) : config_(std::move(config)) {}
  absl::Status Init();
  absl::StatusOr<http::RouteTable> RoutesFor(const config::Listener& listener);
  void AddStorageCollectors();
  absl::Status InitRooms();
  void InitSync();

  config::Config config_;
  std::unique_ptr<storage::Engine> engine_;
  std::string signing_key_path_;
  std::unique_ptr<federation::SigningKey> signing_key_;
  std::unique_ptr<admin::AdminTokenAuthenticator> authenticator_;
  // Rate-limit classes routes opt in to (each nullptr when switched off).
  ratelimit::Limits rate_limits_;
  // Accounts, devices, profiles; its authenticator chains user tokens in
  // front of the admin token. Uses engine_.
  std::unique_ptr<client::Accounts> accounts_;
  // The room event DAG and the pipeline local users write through.
  std::unique_ptr<storage::EventStore> event_store_;
  std::unique_ptr<rooms::RoomWriter> room_writer_;
  // Room aliases and the published room directory.
  std::unique_ptr<storage::DirectoryStore> directory_;
  // Relations, threads and redactions (indexed by the event store).
  std::unique_ptr<storage::RelationStore> relations_;
  rooms::TxnCache txns_;
  std::unique_ptr<storage::ForgottenStore> forgotten_;
  std::unique_ptr<storage::FilterStore> filters_;
  std::unique_ptr<storage::AccountDataStore> account_data_;
  std::unique_ptr<sync::TypingTracker> typing_;
  std::unique_ptr<sync::PresenceTracker> presence_;
  std::unique_ptr<storage::InboxStore> inbox_;
  sync::ToDeviceContext to_device_context_;
  // End-to-end encryption keys and the device-list stream.
  std::unique_ptr<storage::KeyStore> keys_;
  e2ee::KeysContext keys_context_;
  std::unique_ptr<storage::ReceiptStore> receipts_;
  // Server-side key backups (room_keys/...).
  std::unique_ptr<storage::BackupStore> key_backups_;
  // The media repository (server/media).
  std::unique_ptr<storage::MediaStore> media_store_;
  media::MediaContext media_context_;
  sync::ReceiptContext receipt_context_;
  rooms::RoomsContext rooms_context_;
  // /sync: wakes long-polls on changes (listens to event_store_).
  std::unique_ptr<sync::SyncNotifier> sync_notifier_;
  std::unique_ptr<sync::RecentChanges> receipt_rooms_;
  sync::SyncService sync_service_;
  metrics::Registry metrics_;
  std::vector<std::unique_ptr<http::Dispatcher>> dispatchers_;
  // Declared last: destroyed (and stopped) before what its handlers use.
  std::unique_ptr<http::HttpServer> server_;
};

}  // namespace myelin

#endif  // MYELIN_SERVER_APP_H_
