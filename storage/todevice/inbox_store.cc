#include "storage/todevice/inbox_store.h"

#include <limits>

#include "absl/container/flat_hash_set.h"

#include "dag/base/status_macros.h"
#include "storage/keys/membership_keys.h"
#include "storage/keys/meta_keys.h"
#include "storage/rocks_status.h"

namespace myelin::storage {

absl::StatusOr<std::unique_ptr<InboxStore>> InboxStore::Open(Engine* engine) {
  ASSIGN_OR_RETURN(
      std::optional<std::string> last,
      engine->Get(Cf::kMeta, keys::EncodeMetaKey(keys::MetaRow::kToDeviceStream)));
  uint64_t position = 0;
  if (last.has_value()) {
    absl::StatusOr<std::tuple<uint64_t>> decoded = keys::U64Value::Decode(*last);
    if (!decoded.ok()) return absl::DataLossError("meta: bad to-device stream");
    position = std::get<0>(*decoded);
  }
  return std::unique_ptr<InboxStore>(new InboxStore(engine, position));
}

absl::StatusOr<bool> InboxStore::Enqueue(
    const ToDeviceTxn& txn, const std::vector<ToDeviceMessage>& messages) {
  ASSIGN_OR_RETURN(bool written, EnqueueLocked(txn, messages));
  if (written && listener_) {
    absl::flat_hash_set<std::string_view> users;
    for (const ToDeviceMessage& message : messages) {
      if (users.insert(message.user_id).second) listener_(message.user_id);
    }
  }
  return written;
}

absl::StatusOr<bool> InboxStore::EnqueueLocked(
    const ToDeviceTxn& txn, const std::vector<ToDeviceMessage>& messages) {
  std::string txn_key = keys::ToDeviceTxnKey::Encode(
      txn.sender_user_id, txn.sender_device_id, txn.txn_id);
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(std::optional<std::string> seen,
                   engine_->Get(Cf::kTodeviceTxn, txn_key));
  if (seen.has_value()) return false;
  rocksdb::WriteBatch batch;
  uint64_t stream = last_;
  for (const ToDeviceMessage& message : messages) {
    RETURN_IF_ERROR(FromRocks(
        batch.Put(engine_->cf(Cf::kDeviceInbox),
                  keys::InboxKey::Encode(message.user_id, message.device_id,
                                         ++stream),
                  message.json),
        "inbox"));
  }
  RETURN_IF_ERROR(FromRocks(batch.Put(engine_->cf(Cf::kTodeviceTxn), txn_key, ""),
                            "to-device txn"));
  RETURN_IF_ERROR(FromRocks(
      batch.Put(engine_->cf(Cf::kMeta),
                keys::EncodeMetaKey(keys::MetaRow::kToDeviceStream),
                keys::U64Value::Encode(stream)),
      "to-device stream"));
  RETURN_IF_ERROR(engine_->Write(batch));
  last_ = stream;
  return true;
}

absl::StatusOr<std::vector<ToDeviceMessage>> InboxStore::Pending(
    std::string_view user_id, std::string_view device_id, uint64_t after,
    size_t limit) const {
  std::string user(user_id), device(device_id);
  std::string prefix = keys::InboxKey::EncodePrefix(user, device);
  std::vector<ToDeviceMessage> messages;
  std::unique_ptr<rocksdb::Iterator> it = engine_->NewIterator(Cf::kDeviceInbox);
  for (it->Seek(keys::InboxKey::Encode(user, device, after + 1));
       it->Valid() && it->key().starts_with(prefix) && messages.size() < limit;
       it->Next()) {
    auto key = keys::InboxKey::Decode(
        std::string_view(it->key().data(), it->key().size()));
    if (!key.ok()) return absl::DataLossError("device_inbox: bad key");
    messages.push_back({user, device, it->value().ToString(), std::get<2>(*key)});
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "inbox"));
  return messages;
}

absl::Status InboxStore::DeleteRange(const std::string& user,
                                     const std::string& device,
                                     uint64_t up_to) {
  rocksdb::WriteBatch batch;
  std::string begin = keys::InboxKey::Encode(user, device, 0);
  // Up to and including `up_to`: the range end is exclusive.
  std::string end = up_to == std::numeric_limits<uint64_t>::max()
                        ? *keys::PrefixUpperBound(keys::InboxKey::EncodePrefix(user, device))
                        : keys::InboxKey::Encode(user, device, up_to + 1);
  RETURN_IF_ERROR(FromRocks(
      batch.DeleteRange(engine_->cf(Cf::kDeviceInbox), begin, end), "inbox"));
  return engine_->Write(batch);
}

absl::Status InboxStore::Acknowledge(std::string_view user_id,
                                     std::string_view device_id,
                                     uint64_t up_to) {
  return DeleteRange(std::string(user_id), std::string(device_id), up_to);
}

absl::Status InboxStore::DropDevice(std::string_view user_id,
                                    std::string_view device_id) {
  return DeleteRange(std::string(user_id), std::string(device_id),
                     std::numeric_limits<uint64_t>::max());
}

uint64_t InboxStore::LatestStream() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_;
}

}  // namespace myelin::storage
