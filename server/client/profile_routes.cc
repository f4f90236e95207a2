// Spec: client-server-api, "Profiles": GET /profile/{userId},
// GET/PUT /profile/{userId}/displayname and .../avatar_url. Changes are
// handed to AccountHooks, which the rooms layer uses to update the user's
// member events.
#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "server/client/accounts.h"

namespace myelin::client {
namespace {

using http::Request;
using http::Response;

// Synapse's limits, so profiles round-trip between servers.
constexpr size_t kMaxDisplaynameBytes = 256;
constexpr size_t kMaxAvatarUrlBytes = 1000;

// The profile of a local, active user; 404 otherwise (remote profiles need
// federation, which is not wired yet).
absl::StatusOr<storage::Profile> LocalProfile(Accounts& accounts,
                                              std::string_view user_id) {
  absl::StatusOr<std::string> localpart = accounts.LocalpartOf(user_id);
  if (!localpart.ok() || user_id.empty() || user_id.front() != '@' ||
      accounts.UserIdOf(*localpart) != user_id) {
    return NotFound("Profile not found");
  }
  ASSIGN_OR_RETURN(auto account, accounts.store().GetAccount(*localpart));
  if (!account || account->deactivated) return NotFound("Profile not found");
  return accounts.store().GetProfile(user_id);
}

boost::json::object ProfileJson(const storage::Profile& profile) {
  boost::json::object json;
  if (profile.displayname) json["displayname"] = *profile.displayname;
  if (profile.avatar_url) json["avatar_url"] = *profile.avatar_url;
  return json;
}

absl::StatusOr<Response> GetProfile(Accounts& accounts,
                                    const Request& request) {
  ASSIGN_OR_RETURN(storage::Profile profile,
                   LocalProfile(accounts, request.Param("userId")));
  return Response::Json(boost::json::serialize(ProfileJson(profile)));
}

absl::StatusOr<Response> GetField(Accounts& accounts, const Request& request,
                                  std::string_view field) {
  ASSIGN_OR_RETURN(storage::Profile profile,
                   LocalProfile(accounts, request.Param("userId")));
  boost::json::object json = ProfileJson(profile);
  const boost::json::value* value = json.if_contains(field);
  if (value == nullptr) return NotFound("This profile field is not set");
  return Response::Json(
      boost::json::serialize(boost::json::object{{field, *value}}));
}

absl::StatusOr<Response> SetField(Accounts& accounts, const Request& request,
                                  std::string_view field, size_t max_bytes) {
  const std::string& user_id = request.principal.user_id;
  if (request.Param("userId") != user_id) {
    return Forbidden("You may only change your own profile");
  }
  const boost::json::value* value = request.json.get_object().if_contains(field);
  if (value == nullptr) return MissingParam(absl::StrCat("Missing ", AV(field)));
  std::optional<std::string> text;
  if (value->is_string()) {
    text = std::string(value->get_string());
    if (text->size() > max_bytes) {
      return InvalidParam(absl::StrCat(AV(field), " too long"));
    }
    if (text->empty()) text.reset();  // "" clears the field, as in Synapse
  } else if (!value->is_null()) {
    return BadJson(absl::StrCat(AV(field), " must be a string"));
  }
  ASSIGN_OR_RETURN(storage::Profile profile,
                   accounts.store().SetProfileField(user_id, field,
                                                    std::move(text)));
  accounts.hooks().ProfileChangedFor(user_id, profile);
  return Response::Json("{}");
}

}  // namespace

absl::Status AddProfileRoutes(http::RouteTable* table, Accounts* accounts) {
  const auto& prefixes = http::ClientPrefixes();
  http::Route route;
  route.pattern = "/profile/{userId}";
  route.handler = [accounts](const Request& r) {
    return GetProfile(*accounts, r);
  };
  RETURN_IF_ERROR(table->AddUnder(prefixes, route));
  struct Field {
    const char* name;
    size_t max_bytes;
  };
  for (const Field field : {Field{"displayname", kMaxDisplaynameBytes},
                            Field{"avatar_url", kMaxAvatarUrlBytes}}) {
    std::string name = field.name;
    route = http::Route();
    route.pattern = absl::StrCat("/profile/{userId}/", name);
    route.handler = [accounts, name](const Request& r) {
      return GetField(*accounts, r, name);
    };
    RETURN_IF_ERROR(table->AddUnder(prefixes, route));
    route.method = http::Method::kPut;
    route.auth = http::Auth::kUser;
    route.body = http::Body::kJson;
    size_t max_bytes = field.max_bytes;
    route.handler = [accounts, name, max_bytes](const Request& r) {
      return SetField(*accounts, r, name, max_bytes);
    };
    RETURN_IF_ERROR(table->AddUnder(prefixes, route));
  }
  return absl::OkStatus();
}

}  // namespace myelin::client
