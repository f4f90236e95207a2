// The media repository's endpoints (Spec: client-server-api, "Content
// repository"; content-repo.yaml and authed_content_repo.yaml):
//
//   POST /_matrix/media/{v3,r0}/upload            stream in, content-addressed
//   POST /_matrix/media/v1/create                 reserve an mxc URI
//   PUT  /_matrix/media/v3/upload/{server}/{id}   fill a reservation
//   GET  /_matrix/client/v1/media/download/...    authenticated downloads,
//        /thumbnail/..., /config, /preview_url    thumbnails, config
//   GET  /_matrix/media/{v3,r0}/download/...      the deprecated,
//        /thumbnail/..., /config, /preview_url    unauthenticated ones
//
// Uploads stream into the store piece by piece (never whole in memory),
// with max_upload_size_bytes enforced while they arrive; downloads stream
// out of it, honouring single byte ranges.
#ifndef MYELIN_SERVER_MEDIA_MEDIA_ROUTES_H_
#define MYELIN_SERVER_MEDIA_MEDIA_ROUTES_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "dag/base/clock.h"
#include "server/http/router.h"
#include "storage/media/media_store.h"

namespace myelin::media {

struct MediaContext {
  std::string server_name;
  storage::MediaStore* store = nullptr;
  const Clock* clock = nullptr;
  uint64_t max_upload_bytes = 50ull << 20;
  // Media created at or after this Unix time (ms) is refused by the
  // unauthenticated endpoints; 0: never.
  uint64_t unauthenticated_freeze_ms = 0;
  // Rate limit of uploads; nullptr: none.
  const http::RequestLimiter* upload_limit = nullptr;
};

// Reservations of POST /create expire after this long unused (Spec:
// `unused_expires_at`).
inline constexpr int64_t kUnusedReservationMillis = 24 * 60 * 60 * 1000;
// Images larger than this are not thumbnailed (they are still served).
inline constexpr uint64_t kMaxThumbnailSourceBytes = 32ull << 20;

// `context` must outlive the table.
absl::Status AddMediaRoutes(http::RouteTable* table, const MediaContext* context);

// POST /_myelin/admin/v1/media/{serverName}/{mediaId}/quarantine
// ({"quarantined": true|false}, default true) and DELETE
// /_myelin/admin/v1/media/{serverName}/{mediaId}, with the admin token
// (media_admin.cc).
absl::Status AddMediaAdminRoutes(http::RouteTable* table,
                                 const MediaContext* context);

}  // namespace myelin::media

#endif  // MYELIN_SERVER_MEDIA_MEDIA_ROUTES_H_
