// Keys of the relation and redaction families (storage/FORMAT.md,
// "Relations and redactions"). Parents and redaction targets are named by
// event id, not nid: the parent may arrive later over federation, or never.
#ifndef MYELIN_STORAGE_KEYS_RELATION_KEYS_H_
#define MYELIN_STORAGE_KEYS_RELATION_KEYS_H_

#include <cstdint>
#include <string>

#include "storage/keys/codec.h"

namespace myelin::storage::keys {

// `eventid_relations`: (room nid, parent event id, rel_type, child stream
// position). One prefix scan finds a parent's children of one rel_type in
// stream order; the shorter prefix finds all of them. Value: RelationValue.
using RelationKey = Key<uint64_t, std::string, std::string, uint64_t>;
// `eventid_relations` value: (child event nid, child sender nid).
using RelationValue = Key<uint64_t, uint64_t>;
// `eventid_redaction`: (room nid, redacted event id). Value: NidKey of the
// first redaction event naming it (later ones change nothing).
using RedactionKey = Key<uint64_t, std::string>;
// `eventid_haschildren`: (room nid, parent event id), written with every
// relation to the parent, so serving an event learns whether it has
// children with one bloom-filtered Get instead of a seek. Value: empty.
using HasChildrenKey = Key<uint64_t, std::string>;
// `roomnid_threads`: (room nid, stream of the thread's latest event, root
// event id). A thread moves to its new latest position on each reply, so a
// backward scan of one room lists threads by latest activity. Value: empty.
using ThreadKey = Key<uint64_t, uint64_t, std::string>;

}  // namespace myelin::storage::keys

#endif  // MYELIN_STORAGE_KEYS_RELATION_KEYS_H_
