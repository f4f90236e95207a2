#include "server/sync/filter_routes.h"

#include "absl/strings/numbers.h"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "dag/json/canonical.h"
#include "dag/json/parse.h"

namespace myelin::sync {
namespace {

using http::Request;
using http::Response;

absl::Status RequireSelf(const Request& r) {
  if (r.Param("userId") != r.principal.user_id) {
    return Forbidden("Cannot use filters of other users");
  }
  return absl::OkStatus();
}

absl::StatusOr<Response> Upload(storage::FilterStore* store, const Request& r) {
  RETURN_IF_ERROR(RequireSelf(r));
  RETURN_IF_ERROR(filter::ParseFilter(r.json.as_object()).status());
  ASSIGN_OR_RETURN(std::string canonical,
                   json::EncodeCanonicalJson(r.json, JsonStrictness::kLenient));
  ASSIGN_OR_RETURN(uint64_t id, store->Add(r.principal.user_id, canonical));
  return Response::Json(boost::json::serialize(
      boost::json::object{{"filter_id", std::to_string(id)}}));
}

absl::StatusOr<uint64_t> ParseFilterId(std::string_view text) {
  uint64_t id = 0;
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos ||
      !absl::SimpleAtoi(AV(text), &id)) {
    return NotFound("No such filter");
  }
  return id;
}

absl::StatusOr<Response> Download(storage::FilterStore* store, const Request& r) {
  RETURN_IF_ERROR(RequireSelf(r));
  ASSIGN_OR_RETURN(uint64_t id, ParseFilterId(r.Param("filterId")));
  absl::StatusOr<std::string> json = store->Get(r.principal.user_id, id);
  if (absl::IsNotFound(json.status())) return NotFound("No such filter");
  RETURN_IF_ERROR(json.status());
  return Response::Json(*std::move(json));
}

}  // namespace

absl::Status AddFilterRoutes(http::RouteTable* table,
                             storage::FilterStore* store) {
  http::Route upload;
  upload.method = http::Method::kPost;
  upload.pattern = "/user/{userId}/filter";
  upload.auth = http::Auth::kUser;
  upload.body = http::Body::kJson;
  upload.handler = [store](const Request& r) { return Upload(store, r); };
  RETURN_IF_ERROR(table->AddUnder(http::ClientPrefixes(), std::move(upload)));
  http::Route download;
  download.pattern = "/user/{userId}/filter/{filterId}";
  download.auth = http::Auth::kUser;
  download.handler = [store](const Request& r) { return Download(store, r); };
  return table->AddUnder(http::ClientPrefixes(), std::move(download));
}

absl::StatusOr<filter::Filter> ResolveFilter(const storage::FilterStore& store,
                                             std::string_view user_id,
                                             std::string_view text) {
  if (text.empty()) return filter::Filter{};
  std::string json_text;
  if (filter::IsInlineFilter(text)) {
    json_text = std::string(text);
  } else {
    absl::StatusOr<uint64_t> id = ParseFilterId(text);
    if (!id.ok()) return InvalidParam("filter is neither JSON nor a filter id");
    absl::StatusOr<std::string> stored = store.Get(user_id, *id);
    if (absl::IsNotFound(stored.status())) {
      return InvalidParam("Unknown filter id");
    }
    RETURN_IF_ERROR(stored.status());
    json_text = *std::move(stored);
  }
  absl::StatusOr<boost::json::object> json = json::ParseJsonObject(json_text);
  if (!json.ok()) return BadJson("filter is not a JSON object");
  return filter::ParseFilter(*json);
}

}  // namespace myelin::sync
