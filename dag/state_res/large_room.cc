#include "dag/state_res/large_room.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "dag/base/strings.h"
#include "dag/pdu/pdu_builder.h"

namespace myelin {
namespace {

constexpr std::string_view kAlice = "@alice:a.org";
constexpr std::string_view kMod = "@mod:a.org";

}  // namespace

std::string LargeRoom::UserId(int i) { return absl::StrCat("@u", i, ":m.org"); }

const Pdu& LargeRoom::Add(const PduBuilder& b) {
  pdus_.push_back(b.Build(rules_));
  const Pdu& p = pdus_.back();
  by_id_[p.event_id()] = &p;
  return p;
}

LargeRoom::LargeRoom(const RoomVersionRules& rules, int members, int changes)
    : rules_(rules) {
  // Since v12 the room id is the create event's id, create is never an auth
  // event and creators may not be listed in power levels.
  const bool v12 = rules.room_id_is_create_event_id;
  int64_t ts = 0;
  auto state = [&](std::string_view id, std::string_view type,
                   std::string_view sender, std::string_view key,
                   std::string_view content, std::vector<std::string> auth) {
    PduBuilder b(id, type, sender);
    if (v12) {
      auth.erase(std::remove(auth.begin(), auth.end(), "$create"), auth.end());
      if (type == event_type::kCreate) {
        b.NoRoom();
      } else {
        b.Room("!create");
      }
    }
    b.StateKey(key).Content(content).Auth(std::move(auth)).Ts(++ts).Depth(ts);
    const Pdu& p = Add(b);
    return StateKey(p.type(), *p.state_key());
  };
  StateMap base;
  auto add_base = [&](StateKey key, std::string id) { base[key] = id; };
  add_base(state("$create", "m.room.create", kAlice, "",
                 R"({"creator": "@alice:a.org"})", {}),
           "$create");
  add_base(state("$alice", "m.room.member", kAlice, kAlice,
                 R"({"membership": "join"})", {"$create"}),
           "$alice");
  add_base(state("$pl", "m.room.power_levels", kAlice, "",
                 v12 ? "{}" : R"({"users": {"@alice:a.org": 100}})",
                 {"$create", "$alice"}),
           "$pl");
  add_base(state("$jr", "m.room.join_rules", kAlice, "",
                 R"({"join_rule": "public"})", {"$create", "$alice", "$pl"}),
           "$jr");
  add_base(state("$mod", "m.room.member", kMod, kMod,
                 R"({"membership": "join"})", {"$create", "$pl", "$jr"}),
           "$mod");
  for (int i = 0; i < members; ++i) {
    const std::string id = absl::StrCat("$join", i);
    add_base(state(id, "m.room.member", UserId(i), UserId(i),
                   R"({"membership": "join"})", {"$create", "$pl", "$jr"}),
             id);
  }
  fork_a_ = base;
  fork_b_ = base;
  // Fork A: a moderator, bans, a topic.
  fork_a_[state("$pl-a", "m.room.power_levels", kAlice, "",
                v12 ? R"({"users": {"@mod:a.org": 50}})"
                    : R"({"users": {"@alice:a.org": 100, "@mod:a.org": 50}})",
                {"$create", "$alice", "$pl"})] = "$pl-a";
  for (int i = 0; i < changes; ++i) {
    const std::string id = absl::StrCat("$ban", i);
    fork_a_[state(
        id, "m.room.member", kAlice, UserId(i), R"({"membership": "ban"})",
        {"$create", "$alice", "$pl-a", absl::StrCat("$join", i)})] = id;
  }
  fork_a_[state("$topic-a", "m.room.topic", kAlice, "", R"({"topic": "A"})",
                {"$create", "$alice", "$pl-a"})] = "$topic-a";
  // Fork B: display names, leaves, a topic from the (unpromoted) mod.
  for (int i = 0; i < changes; ++i) {
    const std::string id = absl::StrCat("$name", i);
    fork_b_[state(id, "m.room.member", UserId(i), UserId(i),
                  R"({"membership": "join", "displayname": "x"})",
                  {"$create", "$pl", "$jr", absl::StrCat("$join", i)})] = id;
    const int j = changes + i;
    const std::string leave = absl::StrCat("$leave", j);
    fork_b_[state(leave, "m.room.member", UserId(j), UserId(j),
                  R"({"membership": "leave"})",
                  {"$create", "$pl", absl::StrCat("$join", j)})] = leave;
  }
  fork_b_[state("$topic-b", "m.room.topic", kMod, "", R"({"topic": "B"})",
                {"$create", "$mod", "$pl"})] = "$topic-b";
}

StateResCallbacks LargeRoom::Callbacks() const {
  StateResCallbacks cb;
  cb.fetch = [this](std::string_view id) -> const Pdu* {
    auto it = by_id_.find(AV(id));
    return it == by_id_.end() ? nullptr : it->second;
  };
  return cb;
}

absl::flat_hash_set<std::string> LargeRoom::AuthChainOf(
    const StateMap& state) const {
  absl::flat_hash_set<std::string> out;
  std::vector<const Pdu*> stack;
  for (const auto& [key, id] : state) stack.push_back(by_id_.at(id));
  while (!stack.empty()) {
    const Pdu* p = stack.back();
    stack.pop_back();
    for (const std::string& a : p->auth_events()) {
      if (out.insert(a).second) stack.push_back(by_id_.at(a));
    }
  }
  return out;
}

}  // namespace myelin
