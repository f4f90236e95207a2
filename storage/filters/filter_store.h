// Filters users upload for /sync (Spec: client-server-api, POST
// /user/{userId}/filter). A filter is immutable once stored; its id is a
// per-user counter, returned to the client as a decimal string.
//
// Thread-safe (a mutex serialises id allocation); the Engine must outlive
// the store.
#ifndef MYELIN_STORAGE_FILTERS_FILTER_STORE_H_
#define MYELIN_STORAGE_FILTERS_FILTER_STORE_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "storage/engine.h"

namespace myelin::storage {

class FilterStore {
 public:
  explicit FilterStore(Engine* engine) : engine_(engine) {}

  // Stores `filter_json` (already validated) and returns its new id.
  absl::StatusOr<uint64_t> Add(std::string_view user_id,
                               std::string_view filter_json);

  // The stored JSON; NotFound for an unknown id.
  absl::StatusOr<std::string> Get(std::string_view user_id,
                                  uint64_t filter_id) const;

 private:
  absl::StatusOr<uint64_t> NextId(const std::string& user_id) const;

  Engine* engine_;
  std::mutex mu_;  // Serialises Add(): read the last id, write the next.
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_FILTERS_FILTER_STORE_H_
