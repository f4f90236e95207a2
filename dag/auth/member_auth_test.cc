// Table-driven tests of rule 5 (m.room.member) across room versions.
#include "absl/strings/str_format.h"
#include "dag/auth/auth_test_util.h"

namespace myelin {
namespace {

using R = TestRoom;

void JoinBob(R& r) { r.Add(r.Member("$bob-join", kBob, kBob, "join")); }
void InviteBob(R& r) { r.Add(r.Member("$bob-inv", kAlice, kBob, "invite")); }
void BanBob(R& r) { r.Add(r.Member("$bob-ban", kAlice, kBob, "ban")); }
void JoinCarol(R& r) { r.Add(r.Member("$carol-join", kCarol, kCarol, "join")); }

PduBuilder BobJoins(const R& r) { return r.Member("$e", kBob, kBob, "join"); }
PduBuilder BobJoinsVia(const R& r, std::string_view via) {
  PduBuilder b = r.Member("$e", kBob, kBob, "join");
  b.Content(absl::StrFormat(
      R"({"membership": "join", "join_authorised_via_users_server": "%s"})",
      via));
  return b;
}

TEST(MemberAuthTest, Join) {
  RunAuthCases({
      {"creator's first join", 1, 12, "invite", nullptr,
       [](const R& r) {
         return r.Member("$e", kAlice, kAlice, "join").Prev({"$create"});
       },
       ""},
      {"no membership", 1, 12, "public", nullptr,
       [](const R& r) {
         return r.Event("$e", "m.room.member", kBob).StateKey(kBob);
       },
       "rule 5.1:"},
      {"join for someone else", 1, 12, "public", nullptr,
       [](const R& r) { return r.Member("$e", kAlice, kBob, "join"); },
       "rule 5.3.2:"},
      {"banned", 1, 12, "public", BanBob, BobJoins, "rule 5.3.3:"},
      {"public", 1, 12, "public", nullptr, BobJoins, ""},
      {"invite-only uninvited", 1, 12, "invite", nullptr, BobJoins,
       "rule 5.3.4:"},
      {"invite-only invited", 1, 12, "invite", InviteBob, BobJoins, ""},
      {"invite-only rejoin", 1, 12, "invite", JoinBob, BobJoins, ""},
      {"knock rule unknown before v7", 1, 6, "knock", InviteBob, BobJoins,
       "rule 5.3.7:"},
      {"knock rule invited", 7, 12, "knock", InviteBob, BobJoins, ""},
      {"knock rule uninvited", 7, 12, "knock", nullptr, BobJoins,
       "rule 5.3.4:"},
      {"restricted unknown before v8", 1, 7, "restricted", JoinCarol,
       [](const R& r) { return BobJoinsVia(r, kCarol); }, "rule 5.3.7:"},
      {"restricted via joined member", 8, 12, "restricted", JoinCarol,
       [](const R& r) { return BobJoinsVia(r, kCarol); }, ""},
      {"restricted via absent user", 8, 12, "restricted", nullptr,
       [](const R& r) { return BobJoinsVia(r, kCarol); }, "rule 5.3.5.2:"},
      {"restricted without via", 8, 12, "restricted", nullptr, BobJoins,
       "rule 5.3.5.2:"},
      {"restricted invited", 8, 12, "restricted", InviteBob, BobJoins, ""},
      {"restricted banned despite via", 8, 12, "restricted",
       [](R& r) {
         JoinCarol(r);
         BanBob(r);
       },
       [](const R& r) { return BobJoinsVia(r, kCarol); }, "rule 5.3.3:"},
      {"restricted via member below invite level", 8, 11, "restricted",
       [](R& r) {
         JoinCarol(r);
         r.Add(r.Event("$pl2", "m.room.power_levels", kAlice)
                   .StateKey("")
                   .Content(R"({"invite": 50,
                                "users": {"@alice:a.org": 100}})"));
       },
       [](const R& r) { return BobJoinsVia(r, kCarol); }, "rule 5.3.5.2:"},
      {"knock_restricted unknown before v10", 8, 9, "knock_restricted",
       JoinCarol, [](const R& r) { return BobJoinsVia(r, kCarol); },
       "rule 5.3.7:"},
      {"knock_restricted via member", 10, 12, "knock_restricted", JoinCarol,
       [](const R& r) { return BobJoinsVia(r, kCarol); }, ""},
      {"private join rule", 1, 12, "private", nullptr, BobJoins, "rule 5.3.7:"},
  });
}

TEST(MemberAuthTest, JoinAuthorisedSignature) {
  AuthHooks reject_all;
  reject_all.verify_event_signed_by = [](const Pdu&, std::string_view) {
    return false;
  };
  RunAuthCases({
      {"unsigned by authorising server", 8, 12, "restricted", JoinCarol,
       [](const R& r) { return BobJoinsVia(r, kCarol); },
       "rule 5.2.1:", reject_all},
      {"no such rule before v8", 1, 7, "public", JoinCarol,
       [](const R& r) { return BobJoinsVia(r, kCarol); }, "", reject_all},
  });
}

TEST(MemberAuthTest, Invite) {
  RunAuthCases({
      {"allowed", 1, 12, "invite", nullptr,
       [](const R& r) { return r.Member("$e", kAlice, kBob, "invite"); }, ""},
      {"sender not joined", 1, 12, "invite", nullptr,
       [](const R& r) { return r.Member("$e", kCarol, kBob, "invite"); },
       "rule 5.4.2:"},
      {"target joined", 1, 12, "public", JoinBob,
       [](const R& r) { return r.Member("$e", kAlice, kBob, "invite"); },
       "rule 5.4.3:"},
      {"target banned", 1, 12, "public", BanBob,
       [](const R& r) { return r.Member("$e", kAlice, kBob, "invite"); },
       "rule 5.4.3:"},
      {"below invite level", 1, 12, "public",
       [](R& r) {
         JoinCarol(r);
         r.Add(r.Event("$pl2", "m.room.power_levels", kAlice)
                   .StateKey("")
                   .Content(R"({"invite": 50})"));
       },
       [](const R& r) { return r.Member("$e", kCarol, kBob, "invite"); },
       "rule 5.4.5:"},
  });
}

PduBuilder ThirdPartyInvite(const R& r, std::string_view mxid,
                            std::string_view sender = kAlice) {
  PduBuilder b = r.Member("$e", sender, kBob, "invite");
  b.Content(absl::StrFormat(R"({"membership": "invite",
      "third_party_invite": {"display_name": "b",
        "signed": {"mxid": "%s", "token": "tok",
                   "signatures": {"id.org": {"ed25519:0": "sig"}}}}})",
                            mxid));
  return b;
}

void AddTpi(R& r) {
  r.Add(r.Event("$tpi", "m.room.third_party_invite", kAlice)
            .StateKey("tok")
            .Content(R"({"display_name": "b", "public_key": "k1",
                         "public_keys": [{"public_key": "k2"}]})"));
}

TEST(MemberAuthTest, ThirdPartyInvite) {
  AuthHooks accepts_k2;
  accepts_k2.verify_third_party_signature = [](const boost::json::object& s,
                                               std::string_view key) {
    return s.contains("signatures") && key == "k2";
  };
  RunAuthCases({
      {"valid signature", 1, 12, "invite", AddTpi,
       [](const R& r) { return ThirdPartyInvite(r, kBob); }, "", accepts_k2},
      {"no verifier", 1, 12, "invite", AddTpi,
       [](const R& r) { return ThirdPartyInvite(r, kBob); }, "rule 5.4.1.8:"},
      {"mxid mismatch", 1, 12, "invite", AddTpi,
       [](const R& r) { return ThirdPartyInvite(r, kCarol); },
       "rule 5.4.1.4:", accepts_k2},
      {"no invite event", 1, 12, "invite", nullptr,
       [](const R& r) { return ThirdPartyInvite(r, kBob); },
       "rule 5.4.1.5:", accepts_k2},
      {"target banned", 1, 12, "invite",
       [](R& r) {
         AddTpi(r);
         BanBob(r);
       },
       [](const R& r) { return ThirdPartyInvite(r, kBob); },
       "rule 5.4.1.1:", accepts_k2},
      {"invite sent by someone else", 1, 12, "public",
       [](R& r) {
         AddTpi(r);
         JoinCarol(r);
       },
       [](const R& r) { return ThirdPartyInvite(r, kBob, kCarol); },
       "rule 5.4.1.6:", accepts_k2},
  });
}

TEST(MemberAuthTest, LeaveAndKick) {
  RunAuthCases({
      {"leave when joined", 1, 12, "public", JoinBob,
       [](const R& r) { return r.Member("$e", kBob, kBob, "leave"); }, ""},
      {"reject invite", 1, 12, "public", InviteBob,
       [](const R& r) { return r.Member("$e", kBob, kBob, "leave"); }, ""},
      {"leave when absent", 1, 12, "public", nullptr,
       [](const R& r) { return r.Member("$e", kBob, kBob, "leave"); },
       "rule 5.5.1:"},
      {"rescind knock", 7, 12, "knock",
       [](R& r) { r.Add(r.Member("$k", kBob, kBob, "knock")); },
       [](const R& r) { return r.Member("$e", kBob, kBob, "leave"); }, ""},
      {"kick", 1, 12, "public", JoinBob,
       [](const R& r) { return r.Member("$e", kAlice, kBob, "leave"); }, ""},
      {"kick by non-member", 1, 12, "public", JoinBob,
       [](const R& r) { return r.Member("$e", kCarol, kBob, "leave"); },
       "rule 5.5.2:"},
      {"kick upwards", 1, 12, "public", JoinBob,
       [](const R& r) { return r.Member("$e", kBob, kAlice, "leave"); },
       "rule 5.5.5:"},
      {"unban below ban level", 1, 12, "public",
       [](R& r) {
         BanBob(r);
         JoinCarol(r);
         r.Add(r.Event("$pl2", "m.room.power_levels", kAlice)
                   .StateKey("")
                   .Content(R"({"kick": 0, "ban": 60,
                                "users": {"@carol:c.org": 50}})"));
       },
       [](const R& r) { return r.Member("$e", kCarol, kBob, "leave"); },
       "rule 5.5.3:"},
  });
}

TEST(MemberAuthTest, Ban) {
  RunAuthCases({
      {"ban", 1, 12, "public", JoinBob,
       [](const R& r) { return r.Member("$e", kAlice, kBob, "ban"); }, ""},
      {"ban by non-member", 1, 12, "public", nullptr,
       [](const R& r) { return r.Member("$e", kBob, kAlice, "ban"); },
       "rule 5.6.1:"},
      {"ban upwards", 1, 12, "public", JoinBob,
       [](const R& r) { return r.Member("$e", kBob, kAlice, "ban"); },
       "rule 5.6.3:"},
  });
}

TEST(MemberAuthTest, Knock) {
  auto knock = [](const R& r) { return r.Member("$e", kBob, kBob, "knock"); };
  RunAuthCases({
      {"unknown membership before v7", 1, 6, "knock", nullptr, knock,
       "rule 5.8:"},
      {"knock", 7, 12, "knock", nullptr, knock, ""},
      {"knock on public room", 7, 12, "public", nullptr, knock, "rule 5.7.1:"},
      {"knock_restricted before v10", 7, 9, "knock_restricted", nullptr, knock,
       "rule 5.7.1:"},
      {"knock_restricted", 10, 12, "knock_restricted", nullptr, knock, ""},
      {"knock for someone else", 7, 12, "knock", nullptr,
       [](const R& r) { return r.Member("$e", kAlice, kBob, "knock"); },
       "rule 5.7.2:"},
      {"knock while invited", 7, 12, "knock", InviteBob, knock, "rule 5.7.4:"},
      {"gibberish membership", 1, 12, "public", nullptr,
       [](const R& r) { return r.Member("$e", kBob, kBob, "dance"); },
       "rule 5.8:"},
  });
}

}  // namespace
}  // namespace myelin
