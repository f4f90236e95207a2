#include "storage/backup/backup_store.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

constexpr char kAlg[] = "m.megolm_backup.v1.curve25519-aes-sha2";
constexpr char kAlice[] = "@alice:x";

RoomKey Key(bool verified, int64_t index, int64_t forwarded,
            const std::string& data = "c") {
  return RoomKey{index, forwarded, verified,
                 absl::StrCat(R"({"ciphertext":")", data, R"("})")};
}

class BackupStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = testing::NewTempPath("backup");
    Reopen();
  }
  void Reopen() {
    store_.reset();
    engine_.reset();
    auto engine = Engine::Open(testing::TestOptions(path_));
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
    store_ = std::make_unique<BackupStore>(engine_.get());
  }

  uint64_t Create(const std::string& user = kAlice) {
    absl::StatusOr<uint64_t> version =
        store_->CreateVersion(user, kAlg, R"({"public_key":"k"})");
    EXPECT_TRUE(version.ok()) << version.status();
    return version.value_or(0);
  }

  KeyCounts Put(uint64_t version, std::vector<SessionKey> keys) {
    absl::StatusOr<PutKeysResult> result = store_->PutKeys(kAlice, version, keys);
    EXPECT_TRUE(result.ok()) << result.status();
    EXPECT_TRUE(result.ok() && result->accepted);
    return result.ok() ? result->counts : KeyCounts{};
  }

  // "room/session=json" lines of the keys in scope.
  std::string Dump(uint64_t version, KeyScope scope = {}) {
    auto keys = store_->GetKeys(kAlice, version, scope);
    if (!keys.ok()) return keys.status().ToString();
    std::string out;
    for (const StoredKey& key : *keys) {
      absl::StrAppend(&out, key.room_id, "/", key.session_id, "=", key.json,
                      "\n");
    }
    return out;
  }

  std::string path_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<BackupStore> store_;
};

TEST_F(BackupStoreTest, VersionsCountUpAndTheNewestLiveIsCurrent) {
  EXPECT_FALSE(store_->CurrentVersion(kAlice)->has_value());
  EXPECT_EQ(Create(), 1u);
  EXPECT_EQ(Create(), 2u);
  EXPECT_EQ(Create("@alice:xy"), 1u);  // Per user.
  auto current = store_->CurrentVersion(kAlice);
  ASSERT_TRUE(current.ok() && current->has_value());
  EXPECT_EQ((*current)->version, 2u);
  EXPECT_EQ((*current)->algorithm, kAlg);
  EXPECT_EQ((*current)->auth_data, R"({"public_key":"k"})");
  EXPECT_EQ((*current)->count, 0u);

  // Deleting the newest makes the previous one current; numbers are never
  // reused, and deleting twice succeeds.
  ASSERT_TRUE(store_->DeleteVersion(kAlice, 2).ok());
  ASSERT_TRUE(store_->DeleteVersion(kAlice, 2).ok());
  EXPECT_EQ((*store_->CurrentVersion(kAlice))->version, 1u);
  EXPECT_FALSE(store_->GetVersion(kAlice, 2)->has_value());
  EXPECT_TRUE(absl::IsNotFound(store_->DeleteVersion(kAlice, 3)));
  EXPECT_EQ(Create(), 3u);
  Reopen();
  EXPECT_EQ((*store_->CurrentVersion(kAlice))->version, 3u);
  EXPECT_EQ(Create(), 4u);
}

TEST_F(BackupStoreTest, UpdateChangesOnlyAuthData) {
  uint64_t v = Create();
  EXPECT_TRUE(absl::IsInvalidArgument(
      store_->UpdateVersion(kAlice, v, "other.algorithm", "{}")));
  EXPECT_TRUE(absl::IsNotFound(store_->UpdateVersion(kAlice, v + 1, kAlg, "{}")));
  ASSERT_TRUE(store_->UpdateVersion(kAlice, v, kAlg, R"({"public_key":"n"})").ok());
  EXPECT_EQ((*store_->GetVersion(kAlice, v))->auth_data, R"({"public_key":"n"})");
  ASSERT_TRUE(store_->DeleteVersion(kAlice, v).ok());
  EXPECT_TRUE(absl::IsNotFound(store_->UpdateVersion(kAlice, v, kAlg, "{}")));
}

TEST_F(BackupStoreTest, CountAndEtagFollowTheKeys) {
  uint64_t v = Create();
  KeyCounts first = Put(v, {{"!a:x", "s1", Key(false, 5, 0)},
                            {"!a:x", "s2", Key(false, 5, 0)},
                            {"!b:x", "s1", Key(false, 5, 0)}});
  EXPECT_EQ(first.count, 3u);
  // A key that loses to the stored one changes nothing, not even the etag.
  KeyCounts same = Put(v, {{"!a:x", "s1", Key(false, 6, 0)}});
  EXPECT_EQ(same.count, 3u);
  EXPECT_EQ(same.etag, first.etag);
  // A better key replaces: same count, new etag.
  KeyCounts better = Put(v, {{"!a:x", "s1", Key(true, 9, 0, "better")}});
  EXPECT_EQ(better.count, 3u);
  EXPECT_NE(better.etag, first.etag);
  EXPECT_EQ((*store_->GetVersion(kAlice, v))->etag, better.etag);
  EXPECT_EQ((*store_->GetVersion(kAlice, v))->count, 3u);

  // Deleting a session, a room, then everything.
  auto one = store_->DeleteKeys(kAlice, v, {"!b:x", "s1"});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->count, 2u);
  EXPECT_NE(one->etag, better.etag);
  auto none = store_->DeleteKeys(kAlice, v, {"!b:x", "s1"});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->count, 2u);
  EXPECT_EQ(none->etag, one->etag);  // Nothing deleted, nothing changed.
  auto room = store_->DeleteKeys(kAlice, v, {"!a:x", ""});
  ASSERT_TRUE(room.ok());
  EXPECT_EQ(room->count, 0u);
  EXPECT_EQ(Dump(v), "");
  Put(v, {{"!a:x", "s1", Key(false, 1, 0)}, {"!c:x", "s", Key(false, 1, 0)}});
  auto all = store_->DeleteKeys(kAlice, v, {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->count, 0u);
  EXPECT_EQ(Dump(v), "");
}

TEST_F(BackupStoreTest, ReplacementRulesApplyOnUpload) {
  uint64_t v = Create();
  Put(v, {{"!r:x", "s", Key(false, 5, 2, "old")}});
  Put(v, {{"!r:x", "s", Key(false, 5, 3, "more-forwards")}});
  Put(v, {{"!r:x", "s", Key(false, 6, 0, "higher-index")}});
  EXPECT_EQ(Dump(v, {"!r:x", "s"}),
            "!r:x/s={\"first_message_index\":5,\"forwarded_count\":2,"
            "\"is_verified\":false,\"session_data\":{\"ciphertext\":\"old\"}}\n");
  Put(v, {{"!r:x", "s", Key(false, 5, 1, "fewer-forwards")}});
  EXPECT_NE(Dump(v).find("fewer-forwards"), std::string::npos);
  Put(v, {{"!r:x", "s", Key(false, 4, 9, "lower-index")}});
  EXPECT_NE(Dump(v).find("lower-index"), std::string::npos);
  Put(v, {{"!r:x", "s", Key(true, 100, 100, "verified")}});
  EXPECT_NE(Dump(v).find("verified"), std::string::npos);
  Put(v, {{"!r:x", "s", Key(false, 0, 0, "unverified")}});
  EXPECT_NE(Dump(v).find("\"verified\""), std::string::npos);
  // The same session twice in one upload: the better one is kept.
  Put(v, {{"!r:x", "t", Key(false, 3, 0, "first")},
          {"!r:x", "t", Key(false, 2, 0, "second")},
          {"!r:x", "t", Key(false, 4, 0, "third")}});
  EXPECT_NE(Dump(v, {"!r:x", "t"}).find("second"), std::string::npos);
  EXPECT_EQ((*store_->GetVersion(kAlice, v))->count, 2u);
}

TEST_F(BackupStoreTest, UploadsGoOnlyToTheCurrentVersion) {
  EXPECT_TRUE(absl::IsNotFound(
      store_->PutKeys(kAlice, 1, {{"!r:x", "s", Key(false, 0, 0)}}).status()));
  uint64_t old = Create();
  uint64_t current = Create();
  auto refused = store_->PutKeys(kAlice, old, {{"!r:x", "s", Key(false, 0, 0)}});
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->accepted);
  EXPECT_EQ(refused->current_version, current);
  EXPECT_EQ(Dump(old), "");
  auto unknown = store_->PutKeys(kAlice, 99, {});
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->accepted);
  // Old versions can still be read and have keys deleted.
  EXPECT_TRUE(store_->DeleteKeys(kAlice, old, {}).ok());
  EXPECT_TRUE(absl::IsNotFound(store_->GetKeys(kAlice, 99, {}).status()));
  EXPECT_TRUE(absl::IsNotFound(store_->DeleteKeys(kAlice, 99, {}).status()));
}

TEST_F(BackupStoreTest, ScopesSelectRoomsAndSessionsExactly) {
  uint64_t v = Create();
  Put(v, {{"!a:x", "s", Key(false, 0, 0)},
          {"!a:xy", "s", Key(false, 0, 0)},
          {"!a:x", "s2", Key(false, 0, 0)},
          {"!a:x", "", Key(false, 0, 0)}});
  auto room = store_->GetKeys(kAlice, v, {"!a:x", ""});
  ASSERT_TRUE(room.ok());
  ASSERT_EQ(room->size(), 3u);
  EXPECT_EQ((*room)[0].session_id, "");
  EXPECT_EQ((*room)[1].session_id, "s");
  EXPECT_EQ((*room)[2].session_id, "s2");
  auto session = store_->GetKeys(kAlice, v, {"!a:x", "s"});
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->size(), 1u);  // Not "s2".
  auto missing = store_->GetKeys(kAlice, v, {"!none:x", ""});
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->empty());
  EXPECT_EQ(store_->GetKeys(kAlice, v, {})->size(), 4u);
}

TEST_F(BackupStoreTest, DeletingAVersionDeletesItsKeysOnly) {
  uint64_t first = Create();
  Put(first, {{"!a:x", "s", Key(false, 0, 0)}});
  uint64_t second = Create();
  Put(second, {{"!a:x", "s", Key(false, 0, 0)}, {"!b:x", "s", Key(false, 0, 0)}});
  ASSERT_TRUE(store_->DeleteVersion(kAlice, second).ok());
  EXPECT_TRUE(absl::IsNotFound(store_->GetKeys(kAlice, second, {}).status()));
  // No key row of the deleted version is left behind.
  std::unique_ptr<rocksdb::Iterator> it =
      engine_->NewIterator(Cf::kBackupsessionRoomkey);
  int rows = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++rows;
  EXPECT_EQ(rows, 1);
  it.reset();
  EXPECT_EQ(store_->GetKeys(kAlice, first, {})->size(), 1u);
  EXPECT_EQ((*store_->GetVersion(kAlice, first))->count, 1u);
  // Version 1 is current again, and takes uploads.
  auto put = store_->PutKeys(kAlice, first, {{"!c:x", "s", Key(false, 0, 0)}});
  ASSERT_TRUE(put.ok());
  EXPECT_TRUE(put->accepted);
  EXPECT_EQ(put->counts.count, 2u);
}

TEST_F(BackupStoreTest, KeysSurviveReopen) {
  uint64_t v = Create();
  KeyCounts counts = Put(v, {{"!a:x", "s", Key(true, 1, 0)}});
  std::string before = Dump(v);
  Reopen();
  EXPECT_EQ(Dump(v), before);
  EXPECT_EQ((*store_->GetVersion(kAlice, v))->etag, counts.etag);
  EXPECT_EQ((*store_->GetVersion(kAlice, v))->count, 1u);
}

TEST_F(BackupStoreTest, ConcurrentUploadsKeepTheCountExact) {
  uint64_t v = Create();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        // Every thread uploads the same 25 sessions, with different data.
        auto r = store_->PutKeys(
            kAlice, v,
            {{"!r:x", absl::StrCat("s", i), Key(false, 10 - t, 0)}});
        EXPECT_TRUE(r.ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ((*store_->GetVersion(kAlice, v))->count, 25u);
  auto keys = store_->GetKeys(kAlice, v, {});
  ASSERT_TRUE(keys.ok());
  for (const StoredKey& key : *keys) {
    // The lowest index (thread 3's) won everywhere.
    EXPECT_NE(key.json.find("\"first_message_index\":7"), std::string::npos);
  }
}

}  // namespace
}  // namespace myelin::storage
