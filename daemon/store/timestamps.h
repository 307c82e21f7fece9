// Points in time as the store keeps them (integer milliseconds since the Unix epoch, UTC)
// and as people and consumers read them (ISO 8601). Pure, thread-safe: "now" is always a
// parameter, so tests move the clock instead of sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gleaner::store {

using Time = std::chrono::sys_time<std::chrono::milliseconds>;

// The system clock, rounded down to milliseconds. The only place the store reads a clock;
// library functions take `now` as a parameter instead.
Time Now();

int64_t ToMillis(Time time);
Time FromMillis(int64_t millis);

// "2024-05-01T09:30:00.123Z" (UTC, milliseconds always written, so the text sorts as time).
std::string FormatTime(Time time);

// The latest calendar day a page can be dated at `now` anywhere on Earth: the UTC date of
// now + 14 h (UTC+14 is the earliest time zone), "YYYY-MM-DD". Generic extraction takes no
// later date as a publication date (ExtractOptions::today).
std::string LatestPageDay(Time now);

// Parses ISO 8601: "2024-05-01" (midnight UTC), "2024-05-01T09:30", "2024-05-01T09:30:00",
// with optional fractional seconds and an optional "Z" or "+02:00"/"-0500" offset (no
// offset means UTC); a space may replace the "T". Returns nullopt when malformed or out of
// range.
std::optional<Time> ParseTime(std::string_view text);

// A `--since` value: an ISO 8601 time as ParseTime reads it, or a duration counted back
// from `now` ("30m", "24h", "7d"). nullopt when it is neither.
std::optional<Time> ParseSince(std::string_view text, Time now);

}  // namespace gleaner::store
