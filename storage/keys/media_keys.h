// Keys (and small fixed values) of the media families (storage/FORMAT.md,
// "Media"). Spec: client-server-api, "Content repository".
#ifndef MYELIN_STORAGE_KEYS_MEDIA_KEYS_H_
#define MYELIN_STORAGE_KEYS_MEDIA_KEYS_H_

#include <cstdint>
#include <string>

#include "storage/keys/codec.h"

namespace myelin::storage::keys {

// `media_blob`: (blob id, chunk index). A blob's chunks are contiguous, so
// [Encode(b, 0), Encode(b + 1, 0)) is exactly blob b: one DeleteRange.
using MediaChunkKey = Key<uint64_t, uint64_t>;

// `mediaid_info` and `mediaid_pending`: (server name, media id).
using MediaIdKey = Key<std::string, std::string>;

// `sha256_blob`: the lowercase hex SHA-256 of the content.
using Sha256Key = Key<std::string>;
// Its value, in the key encoding: (blob id, reference count).
using BlobRefValue = Key<uint64_t, uint64_t>;

// `mediaid_pending` value, in the key encoding: (uploader, expires_ms).
using PendingValue = Key<std::string, int64_t>;

// `mediaid_thumbnail`: (server name, media id, width, height, method,
// animated 0/1). EncodePrefix(server, media id) covers every thumbnail of
// one media id.
using ThumbnailKey =
    Key<std::string, std::string, uint32_t, uint32_t, std::string, uint8_t>;

// `userid_media`: (uploader user id, server name, media id).
using UserMediaKey = Key<std::string, std::string, std::string>;

// `mediablob_writing`: a blob id whose chunks are being written.
using WritingBlobKey = Key<uint64_t>;

}  // namespace myelin::storage::keys

#endif  // MYELIN_STORAGE_KEYS_MEDIA_KEYS_H_
