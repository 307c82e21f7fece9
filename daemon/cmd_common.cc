#include "daemon/cmd_common.h"

#include <cstdio>

namespace gleaner::cli {

Result<Config> ConfigFromArgs(const Args& args) {
  auto config = LoadConfig(args.Value("config"));
  if (!config) return config;
  if (auto sites = args.Value("sites")) config->sites_dir = *sites;
  if (auto db = args.Value("db")) config->database = *db;
  if (auto level = args.Value("log-level")) config->log_level = *level;
  return config;
}

int ReportError(const std::string& command, const Error& error) {
  std::fprintf(stderr, "gleaner %s: %s\n", command.c_str(), error.message.c_str());
  return error.ExitCode();
}

}  // namespace gleaner::cli
