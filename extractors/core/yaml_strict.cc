#include "extractors/core/yaml_strict.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <set>

#include "extractors/core/units.h"

namespace gleaner::yaml {
namespace {

std::string Position(const std::string& file, const YAML::Mark& mark) {
  // yaml-cpp marks are 0-based; people and editors count from 1. A node built without a
  // mark (-1) points at the file itself.
  if (mark.line < 0) return file;
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

bool IsScalar(const YAML::Node& node) { return node.IsDefined() && node.IsScalar(); }

}  // namespace

Result<Doc> Load(std::string_view text, const std::string& file) {
  try {
    return Doc{YAML::Load(std::string(text)), file};
  } catch (const YAML::Exception& e) {
    return Fail(ErrorCode::kConfig, Position(file, e.mark) + ": " + e.msg);
  }
}

std::string Where(const std::string& file, const YAML::Node& node) {
  return Position(file, node.Mark());
}

tl::unexpected<Error> ErrorAt(const std::string& file, const YAML::Node& node,
                              const std::string& message) {
  return Fail(ErrorCode::kConfig, Where(file, node) + ": " + message);
}

Result<void> CheckMap(const std::string& file, const YAML::Node& node, std::string_view what,
                      std::initializer_list<std::string_view> allowed) {
  if (!node.IsMap()) return ErrorAt(file, node, std::string(what) + " must be a map of keys");
  std::set<std::string> seen;
  for (const auto& entry : node) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) return ErrorAt(file, key, "keys of " + std::string(what) + " must be plain words");
    std::string name = key.Scalar();
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return ErrorAt(file, key, "unknown key '" + name + "' in " + std::string(what) +
                                    " (allowed: " + list + ")");
    }
    if (!seen.insert(name).second) {
      return ErrorAt(file, key, "duplicate key '" + name + "' in " + std::string(what));
    }
  }
  return {};
}

Result<std::string> GetString(const std::string& file, const YAML::Node& node,
                              std::string_view key) {
  if (!IsScalar(node) || node.Tag() == "tag:yaml.org,2002:null" || node.IsNull()) {
    return ErrorAt(file, node, "'" + std::string(key) + "' must be a string");
  }
  return node.Scalar();
}

Result<int64_t> GetInt(const std::string& file, const YAML::Node& node, std::string_view key,
                       int64_t min, int64_t max) {
  auto text = GetString(file, node, key);
  if (!text) return tl::unexpected(text.error());
  char* end = nullptr;
  errno = 0;
  long long value = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || errno != 0 || value < min || value > max) {
    return ErrorAt(file, node, "'" + std::string(key) + "' must be a whole number from " +
                                   std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

Result<bool> GetBool(const std::string& file, const YAML::Node& node, std::string_view key) {
  auto text = GetString(file, node, key);
  if (!text) return tl::unexpected(text.error());
  if (*text == "true" || *text == "yes" || *text == "on") return true;
  if (*text == "false" || *text == "no" || *text == "off") return false;
  return ErrorAt(file, node, "'" + std::string(key) + "' must be true or false");
}

Result<std::chrono::milliseconds> GetDuration(const std::string& file, const YAML::Node& node,
                                              std::string_view key) {
  auto text = GetString(file, node, key);
  if (!text) return tl::unexpected(text.error());
  auto d = ParseDuration(*text);
  if (!d) {
    return ErrorAt(file, node, "'" + std::string(key) + "' must be a duration such as 30s, 5m, 2h (got '" + *text + "')");
  }
  return *d;
}

Result<uint64_t> GetByteSize(const std::string& file, const YAML::Node& node,
                             std::string_view key) {
  auto text = GetString(file, node, key);
  if (!text) return tl::unexpected(text.error());
  auto n = ParseByteSize(*text);
  if (!n) {
    return ErrorAt(file, node, "'" + std::string(key) + "' must be a size such as 10MB, 512KiB or a byte count (got '" + *text + "')");
  }
  return *n;
}

Result<std::vector<std::string>> GetStringList(const std::string& file, const YAML::Node& node,
                                               std::string_view key) {
  std::vector<std::string> out;
  if (node.IsSequence()) {
    for (const YAML::Node& item : node) {
      auto s = GetString(file, item, key);
      if (!s) return tl::unexpected(s.error());
      out.push_back(std::move(*s));
    }
    if (out.empty()) return ErrorAt(file, node, "'" + std::string(key) + "' must not be an empty list");
    return out;
  }
  auto s = GetString(file, node, key);
  if (!s) return ErrorAt(file, node, "'" + std::string(key) + "' must be a string or a list of strings");
  out.push_back(std::move(*s));
  return out;
}

}  // namespace gleaner::yaml
