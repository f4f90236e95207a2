#include "storage/events/types.h"

namespace myelin::storage {

Membership ParseMembership(std::string_view membership) {
  if (membership == "join") return Membership::kJoin;
  if (membership == "invite") return Membership::kInvite;
  if (membership == "leave") return Membership::kLeave;
  if (membership == "ban") return Membership::kBan;
  if (membership == "knock") return Membership::kKnock;
  return Membership::kNone;
}

std::string_view MembershipName(Membership membership) {
  switch (membership) {
    case Membership::kJoin:
      return "join";
    case Membership::kInvite:
      return "invite";
    case Membership::kLeave:
      return "leave";
    case Membership::kBan:
      return "ban";
    case Membership::kKnock:
      return "knock";
    case Membership::kNone:
      break;
  }
  return "";
}

}  // namespace myelin::storage
