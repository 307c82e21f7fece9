#include "daemon/schedule/health.h"

#include <algorithm>

namespace gleaner::schedule {

void ErrorWindow::Advance(int64_t minute) {
  if (minute <= latest_) return;
  for (int64_t m = std::max(latest_ + 1, minute - kMinutes + 1); m <= minute; ++m)
    counts_[m % kMinutes] = 0;
  latest_ = minute;
}

void ErrorWindow::Add(Time now) {
  int64_t minute = std::max<int64_t>(store::ToMillis(now) / 60000, 0);
  Advance(minute);
  if (minute > latest_ - kMinutes) ++counts_[minute % kMinutes];
}

int64_t ErrorWindow::CountSince(Time now) const {
  int64_t minute = store::ToMillis(now) / 60000;
  int64_t n = 0;
  // The minutes counted that are within the hour up to `now`.
  for (int64_t m = std::max(latest_ - kMinutes + 1, minute - kMinutes + 1);
       m <= std::min(latest_, minute); ++m) {
    n += counts_[m % kMinutes];
  }
  return n;
}

void LatencyHistogram::Add(std::chrono::milliseconds took) {
  double seconds = static_cast<double>(took.count()) / 1000.0;
  for (size_t i = 0; i < kLatencyBounds.size(); ++i) {
    if (seconds <= kLatencyBounds[i]) {
      ++buckets[i];
      break;
    }
  }
  ++count;
  sum_ms += took.count();
}

}  // namespace gleaner::schedule
