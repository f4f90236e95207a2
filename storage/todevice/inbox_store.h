// To-device messages (Spec: client-server-api, "Send-to-Device
// messaging"): each recipient device has an inbox ordered by one
// server-wide to-device stream. /sync hands a device its messages after the
// position it acknowledged and deletes them once a later request
// acknowledges them: delivered at least once, and — because deletion
// follows acknowledgement — exactly once as the client sees it, across
// restarts (the inbox is in RocksDB).
//
// One sendToDevice request is one batch: every recipient's message and the
// sender's transaction marker, so a retried transaction is a no-op.
//
// Thread-safe (a mutex orders stream positions); the Engine must outlive it.
#ifndef MYELIN_STORAGE_TODEVICE_INBOX_STORE_H_
#define MYELIN_STORAGE_TODEVICE_INBOX_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/engine.h"

namespace myelin::storage {

struct ToDeviceMessage {
  std::string user_id;    // recipient
  std::string device_id;  // recipient device
  std::string json;       // {"sender", "type", "content"} as canonical JSON
  uint64_t stream = 0;    // set when read back
};

struct ToDeviceTxn {
  std::string sender_user_id;
  std::string sender_device_id;
  std::string txn_id;
};

class InboxStore {
 public:
  static absl::StatusOr<std::unique_ptr<InboxStore>> Open(Engine* engine);

  // Queues `messages` unless `txn` was seen before. Returns false for a
  // repeated transaction (nothing written), true otherwise.
  absl::StatusOr<bool> Enqueue(const ToDeviceTxn& txn,
                               const std::vector<ToDeviceMessage>& messages);

  // The device's messages after `after`, oldest first, at most `limit`.
  absl::StatusOr<std::vector<ToDeviceMessage>> Pending(
      std::string_view user_id, std::string_view device_id, uint64_t after,
      size_t limit) const;

  // Deletes the device's messages up to and including `up_to`.
  absl::Status Acknowledge(std::string_view user_id, std::string_view device_id,
                           uint64_t up_to);

  // Deletes every message of the device (the device was deleted).
  absl::Status DropDevice(std::string_view user_id, std::string_view device_id);

  uint64_t LatestStream() const;

  // Called after each Enqueue that wrote, once per recipient user, outside
  // the lock. Set once, before the store is shared.
  void SetListener(std::function<void(std::string_view user_id)> listener) {
    listener_ = std::move(listener);
  }

 private:
  InboxStore(Engine* engine, uint64_t last) : engine_(engine), last_(last) {}
  absl::StatusOr<bool> EnqueueLocked(
      const ToDeviceTxn& txn, const std::vector<ToDeviceMessage>& messages);
  absl::Status DeleteRange(const std::string& user, const std::string& device,
                           uint64_t up_to);

  Engine* engine_;
  std::function<void(std::string_view)> listener_;
  mutable std::mutex mu_;
  uint64_t last_;  // Guarded by mu_.
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_TODEVICE_INBOX_STORE_H_
