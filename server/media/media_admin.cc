// Admin actions on media (the server's admin token; used by `myelin-admin
// media` while the server runs): quarantine — the media is then served to
// nobody — and deletion, which frees the content once no other media id
// refers to it (after compaction).
#include "absl/strings/str_cat.h"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "server/media/media_http.h"
#include "server/media/media_routes.h"

namespace myelin::media {
namespace {

using http::Request;
using http::Response;

absl::StatusOr<storage::MediaId> ExistingMedia(const MediaContext& context,
                                               const Request& request) {
  storage::MediaId id{std::string(request.Param("serverName")),
                      std::string(request.Param("mediaId"))};
  if (!IsValidMediaId(id.media_id)) return NotFound("Media not found");
  ASSIGN_OR_RETURN(std::optional<storage::MediaInfo> info,
                   context.store->Get(id));
  if (!info.has_value()) return NotFound("Media not found");
  return id;
}

absl::StatusOr<Response> Quarantine(const MediaContext* context,
                                    const Request& request) {
  ASSIGN_OR_RETURN(storage::MediaId id, ExistingMedia(*context, request));
  bool quarantined = true;
  if (const auto* value = request.json.as_object().if_contains("quarantined")) {
    if (!value->is_bool()) return BadJson("quarantined must be a boolean");
    quarantined = value->as_bool();
  }
  RETURN_IF_ERROR(context->store->Quarantine(id, quarantined));
  return Response::Json("{}");
}

absl::StatusOr<Response> Delete(const MediaContext* context,
                                const Request& request) {
  ASSIGN_OR_RETURN(storage::MediaId id, ExistingMedia(*context, request));
  RETURN_IF_ERROR(context->store->Delete(id));
  return Response::Json("{}");
}

}  // namespace

absl::Status AddMediaAdminRoutes(http::RouteTable* table,
                                 const MediaContext* context) {
  http::Route quarantine;
  quarantine.method = http::Method::kPost;
  quarantine.pattern =
      "/_myelin/admin/v1/media/{serverName}/{mediaId}/quarantine";
  quarantine.auth = http::Auth::kAdmin;
  quarantine.body = http::Body::kJson;
  quarantine.handler = [context](const Request& r) {
    return Quarantine(context, r);
  };
  RETURN_IF_ERROR(table->Add(std::move(quarantine)));
  http::Route remove;
  remove.method = http::Method::kDelete;
  remove.pattern = "/_myelin/admin/v1/media/{serverName}/{mediaId}";
  remove.auth = http::Auth::kAdmin;
  remove.handler = [context](const Request& r) { return Delete(context, r); };
  return table->Add(std::move(remove));
}

}  // namespace myelin::media
