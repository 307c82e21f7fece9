#include "daemon/web/snapshot.h"

namespace gleaner::web {

const char* SiteStateName(SiteState state) {
  switch (state) {
    case SiteState::kOk:
      return "ok";
    case SiteState::kRulesBroken:
      return "rules_broken";
    case SiteState::kFailing:
      return "failing";
    case SiteState::kPaused:
      return "paused";
  }
  return "ok";
}

SiteState StateOf(const schedule::SiteHealth& health, bool host_paused, Time now) {
  if (host_paused) return SiteState::kPaused;
  if (health.last_failure && now - *health.last_failure < kFailingFor &&
      (!health.last_success || *health.last_success < *health.last_failure)) {
    return SiteState::kFailing;
  }
  if (health.last_breakage &&
      (!health.last_rules_ok || *health.last_rules_ok < *health.last_breakage))
    return SiteState::kRulesBroken;
  return SiteState::kOk;
}

}  // namespace gleaner::web
