// Spec: client-server-api, "Device management" (modules/device_management):
// GET /devices, GET/PUT/DELETE /devices/{deviceId}, POST /delete_devices.
// Deleting devices needs UIA with m.login.password.
#include "boost/json/array.hpp"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "server/client/accounts.h"

namespace myelin::client {
namespace {

using http::Request;
using http::Response;

boost::json::object DeviceJson(const Accounts& accounts,
                               const std::string& user_id,
                               storage::Device device) {
  // The last use since start-up, when newer than the stored login time.
  if (auto seen = accounts.authenticator()->LastSeenOf(user_id,
                                                       device.device_id);
      seen && seen->ms > device.last_seen_ms) {
    device.last_seen_ms = seen->ms;
    device.last_seen_ip = seen->ip;
  }
  boost::json::object json{{"device_id", device.device_id}};
  if (!device.display_name.empty()) json["display_name"] = device.display_name;
  if (!device.last_seen_ip.empty()) json["last_seen_ip"] = device.last_seen_ip;
  if (device.last_seen_ms != 0) json["last_seen_ts"] = device.last_seen_ms;
  return json;
}

absl::StatusOr<Response> ListDevices(Accounts& accounts,
                                     const Request& request) {
  const std::string& user_id = request.principal.user_id;
  ASSIGN_OR_RETURN(auto devices, accounts.store().ListDevices(user_id));
  boost::json::array list;
  for (const storage::Device& device : devices) {
    list.push_back(DeviceJson(accounts, user_id, device));
  }
  return Response::Json(boost::json::serialize(
      boost::json::object{{"devices", std::move(list)}}));
}

absl::StatusOr<Response> GetDevice(Accounts& accounts, const Request& request) {
  const std::string& user_id = request.principal.user_id;
  ASSIGN_OR_RETURN(auto device, accounts.store().GetDevice(
                                    user_id, request.Param("deviceId")));
  if (!device) return NotFound("Unknown device");
  return Response::Json(boost::json::serialize(DeviceJson(accounts, user_id, *device)));
}

absl::StatusOr<Response> UpdateDevice(Accounts& accounts,
                                      const Request& request) {
  ASSIGN_OR_RETURN(auto name,
                   OptionalString(request.json.get_object(), "display_name"));
  if (name) {
    RETURN_IF_ERROR(accounts.store().SetDeviceDisplayName(
        request.principal.user_id, request.Param("deviceId"), *name));
    accounts.hooks().DeviceRenamedFor(request.principal.user_id,
                                      request.Param("deviceId"));
  } else {
    ASSIGN_OR_RETURN(auto device,
                     accounts.store().GetDevice(request.principal.user_id,
                                                request.Param("deviceId")));
    if (!device) return NotFound("Unknown device");
  }
  return Response::Json("{}");
}

absl::StatusOr<Response> DeleteDevice(Accounts& accounts,
                                      const Request& request) {
  const std::string& user_id = request.principal.user_id;
  std::string device_id(request.Param("deviceId"));
  ASSIGN_OR_RETURN(auto device, accounts.store().GetDevice(user_id, device_id));
  if (!device) return NotFound("Unknown device");
  RETURN_IF_ERROR(accounts.RequirePassword(
      request.json.get_object(), user_id, "delete_device " + device_id));
  RETURN_IF_ERROR(accounts.DeleteDevices(
      user_id, std::vector<std::string>{device_id}));
  return Response::Json("{}");
}

absl::StatusOr<Response> DeleteDevices(Accounts& accounts,
                                       const Request& request) {
  const boost::json::object& body = request.json.get_object();
  const boost::json::value* devices = body.if_contains("devices");
  if (devices == nullptr) return MissingParam("Missing devices");
  if (!devices->is_array()) return BadJson("devices must be a list");
  std::vector<std::string> ids;
  for (const boost::json::value& id : devices->get_array()) {
    if (!id.is_string()) return BadJson("devices must be a list of strings");
    ids.emplace_back(id.get_string());
  }
  RETURN_IF_ERROR(accounts.RequirePassword(body, request.principal.user_id,
                                           "delete_devices"));
  RETURN_IF_ERROR(accounts.DeleteDevices(request.principal.user_id, ids));
  return Response::Json("{}");
}

}  // namespace

absl::Status AddDeviceRoutes(http::RouteTable* table, Accounts* accounts) {
  const auto& prefixes = http::ClientPrefixes();
  return http::AddUserRoutes<Accounts>(
      table, prefixes, accounts,
      {{http::Method::kGet, "/devices", ListDevices},
       {http::Method::kGet, "/devices/{deviceId}", GetDevice},
       {http::Method::kPut, "/devices/{deviceId}", UpdateDevice},
       {http::Method::kDelete, "/devices/{deviceId}", DeleteDevice},
       {http::Method::kPost, "/delete_devices", DeleteDevices}});
}

}  // namespace myelin::client
