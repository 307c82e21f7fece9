// Durations ("30s", "5m", "2h", "1d", "250ms") and byte sizes ("10MB", "512KiB", "1048576")
// as written in config and site files and on the command line. Pure, thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gleaner {

// The longest duration anything accepts: 100 years. A clock's now() plus this, counted in
// int64 nanoseconds (292 years from 1970), cannot overflow; callers bound their own
// settings far below it.
inline constexpr std::chrono::milliseconds kMaxDuration{36500LL * 86400 * 1000};

// Parses a non-negative duration: an integer or decimal followed by ms, s, m, h or d.
// A bare number is refused (units must be explicit). Returns nullopt when malformed or
// longer than kMaxDuration.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

// Writes a duration back in the largest unit that divides it ("90s", "5m", "2h").
std::string FormatDuration(std::chrono::milliseconds duration);

// Parses a byte size: an integer, optionally followed by B, KB, MB, GB (powers of 1000) or
// KiB, MiB, GiB (powers of 1024), case-insensitive. Returns nullopt when malformed or
// larger than 2^53.
std::optional<uint64_t> ParseByteSize(std::string_view text);

}  // namespace gleaner
