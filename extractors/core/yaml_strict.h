// Strict YAML for config and site files: yaml-cpp parses, and this layer adds what users
// need from a strict schema: every error as "file:line:col: message" (1-based), unknown
// keys and duplicate keys rejected (yaml-cpp keeps duplicates silently), typed getters.
// No exception escapes: yaml-cpp's are caught here. Pure (text in, nodes out).
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "extractors/core/result.h"

namespace gleaner::yaml {

// A YAML document and the file name used in messages.
struct Doc {
  YAML::Node root;
  std::string file;
};

// Parses `text`. Returns kConfig "file:line:col: message" on a syntax error. An empty
// document yields a null root.
Result<Doc> Load(std::string_view text, const std::string& file);

// "file:line:col" of a node (1-based).
std::string Where(const std::string& file, const YAML::Node& node);

// kConfig error "file:line:col: message" at `node`.
tl::unexpected<Error> ErrorAt(const std::string& file, const YAML::Node& node,
                              const std::string& message);

// Checks that `node` is a map whose keys are scalars, unique, and all in `allowed`.
// `what` names the map in messages ("site file", "layout 'classic'").
Result<void> CheckMap(const std::string& file, const YAML::Node& node, std::string_view what,
                      std::initializer_list<std::string_view> allowed);

// Typed reads of a scalar value; errors name the key and what was expected.
Result<std::string> GetString(const std::string& file, const YAML::Node& node,
                              std::string_view key);
Result<int64_t> GetInt(const std::string& file, const YAML::Node& node, std::string_view key,
                       int64_t min, int64_t max);
Result<bool> GetBool(const std::string& file, const YAML::Node& node, std::string_view key);
Result<std::chrono::milliseconds> GetDuration(const std::string& file, const YAML::Node& node,
                                              std::string_view key);
Result<uint64_t> GetByteSize(const std::string& file, const YAML::Node& node,
                             std::string_view key);

// A string, or a list of strings (one string is a list of one). Empty lists are refused.
Result<std::vector<std::string>> GetStringList(const std::string& file, const YAML::Node& node,
                                               std::string_view key);

}  // namespace gleaner::yaml
