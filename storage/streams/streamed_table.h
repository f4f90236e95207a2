// A map (scope, item) -> payload whose every change takes the next position
// of one server-wide stream and is logged under (scope, position), so
// "what changed in this scope since position N" is one prefix scan. A
// changed item's older log row is deleted in the same batch: a scope's log
// holds at most one row per item. The last position lives in a `meta` row
// written in each change's batch.
//
// Account data (scope: user id) and receipts (scope: room id) are built on
// it. Items are opaque strings the caller builds with storage/keys codecs.
//
// Thread-safe: changes are serialised by a mutex; reads are lock-free.
#ifndef MYELIN_STORAGE_STREAMS_STREAMED_TABLE_H_
#define MYELIN_STORAGE_STREAMS_STREAMED_TABLE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/column_families.h"
#include "storage/engine.h"
#include "storage/keys/meta_keys.h"

namespace myelin::storage {

class StreamedTable {
 public:
  struct Layout {
    Cf values;               // (scope, item) -> u64 position + payload
    Cf log;                  // (scope, position) -> item
    keys::MetaRow counter;   // last position
  };

  static absl::StatusOr<std::unique_ptr<StreamedTable>> Open(Engine* engine,
                                                             Layout layout);

  struct Value {
    uint64_t stream = 0;
    std::string payload;
  };
  absl::StatusOr<std::optional<Value>> Get(std::string_view scope,
                                           std::string_view item) const;

  // Stores `payload`; returns the change's position.
  absl::StatusOr<uint64_t> Put(std::string_view scope, std::string_view item,
                               std::string_view payload);

  // Stages a change of each of `items` (a repeated item counts once), all
  // with `payload`, into `batch` — which may already hold the caller's own
  // writes — and commits it: the caller's change and its stream positions
  // are one logical write. Returns the last position (LatestStream() if
  // `items` is empty and `batch` is committed as it is).
  absl::StatusOr<uint64_t> PutAll(std::string_view scope,
                                  const std::vector<std::string>& items,
                                  std::string_view payload,
                                  rocksdb::WriteBatch& batch);

  // Reads, transforms and stores atomically with respect to other changes.
  absl::StatusOr<uint64_t> Update(
      std::string_view scope, std::string_view item,
      const std::function<absl::StatusOr<std::string>(
          std::optional<std::string>)>& change);

  struct Change {
    uint64_t stream = 0;
    std::string item;
  };
  // Changes of `scope` after `since`, oldest first, at most `limit`.
  absl::StatusOr<std::vector<Change>> ChangesSince(std::string_view scope,
                                                   uint64_t since,
                                                   size_t limit) const;

  uint64_t LatestStream() const;

  // Called after each committed change with its scope and position, outside
  // the table's lock (to wake /sync long-polls). Set once, before the table
  // is shared.
  using Listener = std::function<void(std::string_view scope, uint64_t stream)>;
  void SetListener(Listener listener) { listener_ = std::move(listener); }

 private:
  StreamedTable(Engine* engine, Layout layout, uint64_t last)
      : engine_(engine), layout_(layout), last_(last) {}
  absl::StatusOr<uint64_t> PutLocked(std::string_view scope,
                                     std::string_view item,
                                     std::string_view payload);
  // Stages one change at position `stream` into `batch`.
  absl::Status StageLocked(const std::string& scope, std::string_view item,
                           std::string_view payload, uint64_t stream,
                           rocksdb::WriteBatch& batch);

  void Notify(std::string_view scope, uint64_t stream) const {
    if (listener_) listener_(scope, stream);
  }

  Engine* engine_;
  const Layout layout_;
  Listener listener_;
  mutable std::mutex mu_;
  uint64_t last_;  // Guarded by mu_.
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_STREAMS_STREAMED_TABLE_H_
