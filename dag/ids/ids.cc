#include "dag/ids/ids.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/crypto/base64.h"
#include "dag/json/utf8.h"

namespace myelin::ids {
namespace {

// SHA-256 (32 bytes) in unpadded base64.
constexpr size_t kHashIdChars = 43;

// The id is echoed only when it is printable UTF-8: errors reach clients.
absl::Status Invalid(std::string_view what, std::string_view id) {
  id = id.substr(0, kMaxIdBytes);
  const bool printable =
      json::IsValidUtf8(id) &&
      std::none_of(id.begin(), id.end(),
                   [](char c) { return static_cast<unsigned char>(c) < 0x20; });
  if (!printable) return InvalidParam(absl::StrFormat("Invalid %s", what));
  return InvalidParam(absl::StrFormat("Invalid %s: %s", what, id));
}

// Sigil and length checks shared by every sigilled id.
absl::Status CheckSigilled(std::string_view id, char sigil,
                           std::string_view what) {
  if (id.empty() || id.front() != sigil) return Invalid(what, id);
  if (id.size() > kMaxIdBytes) {
    return InvalidParam(absl::StrFormat("%s longer than 255 bytes", what));
  }
  return absl::OkStatus();
}

// "any valid non-surrogate Unicode code points except ':' and NUL".
bool IsOpaqueLocalpart(std::string_view s) {
  return s.find(':') == std::string_view::npos &&
         s.find('\0') == std::string_view::npos && json::IsValidUtf8(s);
}

bool IsStrictUserChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '=' || c == '-' || c == '/' || c == '+';
}

bool IsStrictUserLocalpart(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsStrictUserChar(c)) return false;
  }
  return true;
}

// Splits "&local:server" and validates the server name.
absl::StatusOr<IdParts> SplitWithDomain(std::string_view id,
                                        std::string_view what) {
  const size_t colon = id.find(':');
  if (colon == std::string_view::npos) return Invalid(what, id);
  IdParts parts{id.substr(1, colon - 1), id.substr(colon + 1)};
  if (!IsValidServerName(parts.server_name)) return Invalid(what, id);
  return parts;
}

bool IsHashId(std::string_view id, bool url_safe) {
  std::string_view hash = id.substr(1);
  if (hash.size() != kHashIdChars) return false;
  auto decoded = url_safe ? crypto::DecodeBase64UrlSafe(hash)
                          : crypto::DecodeBase64(hash);
  return decoded.ok();
}

}  // namespace

absl::StatusOr<IdParts> ParseUserId(std::string_view id,
                                    UserIdGrammar grammar) {
  RETURN_IF_ERROR(CheckSigilled(id, '@', "user ID"));
  ASSIGN_OR_RETURN(IdParts parts, SplitWithDomain(id, "user ID"));
  const bool ok = grammar == UserIdGrammar::kStrict
                      ? IsStrictUserLocalpart(parts.localpart)
                      : IsOpaqueLocalpart(parts.localpart);
  if (!ok) return Invalid("user ID", id);
  return parts;
}

absl::StatusOr<IdParts> ParseRoomId(std::string_view id, RoomIdFormat format) {
  RETURN_IF_ERROR(CheckSigilled(id, '!', "room ID"));
  const bool has_colon = id.find(':') != std::string_view::npos;
  if (format == RoomIdFormat::kCreateEventHash ||
      (format == RoomIdFormat::kAny && !has_colon)) {
    if (!IsHashId(id, /*url_safe=*/true)) return Invalid("room ID", id);
    return IdParts{id.substr(1), {}};
  }
  ASSIGN_OR_RETURN(IdParts parts, SplitWithDomain(id, "room ID"));
  if (parts.localpart.empty() || !IsOpaqueLocalpart(parts.localpart)) {
    return Invalid("room ID", id);
  }
  return parts;
}

absl::StatusOr<IdParts> ParseRoomAlias(std::string_view id) {
  RETURN_IF_ERROR(CheckSigilled(id, '#', "room alias"));
  ASSIGN_OR_RETURN(IdParts parts, SplitWithDomain(id, "room alias"));
  if (parts.localpart.empty() || !IsOpaqueLocalpart(parts.localpart)) {
    return Invalid("room alias", id);
  }
  return parts;
}

absl::StatusOr<IdParts> ParseEventId(std::string_view id,
                                     EventIdFormat format) {
  RETURN_IF_ERROR(CheckSigilled(id, '$', "event ID"));
  switch (format) {
    case EventIdFormat::kV1ServerAssigned: {
      ASSIGN_OR_RETURN(IdParts parts, SplitWithDomain(id, "event ID"));
      if (parts.localpart.empty() || !IsOpaqueLocalpart(parts.localpart)) {
        return Invalid("event ID", id);
      }
      return parts;
    }
    case EventIdFormat::kV3Base64:
    case EventIdFormat::kV4UrlSafe:
      if (!IsHashId(id, format == EventIdFormat::kV4UrlSafe)) {
        return Invalid("event ID", id);
      }
      return IdParts{id.substr(1), {}};
  }
  return Invalid("event ID", id);
}

absl::Status CheckEventIdAnyFormat(std::string_view id) {
  RETURN_IF_ERROR(CheckSigilled(id, '$', "event ID"));
  if (id.size() < 2 || id.find('\0') != std::string_view::npos ||
      !json::IsValidUtf8(id)) {
    return Invalid("event ID", id);
  }
  return absl::OkStatus();
}

std::string RoomIdFromCreateEventId(std::string_view create_event_id) {
  std::string room_id(create_event_id);
  if (!room_id.empty()) room_id[0] = '!';
  return room_id;
}

absl::StatusOr<KeyId> ParseKeyId(std::string_view key_id) {
  const size_t colon = key_id.find(':');
  if (colon == std::string_view::npos || colon == 0 ||
      colon + 1 == key_id.size() || key_id.size() > kMaxIdBytes) {
    return Invalid("key ID", key_id);
  }
  KeyId out{key_id.substr(0, colon), key_id.substr(colon + 1)};
  for (char c : out.algorithm) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') {
      return Invalid("key ID", key_id);
    }
  }
  for (char c : out.version) {
    if (!absl::ascii_isalnum(c) && c != '_') return Invalid("key ID", key_id);
  }
  return out;
}

bool IsValidRoomVersionId(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '.' &&
        c != '-') {
      return false;
    }
  }
  return true;
}

bool IsValidNamespacedIdentifier(std::string_view id) {
  if (id.empty() || id.size() > 255 || !absl::ascii_islower(id.front())) {
    return false;
  }
  for (char c : id) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '.' &&
        c != '-' && c != '_') {
      return false;
    }
  }
  return true;
}

std::string MapToUserIdLocalpart(std::string_view name, bool preserve_case) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : name) {
    if (c >= 'A' && c <= 'Z') {
      if (preserve_case) out.push_back('_');
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (c == '_' && preserve_case) {
      out.append("__");
    } else if (c != '=' && IsStrictUserChar(static_cast<char>(c))) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('=');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace myelin::ids
