// The Prometheus exposition: what promtool accepts, what the numbers say, and hostile text
// (a rule key cut from a page) that must not break the format.
#include "daemon/web/metrics_text.h"

#include <catch2/catch.hpp>
#include <string>

#include "support/prometheus.h"

namespace gleaner {
namespace {

using namespace std::chrono_literals;
using web::SiteState;

web::Snapshot FiveHundredSites(store::Time now) {
  web::Snapshot s;
  s.taken = now;
  s.started = now - 1h;
  s.version = "0.1.0";
  for (int i = 0; i < 500; ++i) {
    web::SiteView v;
    v.id = "site-" + std::to_string(i);
    v.health.polls = i;
    v.health.new_articles = 2 * i;
    v.health.errors_by_kind["timeout"] = i % 3;
    v.health.last_success = now - 1min;
    s.sites.push_back(v);
  }
  return s;
}

TEST_CASE("the exposition of 500 sites passes promtool and says what the crawler counted",
          "[web]") {
  const store::Time now = store::FromMillis(1'800'000'000'000);
  web::Snapshot s = FiveHundredSites(now);
  web::SiteView& odd = s.sites[7];
  odd.state = SiteState::kRulesBroken;
  odd.health.rule_breakage = 4;
  // A rule key is text from a site file and a page: quotes, a backslash, a newline, a
  // control character and bytes that are not UTF-8.
  odd.health.broken_rules["body \"div.x\"\\ matched\n\x01nothing \xff\xfe"] = 4;
  odd.health.latency.Add(30ms);
  odd.health.latency.Add(200ms);
  odd.health.latency.Add(70s);
  odd.health.bytes = 123456;
  web::DbFigures db;
  db.queue.ready = 11;
  db.queue.dead = 2;
  db.queue.articles = 40;
  db.queue.oldest_pending = now - 2h;
  db.backlog["site-7"] = 950;

  std::string text = web::RenderMetrics(s, &db);
  auto [status, out] = testing::PromtoolCheckMetrics(text);
  INFO(out);
  REQUIRE(status == 0);

  auto m = testing::PrometheusSamples(text);
  CHECK(m.at("gleaner_sites") == 500);
  CHECK(m.at("gleaner_polls_total{site=\"site-499\"}") == 499);
  CHECK(m.at("gleaner_articles_new_total{site=\"site-250\"}") == 500);
  CHECK(m.at("gleaner_fetch_errors_total{site=\"site-5\",kind=\"timeout\"}") == 2);
  CHECK(m.at("gleaner_site_state{site=\"site-7\",state=\"rules_broken\"}") == 1);
  CHECK(m.at("gleaner_site_state{site=\"site-7\",state=\"ok\"}") == 0);
  CHECK(m.at("gleaner_site_state{site=\"site-8\",state=\"ok\"}") == 1);
  CHECK(m.at("gleaner_generic_fallback_total{site=\"site-7\"}") == 4);
  CHECK(m.at("gleaner_rule_breakage_total{site=\"site-7\",rule=\"body \\\"div.x\\\"\\\\ "
             "matched\\n?nothing ??\"}") == 4);
  // The histogram is cumulative: 30 ms is within 0.05, 200 ms within 0.25, 70 s only +Inf.
  CHECK(m.at("gleaner_fetch_duration_seconds_bucket{site=\"site-7\",le=\"0.025\"}") == 0);
  CHECK(m.at("gleaner_fetch_duration_seconds_bucket{site=\"site-7\",le=\"0.05\"}") == 1);
  CHECK(m.at("gleaner_fetch_duration_seconds_bucket{site=\"site-7\",le=\"0.1\"}") == 1);
  CHECK(m.at("gleaner_fetch_duration_seconds_bucket{site=\"site-7\",le=\"0.25\"}") == 2);
  CHECK(m.at("gleaner_fetch_duration_seconds_bucket{site=\"site-7\",le=\"60\"}") == 2);
  CHECK(m.at("gleaner_fetch_duration_seconds_bucket{site=\"site-7\",le=\"+Inf\"}") == 3);
  CHECK(m.at("gleaner_fetch_duration_seconds_count{site=\"site-7\"}") == 3);
  CHECK(m.at("gleaner_fetch_duration_seconds_sum{site=\"site-7\"}") == Approx(70.23));
  CHECK(m.at("gleaner_downloaded_bytes_total{site=\"site-7\"}") == 123456);
  CHECK(m.at("gleaner_last_success_timestamp_seconds{site=\"site-3\"}") == 1'800'000'000 - 60);
  CHECK(m.at("gleaner_backlog{site=\"site-7\"}") == 950);
  CHECK(m.at("gleaner_backlog{site=\"site-8\"}") == 0);
  CHECK(m.at("gleaner_queue_messages{state=\"ready\"}") == 11);
  CHECK(m.at("gleaner_queue_messages{state=\"dead\"}") == 2);
  CHECK(m.at("gleaner_queue_oldest_pending_timestamp_seconds") == 1'800'000'000 - 7200);
  CHECK(m.at("gleaner_database_readable") == 1);
  CHECK(m.at("gleaner_start_time_seconds") == 1'800'000'000 - 3600);
}

TEST_CASE("without the database the exposition says so and leaves its series out", "[web]") {
  const store::Time now = store::FromMillis(1'800'000'000'000);
  web::Snapshot s = FiveHundredSites(now);
  std::string text = web::RenderMetrics(s, nullptr);
  auto [status, out] = testing::PromtoolCheckMetrics(text);
  INFO(out);
  REQUIRE(status == 0);
  auto m = testing::PrometheusSamples(text);
  CHECK(m.at("gleaner_database_readable") == 0);
  CHECK_FALSE(m.count("gleaner_queue_messages{state=\"ready\"}"));
  CHECK_FALSE(m.count("gleaner_backlog{site=\"site-1\"}"));
  CHECK(m.count("gleaner_polls_total{site=\"site-1\"}"));
}

TEST_CASE("label values are escaped as the format wants and made valid UTF-8", "[web]") {
  CHECK(web::EscapeLabelValue("plain") == "plain");
  CHECK(web::EscapeLabelValue("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  CHECK(web::EscapeLabelValue("\xc3\xa9t\xc3\xa9 \xd8\xb9") == "\xc3\xa9t\xc3\xa9 \xd8\xb9");
  CHECK(web::EscapeLabelValue("\xc3(\xff\x01\x7f") == "?(???");
  CHECK(web::EscapeLabelValue("\xed\xa0\x80") == "???");  // a UTF-16 surrogate
  CHECK(web::EscapeLabelValue("\xe2\x82") == "?");        // cut short: one ill-formed subpart
}

}  // namespace
}  // namespace gleaner
