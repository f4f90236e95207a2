// DirectoryStore: this server's room aliases and its published room
// directory (storage/FORMAT.md, "Room directory"). Spec: client-server-api,
// "Room aliases" and "Published room directory".
//
// An alias maps to one room id and remembers who created it (deleting needs
// the creator or enough power in the room; the server layer decides). Each
// alias is also indexed under its room, in the same batch, so a room's
// aliases are one prefix scan. The published set is a list of room ids;
// what a directory entry shows (name, topic, members) is read from the
// room's current state by the caller, so it is never stale.
//
// The store does not check permissions or alias syntax: callers validate.
//
// Thread safety: all methods may be called concurrently. Alias creation
// and deletion serialise on one mutex so "is it free" and "take it" are
// atomic; reads take no lock.
#ifndef MYELIN_STORAGE_DIRECTORY_DIRECTORY_STORE_H_
#define MYELIN_STORAGE_DIRECTORY_DIRECTORY_STORE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "storage/engine.h"

namespace myelin::storage {

struct AliasRecord {
  std::string room_id;
  std::string creator;  // user id
};

class DirectoryStore {
 public:
  // `engine` must outlive the store.
  explicit DirectoryStore(Engine* engine) : engine_(engine) {}

  // Maps `alias` to `room_id`, in one batch with the room's index row.
  // AlreadyExists if the alias is taken (whatever room it points to).
  absl::Status CreateAlias(std::string_view alias, std::string_view room_id,
                           std::string_view creator);

  // nullopt if the alias is unknown.
  absl::StatusOr<std::optional<AliasRecord>> GetAlias(
      std::string_view alias) const;

  // Removes the alias and its index row in one batch; returns what it
  // pointed to. NotFound if the alias is unknown.
  absl::StatusOr<AliasRecord> DeleteAlias(std::string_view alias);

  // The room's aliases on this server, in byte order.
  absl::StatusOr<std::vector<std::string>> AliasesOf(
      std::string_view room_id) const;

  // Room upgrades (Spec: client-server-api, "Room upgrades", server
  // behaviour 4): points every alias of `from` at `to` and, if `from` was
  // published, publishes `to` instead, in one batch. Returns the moved
  // aliases in byte order.
  absl::StatusOr<std::vector<std::string>> MoveRoom(std::string_view from,
                                                    std::string_view to);

  // Adds the room to, or removes it from, the published room directory.
  // Idempotent.
  absl::Status SetPublished(std::string_view room_id, bool published);
  absl::StatusOr<bool> IsPublished(std::string_view room_id) const;
  // Every published room id, in byte order.
  absl::StatusOr<std::vector<std::string>> PublishedRooms() const;

 private:
  Engine* engine_;
  absl::Mutex mu_;
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_DIRECTORY_DIRECTORY_STORE_H_
