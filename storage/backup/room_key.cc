#include "storage/backup/room_key.h"

#include "absl/strings/str_cat.h"
#include "boost/json/parse.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "dag/json/canonical.h"

namespace myelin::storage {
namespace {

// A counter field: an integer in [0, 2^53-1] (canonical JSON's range).
absl::StatusOr<int64_t> Counter(const boost::json::object& object,
                                std::string_view name) {
  const boost::json::value* value = object.if_contains(name);
  if (value == nullptr) return BadJson(absl::StrCat(AV(name), " is required"));
  if (value->is_int64() && value->get_int64() >= 0 &&
      value->get_int64() <= json::kMaxSafeInteger) {
    return value->get_int64();
  }
  return BadJson(absl::StrCat(AV(name), " must be a non-negative integer"));
}

}  // namespace

absl::StatusOr<RoomKey> ParseRoomKey(const boost::json::value& json) {
  if (!json.is_object()) return BadJson("key data must be an object");
  const boost::json::object& object = json.get_object();
  RoomKey key;
  ASSIGN_OR_RETURN(key.first_message_index,
                   Counter(object, "first_message_index"));
  ASSIGN_OR_RETURN(key.forwarded_count, Counter(object, "forwarded_count"));
  const boost::json::value* verified = object.if_contains("is_verified");
  if (verified == nullptr || !verified->is_bool()) {
    return BadJson("is_verified must be a boolean");
  }
  key.is_verified = verified->get_bool();
  const boost::json::value* data = object.if_contains("session_data");
  if (data == nullptr || !data->is_object()) {
    return BadJson("session_data must be an object");
  }
  // Lenient: the server stores session_data without interpreting it, so
  // it refuses only what canonical JSON cannot express at all.
  ASSIGN_OR_RETURN(key.session_data,
                   json::EncodeCanonicalJson(*data, JsonStrictness::kLenient));
  return key;
}

std::string EncodeRoomKey(const RoomKey& key) {
  // The field names are in canonical (byte) order already.
  return absl::StrCat(R"({"first_message_index":)", key.first_message_index,
                      R"(,"forwarded_count":)", key.forwarded_count,
                      R"(,"is_verified":)", key.is_verified ? "true" : "false",
                      R"(,"session_data":)", key.session_data, "}");
}

absl::StatusOr<RoomKey> DecodeRoomKey(std::string_view json) {
  boost::json::error_code ec;
  boost::json::value value =
      boost::json::parse(boost::json::string_view(json.data(), json.size()), ec);
  if (ec) return absl::DataLossError("backup room key: not JSON");
  absl::StatusOr<RoomKey> key = ParseRoomKey(value);
  if (!key.ok()) {
    return absl::DataLossError(
        absl::StrCat("backup room key: ", key.status().message()));
  }
  return key;
}

bool ShouldReplace(const RoomKey& existing, const RoomKey& candidate) {
  if (existing.is_verified != candidate.is_verified) {
    return candidate.is_verified;
  }
  if (existing.first_message_index != candidate.first_message_index) {
    return candidate.first_message_index < existing.first_message_index;
  }
  return candidate.forwarded_count < existing.forwarded_count;
}

}  // namespace myelin::storage
