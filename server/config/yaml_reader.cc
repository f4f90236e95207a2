#include "server/config/yaml_reader.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"

namespace myelin::config {
namespace {

std::string TypeName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "'" + node.Scalar() + "'";
    default: return "nothing";
  }
}

}  // namespace

void YamlErrors::Add(const std::string& path, const std::string& problem) {
  errors_.push_back(path + ": " + problem);
}

std::string YamlErrors::Join() const { return absl::StrJoin(errors_, "; "); }

MapReader::MapReader(const YAML::Node& node, std::string path,
                     YamlErrors* errors)
    : node_(node), path_(std::move(path)), errors_(errors) {
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
    errors_->Add(path_.empty() ? "(top level)" : path_,
                 "expected a mapping, got " + TypeName(node_));
  }
}

std::string MapReader::PathOf(const char* key) const {
  return path_.empty() ? std::string(key) : path_ + "." + key;
}

YAML::Node MapReader::Get(const char* key) {
  known_.insert(key);
  if (!node_.IsMap()) return YAML::Node(YAML::NodeType::Null);
  // operator[] on a const node does not insert.
  const YAML::Node& map = node_;
  return map[key];
}

bool MapReader::ScalarOrError(const YAML::Node& value, const char* key,
                              const char* expected) {
  if (value.IsScalar()) return true;
  errors_->Add(PathOf(key),
               std::string("expected ") + expected + ", got " + TypeName(value));
  return false;
}

void MapReader::String(const char* key, std::string* out) {
  YAML::Node value = Get(key);
  if (!value.IsDefined() || value.IsNull()) return;
  if (ScalarOrError(value, key, "a string")) *out = value.Scalar();
}

void MapReader::Bool(const char* key, bool* out) {
  YAML::Node value = Get(key);
  if (!value.IsDefined() || value.IsNull()) return;
  if (!ScalarOrError(value, key, "true or false")) return;
  std::string text = absl::AsciiStrToLower(value.Scalar());
  if (text == "true" || text == "yes" || text == "on") {
    *out = true;
  } else if (text == "false" || text == "no" || text == "off") {
    *out = false;
  } else {
    errors_->Add(PathOf(key), "expected true or false, got '" +
                                  value.Scalar() + "'");
  }
}

void MapReader::U64(const char* key, uint64_t* out, uint64_t min,
                    uint64_t max) {
  YAML::Node value = Get(key);
  if (!value.IsDefined() || value.IsNull()) return;
  if (!ScalarOrError(value, key, "an integer")) return;
  uint64_t parsed = 0;
  if (!absl::SimpleAtoi(value.Scalar(), &parsed)) {
    errors_->Add(PathOf(key),
                 "expected a non-negative integer, got '" + value.Scalar() +
                     "'");
    return;
  }
  if (parsed < min || parsed > max) {
    errors_->Add(PathOf(key), "must be between " + std::to_string(min) +
                                  " and " + std::to_string(max) + ", got " +
                                  value.Scalar());
    return;
  }
  *out = parsed;
}

void MapReader::StringList(const char* key, std::vector<std::string>* out) {
  YAML::Node value = Get(key);
  if (!value.IsDefined() || value.IsNull()) return;
  if (!value.IsSequence()) {
    errors_->Add(PathOf(key), "expected a list of strings, got " +
                                  TypeName(value));
    return;
  }
  std::vector<std::string> items;
  for (size_t i = 0; i < value.size(); ++i) {
    if (!value[i].IsScalar()) {
      errors_->Add(PathOf(key) + "[" + std::to_string(i) + "]",
                   "expected a string, got " + TypeName(value[i]));
      return;
    }
    items.push_back(value[i].Scalar());
  }
  *out = std::move(items);
}

void MapReader::Double(const char* key, double* out, double min,
                       double max) {
  YAML::Node value = Get(key);
  if (!value.IsDefined() || value.IsNull()) return;
  if (!ScalarOrError(value, key, "a number")) return;
  double parsed = 0;
  if (!absl::SimpleAtod(value.Scalar(), &parsed) || !(parsed >= min) ||
      !(parsed <= max)) {
    errors_->Add(PathOf(key), "expected a number between " +
                                  std::to_string(min) + " and " +
                                  std::to_string(max) + ", got '" +
                                  value.Scalar() + "'");
    return;
  }
  *out = parsed;
}

void MapReader::Mapping(
    const char* key,
    const std::function<void(const YAML::Node&, const std::string&)>& each) {
  YAML::Node value = Get(key);
  if (!value.IsDefined() || value.IsNull()) return;
  if (!value.IsMap()) {
    errors_->Add(PathOf(key), "expected a mapping, got " + TypeName(value));
    return;
  }
  each(value, PathOf(key));
}

void MapReader::Sequence(
    const char* key,
    const std::function<void(const YAML::Node&, const std::string&)>& each) {
  YAML::Node value = Get(key);
  if (!value.IsDefined() || value.IsNull()) return;
  if (!value.IsSequence()) {
    errors_->Add(PathOf(key), "expected a list, got " + TypeName(value));
    return;
  }
  for (size_t i = 0; i < value.size(); ++i) {
    each(value[i], PathOf(key) + "[" + std::to_string(i) + "]");
  }
}

void MapReader::RejectUnknownKeys() {
  if (!node_.IsMap()) return;
  for (const auto& entry : node_) {
    std::string key =
        entry.first.IsScalar() ? entry.first.Scalar() : "(non-string key)";
    if (known_.count(key) == 0) errors_->Add(PathOf(key.c_str()), "unknown key");
  }
}

}  // namespace myelin::config
