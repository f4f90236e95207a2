#include "storage/streams/streamed_table.h"

#include <algorithm>

#include "dag/base/status_macros.h"
#include "storage/keys/codec.h"
#include "storage/rocks_status.h"

namespace myelin::storage {
namespace {

using ValueKey = keys::Key<std::string, std::string>;
using LogKey = keys::Key<std::string, uint64_t>;
constexpr size_t kStreamBytes = 8;

absl::StatusOr<StreamedTable::Value> DecodeValue(std::string_view value) {
  if (value.size() < kStreamBytes) return absl::DataLossError("short value");
  absl::StatusOr<std::tuple<uint64_t>> stream =
      keys::U64Value::Decode(value.substr(0, kStreamBytes));
  if (!stream.ok()) return absl::DataLossError("bad stream position");
  return StreamedTable::Value{std::get<0>(*stream),
                              std::string(value.substr(kStreamBytes))};
}

}  // namespace

absl::StatusOr<std::unique_ptr<StreamedTable>> StreamedTable::Open(
    Engine* engine, Layout layout) {
  ASSIGN_OR_RETURN(std::optional<std::string> last,
                   engine->Get(Cf::kMeta, keys::EncodeMetaKey(layout.counter)));
  uint64_t position = 0;
  if (last.has_value()) {
    absl::StatusOr<std::tuple<uint64_t>> decoded = keys::U64Value::Decode(*last);
    if (!decoded.ok()) return absl::DataLossError("meta: bad stream counter");
    position = std::get<0>(*decoded);
  }
  return std::unique_ptr<StreamedTable>(new StreamedTable(engine, layout, position));
}

absl::StatusOr<std::optional<StreamedTable::Value>> StreamedTable::Get(
    std::string_view scope, std::string_view item) const {
  ASSIGN_OR_RETURN(std::optional<std::string> raw,
                   engine_->Get(layout_.values,
                                ValueKey::Encode(std::string(scope),
                                                 std::string(item))));
  if (!raw.has_value()) return std::optional<Value>();
  ASSIGN_OR_RETURN(Value value, DecodeValue(*raw));
  return std::optional<Value>(std::move(value));
}

absl::Status StreamedTable::StageLocked(const std::string& scope,
                                       std::string_view item,
                                       std::string_view payload,
                                       uint64_t stream,
                                       rocksdb::WriteBatch& batch) {
  std::string key = ValueKey::Encode(scope, std::string(item));
  ASSIGN_OR_RETURN(std::optional<std::string> old, engine_->Get(layout_.values, key));
  if (old.has_value()) {
    ASSIGN_OR_RETURN(Value previous, DecodeValue(*old));
    RETURN_IF_ERROR(FromRocks(
        batch.Delete(engine_->cf(layout_.log),
                     LogKey::Encode(scope, previous.stream)),
        "stream log"));
  }
  std::string value = keys::U64Value::Encode(stream);
  value.append(payload);
  RETURN_IF_ERROR(FromRocks(batch.Put(engine_->cf(layout_.values), key, value),
                            "streamed value"));
  return FromRocks(
      batch.Put(engine_->cf(layout_.log), LogKey::Encode(scope, stream),
                rocksdb::Slice(item.data(), item.size())),
      "stream log");
}

absl::StatusOr<uint64_t> StreamedTable::PutLocked(std::string_view scope,
                                                  std::string_view item,
                                                  std::string_view payload) {
  rocksdb::WriteBatch batch;
  uint64_t stream = last_ + 1;
  RETURN_IF_ERROR(StageLocked(std::string(scope), item, payload, stream, batch));
  RETURN_IF_ERROR(FromRocks(
      batch.Put(engine_->cf(Cf::kMeta), keys::EncodeMetaKey(layout_.counter),
                keys::U64Value::Encode(stream)),
      "stream counter"));
  RETURN_IF_ERROR(engine_->Write(batch));
  last_ = stream;
  return stream;
}

absl::StatusOr<uint64_t> StreamedTable::PutAll(
    std::string_view scope, const std::vector<std::string>& items,
    std::string_view payload, rocksdb::WriteBatch& batch) {
  std::string scope_text(scope);
  uint64_t stream;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stream = last_;
    // The previous log row of an item is found on disk, not in the batch:
    // staging an item twice would leave its first log row behind.
    std::vector<std::string_view> seen;
    for (const std::string& item : items) {
      if (std::find(seen.begin(), seen.end(), item) != seen.end()) continue;
      seen.push_back(item);
      RETURN_IF_ERROR(StageLocked(scope_text, item, payload, ++stream, batch));
    }
    if (stream != last_) {
      RETURN_IF_ERROR(FromRocks(
          batch.Put(engine_->cf(Cf::kMeta), keys::EncodeMetaKey(layout_.counter),
                    keys::U64Value::Encode(stream)),
          "stream counter"));
    }
    RETURN_IF_ERROR(engine_->Write(batch));
    last_ = stream;
  }
  if (!items.empty()) Notify(scope, stream);
  return stream;
}

absl::StatusOr<uint64_t> StreamedTable::Put(std::string_view scope,
                                            std::string_view item,
                                            std::string_view payload) {
  absl::StatusOr<uint64_t> stream;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stream = PutLocked(scope, item, payload);
  }
  if (stream.ok()) Notify(scope, *stream);
  return stream;
}

absl::StatusOr<uint64_t> StreamedTable::Update(
    std::string_view scope, std::string_view item,
    const std::function<absl::StatusOr<std::string>(std::optional<std::string>)>&
        change) {
  uint64_t stream;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(std::optional<Value> current, Get(scope, item));
    std::optional<std::string> payload;
    if (current.has_value()) payload = std::move(current->payload);
    ASSIGN_OR_RETURN(std::string next, change(std::move(payload)));
    ASSIGN_OR_RETURN(stream, PutLocked(scope, item, next));
  }
  Notify(scope, stream);
  return stream;
}

absl::StatusOr<std::vector<StreamedTable::Change>> StreamedTable::ChangesSince(
    std::string_view scope, uint64_t since, size_t limit) const {
  std::string scope_text(scope);
  std::string prefix = LogKey::EncodePrefix(scope_text);
  std::vector<Change> changes;
  std::unique_ptr<rocksdb::Iterator> it = engine_->NewIterator(layout_.log);
  for (it->Seek(LogKey::Encode(scope_text, since + 1));
       it->Valid() && it->key().starts_with(prefix) && changes.size() < limit;
       it->Next()) {
    absl::StatusOr<std::tuple<std::string, uint64_t>> key = LogKey::Decode(
        std::string_view(it->key().data(), it->key().size()));
    if (!key.ok()) return absl::DataLossError("stream log: bad key");
    changes.push_back({std::get<1>(*key), it->value().ToString()});
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "stream log"));
  return changes;
}

uint64_t StreamedTable::LatestStream() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_;
}

}  // namespace myelin::storage
