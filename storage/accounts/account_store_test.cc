#include "storage/accounts/account_store.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "storage/accounts/account_values.h"
#include "storage/engine.h"
#include "storage/keys/account_keys.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

class AccountStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = Engine::Open(
        testing::TestOptions(testing::NewTempPath("accounts")));
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(engine).value();
    store_ = std::make_unique<AccountStore>(engine_.get());
  }

  DeviceLogin LoginOf(const std::string& device, const std::string& token,
                      const std::string& refresh = "") {
    DeviceLogin login;
    login.user_id = "@alice:example.org";
    login.device_id = device;
    login.access_token_hash = token;
    login.refresh_token_hash = refresh;
    login.now_ms = 1000;
    login.ip = "127.0.0.1";
    return login;
  }

  std::unique_ptr<Engine> engine_;
  std::unique_ptr<AccountStore> store_;
};

TEST_F(AccountStoreTest, CreateAccountOnceWithProfileAndDevice) {
  Account account{"hash", 5, false, true, ""};
  ASSERT_TRUE(store_->CreateAccount("alice", "@alice:example.org", account,
                                    LoginOf("DEV", "tok"))
                  .ok());
  auto again = store_->CreateAccount("alice", "@alice:example.org", account,
                                     std::nullopt);
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists);

  auto read = store_->GetAccount("alice");
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->password_hash, "hash");
  EXPECT_TRUE((*read)->admin);
  auto profile = store_->GetProfile("@alice:example.org");
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->displayname.value_or(""), "alice");
  auto session = store_->GetSession("tok");
  ASSERT_TRUE(session.ok() && session->has_value());
  EXPECT_EQ((*session)->device_id, "DEV");
  EXPECT_FALSE((*session)->refresh);
  EXPECT_FALSE(store_->GetAccount("bob")->has_value());
}

TEST_F(AccountStoreTest, LoginReplacesTheDevicesTokens) {
  ASSERT_TRUE(store_->CreateAccount("alice", "@alice:example.org", {},
                                    LoginOf("DEV", "t1", "r1"))
                  .ok());
  ASSERT_TRUE(store_->Login(LoginOf("DEV", "t2", "r2")).ok());
  EXPECT_FALSE(store_->GetSession("t1")->has_value());
  EXPECT_FALSE(store_->GetSession("r1")->has_value());
  EXPECT_TRUE(store_->GetSession("t2")->has_value());
  auto refresh = store_->GetSession("r2");
  ASSERT_TRUE(refresh->has_value());
  EXPECT_TRUE((*refresh)->refresh);
  EXPECT_EQ(store_->ListDevices("@alice:example.org")->size(), 1u);
}

TEST_F(AccountStoreTest, RefreshKeepsTheOldRefreshTokenUntilFirstUse) {
  ASSERT_TRUE(store_->CreateAccount("alice", "@alice:example.org", {},
                                    LoginOf("DEV", "t1", "r1"))
                  .ok());
  ASSERT_TRUE(store_->Refresh("r1", LoginOf("DEV", "t2", "r2")).ok());
  EXPECT_FALSE(store_->GetSession("t1")->has_value());
  EXPECT_TRUE(store_->GetSession("r1")->has_value());
  EXPECT_EQ((*store_->GetSession("t2"))->revokes_on_use, "r1");
  // The response was lost: the client refreshes with r1 again.
  ASSERT_TRUE(store_->Refresh("r1", LoginOf("DEV", "t3", "r3")).ok());
  EXPECT_FALSE(store_->GetSession("t2")->has_value());
  EXPECT_FALSE(store_->GetSession("r2")->has_value());
  EXPECT_TRUE(store_->GetSession("r1")->has_value());
  // t3 is used: r1 is revoked and cannot be exchanged again.
  ASSERT_TRUE(store_->ConfirmRefresh("t3").ok());
  EXPECT_FALSE(store_->GetSession("r1")->has_value());
  EXPECT_TRUE((*store_->GetSession("t3"))->revokes_on_use.empty());
  EXPECT_EQ(store_->Refresh("r1", LoginOf("DEV", "t4", "r4")).code(),
            absl::StatusCode::kNotFound);
  // Exchanging r3 revokes nothing else; then r3 is previous, r4 current.
  ASSERT_TRUE(store_->Refresh("r3", LoginOf("DEV", "t4", "r4")).ok());
  ASSERT_TRUE(store_->Refresh("r4", LoginOf("DEV", "t5", "r5")).ok());
  EXPECT_FALSE(store_->GetSession("r3")->has_value());  // superseded
  EXPECT_TRUE(store_->GetSession("r4")->has_value());
  // Deleting the device removes every row.
  ASSERT_TRUE(store_->DeleteDevices("@alice:example.org", {"DEV"}).ok());
  for (const char* hash : {"t5", "r4", "r5"}) {
    EXPECT_FALSE(store_->GetSession(hash)->has_value()) << hash;
  }
}

TEST_F(AccountStoreTest, DevicesListRenameDelete) {
  ASSERT_TRUE(store_->CreateAccount("alice", "@alice:example.org", {},
                                    LoginOf("A", "ta"))
                  .ok());
  ASSERT_TRUE(store_->Login(LoginOf("B", "tb")).ok());
  ASSERT_TRUE(store_->Login(LoginOf("C", "tc")).ok());
  // Another user's devices sort right after and must not show up.
  DeviceLogin other = LoginOf("Z", "tz");
  other.user_id = "@alice2:example.org";
  ASSERT_TRUE(store_->Login(other).ok());
  auto devices = store_->ListDevices("@alice:example.org");
  ASSERT_TRUE(devices.ok());
  ASSERT_EQ(devices->size(), 3u);
  EXPECT_EQ((*devices)[0].device_id, "A");
  EXPECT_EQ((*devices)[0].last_seen_ip, "127.0.0.1");

  ASSERT_TRUE(store_->SetDeviceDisplayName("@alice:example.org", "B", "phone")
                  .ok());
  EXPECT_EQ((*store_->GetDevice("@alice:example.org", "B"))->display_name,
            "phone");
  EXPECT_EQ(store_->SetDeviceDisplayName("@alice:example.org", "Q", "x").code(),
            absl::StatusCode::kNotFound);

  auto deleted = store_->DeleteDevices("@alice:example.org", {"A", "nope"});
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, std::vector<std::string>{"A"});
  EXPECT_FALSE(store_->GetSession("ta")->has_value());
  ASSERT_TRUE(store_->DeleteAllDevices("@alice:example.org", "C").ok());
  EXPECT_FALSE(store_->GetSession("tb")->has_value());
  EXPECT_TRUE(store_->GetSession("tc")->has_value());
  EXPECT_EQ(store_->ListDevices("@alice:example.org")->size(), 1u);
  EXPECT_TRUE(store_->GetSession("tz")->has_value());
}

TEST_F(AccountStoreTest, DeactivateRemovesDevicesAndProfile) {
  ASSERT_TRUE(store_->CreateAccount("alice", "@alice:example.org",
                                    {"h", 1, false, false, ""},
                                    LoginOf("A", "ta"))
                  .ok());
  ASSERT_TRUE(store_->Deactivate("alice", "@alice:example.org").ok());
  auto account = store_->GetAccount("alice");
  EXPECT_TRUE((*account)->deactivated);
  EXPECT_TRUE((*account)->password_hash.empty());
  EXPECT_FALSE(store_->GetSession("ta")->has_value());
  EXPECT_FALSE(store_->GetProfile("@alice:example.org")->displayname);
}

TEST_F(AccountStoreTest, ProfileFields) {
  auto set = store_->SetProfileField("@a:example.org", "avatar_url",
                                     std::string("mxc://x/y"));
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->avatar_url.value_or(""), "mxc://x/y");
  set = store_->SetProfileField("@a:example.org", "displayname", "A");
  set = store_->SetProfileField("@a:example.org", "avatar_url", std::nullopt);
  auto profile = store_->GetProfile("@a:example.org");
  EXPECT_EQ(profile->displayname.value_or(""), "A");
  EXPECT_FALSE(profile->avatar_url);
  EXPECT_FALSE(store_->SetProfileField("@a:example.org", "x", "y").ok());
}

TEST_F(AccountStoreTest, RegistrationTokenUsesAreCounted) {
  ASSERT_TRUE(store_->CreateAccountWithToken("a", "@a:example.org", {},
                                             std::nullopt, "tok", 2)
                  .ok());
  ASSERT_TRUE(store_->CreateAccountWithToken("b", "@b:example.org", {},
                                             std::nullopt, "tok", 2)
                  .ok());
  EXPECT_EQ(*store_->RegistrationTokenUses("tok"), 2u);
  EXPECT_EQ(store_->CreateAccountWithToken("c", "@c:example.org", {},
                                           std::nullopt, "tok", 2)
                .code(),
            absl::StatusCode::kResourceExhausted);
  // A taken name does not consume a use.
  EXPECT_EQ(store_->CreateAccountWithToken("a", "@a:example.org", {},
                                           std::nullopt, "other", 0)
                .code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(*store_->RegistrationTokenUses("other"), 0u);
  EXPECT_FALSE(store_->GetAccount("c")->has_value());
}

TEST_F(AccountStoreTest, ConcurrentRegistrationsOfOneNameHaveOneWinner) {
  std::atomic<int> won{0}, taken{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      absl::Status status = store_->CreateAccount(
          "race", "@race:example.org", {}, LoginOf("D" + std::to_string(i),
                                                   "t" + std::to_string(i)));
      if (status.ok()) ++won;
      if (status.code() == absl::StatusCode::kAlreadyExists) ++taken;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(taken.load(), 7);
}

TEST(AccountValuesTest, GarbageIsDataLoss) {
  EXPECT_EQ(DecodeAccount("abc").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeSession(std::string(16, '\xff')).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeProfile("[1]").status().code(), absl::StatusCode::kDataLoss);
  Device device{"D", "n", 1, 2, "ip", std::string("\0\1", 2), "", "p"};
  auto round = DecodeDevice("D", EncodeDevice(device));
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->access_token_hash, std::string("\0\1", 2));
  EXPECT_EQ(round->previous_refresh_token_hash, "p");
}

TEST(AccountKeysTest, DeviceKeysOrderByUserThenDevice) {
  using keys::DeviceKey;
  EXPECT_LT(DeviceKey::Encode("@a:x", "Z"), DeviceKey::Encode("@a:xy", "A"));
  EXPECT_LT(DeviceKey::Encode("@a:x", "A"), DeviceKey::Encode("@a:x", "B"));
  auto parts = DeviceKey::Decode(DeviceKey::Encode("@a:x", "D1"));
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(std::get<1>(*parts), "D1");
  EXPECT_EQ(DeviceKey::Layout(), "str.str");
}

}  // namespace
}  // namespace myelin::storage
