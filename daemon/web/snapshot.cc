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

}  // namespace gleaner::web
