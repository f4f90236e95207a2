#include "storage/column_families.h"

namespace myelin::storage {

// The table is indexed by Cf; a row out of place would hand callers the
// wrong family.
static_assert([] {
  for (size_t i = 0; i < kColumnFamilies.size(); ++i) {
    if (static_cast<size_t>(kColumnFamilies[i].id) != i) return false;
  }
  return true;
}());

std::string_view PresetName(Preset preset) {
  switch (preset) {
    case Preset::kSmall:
      return "small";
    case Preset::kPointLookup:
      return "point-lookup";
    case Preset::kPrefixScan:
      return "prefix-scan";
    case Preset::kBlob:
      return "blob";
  }
  return "unknown";
}

const ColumnFamilySpec& SpecOf(Cf cf) {
  return kColumnFamilies[static_cast<size_t>(cf)];
}

std::optional<Cf> FindColumnFamily(std::string_view name) {
  for (const ColumnFamilySpec& spec : kColumnFamilies) {
    if (spec.name == name) return spec.id;
  }
  return std::nullopt;
}

}  // namespace myelin::storage
