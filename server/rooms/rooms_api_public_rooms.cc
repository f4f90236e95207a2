// The published room directory listing. Spec: client-server-api,
// "Published room directory" (list_public_rooms.yaml: GET and POST
// /publicRooms; public_rooms_response.yaml).
//
// Each request reads the published set (storage/directory) and, for each
// room in it, its latest stream position: a room's entry (a handful of
// current-state events and the joined-member count) is recomputed only
// when the room has a new event since it was last summarised. Nothing
// outside the published set is read.
// Order: most joined members first, then room id, as the spec recommends.
// Tokens are key-set positions in that order ("n<members>.<room id>" for
// the next page, "p..." for the previous one), so a page never repeats or
// skips a room because another was published or removed meanwhile.
#include <algorithm>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "server/rooms/rooms_api.h"

namespace myelin::rooms {
namespace {

using http::Request;
using http::Response;

constexpr int64_t kMaxLimit = 500;

struct Entry {
  int64_t joined = 0;
  std::string room_id;
  boost::json::object json;
  std::string search_text;  // lower-cased name, topic and canonical alias
  std::optional<std::string> room_type;
  // Sort key: most members first, then room id.
  auto Key() const { return std::make_tuple(-joined, std::string_view(room_id)); }
};

struct Query {
  int64_t limit = kMaxLimit;
  std::string since;
  std::string search;  // lower-cased
  std::optional<std::vector<std::optional<std::string>>> room_types;
  // A third-party network (third_party_instance_id): application services
  // publish those, and there are none yet, so nothing matches.
  bool third_party = false;
};

// Copies content[field] into entry.json[out] when it is a string.
const boost::json::string* StringField(const boost::json::object& content,
                                       std::string_view field) {
  const auto* value = content.if_contains(field);
  return value != nullptr && value->is_string() ? &value->as_string() : nullptr;
}

// Directory entries by room, valid while the room's latest stream position
// is unchanged (every state or membership change is a new event). Holds
// at most the published rooms, plus those unpublished since the last
// prune. Thread-safe.
class SummaryCache {
 public:
  // The cached entry at `stream`, if any (the inner nullopt: not listable).
  std::optional<std::optional<Entry>> Get(const std::string& room_id,
                                          storage::StreamPos stream) {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(room_id);
    if (it == entries_.end() || it->second.first != stream) return std::nullopt;
    return it->second.second;
  }
  void Put(const std::string& room_id, storage::StreamPos stream,
           const std::optional<Entry>& entry) {
    absl::MutexLock lock(&mu_);
    entries_[room_id] = {stream, entry};
  }
  // Drops rooms no longer published, when enough have accumulated.
  void Prune(const std::vector<std::string>& published) {
    absl::MutexLock lock(&mu_);
    if (entries_.size() <= 2 * published.size() + 64) return;
    absl::flat_hash_map<std::string, Slot> kept;
    for (const std::string& room_id : published) {
      if (auto it = entries_.find(room_id); it != entries_.end()) {
        kept.insert(*std::move(it));
      }
    }
    entries_ = std::move(kept);
  }

 private:
  using Slot = std::pair<storage::StreamPos, std::optional<Entry>>;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Slot> entries_ ABSL_GUARDED_BY(mu_);
};

class Summarizer {
 public:
  Summarizer(const RoomsContext& context, SummaryCache* cache)
      : context_(context), cache_(cache) {}

  // The room's directory entry; nullopt for a room this server lacks or
  // one nobody could join or read (Synapse lists public and knockable
  // rooms, and world-readable ones).
  absl::StatusOr<std::optional<Entry>> Summarize(const std::string& room_id);

 private:
  absl::StatusOr<std::optional<Entry>> Compute(const std::string& room_id);
  absl::StatusOr<boost::json::object> Content(std::string_view type) {
    absl::StatusOr<storage::EventNid> nid =
        store().CurrentStateEvent(room_.room_nid, type, "");
    if (absl::IsNotFound(nid.status())) return boost::json::object();
    RETURN_IF_ERROR(nid.status());
    ASSIGN_OR_RETURN(auto pdu, context_.writer->Load(*nid, *rules_));
    return pdu->pdu.content();
  }
  storage::EventStore& store() { return context_.writer->store(); }

  const RoomsContext& context_;
  SummaryCache* cache_;
  storage::RoomInfo room_;
  const RoomVersionRules* rules_ = nullptr;
};

absl::StatusOr<std::optional<Entry>> Summarizer::Summarize(
    const std::string& room_id) {
  absl::StatusOr<storage::RoomInfo> room = store().LookupRoom(room_id);
  if (absl::IsNotFound(room.status())) return std::nullopt;
  RETURN_IF_ERROR(room.status());
  room_ = *std::move(room);
  ASSIGN_OR_RETURN(storage::StreamPos latest,
                   store().LatestStream(room_.room_nid));
  if (auto cached = cache_->Get(room_id, latest)) return *std::move(cached);
  ASSIGN_OR_RETURN(std::optional<Entry> entry, Compute(room_id));
  cache_->Put(room_id, latest, entry);
  return entry;
}

absl::StatusOr<std::optional<Entry>> Summarizer::Compute(
    const std::string& room_id) {
  ASSIGN_OR_RETURN(rules_, context_.writer->RulesOf(room_id));
  Entry entry;
  entry.room_id = room_id;
  ASSIGN_OR_RETURN(auto members, store().Members(room_.room_nid,
                                                 storage::Membership::kJoin));
  entry.joined = static_cast<int64_t>(members.size());
  boost::json::object& json = entry.json;
  json["room_id"] = room_id;
  json["num_joined_members"] = entry.joined;
  struct Field { const char* type; const char* key; const char* out; };
  static constexpr Field kFields[] = {
      {"m.room.name", "name", "name"},
      {"m.room.topic", "topic", "topic"},
      {"m.room.canonical_alias", "alias", "canonical_alias"},
      {"m.room.avatar", "url", "avatar_url"},
      {"m.room.join_rules", "join_rule", "join_rule"}};
  for (const Field& field : kFields) {
    ASSIGN_OR_RETURN(boost::json::object content, Content(field.type));
    const boost::json::string* value = StringField(content, field.key);
    if (value == nullptr || value->empty()) continue;
    json[field.out] = *value;
    if (std::string_view(field.out) != "avatar_url" &&
        std::string_view(field.out) != "join_rule") {
      absl::StrAppend(&entry.search_text,
                      absl::AsciiStrToLower(std::string(*value)), "\n");
    }
  }
  ASSIGN_OR_RETURN(boost::json::object guest, Content("m.room.guest_access"));
  const boost::json::string* guest_access = StringField(guest, "guest_access");
  json["guest_can_join"] = guest_access != nullptr && *guest_access == "can_join";
  ASSIGN_OR_RETURN(boost::json::object history,
                   Content("m.room.history_visibility"));
  const boost::json::string* visibility =
      StringField(history, "history_visibility");
  bool world_readable = visibility != nullptr && *visibility == "world_readable";
  json["world_readable"] = world_readable;
  ASSIGN_OR_RETURN(boost::json::object create, Content("m.room.create"));
  if (const boost::json::string* type = StringField(create, "type")) {
    entry.room_type = std::string(*type);
    json["room_type"] = *type;
  }
  const boost::json::string* rule = StringField(json, "join_rule");
  bool joinable = rule != nullptr && (*rule == "public" || *rule == "knock" ||
                                      *rule == "knock_restricted");
  if (!joinable && !world_readable) return std::nullopt;
  return std::optional<Entry>(std::move(entry));
}

bool Matches(const Entry& entry, const Query& query) {
  if (!query.search.empty() &&
      entry.search_text.find(query.search) == std::string::npos) {
    return false;
  }
  if (!query.room_types || query.room_types->empty()) return true;
  return std::find(query.room_types->begin(), query.room_types->end(),
                   entry.room_type) != query.room_types->end();
}

std::string Token(char direction, const Entry& entry) {
  return absl::StrCat(std::string(1, direction), entry.joined, ".",
                      entry.room_id);
}

// The position a token names: (direction, sort key).
absl::StatusOr<std::tuple<char, int64_t, std::string>> ParseToken(
    std::string_view token) {
  size_t dot = token.find('.');
  int64_t joined = 0;
  if (token.size() < 3 || (token[0] != 'n' && token[0] != 'p') ||
      dot == std::string_view::npos ||
      !absl::SimpleAtoi(AV(token.substr(1, dot - 1)), &joined)) {
    return InvalidParam("Invalid pagination token");
  }
  return std::make_tuple(token[0], joined, std::string(token.substr(dot + 1)));
}

absl::StatusOr<boost::json::object> Page(std::vector<Entry> entries,
                                         const Query& query) {
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.Key() < b.Key(); });
  size_t begin = 0, end = entries.size();
  if (!query.since.empty()) {
    ASSIGN_OR_RETURN(auto token, ParseToken(query.since));
    auto [direction, joined, room_id] = token;
    auto key = std::make_tuple(-joined, std::string_view(room_id));
    auto it = std::partition_point(
        entries.begin(), entries.end(), [&](const Entry& e) {
          return direction == 'n' ? e.Key() <= key : e.Key() < key;
        });
    size_t position = it - entries.begin();
    if (direction == 'n') begin = position;
    else end = position;
  }
  size_t limit = static_cast<size_t>(query.limit);
  if (end - begin > limit) {
    // Paging backwards takes the rooms just before the token.
    bool backwards = !query.since.empty() && query.since[0] == 'p';
    if (backwards) begin = end - limit;
    else end = begin + limit;
  }
  boost::json::array chunk;
  for (size_t i = begin; i < end; ++i) chunk.push_back(entries[i].json);
  boost::json::object body{{"chunk", std::move(chunk)},
                           {"total_room_count_estimate", entries.size()}};
  if (begin > 0 && begin < entries.size()) {
    body["prev_batch"] = Token('p', entries[begin]);
  }
  if (end < entries.size() && end > 0) {
    body["next_batch"] = Token('n', entries[end - 1]);
  }
  return body;
}

absl::StatusOr<Response> List(const RoomsContext& context,
                              SummaryCache* cache, const Request& r,
                              const Query& query) {
  std::string_view server = r.Query("server");
  if (!server.empty() && server != context.writer->server_name()) {
    return MatrixError(
        502, errcode::kUnknown,
        absl::StrCat("Cannot fetch the room directory of ", AV(server),
                     ": federation is not available on this server yet"));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> published,
                   context.directory->PublishedRooms());
  std::vector<Entry> entries;
  cache->Prune(published);
  Summarizer summarizer(context, cache);
  for (const std::string& room_id : published) {
    ASSIGN_OR_RETURN(std::optional<Entry> entry, summarizer.Summarize(room_id));
    if (entry && !query.third_party && Matches(*entry, query)) {
      entries.push_back(*std::move(entry));
    }
  }
  ASSIGN_OR_RETURN(boost::json::object body, Page(std::move(entries), query));
  return Response::Json(boost::json::serialize(body));
}

// Spec: a missing or non-positive limit means no limit; we cap pages.
absl::Status SetLimit(int64_t limit, Query* query) {
  if (limit < 0) return InvalidParam("limit must not be negative");
  query->limit = limit == 0 ? kMaxLimit : std::min(limit, kMaxLimit);
  return absl::OkStatus();
}

absl::StatusOr<Response> GetPublicRooms(const RoomsContext* context,
                                        SummaryCache* cache,
                                        const Request& r) {
  Query query;
  query.since = std::string(r.Query("since"));
  if (r.HasQuery("limit")) {
    int64_t limit = 0;
    if (!absl::SimpleAtoi(AV(r.Query("limit")), &limit)) {
      return InvalidParam("limit must be an integer");
    }
    RETURN_IF_ERROR(SetLimit(limit, &query));
  }
  return List(*context, cache, r, query);
}

absl::Status ParseFilter(const boost::json::value& filter, Query* query) {
  if (!filter.is_object()) return BadJson("filter must be an object");
  const boost::json::object& object = filter.as_object();
  if (const auto* term = object.if_contains("generic_search_term")) {
    if (!term->is_string()) return BadJson("generic_search_term must be a string");
    query->search = absl::AsciiStrToLower(std::string(term->as_string()));
  }
  if (const auto* types = object.if_contains("room_types")) {
    if (!types->is_array()) return BadJson("room_types must be a list");
    query->room_types.emplace();
    for (const boost::json::value& type : types->as_array()) {
      if (type.is_null()) {
        query->room_types->push_back(std::nullopt);
      } else if (type.is_string()) {
        query->room_types->push_back(std::string(type.as_string()));
      } else {
        return BadJson("room_types entries are strings or null");
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Response> PostPublicRooms(const RoomsContext* context,
                                         SummaryCache* cache,
                                         const Request& r) {
  Query query;
  const boost::json::object& body = r.json.as_object();
  if (const auto* limit = body.if_contains("limit")) {
    if (!limit->is_int64() && !limit->is_uint64()) {
      return BadJson("limit must be an integer");
    }
    int64_t value = limit->is_int64() ? limit->as_int64()
                    : static_cast<int64_t>(std::min<uint64_t>(
                          limit->as_uint64(), kMaxLimit));
    RETURN_IF_ERROR(SetLimit(value, &query));
  }
  if (const auto* since = body.if_contains("since")) {
    if (!since->is_string()) return BadJson("since must be a string");
    query.since = std::string(since->as_string());
  }
  if (const auto* filter = body.if_contains("filter");
      filter != nullptr && !filter->is_null()) {
    RETURN_IF_ERROR(ParseFilter(*filter, &query));
  }
  if (const auto* network = body.if_contains("third_party_instance_id")) {
    if (!network->is_string()) {
      return BadJson("third_party_instance_id must be a string");
    }
    query.third_party = true;
  }
  return List(*context, cache, r, query);
}

}  // namespace

absl::Status AddPublicRoomsRoutes(http::RouteTable* table,
                                  const RoomsContext* context) {
  // Owned by the two routes' handlers, so it lives as long as the table.
  auto cache = std::make_shared<SummaryCache>();
  http::Route get;
  get.method = http::Method::kGet;
  get.pattern = "/publicRooms";
  get.auth = http::Auth::kOptional;  // Spec: no access token needed.
  get.handler = [context, cache](const Request& r) {
    return GetPublicRooms(context, cache.get(), r);
  };
  RETURN_IF_ERROR(table->AddUnder(http::ClientPrefixes(), std::move(get)));
  http::Route post;
  post.method = http::Method::kPost;
  post.pattern = "/publicRooms";
  post.auth = http::Auth::kUser;
  post.body = http::Body::kJson;
  post.handler = [context, cache](const Request& r) {
    return PostPublicRooms(context, cache.get(), r);
  };
  return table->AddUnder(http::ClientPrefixes(), std::move(post));
}

}  // namespace myelin::rooms
