#include "storage/accounts/account_values.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "boost/json/object.hpp"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "storage/accounts/accounts.capnp.h"

namespace myelin::storage {
namespace {

std::string ToBytes(capnp::MallocMessageBuilder& message) {
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  kj::ArrayPtr<const kj::byte> bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()),
                     bytes.size());
}

kj::ArrayPtr<const kj::byte> AsData(std::string_view s) {
  return kj::ArrayPtr<const kj::byte>(
      reinterpret_cast<const kj::byte*>(s.data()), s.size());
}

std::string FromData(capnp::Data::Reader data) {
  return std::string(reinterpret_cast<const char*>(data.begin()), data.size());
}

// Runs `read` on the root of the message in `bytes`. Values from RocksDB
// are not word-aligned, so they are copied; Cap'n Proto reports malformed
// input with kj::Exception, which must not leave storage/.
template <typename Schema, typename T, typename Read>
absl::StatusOr<T> ReadMessage(std::string_view what, std::string_view bytes,
                              Read read) {
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0) {
    return absl::DataLossError(
        absl::StrCat(std::string(what), ": not a capnp message"));
  }
  auto words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  try {
    capnp::FlatArrayMessageReader reader(words);
    return read(reader.getRoot<Schema>());
  } catch (const kj::Exception& e) {
    return absl::DataLossError(absl::StrCat(std::string(what), ": ",
                                            e.getDescription().cStr()));
  }
}

}  // namespace

std::string EncodeAccount(const Account& account) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<schema::Account>();
  root.setPasswordHash(account.password_hash);
  root.setCreatedAtMs(account.created_at_ms);
  root.setDeactivated(account.deactivated);
  root.setAdmin(account.admin);
  root.setUserType(account.user_type);
  return ToBytes(message);
}

absl::StatusOr<Account> DecodeAccount(std::string_view bytes) {
  return ReadMessage<schema::Account, Account>(
      "account", bytes, [](schema::Account::Reader root) {
        Account account;
        account.password_hash = root.getPasswordHash().cStr();
        account.created_at_ms = root.getCreatedAtMs();
        account.deactivated = root.getDeactivated();
        account.admin = root.getAdmin();
        account.user_type = root.getUserType().cStr();
        return account;
      });
}

std::string EncodeDevice(const Device& device) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<schema::Device>();
  root.setDisplayName(device.display_name);
  root.setCreatedAtMs(device.created_at_ms);
  root.setLastSeenMs(device.last_seen_ms);
  root.setLastSeenIp(device.last_seen_ip);
  root.setAccessTokenHash(AsData(device.access_token_hash));
  root.setRefreshTokenHash(AsData(device.refresh_token_hash));
  root.setPreviousRefreshTokenHash(AsData(device.previous_refresh_token_hash));
  return ToBytes(message);
}

absl::StatusOr<Device> DecodeDevice(std::string_view device_id,
                                    std::string_view bytes) {
  return ReadMessage<schema::Device, Device>(
      "device", bytes, [&](schema::Device::Reader root) {
        Device device;
        device.device_id = std::string(device_id);
        device.display_name = root.getDisplayName().cStr();
        device.created_at_ms = root.getCreatedAtMs();
        device.last_seen_ms = root.getLastSeenMs();
        device.last_seen_ip = root.getLastSeenIp().cStr();
        device.access_token_hash = FromData(root.getAccessTokenHash());
        device.refresh_token_hash = FromData(root.getRefreshTokenHash());
        device.previous_refresh_token_hash =
            FromData(root.getPreviousRefreshTokenHash());
        return device;
      });
}

std::string EncodeSession(const Session& session) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<schema::Session>();
  root.setUserId(session.user_id);
  root.setDeviceId(session.device_id);
  root.setExpiresAtMs(session.expires_at_ms);
  root.setKind(session.refresh ? schema::Session::Kind::REFRESH
                               : schema::Session::Kind::ACCESS);
  root.setRevokesOnUse(AsData(session.revokes_on_use));
  return ToBytes(message);
}

absl::StatusOr<Session> DecodeSession(std::string_view bytes) {
  return ReadMessage<schema::Session, Session>(
      "session", bytes, [](schema::Session::Reader root) {
        Session session;
        session.user_id = root.getUserId().cStr();
        session.device_id = root.getDeviceId().cStr();
        session.expires_at_ms = root.getExpiresAtMs();
        session.refresh = root.getKind() == schema::Session::Kind::REFRESH;
        session.revokes_on_use = FromData(root.getRevokesOnUse());
        return session;
      });
}

std::string EncodeProfile(const Profile& profile) {
  boost::json::object object;
  if (profile.displayname) object["displayname"] = *profile.displayname;
  if (profile.avatar_url) object["avatar_url"] = *profile.avatar_url;
  return boost::json::serialize(object);
}

absl::StatusOr<Profile> DecodeProfile(std::string_view bytes) {
  boost::json::error_code error;
  boost::json::value value = boost::json::parse(
      boost::json::string_view(bytes.data(), bytes.size()), error);
  if (error || !value.is_object()) {
    return absl::DataLossError("profile: not a JSON object");
  }
  Profile profile;
  const boost::json::object& object = value.get_object();
  if (const auto* name = object.if_contains("displayname");
      name != nullptr && name->is_string()) {
    profile.displayname = std::string(name->get_string());
  }
  if (const auto* url = object.if_contains("avatar_url");
      url != nullptr && url->is_string()) {
    profile.avatar_url = std::string(url->get_string());
  }
  return profile;
}

}  // namespace myelin::storage
