#include "server/config/config.h"

#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "dag/base/log.h"
#include "dag/base/status_macros.h"
#include "server/config/accounts_config.h"
#include "server/config/yaml_reader.h"

namespace myelin::config {
namespace {

constexpr std::string_view kEmbeddedDefault = R"yaml(# Myelin's embedded default configuration.
server_name: localhost
listeners:
  - bind_addresses: ["127.0.0.1"]
    port: 8008
    tls: false
    resources: [client, federation, media, health, metrics]
data_dir: ./data
log_level: info
)yaml";

bool ParseResource(const std::string& name, Resource* out) {
  static const std::pair<const char*, Resource> kNames[] = {
      {"client", Resource::kClient},   {"federation", Resource::kFederation},
      {"media", Resource::kMedia},     {"metrics", Resource::kMetrics},
      {"health", Resource::kHealth},
  };
  for (const auto& [text, resource] : kNames) {
    if (name == text) {
      *out = resource;
      return true;
    }
  }
  return false;
}

Listener ReadListener(const YAML::Node& node, const std::string& path,
                      YamlErrors* errors) {
  Listener listener;
  MapReader reader(node, path, errors);
  reader.StringList("bind_addresses", &listener.bind_addresses);
  uint64_t port = listener.port;
  reader.U64("port", &port, 0, 65535);
  listener.port = static_cast<uint16_t>(port);
  reader.Bool("tls", &listener.tls);
  reader.Bool("x_forwarded", &listener.x_forwarded);
  std::vector<std::string> names;
  reader.StringList("resources", &names);
  if (!names.empty()) {
    listener.resources.clear();
    for (const std::string& name : names) {
      Resource resource;
      if (!ParseResource(name, &resource)) {
        errors->Add(path + ".resources",
                    "unknown resource '" + name +
                        "' (expected client, federation, media, metrics or "
                        "health)");
        continue;
      }
      listener.resources.push_back(resource);
    }
  }
  reader.RejectUnknownKeys();
  return listener;
}

void ReadTopLevel(const YAML::Node& root, Config* config, YamlErrors* errors) {
  MapReader reader(root, "", errors);
  reader.String("server_name", &config->server_name);
  reader.String("public_baseurl", &config->public_baseurl);
  reader.String("well_known_server", &config->well_known_server);
  std::vector<Listener> listeners;
  bool listeners_given = false;
  reader.Sequence("listeners", [&](const YAML::Node& node,
                                   const std::string& path) {
    listeners_given = true;
    listeners.push_back(ReadListener(node, path, errors));
  });
  if (listeners_given) config->listeners = std::move(listeners);
  reader.String("tls_certificate_path", &config->tls_certificate_path);
  reader.String("tls_private_key_path", &config->tls_private_key_path);
  reader.String("signing_key_path", &config->signing_key_path);
  reader.String("data_dir", &config->data_dir);
  reader.U64("memory_budget_mb", &config->memory_budget_mb, 16, 1 << 20);
  reader.Bool("sync_writes", &config->sync_writes);
  reader.String("log_level", &config->log_level);
  reader.String("log_file", &config->log_file);
  reader.String("pid_file", &config->pid_file);
  reader.String("registration_shared_secret",
                &config->registration_shared_secret);
  reader.Bool("enable_registration", &config->enable_registration);
  reader.Bool("presence_enabled", &config->presence_enabled);
  ReadAccountKeys(reader, config, errors);
  reader.U64("max_request_body_bytes", &config->max_request_body_bytes, 1024,
             uint64_t{1} << 32);
  reader.U64("max_upload_size_bytes", &config->max_upload_size_bytes, 1024,
             uint64_t{1} << 40);
  reader.U64("unauthenticated_media_freeze_ms",
             &config->unauthenticated_media_freeze_ms, 0,
             std::numeric_limits<uint64_t>::max());
  uint64_t timeout = config->request_timeout_seconds;
  reader.U64("request_timeout_seconds", &timeout, 1, 3600);
  config->request_timeout_seconds = static_cast<uint32_t>(timeout);
  uint64_t io_threads = config->io_threads;
  reader.U64("io_threads", &io_threads, 0, 256);
  config->io_threads = static_cast<uint32_t>(io_threads);
  uint64_t worker_threads = config->worker_threads;
  reader.U64("worker_threads", &worker_threads, 1, 256);
  config->worker_threads = static_cast<uint32_t>(worker_threads);
  reader.RejectUnknownKeys();
}

}  // namespace

absl::StatusOr<Config> ParseConfig(std::string_view yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("config is not valid YAML: ", e.what()));
  }
  Config config;
  YamlErrors errors;
  ReadTopLevel(root, &config, &errors);
  if (!errors.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("config: ", errors.Join()));
  }
  RETURN_IF_ERROR(Validate(config));
  return config;
}

absl::StatusOr<Config> LoadConfigFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  }
  std::stringstream text;
  text << file.rdbuf();
  absl::StatusOr<Config> config = ParseConfig(text.str());
  if (!config.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

std::string_view EmbeddedDefaultConfig() { return kEmbeddedDefault; }

absl::Status Validate(const Config& config) {
  std::vector<std::string> problems;
  if (config.server_name.empty()) problems.push_back("server_name is empty");
  if (config.data_dir.empty()) problems.push_back("data_dir is empty");
  log::Level level;
  if (absl::Status s = log::ParseLevel(config.log_level, &level); !s.ok()) {
    problems.push_back(absl::StrCat("log_level: ", s.message()));
  }
  if (config.listeners.empty()) problems.push_back("listeners: none given");
  std::set<std::pair<std::string, uint16_t>> bound;
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    const Listener& listener = config.listeners[i];
    std::string path = absl::StrCat("listeners[", i, "]");
    if (listener.tls && (config.tls_certificate_path.empty() ||
                         config.tls_private_key_path.empty())) {
      problems.push_back(absl::StrCat(
          path, ": tls listener needs tls_certificate_path and "
                "tls_private_key_path"));
    }
    if (listener.bind_addresses.empty()) {
      problems.push_back(absl::StrCat(path, ".bind_addresses: empty"));
    }
    if (listener.resources.empty()) {
      problems.push_back(absl::StrCat(path, ".resources: empty"));
    }
    for (const std::string& address : listener.bind_addresses) {
      if (listener.port != 0 && !bound.insert({address, listener.port}).second) {
        problems.push_back(absl::StrCat(path, ": ", address, ":",
                                        listener.port, " is bound twice"));
      }
    }
  }
  if (problems.empty()) return absl::OkStatus();
  std::string joined;
  for (const std::string& p : problems) {
    absl::StrAppend(&joined, joined.empty() ? "" : "; ", p);
  }
  return absl::InvalidArgumentError(absl::StrCat("config: ", joined));
}

}  // namespace myelin::config
