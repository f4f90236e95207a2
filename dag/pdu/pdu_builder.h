// Test helper: builds Pdus field by field.
//
//   Pdu join = PduBuilder("$join", "m.room.member", "@bob:b.org")
//                  .StateKey("@bob:b.org")
//                  .Content(R"({"membership": "join"})")
//                  .Build(rules);
#ifndef MYELIN_DAG_PDU_PDU_BUILDER_H_
#define MYELIN_DAG_PDU_PDU_BUILDER_H_

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dag/pdu/pdu.h"

namespace myelin {

class PduBuilder {
 public:
  PduBuilder(std::string_view event_id, std::string_view type,
             std::string_view sender);

  PduBuilder& Room(std::string_view room_id);
  PduBuilder& NoRoom();
  PduBuilder& StateKey(std::string_view state_key);
  // REQUIRES: `json` is a JSON object.
  PduBuilder& Content(std::string_view json);
  PduBuilder& Prev(std::vector<std::string> ids);
  PduBuilder& Auth(std::vector<std::string> ids);
  PduBuilder& Ts(int64_t origin_server_ts);
  PduBuilder& Depth(int64_t depth);
  // Top-level `redacts` (before v11) or content.redacts (v11+) at Build().
  PduBuilder& Redacts(std::string_view id);

  const std::string& event_id() const { return event_id_; }
  // Aborts the test binary if the fields do not parse.
  Pdu Build(const RoomVersionRules& rules) const;

 private:
  std::string event_id_;
  boost::json::object json_;
  std::string redacts_;
};

}  // namespace myelin

#endif  // MYELIN_DAG_PDU_PDU_BUILDER_H_
