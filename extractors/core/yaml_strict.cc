#include "extractors/core/yaml_strict.h"

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <set>
#include <sstream>

#include "extractors/core/units.h"

namespace gleaner::yaml {
namespace {

constexpr const char* kNoAliases =
    "YAML aliases and anchors are not supported (write the value out where it is used)";

std::string TooDeep() {
  return "values nest deeper than " + std::to_string(kMaxNestingDepth) + " levels";
}

// Why the screening pass stopped, and where.
struct Refusal {
  YAML::Mark mark;
  std::string message;
};

// Flow collections ([ ] and { }) are screened on the bytes: yaml-cpp's scanner reads a whole
// run of opening brackets into tokens before its parser reports the first one (a 1 MiB run
// of '[' cost 260 MB). Brackets in quotes and comments count too, so a file is refused only
// with kMaxNestingDepth brackets open at once, which no selector or regex has.
void ScreenFlowNesting(std::string_view text) {
  int depth = 0;
  YAML::Mark at;
  for (char c : text) {
    if (c == '[' || c == '{') {
      if (++depth > kMaxNestingDepth) throw Refusal{at, TooDeep()};
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
    if (c == '\n') {
      ++at.line;
      at.column = 0;
    } else {
      ++at.column;
    }
  }
}

// Walks the events of the first document, as YAML::Load will read it, without building a
// tree; throws Refusal at the first anchor, alias, level too deep or value too many.
class Screen : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { Value(mark, anchor); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { throw Refusal{mark, kNoAliases}; }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    Value(mark, anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnMapEnd() override { --depth_; }
  void OnAnchor(const YAML::Mark& mark, const std::string&) override {
    throw Refusal{mark, kNoAliases};
  }

 private:
  void Value(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) throw Refusal{mark, kNoAliases};
    if (++values_ > kMaxValues) {
      throw Refusal{mark, "more than " + std::to_string(kMaxValues) +
                              " values (keys and items): no config or site file needs so many"};
    }
  }
  void Open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    Value(mark, anchor);
    if (++depth_ > kMaxNestingDepth) throw Refusal{mark, TooDeep()};
  }

  int depth_ = 0;
  int values_ = 0;
};

void ScreenEvents(std::string_view text) {
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  Screen screen;
  parser.HandleNextDocument(screen);
}

// "1GiB", "64KiB", "1MiB" or a plain byte count: the units people write sizes in.
std::string SizeText(uint64_t bytes) {
  struct Unit {
    uint64_t bytes;
    const char* suffix;
  };
  for (Unit u :
       {Unit{uint64_t{1} << 30, "GiB"}, Unit{uint64_t{1} << 20, "MiB"}, Unit{1024, "KiB"}}) {
    if (bytes != 0 && bytes % u.bytes == 0) return std::to_string(bytes / u.bytes) + u.suffix;
  }
  return std::to_string(bytes);
}

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
    ScreenFlowNesting(text);
    ScreenEvents(text);
    return Doc{YAML::Load(std::string(text)), file};
  } catch (const Refusal& r) {
    return Fail(ErrorCode::kConfig, Position(file, r.mark) + ": " + r.message);
  } catch (const YAML::DeepRecursion& e) {  // screened above; kept so it can never escape
    return Fail(ErrorCode::kConfig, Position(file, e.mark) + ": " + TooDeep());
  } catch (const YAML::Exception& e) {
    return Fail(ErrorCode::kConfig, Position(file, e.mark) + ": " + e.msg);
  } catch (const std::exception& e) {  // std::bad_alloc: a cap above was not enough
    return Fail(ErrorCode::kConfig, file + ": cannot be read as YAML: " + e.what());
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
    if (!key.IsScalar())
      return ErrorAt(file, key, "keys of " + std::string(what) + " must be plain words");
    std::string name = key.Scalar();
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return ErrorAt(
          file, key,
          "unknown key '" + name + "' in " + std::string(what) + " (allowed: " + list + ")");
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
    return ErrorAt(file, node,
                   "'" + std::string(key) + "' must be a whole number from " + std::to_string(min) +
                       " to " + std::to_string(max));
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
                                              std::string_view key, std::chrono::milliseconds min,
                                              std::chrono::milliseconds max) {
  auto text = GetString(file, node, key);
  if (!text) return tl::unexpected(text.error());
  auto d = ParseDuration(*text);
  if (!d || *d < min || *d > max) {
    return ErrorAt(file, node,
                   "'" + std::string(key) + "' must be a duration from " + FormatDuration(min) +
                       " to " + FormatDuration(max) + " (got '" + *text + "')" +
                       (d ? "" : ", written as a number and ms, s, m, h or d"));
  }
  return *d;
}

Result<uint64_t> GetByteSize(const std::string& file, const YAML::Node& node, std::string_view key,
                             uint64_t min, uint64_t max) {
  auto text = GetString(file, node, key);
  if (!text) return tl::unexpected(text.error());
  auto n = ParseByteSize(*text);
  if (!n || *n < min || *n > max) {
    return ErrorAt(
        file, node,
        "'" + std::string(key) + "' must be a size from " + SizeText(min) + " to " + SizeText(max) +
            " (got '" + *text + "')" +
            (n ? "" : ", written as a byte count or with B, KB, MB, GB, KiB, MiB or GiB"));
  }
  return *n;
}

Result<std::string> GetPrintableAscii(const std::string& file, const YAML::Node& node,
                                      std::string_view key, size_t max_length) {
  auto text = GetString(file, node, key);
  if (!text) return tl::unexpected(text.error());
  for (char c : *text) {
    if (c < 0x20 || c > 0x7E) {  // char is signed: bytes of UTF-8 sequences are negative
      return ErrorAt(file, node,
                     "'" + std::string(key) +
                         "' must be printable ASCII without line breaks or control characters");
    }
  }
  if (text->size() > max_length) {
    return ErrorAt(
        file, node,
        "'" + std::string(key) + "' must be at most " + std::to_string(max_length) + " characters");
  }
  return text;
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
    if (out.empty())
      return ErrorAt(file, node, "'" + std::string(key) + "' must not be an empty list");
    return out;
  }
  auto s = GetString(file, node, key);
  if (!s)
    return ErrorAt(file, node, "'" + std::string(key) + "' must be a string or a list of strings");
  out.push_back(std::move(*s));
  return out;
}

}  // namespace gleaner::yaml
