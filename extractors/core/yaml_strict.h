// Strict YAML for config and site files: yaml-cpp parses, and this layer adds what users
// need from a strict schema: every error as "file:line:col: message" (1-based), unknown
// keys and duplicate keys rejected (yaml-cpp keeps duplicates silently), typed getters that
// take the allowed range of every number, duration and size.
// What a YAML file may cost is bounded before yaml-cpp builds a tree: no anchors or aliases
// (everything reading the tree copies what an alias points to, so a few aliased aliases
// turn kilobytes into gigabytes), at most kMaxNestingDepth levels and kMaxValues values.
// No exception escapes: yaml-cpp's are caught here. Pure (text in, nodes out).
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extractors/core/result.h"

namespace gleaner::yaml {

// Config and site files nest four or five levels; 64 is far beyond any real one, and keeps
// yaml-cpp's recursive parser (and everything walking its tree) far from the stack's end.
inline constexpr int kMaxNestingDepth = 64;

// A site file holds about a hundred values, the config fewer. yaml-cpp spends about 500
// bytes per value: 20,000 values keep any file's tree near 10 MB, where a 1 MiB file of
// one-letter list items would take 270 MB.
inline constexpr int kMaxValues = 20000;

// A YAML document and the file name used in messages.
struct Doc {
  YAML::Node root;
  std::string file;
};

// Parses `text`. Returns kConfig "file:line:col: message" on a syntax error, on an anchor
// or alias ("YAML aliases and anchors are not supported"), on nesting deeper than
// kMaxNestingDepth and on more than kMaxValues values. An empty document yields a null root.
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

// Typed reads of a scalar value; errors name the key, what was expected and, for numbers,
// durations and sizes, the allowed range: "'timeout' must be a duration from 1s to 1h
// (got '0s')". Ranges are inclusive. REQUIRES: min <= max.
Result<std::string> GetString(const std::string& file, const YAML::Node& node,
                              std::string_view key);
Result<int64_t> GetInt(const std::string& file, const YAML::Node& node, std::string_view key,
                       int64_t min, int64_t max);
Result<bool> GetBool(const std::string& file, const YAML::Node& node, std::string_view key);
Result<std::chrono::milliseconds> GetDuration(const std::string& file, const YAML::Node& node,
                                              std::string_view key, std::chrono::milliseconds min,
                                              std::chrono::milliseconds max);
Result<uint64_t> GetByteSize(const std::string& file, const YAML::Node& node, std::string_view key,
                             uint64_t min, uint64_t max);

// A string of printable ASCII (space to '~') of at most `max_length` characters: what may go
// into an HTTP header. Line breaks would let it add headers of its own; other control
// characters and non-ASCII bytes are refused by servers or mangled on the way.
Result<std::string> GetPrintableAscii(const std::string& file, const YAML::Node& node,
                                      std::string_view key, size_t max_length);

// A string, or a list of strings (one string is a list of one). Empty lists are refused.
Result<std::vector<std::string>> GetStringList(const std::string& file, const YAML::Node& node,
                                               std::string_view key);

}  // namespace gleaner::yaml
