#include "daemon/fetch/fetcher.h"

#include <utility>

namespace gleaner::fetch {

std::string_view ErrorKindName(FetchErrorKind kind) {
  switch (kind) {
    case FetchErrorKind::kNone:
      return "";
    case FetchErrorKind::kConnect:
    case FetchErrorKind::kHostPaused:  // the host is treated as unreachable for a while
      return "connect";
    case FetchErrorKind::kConnectTimeout:
    case FetchErrorKind::kTimeout:
    case FetchErrorKind::kStalled:
      return "timeout";
    case FetchErrorKind::kReset:
      return "reset";
    case FetchErrorKind::kTooLarge:
      return "too_large";
    case FetchErrorKind::kTooManyRedirects:
      return "too_many_redirects";
    case FetchErrorKind::kScheme:
      return "scheme";
    case FetchErrorKind::kContentType:
      return "content_type";
    case FetchErrorKind::kRobots:
      return "robots";
    case FetchErrorKind::kHttpStatus:
      return "http_status";
    case FetchErrorKind::kBlockedAddress:
      return "blocked_address";
  }
  return "connect";
}

ErrorCode ErrorCodeFor(FetchErrorKind kind) {
  switch (kind) {
    case FetchErrorKind::kRobots:
      return ErrorCode::kRobots;
    case FetchErrorKind::kHttpStatus:
      return ErrorCode::kHttpStatus;
    default:
      return ErrorCode::kNetwork;
  }
}

FetchResult FetchOne(Fetcher& fetcher, FetchRequest request) {
  // Generous per-Poll wait: Poll returns as soon as anything completes anyway.
  constexpr std::chrono::milliseconds kPollSlice{1000};
  std::optional<FetchResult> outcome;
  fetcher.Submit(std::move(request), [&outcome](FetchResult&& r) { outcome = std::move(r); });
  while (!outcome) fetcher.Poll(kPollSlice);
  return std::move(*outcome);
}

}  // namespace gleaner::fetch
