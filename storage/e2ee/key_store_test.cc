#include "storage/e2ee/key_store.h"

#include <atomic>
#include <set>
#include <thread>

#include "dag/base/matrix_error.h"
#include "gtest/gtest.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

constexpr char kAlg[] = "signed_curve25519";

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = testing::NewTempPath("keys");
    Reopen();
  }
  void Reopen() {
    store_.reset();
    engine_.reset();
    auto engine = Engine::Open(testing::TestOptions(path_));
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
    auto store = KeyStore::Open(engine_.get());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  static std::string DeviceKeys(const std::string& curve,
                                const std::string& algorithms = "[\"a\"]") {
    return R"({"algorithms":)" + algorithms + R"(,"keys":{"curve25519:D":")" +
           curve + R"("}})";
  }
  static OneTimeKey Otk(const std::string& id, const std::string& key = "") {
    return {kAlg, id, R"({"key":")" + (key.empty() ? id : key) + R"("})"};
  }

  std::vector<std::string> ChangedUsers(uint64_t after) {
    auto users = store_->DeviceListChanges(after, store_->DeviceListStream(), 100);
    EXPECT_TRUE(users.ok()) << users.status();
    return users.value_or(std::vector<std::string>{});
  }

  std::string ClaimedId(const std::string& user, const std::string& device) {
    auto claimed = store_->Claim(user, device, kAlg);
    EXPECT_TRUE(claimed.ok()) << claimed.status();
    if (!claimed.ok() || !claimed->has_value()) return "none";
    return ((*claimed)->fallback ? "fallback:" : "") + (*claimed)->key.key_id;
  }

  std::string path_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<KeyStore> store_;
};

TEST_F(KeyStoreTest, DeviceKeysChangeOnlyTheirNonIdentityFields) {
  KeyUpload upload;
  upload.device_keys = DeviceKeys("K1");
  ASSERT_TRUE(store_->Upload("@a:x", "D", upload).ok());
  EXPECT_EQ(store_->DeviceListStream(), 1u);
  EXPECT_EQ(*store_->DeviceKeys("@a:x", "D"), DeviceKeys("K1"));
  // The same keys again: nothing changes, no device-list change.
  ASSERT_TRUE(store_->Upload("@a:x", "D", upload).ok());
  EXPECT_EQ(store_->DeviceListStream(), 1u);
  // Other identity keys are refused, and nothing of the upload is written.
  KeyUpload other;
  other.device_keys = DeviceKeys("K2");
  other.one_time_keys = {Otk("k1")};
  absl::StatusOr<KeyStore::KeyCounts> refused = store_->Upload("@a:x", "D", other);
  EXPECT_EQ(ErrcodeOf(refused.status()), "M_INVALID_PARAM");
  EXPECT_TRUE(store_->OneTimeKeyCounts("@a:x", "D")->empty());
  EXPECT_EQ(*store_->DeviceKeys("@a:x", "D"), DeviceKeys("K1"));
  // Same identity, other algorithms: replaced, and a change.
  KeyUpload algorithms;
  algorithms.device_keys = DeviceKeys("K1", R"(["a","b"])");
  ASSERT_TRUE(store_->Upload("@a:x", "D", algorithms).ok());
  EXPECT_EQ(store_->DeviceListStream(), 2u);
  EXPECT_EQ(*store_->DeviceKeys("@a:x", "D"), DeviceKeys("K1", R"(["a","b"])"));
  // A device whose id extends D's is another device.
  EXPECT_FALSE(store_->DeviceKeys("@a:x", "DE")->has_value());
  auto all = store_->AllDeviceKeys("@a:x");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].first, "D");
}

TEST_F(KeyStoreTest, OneTimeKeysAreCountedAndClaimedOldestUploadFirst) {
  KeyUpload first;
  first.one_time_keys = {Otk("zz"), Otk("yy")};
  auto counts = store_->Upload("@a:x", "D", first);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(*counts, (KeyStore::KeyCounts{{kAlg, 2}}));
  KeyUpload second;
  second.one_time_keys = {Otk("aa"), Otk("zz"),  // zz again: already held
                          {"curve25519", "c1", R"("plain")"}};
  counts = store_->Upload("@a:x", "D", second);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(*counts, (KeyStore::KeyCounts{{kAlg, 3}, {"curve25519", 1}}));
  // One-time keys never touch the device list.
  EXPECT_EQ(store_->DeviceListStream(), 0u);
  // A held key id with other content is refused.
  KeyUpload conflict;
  conflict.one_time_keys = {Otk("aa", "other")};
  EXPECT_EQ(ErrcodeOf(store_->Upload("@a:x", "D", conflict).status()),
            "M_INVALID_PARAM");
  // The first upload's keys go first (by key id within it).
  EXPECT_EQ(ClaimedId("@a:x", "D"), "yy");
  EXPECT_EQ(ClaimedId("@a:x", "D"), "zz");
  EXPECT_EQ(ClaimedId("@a:x", "D"), "aa");
  EXPECT_EQ(ClaimedId("@a:x", "D"), "none");
  EXPECT_EQ(*store_->OneTimeKeyCounts("@a:x", "D"),
            (KeyStore::KeyCounts{{"curve25519", 1}}));
}

// Claims move a cursor past the keys they took; keys uploaded after every
// older one was claimed must still come after it, also across a restart.
TEST_F(KeyStoreTest, KeysUploadedAfterEverythingWasClaimedAreClaimable) {
  for (const char* round : {"a", "b"}) {
    KeyUpload upload;
    upload.one_time_keys = {Otk(std::string(round) + "1"),
                            Otk(std::string(round) + "2")};
    ASSERT_TRUE(store_->Upload("@a:x", "D", upload).ok());
    EXPECT_EQ(ClaimedId("@a:x", "D"), std::string(round) + "1");
    EXPECT_EQ(ClaimedId("@a:x", "D"), std::string(round) + "2");
    EXPECT_EQ(ClaimedId("@a:x", "D"), "none");
  }
  Reopen();
  KeyUpload later;
  later.one_time_keys = {Otk("c1")};
  ASSERT_TRUE(store_->Upload("@a:x", "D", later).ok());
  EXPECT_EQ(ClaimedId("@a:x", "D"), "c1");
}

TEST_F(KeyStoreTest, RenamingADeviceWithKeysIsADeviceListChange) {
  ASSERT_TRUE(store_->DeviceRenamed("@a:x", "D").ok());
  EXPECT_EQ(store_->DeviceListStream(), 0u);  // No keys: nobody cares.
  KeyUpload upload;
  upload.device_keys = DeviceKeys("K1");
  ASSERT_TRUE(store_->Upload("@a:x", "D", upload).ok());
  uint64_t before = store_->DeviceListStream();
  ASSERT_TRUE(store_->DeviceRenamed("@a:x", "D").ok());
  EXPECT_EQ(ChangedUsers(before), std::vector<std::string>{"@a:x"});
}

TEST_F(KeyStoreTest, FallbackKeysAreUsedAfterOneTimeKeysAndReplaced) {
  KeyUpload upload;
  upload.one_time_keys = {Otk("o1")};
  upload.fallback_keys = {{kAlg, "f1", R"({"fallback":true,"key":"F1"})"}};
  ASSERT_TRUE(store_->Upload("@a:x", "D", upload).ok());
  EXPECT_EQ(*store_->UnusedFallbackKeyTypes("@a:x", "D"),
            std::vector<std::string>{kAlg});
  EXPECT_EQ(ClaimedId("@a:x", "D"), "o1");
  EXPECT_EQ(ClaimedId("@a:x", "D"), "fallback:f1");
  EXPECT_EQ(ClaimedId("@a:x", "D"), "fallback:f1");  // Not consumed.
  EXPECT_TRUE(store_->UnusedFallbackKeyTypes("@a:x", "D")->empty());
  // Uploading the same fallback key again keeps it used.
  ASSERT_TRUE(store_->Upload("@a:x", "D", upload).ok());
  EXPECT_TRUE(store_->UnusedFallbackKeyTypes("@a:x", "D")->empty());
  // A new one replaces it, unused.
  KeyUpload replace;
  replace.fallback_keys = {{kAlg, "f2", R"({"fallback":true,"key":"F2"})", true}};
  ASSERT_TRUE(store_->Upload("@a:x", "D", replace).ok());
  auto fallbacks = store_->FallbackKeys("@a:x", "D");
  ASSERT_TRUE(fallbacks.ok());
  ASSERT_EQ(fallbacks->size(), 1u);
  EXPECT_EQ((*fallbacks)[0].key_id, "f2");
  EXPECT_FALSE((*fallbacks)[0].used);
  // o1 was claimed; uploading it again stores it again (the server cannot
  // tell), which is what clients expect after a lost response.
  EXPECT_EQ(ClaimedId("@a:x", "D"), "o1");
}

TEST_F(KeyStoreTest, ConcurrentClaimsHandOutTheLastKeyOnce) {
  for (int round = 0; round < 20; ++round) {
    std::string device = "D" + std::to_string(round);
    KeyUpload upload;
    upload.one_time_keys = {Otk("last")};
    upload.fallback_keys = {{kAlg, "fb", R"({"key":"FB"})"}};
    ASSERT_TRUE(store_->Upload("@a:x", device, upload).ok());
    std::atomic<int> one_time{0}, fallback{0}, failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        auto claimed = store_->Claim("@a:x", device, kAlg);
        if (!claimed.ok() || !claimed->has_value()) {
          ++failed;
        } else if ((*claimed)->fallback) {
          ++fallback;
        } else {
          ++one_time;
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(one_time.load(), 1);
    EXPECT_EQ(fallback.load(), 7);
    EXPECT_EQ(failed.load(), 0);
  }
}

TEST_F(KeyStoreTest, ConcurrentClaimsOfManyKeysAreAllDistinct) {
  KeyUpload upload;
  for (int i = 0; i < 200; ++i) upload.one_time_keys.push_back(Otk("k" + std::to_string(i)));
  ASSERT_TRUE(store_->Upload("@a:x", "D", upload).ok());
  std::mutex mu;
  std::multiset<std::string> got;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 30; ++i) {
        auto claimed = store_->Claim("@a:x", "D", kAlg);
        if (claimed.ok() && claimed->has_value()) {
          std::lock_guard<std::mutex> lock(mu);
          got.insert((*claimed)->key.key_id);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(got.size(), 200u);
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()).size(), 200u);
}

TEST_F(KeyStoreTest, DeletingDevicesDropsTheirKeysAndSignatures) {
  KeyUpload upload;
  upload.device_keys = DeviceKeys("K");
  upload.one_time_keys = {Otk("o")};
  upload.fallback_keys = {{kAlg, "f", R"({"key":"F"})"}};
  ASSERT_TRUE(store_->Upload("@a:x", "D", upload).ok());
  ASSERT_TRUE(store_->Upload("@a:x", "E", upload).ok());
  ASSERT_TRUE(store_->AddSignatures({{"@a:x", "D", "@a:x", "ed25519:ssk", "sig"},
                                     {"@a:x", "E", "@a:x", "ed25519:ssk", "sig"}})
                  .ok());
  uint64_t before = store_->DeviceListStream();
  std::vector<std::string> heard;
  store_->SetListener([&](std::string_view user) { heard.emplace_back(user); });
  ASSERT_TRUE(store_->DeleteDevices("@a:x", {"D"}).ok());
  EXPECT_EQ(heard, std::vector<std::string>{"@a:x"});
  EXPECT_EQ(ChangedUsers(before), std::vector<std::string>{"@a:x"});
  EXPECT_FALSE(store_->DeviceKeys("@a:x", "D")->has_value());
  EXPECT_TRUE(store_->OneTimeKeyCounts("@a:x", "D")->empty());
  EXPECT_TRUE(store_->FallbackKeys("@a:x", "D")->empty());
  EXPECT_TRUE(store_->SignaturesOf("@a:x", "D")->empty());
  EXPECT_EQ(ClaimedId("@a:x", "D"), "none");
  // The other device keeps everything.
  EXPECT_TRUE(store_->DeviceKeys("@a:x", "E")->has_value());
  EXPECT_EQ(store_->SignaturesOf("@a:x", "E")->size(), 1u);
  EXPECT_EQ(ClaimedId("@a:x", "E"), "o");
}

TEST_F(KeyStoreTest, CrossSigningKeysAndSignatures) {
  ASSERT_TRUE(store_->SetCrossSigningKeys(
                        "@a:x", {{CrossSigningKind::kMaster, "M"},
                                 {CrossSigningKind::kSelfSigning, "S"}})
                  .ok());
  EXPECT_EQ(**store_->CrossSigningKey("@a:x", CrossSigningKind::kMaster), "M");
  EXPECT_EQ(**store_->CrossSigningKey("@a:x", CrossSigningKind::kSelfSigning), "S");
  EXPECT_FALSE(store_->CrossSigningKey("@a:x", CrossSigningKind::kUserSigning)
                   ->has_value());
  ASSERT_TRUE(store_->SetCrossSigningKeys(
                        "@a:x", {{CrossSigningKind::kUserSigning, "U"}})
                  .ok());
  EXPECT_EQ(**store_->CrossSigningKey("@a:x", CrossSigningKind::kMaster), "M");
  EXPECT_EQ(**store_->CrossSigningKey("@a:x", CrossSigningKind::kUserSigning), "U");

  KeySignature by_device{"@a:x", "mpk", "@a:x", "ed25519:D", "s1"};
  KeySignature by_bob{"@a:x", "mpk", "@b:x", "ed25519:busk", "s2"};
  ASSERT_TRUE(store_->AddSignatures({by_device, by_bob}).ok());
  by_bob.signature = "s3";  // The same signer key again replaces.
  ASSERT_TRUE(store_->AddSignatures({by_bob}).ok());
  EXPECT_EQ(*store_->SignaturesOf("@a:x", "mpk"),
            (std::vector<KeySignature>{by_device, by_bob}));
  EXPECT_EQ(ChangedUsers(0), std::vector<std::string>{"@a:x"});
}

TEST_F(KeyStoreTest, DeviceListStreamHasOneRowPerUserAndSurvivesRestart) {
  ASSERT_TRUE(store_->SetCrossSigningKeys("@a:x", {{CrossSigningKind::kMaster, "M"}}).ok());
  ASSERT_TRUE(store_->SetCrossSigningKeys("@b:x", {{CrossSigningKind::kMaster, "M"}}).ok());
  ASSERT_TRUE(store_->SetCrossSigningKeys("@c:x", {{CrossSigningKind::kMaster, "M"}}).ok());
  ASSERT_TRUE(store_->SetCrossSigningKeys("@a:x", {{CrossSigningKind::kMaster, "M2"}}).ok());
  EXPECT_EQ(store_->DeviceListStream(), 4u);
  EXPECT_EQ(ChangedUsers(0), (std::vector<std::string>{"@b:x", "@c:x", "@a:x"}));
  EXPECT_EQ(ChangedUsers(2), (std::vector<std::string>{"@c:x", "@a:x"}));
  EXPECT_EQ(*store_->DeviceListChanges(0, 3, 100),
            (std::vector<std::string>{"@b:x", "@c:x"}));
  // Signatures of two users in one batch: two positions.
  ASSERT_TRUE(store_->AddSignatures({{"@b:x", "k", "@a:x", "ed25519:u", "s"},
                                     {"@c:x", "k", "@a:x", "ed25519:u", "s"},
                                     {"@c:x", "k2", "@a:x", "ed25519:u", "s"}})
                  .ok());
  EXPECT_EQ(store_->DeviceListStream(), 6u);
  Reopen();
  EXPECT_EQ(store_->DeviceListStream(), 6u);
  EXPECT_EQ(ChangedUsers(4), (std::vector<std::string>{"@b:x", "@c:x"}));
  ASSERT_TRUE(store_->DeleteDevices("@a:x", {"D"}).ok());
  EXPECT_EQ(store_->DeviceListStream(), 7u);
}

}  // namespace
}  // namespace myelin::storage
