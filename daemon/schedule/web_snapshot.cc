#include "daemon/schedule/web_snapshot.h"

#include <algorithm>
#include <set>

#include "daemon/store/store.h"

namespace gleaner::schedule {

std::shared_ptr<const web::Snapshot> SnapshotOf(const Crawler& crawler,
                                                const fetch::Fetcher& fetcher, Time started,
                                                Time now) {
  auto snapshot = std::make_shared<web::Snapshot>();
  snapshot->taken = now;
  snapshot->started = started;
  snapshot->version = GLEANER_VERSION;
  snapshot->paused = fetcher.PausedHosts();
  std::set<std::string> paused_hosts;
  for (const fetch::HostPause& pause : snapshot->paused) paused_hosts.insert(pause.host);
  const auto& health = crawler.health();
  for (const rules::SiteRules& site : crawler.sites().sites()) {
    web::SiteView view;
    view.id = site.id;
    view.name = site.name;
    bool paused = false;
    for (const rules::PollSource& source : site.sources) {
      std::string host = store::HostOf(source.url);
      if (host.empty()) continue;
      paused = paused || paused_hosts.count(host) > 0;
      if (std::find(view.hosts.begin(), view.hosts.end(), host) == view.hosts.end())
        view.hosts.push_back(std::move(host));
    }
    if (auto it = health.find(site.id); it != health.end()) view.health = it->second;
    view.state = web::StateOf(view.health, paused, now);
    snapshot->sites.push_back(std::move(view));
  }
  const auto& errors = crawler.recent_errors();
  snapshot->errors.assign(errors.begin(), errors.end());
  return snapshot;
}

}  // namespace gleaner::schedule
