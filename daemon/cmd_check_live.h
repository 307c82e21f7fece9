// The `--live` part of `gleaner check`: once the configuration and the site files have
// been validated, fetches each site's `examples` through the real fetcher (robots.txt,
// politeness, caps and the address guard all apply, as for `gleaner fetch`), extracts them
// with the site's rules and prints, per site, what the rules found and a verdict
// (daemon/schedule/live_check.h).
#pragma once

#include "daemon/command.h"

namespace gleaner::cli {

// Called once at the end of `check` with the sites it loaded and the status it reached.
// Without --live: returns `status` and prints nothing. With --live and a `status` other
// than 0: prints that the live check was skipped and returns `status`. Otherwise checks
// every site with examples, or only the one named by --site (an unknown id is a usage
// error: message on stderr, exit 2), prints one block per site in file order on stdout
// and the summary line, and returns LiveCheckExitStatus: 1 broken, 5/6/7 the first fetch
// failure, 0 otherwise (kNetwork when the fetcher cannot be set up).
int CheckLiveIfAsked(const Invocation& in, const rules::SiteSet& sites, int status);

}  // namespace gleaner::cli
