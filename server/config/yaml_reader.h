// Typed reading of one YAML mapping, remembering which keys were read so the
// rest can be reported as unknown. Errors name the key's full path
// ("listeners[1].port") and collect, so one run reports every mistake.
// yaml-cpp throws; nothing here lets an exception out.
#ifndef MYELIN_SERVER_CONFIG_YAML_READER_H_
#define MYELIN_SERVER_CONFIG_YAML_READER_H_

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "yaml-cpp/yaml.h"

namespace myelin::config {

class YamlErrors {
 public:
  void Add(const std::string& path, const std::string& problem);
  bool empty() const { return errors_.empty(); }
  // "config: a: problem; b: problem".
  std::string Join() const;

 private:
  std::vector<std::string> errors_;
};

class MapReader {
 public:
  // `node` must outlive the reader. A null node reads as an empty mapping.
  MapReader(const YAML::Node& node, std::string path, YamlErrors* errors);

  // Each reader leaves *out unchanged when the key is absent or null.
  void String(const char* key, std::string* out);
  void Bool(const char* key, bool* out);
  void U64(const char* key, uint64_t* out, uint64_t min, uint64_t max);
  void StringList(const char* key, std::vector<std::string>* out);
  void Double(const char* key, double* out, double min, double max);
  // Calls `each` with (node, path) when the key holds a mapping.
  void Mapping(const char* key,
               const std::function<void(const YAML::Node&,
                                        const std::string&)>& each);
  // Calls `each` with (element node, element path) for every element of a
  // sequence.
  void Sequence(const char* key,
                const std::function<void(const YAML::Node&,
                                         const std::string&)>& each);

  // Reports keys that no reader asked for. Call once, last.
  void RejectUnknownKeys();

 private:
  // The value under `key`, or a null node. Marks the key as known.
  YAML::Node Get(const char* key);
  std::string PathOf(const char* key) const;
  bool ScalarOrError(const YAML::Node& value, const char* key,
                     const char* expected);

  const YAML::Node& node_;
  std::string path_;
  YamlErrors* errors_;
  std::set<std::string> known_;
};

}  // namespace myelin::config

#endif  // MYELIN_SERVER_CONFIG_YAML_READER_H_
