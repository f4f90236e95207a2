#include "server/sync/sync_testing.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "dag/base/clock.h"
#include "dag/crypto/ed25519.h"

namespace myelin::sync::testing {
namespace {

template <typename T>
T Must(absl::StatusOr<T> value) {
  if (!value.ok()) {
    fprintf(stderr, "SyncDb: %s\n", value.status().ToString().c_str());
    std::abort();
  }
  return *std::move(value);
}

}  // namespace

SyncDb::SyncDb()
    : typing_(&SystemClock::Get()), presence_(&SystemClock::Get(), true) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  if (tmp == nullptr) tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp ? tmp : "/tmp") + "/syncdb.XXXXXX";
  path_ = mkdtemp(pattern.data());
  storage::EngineOptions options;
  options.path = path_ + "/db";
  options.server_name = "example.org";
  options.sync_writes = false;
  options.memory_budget_bytes = 1024ull << 20;
  engine_ = Must(storage::Engine::Open(options));
  store_ = Must(storage::EventStore::Open(*engine_));
  account_data_ = Must(storage::AccountDataStore::Open(engine_.get()));
  receipts_ = Must(storage::ReceiptStore::Open(engine_.get()));
  inbox_ = Must(storage::InboxStore::Open(engine_.get()));
  forgotten_ = std::make_unique<storage::ForgottenStore>(engine_.get());
  relations_ = std::make_unique<storage::RelationStore>(*engine_);
  key_ = std::make_unique<federation::SigningKey>(federation::SigningKey{
      "a_test", Must(crypto::Ed25519KeyPair::FromSeed(std::string(32, 'k')))});
  writer_ = std::make_unique<rooms::RoomWriter>(
      "example.org", key_.get(), store_.get(), &SystemClock::Get());
  rooms_.writer = writer_.get();
  rooms_.clock = &SystemClock::Get();
  rooms_.relations = relations_.get();
  receipt_rooms_ = std::make_unique<RecentChanges>(0);
  sources_ = {store_.get(),   account_data_.get(), receipts_.get(),
              inbox_.get(),   forgotten_.get(),    &typing_,
              &presence_,     &rooms_,             &SystemClock::Get(),
              receipt_rooms_.get()};
}

SyncDb::~SyncDb() {
  writer_.reset();
  store_.reset();
  engine_.reset();
  std::filesystem::remove_all(path_);
}

void SyncDb::Settle() {
  if (!engine_->CompactAll().ok()) std::abort();
}

}  // namespace myelin::sync::testing
