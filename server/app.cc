#include "server/app.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "dag/base/log.h"
#include "dag/base/status_macros.h"
#include "server/client/discovery.h"
#include "server/keybackup/key_backup_routes.h"
#include "server/ops/ops_routes.h"
#include "server/rooms/account_effects.h"
#include "server/sync/account_data_routes.h"
#include "server/sync/filter_routes.h"
#include "server/sync/presence_routes.h"
#include "server/sync/to_device_routes.h"
#include "server/sync/typing_routes.h"

namespace myelin {
namespace {

std::string InDataDir(const std::string& data_dir, const std::string& name) {
  return (std::filesystem::path(data_dir) / name).string();
}

bool Serves(const config::Listener& listener, config::Resource resource) {
  for (config::Resource r : listener.resources) {
    if (r == resource) return true;
  }
  return false;
}

std::string DefaultBaseUrl(const config::Config& config) {
  if (!config.public_baseurl.empty()) return config.public_baseurl;
  const config::Listener& first = config.listeners.front();
  http::BoundEndpoint endpoint{first.bind_addresses.front(), first.port,
                               first.tls};
  return endpoint.Url();
}

// Every 30 s, users idle past PresenceTracker::kIdleMillis turn unavailable
// on the presence stream, so other users' /sync hears of it. Stops with the
// server (RunAfter refuses then).
void SweepIdlePresence(http::HttpServer* server, sync::PresenceTracker* presence) {
  constexpr int64_t kSweepMillis = 30'000;
  server->RunAfter(kSweepMillis, [server, presence] {
    presence->SweepIdle();
    SweepIdlePresence(server, presence);
  });
}

}  // namespace

absl::StatusOr<std::unique_ptr<App>> App::Start(const config::Config& config) {
  std::unique_ptr<App> app(new App(config));
  RETURN_IF_ERROR(app->Init());
  return app;
}

App::~App() {
  if (server_) {
    server_->Shutdown();
    server_->Wait();
    server_.reset();
  }
  if (!config_.pid_file.empty()) std::filesystem::remove(config_.pid_file);
}

absl::Status App::Init() {
  log::Level level = log::Level::INFO;
  RETURN_IF_ERROR(log::ParseLevel(config_.log_level, &level));
  log::SetLevel(level);
  RETURN_IF_ERROR(log::SetLogFile(config_.log_file));

  std::error_code ec;
  std::filesystem::create_directories(config_.data_dir, ec);
  if (ec) {
    return absl::PermissionDeniedError(absl::StrCat(
        "cannot create data_dir ", config_.data_dir, ": ", ec.message()));
  }
  signing_key_path_ = config_.signing_key_path.empty()
                          ? InDataDir(config_.data_dir, "signing.key")
                          : config_.signing_key_path;
  ASSIGN_OR_RETURN(federation::SigningKey key,
                   federation::LoadOrCreateSigningKey(signing_key_path_));
  signing_key_ = std::make_unique<federation::SigningKey>(std::move(key));
  ASSIGN_OR_RETURN(std::string token, admin::LoadOrCreateAdminToken(
                                          admin::AdminTokenPath(config_.data_dir)));
  authenticator_ = std::make_unique<admin::AdminTokenAuthenticator>(token);

  storage::EngineOptions options;
  options.path = storage::DatabasePathIn(config_.data_dir);
  options.server_name = config_.server_name;
  options.memory_budget_bytes = config_.memory_budget_mb << 20;
  options.sync_writes = config_.sync_writes;
  ASSIGN_OR_RETURN(engine_, storage::Engine::Open(options));
  AddStorageCollectors();
  rate_limits_ = ratelimit::Limits::FromConfig(config_.rate_limiting,
                                               &SystemClock::Get());
  accounts_ = std::make_unique<client::Accounts>(
      config_, engine_.get(), &SystemClock::Get(), authenticator_.get(),
      client::AccountLimits{rate_limits_.login.get(),
                            rate_limits_.registration.get(),
                            rate_limits_.availability.get()});
  RETURN_IF_ERROR(InitRooms());
  InitSync();

  http::ServerOptions server_options;
  for (const config::Listener& listener : config_.listeners) {
    ASSIGN_OR_RETURN(http::RouteTable table, RoutesFor(listener));
    dispatchers_.push_back(std::make_unique<http::Dispatcher>(
        std::move(table), accounts_->authenticator(),
        http::DispatcherOptions{listener.x_forwarded}));
    for (const std::string& address : listener.bind_addresses) {
      server_options.listeners.push_back(
          {address, listener.port, listener.tls, dispatchers_.back().get()});
    }
  }
  server_options.tls_certificate_path = config_.tls_certificate_path;
  server_options.tls_private_key_path = config_.tls_private_key_path;
  server_options.max_body_bytes = config_.max_request_body_bytes;
  server_options.request_timeout_seconds =
      static_cast<int>(config_.request_timeout_seconds);
  server_options.io_threads = static_cast<int>(config_.io_threads);
  server_options.worker_threads = static_cast<int>(config_.worker_threads);
  server_options.observer = &metrics_;
  ASSIGN_OR_RETURN(server_, http::HttpServer::Start(std::move(server_options)));
  sync_service_.server = server_.get();
  sync::SyncNotifier* notifier = sync_notifier_.get();
  server_->AddShutdownHook([notifier] { notifier->WakeAll(); });
  if (config_.presence_enabled) SweepIdlePresence(server_.get(), presence_.get());

  if (!config_.pid_file.empty()) {
    std::ofstream(config_.pid_file) << ::getpid() << "\n";
  }
  MLOG(INFO) << "Myelin for " << config_.server_name << " started; data in "
             << config_.data_dir << ", signing key " << signing_key_->KeyId();
  return absl::OkStatus();
}

absl::StatusOr<http::RouteTable> App::RoutesFor(
    const config::Listener& listener) {
  http::RouteTable table;
  client::DiscoveryOptions discovery{DefaultBaseUrl(config_),
                                     config_.well_known_server};
  RETURN_IF_ERROR(client::AddWellKnownRoutes(&table, discovery));
  if (Serves(listener, config::Resource::kClient)) {
    RETURN_IF_ERROR(client::AddVersionsRoutes(&table));
    RETURN_IF_ERROR(client::AddCapabilitiesRoutes(&table));
    RETURN_IF_ERROR(sync::AddFilterRoutes(&table, filters_.get()));
    RETURN_IF_ERROR(sync::AddSyncRoutes(&table, &sync_service_));
    RETURN_IF_ERROR(sync::AddAccountDataRoutes(&table, account_data_.get()));
    RETURN_IF_ERROR(
        sync::AddTypingRoutes(&table, typing_.get(), event_store_.get()));
    RETURN_IF_ERROR(sync::AddReceiptRoutes(&table, &receipt_context_));
    RETURN_IF_ERROR(sync::AddToDeviceRoutes(&table, &to_device_context_));
    RETURN_IF_ERROR(
        sync::AddPresenceRoutes(&table, presence_.get(), event_store_.get()));
    RETURN_IF_ERROR(accounts_->AddRoutes(&table));
    RETURN_IF_ERROR(
        keybackup::AddKeyBackupRoutes(&table, key_backups_.get()));
    RETURN_IF_ERROR(e2ee::AddKeysRoutes(&table, &keys_context_));
    RETURN_IF_ERROR(e2ee::AddCrossSigningRoutes(&table, &keys_context_));
    RETURN_IF_ERROR(rooms::AddRoomRoutes(&table, &rooms_context_));
    RETURN_IF_ERROR(admin::AddAdminRoutes(&table, engine_.get(),
                                          signing_key_.get(),
                                          signing_key_path_));
    RETURN_IF_ERROR(media::AddMediaAdminRoutes(&table, &media_context_));
  }
  // As in Synapse, `client` implies the media repository (clients find
  // /_matrix/media and /_matrix/client/v1/media where they log in).
  if (Serves(listener, config::Resource::kMedia) ||
      Serves(listener, config::Resource::kClient)) {
    RETURN_IF_ERROR(media::AddMediaRoutes(&table, &media_context_));
  }
  if (Serves(listener, config::Resource::kHealth)) {
    RETURN_IF_ERROR(ops::AddHealthRoutes(&table));
  }
  if (Serves(listener, config::Resource::kMetrics)) {
    RETURN_IF_ERROR(ops::AddMetricsRoutes(&table, &metrics_));
  }
  return table;
}

absl::Status App::InitRooms() {
  ASSIGN_OR_RETURN(event_store_, storage::EventStore::Open(*engine_));
  room_writer_ = std::make_unique<rooms::RoomWriter>(
      config_.server_name, signing_key_.get(), event_store_.get(),
      &SystemClock::Get());
  rooms_context_.writer = room_writer_.get();
  rooms_context_.clock = &SystemClock::Get();
  rooms_context_.txns = &txns_;
  forgotten_ = std::make_unique<storage::ForgottenStore>(engine_.get());
  rooms_context_.forgotten = forgotten_.get();
  filters_ = std::make_unique<storage::FilterStore>(engine_.get());
  ASSIGN_OR_RETURN(account_data_, storage::AccountDataStore::Open(engine_.get()));
  typing_ = std::make_unique<sync::TypingTracker>(&SystemClock::Get());
  presence_ = std::make_unique<sync::PresenceTracker>(&SystemClock::Get(),
                                                      config_.presence_enabled);
  ASSIGN_OR_RETURN(inbox_, storage::InboxStore::Open(engine_.get()));
  to_device_context_ = {config_.server_name, &accounts_->store(), inbox_.get(),
                        rate_limits_.message.get()};
  storage::InboxStore* inbox = inbox_.get();
  // Spec: deleting a device deletes its pending to-device messages.
  accounts_->hooks().OnDevicesDeleted(
      [inbox](std::string_view user_id, const std::vector<std::string>& devices) {
        for (const std::string& device : devices) {
          if (absl::Status s = inbox->DropDevice(user_id, device); !s.ok()) {
            MLOG(WARN) << "to-device inbox of " << user_id << "/" << device
                       << " not dropped: " << s;
          }
        }
      });
  ASSIGN_OR_RETURN(keys_, storage::KeyStore::Open(engine_.get()));
  keys_context_ = {config_.server_name, keys_.get(), accounts_.get(),
                   event_store_.get()};
  storage::KeyStore* keys = keys_.get();
  // Spec: deleting a device deletes its keys, a device-list change.
  accounts_->hooks().OnDevicesDeleted(
      [keys](std::string_view user_id, const std::vector<std::string>& devices) {
        if (absl::Status s = keys->DeleteDevices(user_id, devices); !s.ok()) {
          MLOG(WARN) << "keys of deleted devices of " << user_id
                     << " not dropped: " << s;
        }
      });
  accounts_->hooks().OnDeviceRenamed(
      [keys](std::string_view user_id, std::string_view device_id) {
        if (absl::Status s = keys->DeviceRenamed(user_id, device_id); !s.ok()) {
          MLOG(WARN) << "rename of " << user_id << "/" << device_id
                     << " not in the device lists: " << s;
        }
      });
  ASSIGN_OR_RETURN(receipts_, storage::ReceiptStore::Open(engine_.get()));
  receipt_context_ = {event_store_.get(), receipts_.get(), account_data_.get(),
                      &SystemClock::Get()};
  key_backups_ = std::make_unique<storage::BackupStore>(engine_.get());
  ASSIGN_OR_RETURN(media_store_, storage::MediaStore::Open(engine_.get()));
  media_context_ = {config_.server_name,
                    media_store_.get(),
                    &SystemClock::Get(),
                    config_.max_upload_size_bytes,
                    config_.unauthenticated_media_freeze_ms,
                    /*upload_limit=*/nullptr};
  directory_ = std::make_unique<storage::DirectoryStore>(engine_.get());
  rooms_context_.directory = directory_.get();
  relations_ = std::make_unique<storage::RelationStore>(*engine_);
  rooms_context_.relations = relations_.get();
  rooms_context_.message_limit = rate_limits_.message.get();
  storage::AccountDataStore* account_data = account_data_.get();
  rooms_context_.ignored_users = [account_data](std::string_view viewer) {
    absl::StatusOr<absl::flat_hash_set<std::string>> ignored =
        account_data->IgnoredUsers(viewer);
    return ignored.ok() ? *std::move(ignored) : absl::flat_hash_set<std::string>();
  };
  storage::AccountStore* accounts = &accounts_->store();
  rooms_context_.profile = [accounts](std::string_view user_id) {
    rooms::MemberProfile member;
    if (absl::StatusOr<storage::Profile> profile = accounts->GetProfile(user_id);
        profile.ok()) {
      member.displayname = profile->displayname.value_or("");
      member.avatar_url = profile->avatar_url.value_or("");
    }
    return member;
  };
  std::string local_suffix = ":" + config_.server_name;
  rooms_context_.is_server_admin = [accounts, local_suffix](
                                       std::string_view user_id) {
    if (user_id.size() <= local_suffix.size() + 1 ||
        !user_id.ends_with(local_suffix)) {
      return false;
    }
    auto account = accounts->GetAccount(
        user_id.substr(1, user_id.size() - local_suffix.size() - 1));
    return account.ok() && account->has_value() && (*account)->admin;
  };
  const rooms::RoomsContext* context = &rooms_context_;
  accounts_->hooks().OnProfileChanged(
      [context](std::string_view user_id, const storage::Profile& profile) {
        rooms::MemberProfile member{profile.displayname.value_or(""),
                                    profile.avatar_url.value_or("")};
        if (absl::Status s = rooms::PropagateProfile(*context, user_id, member);
            !s.ok()) {
          MLOG(WARN) << "profile of " << user_id << " not propagated: " << s;
        }
      });
  accounts_->hooks().OnDeactivated([context](std::string_view user_id) {
    if (absl::Status s = rooms::LeaveAllRooms(*context, user_id); !s.ok()) {
      MLOG(WARN) << "deactivated " << user_id << " not removed from rooms: "
                 << s;
    }
  });
  return absl::OkStatus();
}

// /sync reads every stream; each stream's changes wake the long-polls of
// the users they concern.
void App::InitSync() {
  sync_notifier_ = std::make_unique<sync::SyncNotifier>(event_store_.get());
  receipt_rooms_ =
      std::make_unique<sync::RecentChanges>(receipts_->LatestStream());
  sync::SyncNotifier* notifier = sync_notifier_.get();
  sync::RecentChanges* receipt_rooms = receipt_rooms_.get();
  account_data_->SetListener(
      [notifier](std::string_view user_id, uint64_t) {
        notifier->WakeUser(user_id);
      });
  receipts_->SetListener(
      [notifier, receipt_rooms](std::string_view room_id, uint64_t stream) {
        receipt_rooms->Record(room_id, stream);
        notifier->WakeRoom(room_id);
      });
  inbox_->SetListener(
      [notifier](std::string_view user_id) { notifier->WakeUser(user_id); });
  // A device-list change is news to everyone sharing a room with the user,
  // and to the user's own other devices.
  keys_->SetListener([notifier](std::string_view user_id) {
    notifier->WakeRoomsOfUser(user_id);
    notifier->WakeUser(user_id);
  });
  presence_->SetListener([notifier](std::string_view user_id) {
    notifier->WakeRoomsOfUser(user_id);
  });
  // A typing start is followed by its expiry: checking the room when it is
  // due turns the expiry into a change, which wakes the room again.
  sync::TypingTracker* typing = typing_.get();
  sync::SyncService* service = &sync_service_;
  typing_->SetListener([notifier, typing, service](std::string_view room_id,
                                                   int64_t expires_in_millis) {
    notifier->WakeRoom(room_id);
    http::HttpServer* server = service->server.load();
    if (expires_in_millis > 0 && server != nullptr) {
      server->RunAfter(expires_in_millis + 1,
                       [typing, room = std::string(room_id)] {
                         typing->InRoom(room);
                       });
    }
  });
  sync_service_.sources = {event_store_.get(), account_data_.get(),
                           receipts_.get(),    inbox_.get(),
                           forgotten_.get(),   typing_.get(),
                           presence_.get(),    &rooms_context_,
                           &SystemClock::Get(), receipt_rooms_.get(),
                           keys_.get()};
  sync_service_.filters = filters_.get();
  sync_service_.notifier = notifier;
}

void App::AddStorageCollectors() {
  storage::Engine* engine = engine_.get();
  metrics_.AddCollector([engine] {
    storage::EngineStats stats = engine->Stats();
    std::vector<metrics::GaugeSample> samples = {
        {"myelin_process_resident_memory_bytes", "Resident set size.", {},
         static_cast<double>(metrics::ProcessRssBytes())},
        {"myelin_rocksdb_memory_budget_bytes",
         "Configured memory budget (block cache capacity).", {},
         static_cast<double>(stats.memory_budget_bytes)},
        {"myelin_rocksdb_block_cache_usage_bytes",
         "Block cache in use, memtable reservations included.", {},
         static_cast<double>(stats.block_cache_usage_bytes)},
        {"myelin_rocksdb_memtable_bytes", "Memtables of all families.", {},
         static_cast<double>(stats.memtable_bytes)},
        {"myelin_rocksdb_live_data_bytes", "Estimated live data.", {},
         static_cast<double>(stats.estimated_live_data_bytes)},
    };
    for (const storage::ColumnFamilyStats& cf : stats.column_families) {
      samples.push_back({"myelin_rocksdb_sst_bytes",
                         "SST file bytes per column family.",
                         {{"cf", cf.name}},
                         static_cast<double>(cf.sst_bytes)});
    }
    for (const storage::ColumnFamilyStats& cf : stats.column_families) {
      samples.push_back({"myelin_rocksdb_estimated_keys",
                         "Estimated keys per column family.",
                         {{"cf", cf.name}},
                         static_cast<double>(cf.estimated_keys)});
    }
    return samples;
  });
}

}  // namespace myelin
