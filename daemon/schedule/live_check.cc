#include "daemon/schedule/live_check.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "daemon/schedule/fetch_now.h"

namespace gleaner::schedule {
namespace {

// How long one Poll may block: it returns as soon as a request completes anyway, so this
// only bounds how late a finished site's block is printed when nothing else happens.
constexpr std::chrono::milliseconds kPollSlice{1000};

// The width of the labels of an example's lines ("layout", "generic" ...), so that their
// values line up.
constexpr int kLabelWidth = 10;

// The record's fields in record order, with their provenance.
std::vector<FoundField> FoundFields(const Provenance& p) {
  const std::pair<const char*, const FieldProvenance*> fields[] = {
      {"title", &p.title},   {"author", &p.author},         {"published", &p.published},
      {"source", &p.source}, {"source_url", &p.source_url}, {"language", &p.language},
      {"body", &p.body},     {"related", &p.related},       {"ticker", &p.ticker}};
  std::vector<FoundField> found;
  for (const auto& [name, provenance] : fields) {
    if (provenance->stage != Stage::kNone) found.push_back({name, provenance->stage});
  }
  return found;
}

// What one fetched example tells of its site's rules.
ExampleCheck Judge(const std::string& url, const fetch::FetchResult& result,
                   const rules::SiteRules& site, const rules::SiteSet& all_sites,
                   const ExtractLimits& limits) {
  ExampleCheck check;
  check.url = url;
  check.final_url = result.final_url;
  if (!result.ok()) {
    check.verdict = ExampleVerdict::kUnreachable;
    check.fetch_error = Error{fetch::ErrorCodeFor(result.error_kind), result.error};
    check.error_kind = std::string(fetch::ErrorKindName(result.error_kind));
    return check;
  }
  auto article = ExtractFetched(url, result, all_sites, site.id, limits);
  if (!article) {
    check.verdict = ExampleVerdict::kBroken;
    check.no_article = article.error().message;
    return check;
  }
  check.provenance = std::move(article->provenance);
  check.found = FoundFields(check.provenance);
  bool fell_back = check.provenance.fallback.reason != FallbackReason::kNone;
  bool missed = !check.provenance.unmatched.empty();
  check.verdict = fell_back || missed ? ExampleVerdict::kBroken : ExampleVerdict::kOk;
  return check;
}

SiteVerdict VerdictOf(const SiteCheck& site) {
  if (site.examples.empty()) return SiteVerdict::kNoExamples;
  auto any = [&](ExampleVerdict v) {
    return std::any_of(site.examples.begin(), site.examples.end(),
                       [v](const ExampleCheck& e) { return e.verdict == v; });
  };
  if (any(ExampleVerdict::kBroken)) return SiteVerdict::kBroken;
  if (any(ExampleVerdict::kUnreachable)) return SiteVerdict::kUnreachable;
  return SiteVerdict::kOk;
}

size_t CountExamples(const SiteCheck& site, ExampleVerdict verdict) {
  return static_cast<size_t>(
      std::count_if(site.examples.begin(), site.examples.end(),
                    [verdict](const ExampleCheck& e) { return e.verdict == verdict; }));
}

std::string Join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

// "    LABEL     VALUE\n".
std::string Line(std::string_view label, const std::string& value) {
  std::string out = "    ";
  out += label;
  out.append(static_cast<size_t>(std::max(1, kLabelWidth - static_cast<int>(label.size()))), ' ');
  return out + value + "\n";
}

std::string FoundText(const std::vector<FoundField>& found) {
  std::vector<std::string> parts;
  for (const FoundField& f : found) {
    parts.push_back(
        f.stage == Stage::kRules ? f.name : f.name + " (" + std::string(StageName(f.stage)) + ")");
  }
  return parts.empty() ? "-" : Join(parts, ", ");
}

std::string MissingText(const std::vector<RuleRef>& unmatched) {
  std::vector<std::string> parts;
  for (const RuleRef& r : unmatched)
    parts.push_back(r.field + " ('" + r.rule + "' matched nothing)");
  return parts.empty() ? "-" : Join(parts, ", ");
}

// Whether generic extraction stepped in, and why, from the fallback's data.
std::string GenericText(const Fallback& fallback) {
  if (fallback.reason == FallbackReason::kNone) return "no";
  std::string out = "yes, " + std::string(FallbackReasonName(fallback.reason)) + ": ";
  std::vector<std::string> rules;
  for (const RuleRef& r : fallback.rules) {
    std::string rule = "layout " + r.layout + ": " + r.field + " '" + r.rule + "'";
    switch (fallback.reason) {
      case FallbackReason::kBodyFarShorter:
        rule += " gave " + std::to_string(fallback.rules_chars) +
                " characters, generic extraction " + std::to_string(fallback.generic_chars);
        break;
      case FallbackReason::kBodyEmptyText:
        rule += " matched only empty text";
        break;
      default:
        rule += " matched nothing";
        break;
    }
    rules.push_back(std::move(rule));
  }
  return out + Join(rules, "; ");
}

std::string RenderExample(const ExampleCheck& e) {
  std::string out = "  " + e.url + "\n";
  if (!e.final_url.empty() && e.final_url != e.url) out += Line("redirect", "-> " + e.final_url);
  if (e.fetch_error)
    return out + Line("fetch", "failed, " + e.error_kind + ": " + e.fetch_error->message);
  if (e.no_article) return out + Line("article", "none: " + *e.no_article);
  const Provenance& p = e.provenance;
  out += Line("layout", p.layout.empty() ? "- (no layout applied)" : p.layout);
  out += Line("found", FoundText(e.found));
  out += Line("missing", MissingText(p.unmatched));
  out += Line("generic", GenericText(p.fallback));
  return out;
}

std::string VerdictText(const SiteCheck& site) {
  std::string of = " of " + std::to_string(site.examples.size()) + " examples";
  switch (site.verdict) {
    case SiteVerdict::kOk:
      return "ok (" + std::to_string(site.examples.size()) +
             (site.examples.size() == 1 ? " example)" : " examples)");
    case SiteVerdict::kBroken:
      return "broken (" + std::to_string(CountExamples(site, ExampleVerdict::kBroken)) + of + ")";
    case SiteVerdict::kUnreachable:
      for (const ExampleCheck& e : site.examples) {
        if (!e.fetch_error) continue;
        return "unreachable (" + std::to_string(CountExamples(site, ExampleVerdict::kUnreachable)) +
               of + "): " + e.error_kind + ": " + e.fetch_error->message;
      }
      return "unreachable";
    case SiteVerdict::kNoExamples:
      break;
  }
  return "no examples (skipped)";
}

}  // namespace

std::vector<SiteCheck> CheckSitesLive(fetch::Fetcher& fetcher,
                                      const std::vector<const rules::SiteRules*>& sites,
                                      const rules::SiteSet& all_sites, const ExtractLimits& limits,
                                      const std::function<void(const SiteCheck&)>& report) {
  std::vector<SiteCheck> checks(sites.size());
  std::vector<size_t> pending(sites.size(), 0);  // per site: examples not fetched yet
  // Every example is submitted now: the fetcher runs hosts in parallel and spaces the
  // requests to one host, so one slow site does not hold the others up.
  for (size_t i = 0; i < sites.size(); ++i) {
    const rules::SiteRules& site = *sites[i];
    SiteCheck& check = checks[i];
    check.id = site.id;
    check.name = site.name;
    size_t count = std::min(site.examples.size(), kMaxExamplesPerSite);
    check.examples_skipped = site.examples.size() - count;
    check.examples.resize(count);  // sized before any callback writes into it
    pending[i] = count;
    for (size_t j = 0; j < count; ++j) {
      const std::string& url = site.examples[j];
      fetcher.Submit(RequestFor(url, &site), [&checks, &pending, &site, &all_sites, &limits, url, i,
                                              j](fetch::FetchResult&& result) {
        // Judged at once, so no page body outlives its callback.
        checks[i].examples[j] = Judge(url, result, site, all_sites, limits);
        --pending[i];
      });
    }
  }
  // Sites are reported in order, each as soon as it and every earlier one are done.
  size_t reported = 0;
  auto report_done = [&] {
    while (reported < checks.size() && pending[reported] == 0) {
      checks[reported].verdict = VerdictOf(checks[reported]);
      if (report) report(checks[reported]);
      ++reported;
    }
  };
  report_done();
  while (reported < checks.size()) {
    fetcher.Poll(kPollSlice);
    report_done();
  }
  return checks;
}

std::string RenderSiteCheck(const SiteCheck& site) {
  std::string out = "site " + site.id + " (" + site.name + ")";
  if (site.examples_skipped > 0) {
    out += ": the first " + std::to_string(site.examples.size()) + " examples; " +
           std::to_string(site.examples_skipped) + " more not checked (at most " +
           std::to_string(kMaxExamplesPerSite) + " per site)";
  }
  out += "\n";
  for (const ExampleCheck& e : site.examples) out += RenderExample(e);
  return out + site.id + ": " + VerdictText(site) + "\n";
}

std::string RenderLiveSummary(const std::vector<SiteCheck>& sites) {
  auto count = [&sites](SiteVerdict verdict) {
    return std::to_string(std::count_if(sites.begin(), sites.end(), [verdict](const SiteCheck& s) {
      return s.verdict == verdict;
    }));
  };
  return std::to_string(sites.size()) + " sites: " + count(SiteVerdict::kOk) + " ok, " +
         count(SiteVerdict::kBroken) + " broken, " + count(SiteVerdict::kUnreachable) +
         " unreachable, " + count(SiteVerdict::kNoExamples) + " without examples";
}

int LiveCheckExitStatus(const std::vector<SiteCheck>& sites) {
  for (const SiteCheck& s : sites) {
    if (s.verdict == SiteVerdict::kBroken) return static_cast<int>(ErrorCode::kConfig);
  }
  for (const SiteCheck& s : sites) {
    for (const ExampleCheck& e : s.examples) {
      if (e.fetch_error) return e.fetch_error->ExitCode();
    }
  }
  return 0;
}

}  // namespace gleaner::schedule
