// myelin: the homeserver.
//
//   myelin --config homeserver.yaml
//   myelin                      (embedded default: localhost on 127.0.0.1:8008)
//   myelin --print-default-config
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "dag/base/log.h"
#include "server/app.h"
#include "server/config/config.h"

namespace {

constexpr char kUsage[] =
    "usage: myelin [--config FILE] [--print-default-config]\n"
    "Without --config, serves 'localhost' on http://127.0.0.1:8008 with its\n"
    "data in ./data. See docs/homeserver.sample.yaml for every setting.\n";

int Run(int argc, char** argv) {
  std::string config_path;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
      config_path = argv[++i];
    } else if (std::strcmp(argv[i], "--print-default-config") == 0) {
      std::cout << myelin::config::EmbeddedDefaultConfig();
      return 0;
    } else if (std::strcmp(argv[i], "--help") == 0 ||
               std::strcmp(argv[i], "-h") == 0) {
      std::cout << kUsage;
      return 0;
    } else {
      std::cerr << "myelin: unknown argument '" << argv[i] << "'\n" << kUsage;
      return 2;
    }
  }
  absl::StatusOr<myelin::config::Config> config =
      config_path.empty()
          ? myelin::config::ParseConfig(myelin::config::EmbeddedDefaultConfig())
          : myelin::config::LoadConfigFile(config_path);
  if (!config.ok()) {
    std::cerr << "myelin: invalid configuration: " << config.status().message()
              << "\n";
    return 2;
  }
  absl::StatusOr<std::unique_ptr<myelin::App>> app =
      myelin::App::Start(*config);
  if (!app.ok()) {
    std::cerr << "myelin: cannot start: " << app.status().message() << "\n";
    return 1;
  }
  (*app)->HandleSignals();
  for (const auto& endpoint : (*app)->endpoints()) {
    // Scripts and tests read this line to find the port.
    std::printf("myelin: listening on %s\n", endpoint.Url().c_str());
  }
  std::fflush(stdout);
  (*app)->Wait();
  app->reset();
  std::printf("myelin: stopped\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
