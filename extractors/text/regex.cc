// PCRE2 (8-bit) behind the Regex class: UTF + UCP always, JIT when the platform has it,
// and a match limit so that a pathological pattern from a site file fails one match
// instead of hanging the daemon.
#include "extractors/text/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <string>
#include <utility>

namespace gleaner::text {
namespace {

// Backtracking steps one match may take. PCRE2's default (10 million) lets a catastrophic
// pattern such as (a+)+$ burn seconds per call on page-sized text; a million is still far
// more than any pattern in sites/*.yaml or the generic params needs on a whole page.
constexpr uint32_t kMatchLimit = 1'000'000;

// Nested backtracking depth for the interpreter (when JIT is unavailable); bounds the heap
// PCRE2 uses for its backtracking frames on deeply nested patterns.
constexpr uint32_t kDepthLimit = 100'000;

// JIT stack per thread. PCRE2's default 32 KiB makes legitimate alternations over a long
// paragraph fail with JIT_STACKLIMIT; 1 MiB is the size PCRE2's own docs suggest for "large
// subjects".
constexpr size_t kJitStackStart = 32 * 1024;
constexpr size_t kJitStackMax = 1024 * 1024;

struct JitStackDeleter {
  void operator()(pcre2_jit_stack* s) const { pcre2_jit_stack_free(s); }
};
struct MatchDataDeleter {
  void operator()(pcre2_match_data* d) const { pcre2_match_data_free(d); }
};
using MatchDataPtr = std::unique_ptr<pcre2_match_data, MatchDataDeleter>;

// Each thread gets its own JIT stack (a JIT stack must not be shared by concurrent
// matches); created on first use and freed when the thread ends.
pcre2_jit_stack* ThreadJitStack(void* /*unused*/) {
  thread_local std::unique_ptr<pcre2_jit_stack, JitStackDeleter> stack(
      pcre2_jit_stack_create(kJitStackStart, kJitStackMax, nullptr));
  return stack.get();
}

std::string ErrorMessage(int error_code) {
  PCRE2_UCHAR buffer[256];
  int n = pcre2_get_error_message(error_code, buffer, sizeof buffer);
  if (n < 0) return "error " + std::to_string(error_code);
  return std::string(reinterpret_cast<const char*>(buffer), static_cast<size_t>(n));
}

// 1-based column of byte `offset` in `pattern`, counted in code points (what an editor
// shows), so "col N" points at the right character in an Arabic or accented pattern.
size_t ColumnOf(std::string_view pattern, size_t offset) {
  size_t column = 1;
  for (size_t i = 0; i < offset && i < pattern.size(); ++i) {
    if ((static_cast<unsigned char>(pattern[i]) & 0xC0) != 0x80) ++column;
  }
  // The offset may point inside a multi-byte character; it still names that character.
  if (offset < pattern.size() && (static_cast<unsigned char>(pattern[offset]) & 0xC0) == 0x80) {
    --column;
  }
  return column;
}

}  // namespace

struct Regex::Code {
  pcre2_code* code = nullptr;
  pcre2_match_context* context = nullptr;

  Code() = default;
  Code(const Code&) = delete;
  Code& operator=(const Code&) = delete;
  ~Code() {
    pcre2_match_context_free(context);
    pcre2_code_free(code);
  }

  // Runs one match; returns the match data on success, nullptr on no match or error
  // (match limit, invalid UTF-8 subject, JIT stack exhausted).
  MatchDataPtr Run(std::string_view subject) const {
    MatchDataPtr data(pcre2_match_data_create_from_pattern(code, nullptr));
    if (!data) return nullptr;
    // No PCRE2_NO_UTF_CHECK: the subject is not validated upstream, and PCRE2's own check
    // turns invalid UTF-8 into an error code instead of undefined behaviour.
    int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0,
                         data.get(), context);
    if (rc < 0) return nullptr;
    return data;
  }
};

Result<Regex> Regex::Compile(std::string_view pattern, Options options) {
  uint32_t flags = PCRE2_UTF | PCRE2_UCP;
  if (options.case_insensitive) flags |= PCRE2_CASELESS;
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  auto code = std::make_shared<Code>();
  code->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), flags,
                             &error_code, &error_offset, nullptr);
  if (code->code == nullptr) {
    return Fail(ErrorCode::kConfig, "col " + std::to_string(ColumnOf(pattern, error_offset)) +
                                        ": " + ErrorMessage(error_code));
  }
  // JIT is an optimisation only: an unsupported platform or pattern falls back to the
  // interpreter, which honours the same limits.
  bool jit = pcre2_jit_compile(code->code, PCRE2_JIT_COMPLETE) == 0;
  code->context = pcre2_match_context_create(nullptr);
  if (code->context == nullptr) return Fail(ErrorCode::kConfig, "out of memory compiling regex");
  pcre2_set_match_limit(code->context, kMatchLimit);
  pcre2_set_depth_limit(code->context, kDepthLimit);
  if (jit) pcre2_jit_stack_assign(code->context, ThreadJitStack, nullptr);

  Regex regex;
  regex.code_ = std::move(code);
  regex.pattern_ = std::string(pattern);
  return regex;
}

std::optional<std::vector<std::optional<std::string>>> Regex::Search(
    std::string_view subject) const {
  if (!code_) return std::nullopt;
  MatchDataPtr data = code_->Run(subject);
  if (!data) return std::nullopt;
  uint32_t pairs = pcre2_get_ovector_count(data.get());
  PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data.get());
  std::vector<std::optional<std::string>> groups;
  groups.reserve(pairs);
  for (uint32_t i = 0; i < pairs; ++i) {
    PCRE2_SIZE start = ovector[2 * i];
    PCRE2_SIZE end = ovector[2 * i + 1];
    // \K inside a lookahead can yield end < start; treat it like a group that did not take part.
    if (start == PCRE2_UNSET || end < start) {
      groups.emplace_back(std::nullopt);
    } else {
      groups.emplace_back(std::string(subject.substr(start, end - start)));
    }
  }
  return groups;
}

bool Regex::Matches(std::string_view subject) const {
  return code_ && code_->Run(subject) != nullptr;
}

std::optional<std::string> Regex::NamedGroup(std::string_view subject,
                                             std::string_view name) const {
  if (!code_) return std::nullopt;
  std::string name_z(name);
  int number =
      pcre2_substring_number_from_name(code_->code, reinterpret_cast<PCRE2_SPTR>(name_z.c_str()));
  if (number < 0) return std::nullopt;
  auto groups = Search(subject);
  if (!groups || static_cast<size_t>(number) >= groups->size()) return std::nullopt;
  return (*groups)[static_cast<size_t>(number)];
}

}  // namespace gleaner::text
