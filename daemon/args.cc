#include "daemon/args.h"

namespace gleaner::cli {
namespace {

// Records option `name` (a long name; `shown` is how the user wrote it, for messages) with
// its inline value if any, taking the next argument as its value when it needs one.
Result<void> TakeOption(const std::string& name, const std::string& shown,
                        std::optional<std::string> inline_value,
                        const std::vector<std::string>& argv, size_t& i, const ArgSpec& spec,
                        Args& args) {
  if (spec.flag_options.count(name)) {
    if (inline_value) return Fail(ErrorCode::kUsage, "option '" + shown + "' takes no value");
    args.flags.insert(name);
    return {};
  }
  if (!spec.value_options.count(name)) {
    return Fail(ErrorCode::kUsage, "unknown option '" + shown + "'");
  }
  std::string value;
  if (inline_value) {
    value = *inline_value;
  } else if (i + 1 < argv.size()) {
    value = argv[++i];
  } else {
    return Fail(ErrorCode::kUsage, "option '" + shown + "' needs a value");
  }
  auto& slot = args.values[name];
  if (!slot.empty() && !spec.repeatable.count(name)) {
    return Fail(ErrorCode::kUsage, "option '--" + name + "' given twice");
  }
  slot.push_back(std::move(value));
  return {};
}

}  // namespace

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
    if (options_done || arg == "-" || arg.rfind("-", 0) != 0) {
      args.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    Result<void> taken;
    if (arg.rfind("--", 0) == 0) {
      std::string name = arg.substr(2);
      std::optional<std::string> inline_value;
      if (auto eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name.resize(eq);
      }
      taken = TakeOption(name, "--" + name, inline_value, argv, i, spec, args);
    } else {
      // "-o", "-oFILE": a declared one-letter alias, its value attached or next.
      auto alias = spec.short_aliases.find(arg[1]);
      if (alias == spec.short_aliases.end()) {
        return Fail(ErrorCode::kUsage, "unknown option '" + arg + "'");
      }
      std::optional<std::string> inline_value;
      if (arg.size() > 2) inline_value = arg.substr(2);
      taken = TakeOption(alias->second, arg.substr(0, 2), inline_value, argv, i, spec, args);
    }
    if (!taken) return tl::unexpected(taken.error());
  }
  return args;
}

}  // namespace gleaner::cli
