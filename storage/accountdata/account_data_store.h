// Account data, global and per room (Spec: client-server-api, "Client
// Config"), room tags included (they are the room's m.tag account data).
//
// A StreamedTable (storage/streams) scoped by user: every change takes a
// position of the account-data stream and a row in the user's change log,
// so /sync reads "what changed for this user since N" with one prefix scan.
//
// Thread-safe. The Engine must outlive the store.
#ifndef MYELIN_STORAGE_ACCOUNTDATA_ACCOUNT_DATA_STORE_H_
#define MYELIN_STORAGE_ACCOUNTDATA_ACCOUNT_DATA_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "boost/json/object.hpp"
#include "storage/engine.h"
#include "storage/streams/streamed_table.h"

namespace myelin::storage {

class AccountDataStore {
 public:
  // Reads the last stream position from `meta`.
  static absl::StatusOr<std::unique_ptr<AccountDataStore>> Open(Engine* engine);

  // Replaces the content of (user, room, type); `room_id` empty for global
  // account data. Returns the change's stream position.
  absl::StatusOr<uint64_t> Put(std::string_view user_id,
                               std::string_view room_id, std::string_view type,
                               const boost::json::object& content);

  // Reads the current content (nullopt when absent), lets `change` compute
  // the new content, and stores it — atomically with respect to other
  // changes. For room tags.
  absl::StatusOr<uint64_t> Update(
      std::string_view user_id, std::string_view room_id,
      std::string_view type,
      const std::function<absl::StatusOr<boost::json::object>(
          std::optional<boost::json::object>)>& change);

  absl::StatusOr<std::optional<boost::json::object>> Get(
      std::string_view user_id, std::string_view room_id,
      std::string_view type) const;

  // The users `user_id` ignores: the keys of `ignored_users` in their
  // m.ignored_user_list (Spec: "Ignoring Users"); empty when absent or
  // malformed.
  absl::StatusOr<absl::flat_hash_set<std::string>> IgnoredUsers(
      std::string_view user_id) const;

  struct Change {
    uint64_t stream = 0;
    std::string room_id;  // Empty: global.
    std::string type;
  };
  // The user's changes after `since`, oldest first, at most `limit`.
  absl::StatusOr<std::vector<Change>> ChangesSince(std::string_view user_id,
                                                   uint64_t since,
                                                   size_t limit) const;

  // Called after each committed change with its scope (user id) and stream
  // position, outside any lock. Set once, before the store is shared.
  void SetListener(StreamedTable::Listener listener) {
    table_->SetListener(std::move(listener));
  }

  uint64_t LatestStream() const;

 private:
  explicit AccountDataStore(std::unique_ptr<StreamedTable> table)
      : table_(std::move(table)) {}

  std::unique_ptr<StreamedTable> table_;
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_ACCOUNTDATA_ACCOUNT_DATA_STORE_H_
