// Errors as values: every module returns Result<T> (tl::expected) and never lets an
// exception cross its boundary. An Error carries the exit-code class the contract
// (docs/CONTRACT.md) fixes for the CLI, and a message that names the file:line, site or URL.
#pragma once

#include <string>
#include <tl/expected.hpp>
#include <utility>

namespace gleaner {

// The CLI's exit codes (docs/CONTRACT.md "Exit codes"). The numeric values are the contract.
enum class ErrorCode : int {
  kConfig = 1,        // invalid configuration or site file
  kUsage = 2,         // bad command line
  kInput = 3,         // input missing or unreadable
  kNoArticle = 4,     // no article could be extracted
  kNetwork = 5,       // DNS, connect, timeout, reset, or a cap
  kHttpStatus = 6,    // HTTP error status after retries
  kRobots = 7,        // refused by robots.txt
  kDatabase = 8,      // not a database, corrupt, newer schema, locked
  kExpiredClaim = 9,  // ack/nack of an expired claim
};

struct Error {
  ErrorCode code;
  std::string message;

  int ExitCode() const { return static_cast<int>(code); }
};

// tl::expected under a [[nodiscard]] name: dropping a Result drops its error unread, so the
// compiler warns wherever a call's Result is ignored (write `(void)` where that is meant).
template <typename T>
class [[nodiscard]] Result : public tl::expected<T, Error> {
 public:
  using tl::expected<T, Error>::expected;
  Result(const tl::expected<T, Error>& other) : tl::expected<T, Error>(other) {}
  Result(tl::expected<T, Error>&& other) : tl::expected<T, Error>(std::move(other)) {}
};

// Shorthand for `return Fail(ErrorCode::kInput, "...")` inside a Result-returning function.
inline tl::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

}  // namespace gleaner
