#include "daemon/args.h"

namespace gleaner::cli {

std::optional<std::string> Args::Value(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

Result<Args> ParseArgs(const std::vector<std::string>& argv, const ArgSpec& spec) {
  Args args;
  bool options_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (options_done || arg == "-" || arg.rfind("--", 0) != 0) {
      if (!options_done && arg.size() > 1 && arg[0] == '-' && arg != "-") {
        return Fail(ErrorCode::kUsage, "unknown option '" + arg + "'");
      }
      args.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (spec.flag_options.count(name)) {
      if (inline_value) return Fail(ErrorCode::kUsage, "option '--" + name + "' takes no value");
      args.flags.insert(name);
    } else if (spec.value_options.count(name)) {
      std::string value;
      if (inline_value) {
        value = *inline_value;
      } else if (i + 1 < argv.size()) {
        value = argv[++i];
      } else {
        return Fail(ErrorCode::kUsage, "option '--" + name + "' needs a value");
      }
      auto& slot = args.values[name];
      if (!slot.empty() && !spec.repeatable.count(name)) {
        return Fail(ErrorCode::kUsage, "option '--" + name + "' given twice");
      }
      slot.push_back(std::move(value));
    } else {
      return Fail(ErrorCode::kUsage, "unknown option '--" + name + "'");
    }
  }
  return args;
}

}  // namespace gleaner::cli
