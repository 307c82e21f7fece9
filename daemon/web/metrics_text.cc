#include "daemon/web/metrics_text.h"

#include <spdlog/fmt/fmt.h>

#include "extractors/core/utf8.h"

namespace gleaner::web {
namespace {

double Seconds(Time t) { return static_cast<double>(store::ToMillis(t)) / 1000.0; }

// Appends the series of one metric family: its HELP and TYPE lines, then its samples.
class Writer {
 public:
  void Family(const char* name, const char* type, const char* help) {
    out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  // `labels` is already rendered: `site="x",kind="y"` (empty for none).
  void Sample(std::string_view name, std::string_view labels, double value) {
    Line(name, labels, fmt::format("{}", value));
  }
  void Sample(std::string_view name, std::string_view labels, int64_t value) {
    Line(name, labels, std::to_string(value));
  }
  std::string Take() { return std::move(out_); }

 private:
  void Line(std::string_view name, std::string_view labels, const std::string& value) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      out_ += labels;
      out_ += '}';
    }
    out_ += ' ';
    out_ += value;
    out_ += '\n';
  }

  std::string out_;
};

std::string Label(const char* name, std::string_view value) {
  return fmt::format("{}=\"{}\"", name, EscapeLabelValue(value));
}

std::string Site(const SiteView& site) { return Label("site", site.id); }

// A counter family with one sample per site.
template <typename Get>
void PerSite(Writer& w, const Snapshot& s, const char* name, const char* help, Get get) {
  w.Family(name, "counter", help);
  for (const SiteView& site : s.sites) w.Sample(name, Site(site), get(site.health));
}

}  // namespace

std::string EscapeLabelValue(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    DecodedCodePoint d = DecodeUtf8(text, i);
    size_t n = d.length;
    char c = text[i];
    if (!d.valid) {
      out += '?';  // one per ill-formed subpart, as browsers count them
    } else if (n == 1) {
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '"') {
        out += "\\\"";
      } else if (c == '\n') {
        out += "\\n";
      } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
        out += '?';
      } else {
        out += c;
      }
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string RenderMetrics(const Snapshot& s, const DbFigures* db) {
  Writer w;
  w.Family("gleaner_build_info", "gauge", "The running gleaner's version (always 1).");
  w.Sample("gleaner_build_info", Label("version", s.version), int64_t{1});
  w.Family("gleaner_start_time_seconds", "gauge", "When the daemon started (Unix time).");
  w.Sample("gleaner_start_time_seconds", "", Seconds(s.started));
  w.Family("gleaner_snapshot_timestamp_seconds", "gauge",
           "When these figures were taken from the crawler (Unix time; refreshed every 5 s).");
  w.Sample("gleaner_snapshot_timestamp_seconds", "", Seconds(s.taken));
  w.Family("gleaner_sites", "gauge", "Sites crawled by this daemon.");
  w.Sample("gleaner_sites", "", static_cast<int64_t>(s.sites.size()));

  w.Family("gleaner_site_state", "gauge",
           "1 for the state each site is in (ok, rules_broken, failing, paused), else 0.");
  for (const SiteView& site : s.sites) {
    for (SiteState state :
         {SiteState::kOk, SiteState::kRulesBroken, SiteState::kFailing, SiteState::kPaused}) {
      w.Sample("gleaner_site_state", Site(site) + "," + Label("state", SiteStateName(state)),
               int64_t{site.state == state ? 1 : 0});
    }
  }
  PerSite(w, s, "gleaner_polls_total", "Polls of the site's listings, feeds and sitemaps.",
          [](const schedule::SiteHealth& h) { return h.polls; });
  PerSite(w, s, "gleaner_poll_errors_total", "Polls that failed or could not be read.",
          [](const schedule::SiteHealth& h) { return h.poll_errors; });
  PerSite(w, s, "gleaner_discovered_total", "Article URLs new to the frontier.",
          [](const schedule::SiteHealth& h) { return h.discovered; });
  PerSite(w, s, "gleaner_pages_fetched_total", "Article pages fetched and extracted.",
          [](const schedule::SiteHealth& h) { return h.fetched; });
  PerSite(w, s, "gleaner_articles_new_total", "Articles stored for the first time.",
          [](const schedule::SiteHealth& h) { return h.new_articles; });
  PerSite(w, s, "gleaner_articles_updated_total",
          "Articles stored again with a changed title or body.",
          [](const schedule::SiteHealth& h) { return h.updated_articles; });
  PerSite(w, s, "gleaner_article_fetch_errors_total", "Article fetches that failed.",
          [](const schedule::SiteHealth& h) { return h.fetch_errors; });
  PerSite(w, s, "gleaner_extract_errors_total", "Pages nothing could be extracted from.",
          [](const schedule::SiteHealth& h) { return h.extract_errors; });
  PerSite(w, s, "gleaner_generic_fallback_total",
          "Records where the site's rules broke and generic extraction stepped in.",
          [](const schedule::SiteHealth& h) { return h.rule_breakage; });
  PerSite(w, s, "gleaner_downloaded_bytes_total",
          "Bytes received for the site's pages: bodies (decoded) and headers.",
          [](const schedule::SiteHealth& h) { return h.bytes; });

  w.Family("gleaner_fetch_errors_total", "counter",
           "Failed polls and fetches, by kind (timeout, dns, http_4xx, http_5xx, ...).");
  for (const SiteView& site : s.sites) {
    for (const auto& [kind, n] : site.health.errors_by_kind)
      w.Sample("gleaner_fetch_errors_total", Site(site) + "," + Label("kind", kind), n);
  }
  w.Family("gleaner_rule_breakage_total", "counter",
           "Records the site's rules broke on, by the rule that broke.");
  for (const SiteView& site : s.sites) {
    for (const auto& [rule, n] : site.health.broken_rules)
      w.Sample("gleaner_rule_breakage_total", Site(site) + "," + Label("rule", rule), n);
  }

  w.Family("gleaner_fetch_duration_seconds", "histogram",
           "Time in the transfers of one poll or fetch (every redirect and retry; politeness "
           "waits left out).");
  for (const SiteView& site : s.sites) {
    const schedule::LatencyHistogram& h = site.health.latency;
    std::string labels = Site(site);
    int64_t cumulative = 0;
    for (size_t i = 0; i < schedule::kLatencyBounds.size(); ++i) {
      cumulative += h.buckets[i];
      w.Sample("gleaner_fetch_duration_seconds_bucket",
               labels + "," + Label("le", fmt::format("{}", schedule::kLatencyBounds[i])),
               cumulative);
    }
    w.Sample("gleaner_fetch_duration_seconds_bucket", labels + ",le=\"+Inf\"", h.count);
    w.Sample("gleaner_fetch_duration_seconds_sum", labels, static_cast<double>(h.sum_ms) / 1000.0);
    w.Sample("gleaner_fetch_duration_seconds_count", labels, h.count);
  }

  w.Family("gleaner_last_success_timestamp_seconds", "gauge",
           "The last poll or fetch of one of the site's pages that succeeded (Unix time; "
           "absent until one has).");
  for (const SiteView& site : s.sites) {
    if (site.health.last_success)
      w.Sample("gleaner_last_success_timestamp_seconds", Site(site),
               Seconds(*site.health.last_success));
  }
  w.Family("gleaner_last_new_article_timestamp_seconds", "gauge",
           "When the site's newest article was stored (Unix time; from the database over the "
           "last 7 days, else since the daemon started; absent when none is known).");
  for (const SiteView& site : s.sites) {
    std::optional<Time> last = site.health.last_new_article;
    if (db) {
      auto it = db->last_new.find(site.id);
      if (it != db->last_new.end() && (!last || it->second.first_seen > *last))
        last = it->second.first_seen;
    }
    if (last) w.Sample("gleaner_last_new_article_timestamp_seconds", Site(site), Seconds(*last));
  }

  w.Family("gleaner_hosts_paused", "gauge",
           "Hosts refusing work now (a Retry-After pause or an open circuit breaker).");
  w.Sample("gleaner_hosts_paused", "", static_cast<int64_t>(s.paused.size()));

  w.Family("gleaner_database_readable", "gauge",
           "1 when the metrics server could read the database for the series below, else 0.");
  w.Sample("gleaner_database_readable", "", int64_t{db ? 1 : 0});
  if (db) {
    w.Family("gleaner_backlog", "gauge", "Article URLs of the site waiting to be fetched.");
    for (const SiteView& site : s.sites) {
      auto it = db->backlog.find(site.id);
      w.Sample("gleaner_backlog", Site(site), it == db->backlog.end() ? int64_t{0} : it->second);
    }
    w.Family("gleaner_queue_messages", "gauge", "Messages in the consumer queue, by state.");
    const store::QueueStats& q = db->queue;
    for (auto [state, n] : {std::pair<const char*, int64_t>{"ready", q.ready},
                            {"delayed", q.delayed},
                            {"claimed", q.claimed},
                            {"expired", q.expired},
                            {"acked", q.acked},
                            {"dead", q.dead}}) {
      w.Sample("gleaner_queue_messages", Label("state", state), n);
    }
    w.Family("gleaner_articles", "gauge", "Articles in the database.");
    w.Sample("gleaner_articles", "", q.articles);
    if (q.oldest_pending) {
      w.Family("gleaner_queue_oldest_pending_timestamp_seconds", "gauge",
               "When the oldest message not yet acked was queued (Unix time).");
      w.Sample("gleaner_queue_oldest_pending_timestamp_seconds", "", Seconds(*q.oldest_pending));
    }
  }
  return w.Take();
}

}  // namespace gleaner::web
