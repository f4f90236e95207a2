#include "storage/relations/relation_store.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <tuple>

#include "dag/base/status_macros.h"
#include "storage/keys/event_keys.h"
#include "storage/keys/relation_keys.h"
#include "storage/rocks_status.h"

namespace myelin::storage {
namespace {

using keys::RelationKey;
using keys::RelationValue;

// Iterates the keys that start with `prefix`; `visit` returns false to stop.
// Backward starts at the last key <= `start` (or the prefix's last key when
// `start` is empty), forward at the first key >= `start` (or the first).
template <typename Visit>
absl::Status ScanPrefix(const Engine& engine, Cf cf, const std::string& prefix,
                        const std::string& start, bool backward, Visit visit) {
  std::optional<std::string> upper = keys::PrefixUpperBound(prefix);
  rocksdb::Slice lower_slice(prefix);
  rocksdb::Slice upper_slice(upper ? *upper : prefix);
  rocksdb::ReadOptions options;
  options.iterate_lower_bound = &lower_slice;
  if (upper) options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it = engine.NewIterator(cf, options);
  if (backward) {
    if (start.empty()) {
      it->SeekToLast();
    } else {
      it->SeekForPrev(start);
    }
  } else {
    it->Seek(start.empty() ? prefix : start);
  }
  for (; it->Valid(); backward ? it->Prev() : it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    std::string_view value(it->value().data(), it->value().size());
    ASSIGN_OR_RETURN(bool more, visit(key, value));
    if (!more) break;
  }
  return FromRocks(it->status(), "relations scan");
}

absl::StatusOr<Relation> DecodeRelation(std::string_view key,
                                        std::string_view value) {
  auto k = RelationKey::Decode(key);
  auto v = RelationValue::Decode(value);
  if (!k.ok() || !v.ok())
    return absl::DataLossError("eventid_relations: bad row");
  return Relation{std::get<3>(*k), std::get<0>(*v), std::get<1>(*v),
                  std::get<2>(*k)};
}

absl::Status StageThread(const Engine& engine, const RelationSource& source,
                         const std::string& root, rocksdb::WriteBatch& batch) {
  // The previous latest reply is the root's last m.thread row.
  std::string prefix =
      RelationKey::EncodePrefix(source.room, root, std::string(kRelThread));
  std::optional<StreamPos> previous;
  RETURN_IF_ERROR(ScanPrefix(
      engine, Cf::kEventidRelations, prefix, "", /*backward=*/true,
      [&](std::string_view key,
          std::string_view value) -> absl::StatusOr<bool> {
        ASSIGN_OR_RETURN(Relation relation, DecodeRelation(key, value));
        previous = relation.stream;
        return false;
      }));
  rocksdb::ColumnFamilyHandle* threads = engine.cf(Cf::kRoomnidThreads);
  if (previous) {
    RETURN_IF_ERROR(FromRocks(
        batch.Delete(threads,
                     keys::ThreadKey::Encode(source.room, *previous, root)),
        "stage"));
  }
  return FromRocks(
      batch.Put(threads,
                keys::ThreadKey::Encode(source.room, source.stream, root), ""),
      "stage");
}

absl::Status StageRedaction(const Engine& engine, const RelationSource& source,
                            const std::string& target,
                            rocksdb::WriteBatch& batch) {
  std::string key = keys::RedactionKey::Encode(source.room, target);
  ASSIGN_OR_RETURN(auto existing, engine.Get(Cf::kEventidRedaction, key));
  if (existing) return absl::OkStatus();
  return FromRocks(batch.Put(engine.cf(Cf::kEventidRedaction), key,
                             keys::NidKey::Encode(source.event)),
                   "stage");
}

}  // namespace

std::optional<RelatesTo> RelatesToOf(const boost::json::object& content) {
  const auto* relates = content.if_contains("m.relates_to");
  if (relates == nullptr || !relates->is_object()) return std::nullopt;
  const auto* rel_type = relates->as_object().if_contains("rel_type");
  const auto* event_id = relates->as_object().if_contains("event_id");
  if (rel_type == nullptr || event_id == nullptr || !rel_type->is_string() ||
      !event_id->is_string()) {
    return std::nullopt;
  }
  return RelatesTo{std::string(rel_type->as_string()),
                   std::string(event_id->as_string())};
}

absl::Status StageRelations(const Engine& engine, const RelationSource& source,
                            rocksdb::WriteBatch& batch) {
  const Pdu& pdu = *source.pdu;
  std::optional<RelatesTo> relates = RelatesToOf(pdu.content());
  if (relates && relates->event_id != pdu.event_id()) {
    RETURN_IF_ERROR(FromRocks(
        batch.Put(engine.cf(Cf::kEventidRelations),
                  RelationKey::Encode(source.room, relates->event_id,
                                      relates->rel_type, source.stream),
                  RelationValue::Encode(source.event, source.sender)),
        "stage"));
    RETURN_IF_ERROR(FromRocks(
        batch.Put(engine.cf(Cf::kEventidHaschildren),
                  keys::HasChildrenKey::Encode(source.room, relates->event_id),
                  ""),
        "stage"));
    if (relates->rel_type == kRelThread) {
      RETURN_IF_ERROR(StageThread(engine, source, relates->event_id, batch));
    }
  }
  if (pdu.Is("m.room.redaction") && pdu.redacts()) {
    RETURN_IF_ERROR(StageRedaction(engine, source, *pdu.redacts(), batch));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Relation>> RelationStore::Children(
    RoomNid room, std::string_view parent, std::string_view rel_type,
    StreamPos from, Direction direction, size_t limit) const {
  bool backward = direction == Direction::kBackward;
  std::vector<Relation> out;
  auto in_range = [&](StreamPos s) { return backward ? s < from : s > from; };
  if (limit == 0) return out;
  if (!rel_type.empty()) {
    // One rel_type: the rows are in stream order; seek straight to `from`.
    std::string prefix = RelationKey::EncodePrefix(room, std::string(parent),
                                                   std::string(rel_type));
    std::string start;
    if (backward && from == 0) return out;
    if (backward) start = RelationKey::Encode(room, parent, rel_type, from - 1);
    if (!backward && from == std::numeric_limits<StreamPos>::max()) return out;
    if (!backward)
      start = RelationKey::Encode(room, parent, rel_type, from + 1);
    RETURN_IF_ERROR(ScanPrefix(
        engine_, Cf::kEventidRelations, prefix, start, backward,
        [&](std::string_view key,
            std::string_view value) -> absl::StatusOr<bool> {
          ASSIGN_OR_RETURN(Relation relation, DecodeRelation(key, value));
          out.push_back(std::move(relation));
          return out.size() < limit;
        }));
    return out;
  }
  // Every rel_type: rows are grouped by rel_type, so merge by sorting.
  std::string prefix = RelationKey::EncodePrefix(room, std::string(parent));
  RETURN_IF_ERROR(ScanPrefix(
      engine_, Cf::kEventidRelations, prefix, "", false,
      [&](std::string_view key,
          std::string_view value) -> absl::StatusOr<bool> {
        ASSIGN_OR_RETURN(Relation relation, DecodeRelation(key, value));
        if (in_range(relation.stream)) out.push_back(std::move(relation));
        return true;
      }));
  std::sort(out.begin(), out.end(), [&](const Relation& a, const Relation& b) {
    return backward ? a.stream > b.stream : a.stream < b.stream;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

absl::StatusOr<bool> RelationStore::HasChildren(RoomNid room,
                                                std::string_view parent) const {
  ASSIGN_OR_RETURN(auto row,
                   engine_.Get(Cf::kEventidHaschildren,
                               keys::HasChildrenKey::Encode(room, parent)));
  return row.has_value();
}

absl::StatusOr<EventNid> RelationStore::RedactionOf(
    RoomNid room, std::string_view event_id) const {
  ASSIGN_OR_RETURN(auto value,
                   engine_.Get(Cf::kEventidRedaction,
                               keys::RedactionKey::Encode(room, event_id)));
  if (!value) return EventNid{0};
  auto nid = keys::NidKey::Decode(*value);
  if (!nid.ok()) return absl::DataLossError("eventid_redaction: bad value");
  return std::get<0>(*nid);
}

absl::StatusOr<std::vector<ThreadEntry>> RelationStore::Threads(
    RoomNid room, StreamPos before, size_t limit) const {
  std::vector<ThreadEntry> out;
  if (before == 0 || limit == 0) return out;
  std::string prefix = keys::ThreadKey::EncodePrefix(room);
  // Keys with latest < before sort below this prefix of (room, before).
  std::string start = keys::ThreadKey::EncodePrefix(room, before);
  RETURN_IF_ERROR(ScanPrefix(
      engine_, Cf::kRoomnidThreads, prefix, start, /*backward=*/true,
      [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
        auto decoded = keys::ThreadKey::Decode(key);
        if (!decoded.ok())
          return absl::DataLossError("roomnid_threads: bad key");
        out.push_back({std::get<1>(*decoded), std::get<2>(*decoded)});
        return out.size() < limit;
      }));
  return out;
}

}  // namespace myelin::storage
