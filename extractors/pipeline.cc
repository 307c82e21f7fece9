#include "extractors/pipeline.h"

#include <tuple>

#include "extractors/core/provenance.h"
#include "extractors/core/url.h"
#include "extractors/generic/generic.h"
#include "extractors/html/charset.h"
#include "extractors/html/lean_html.h"
#include "extractors/html/metadata.h"
#include "extractors/rules/apply.h"
#include "extractors/text/normalize.h"

namespace gleaner {
namespace {

// A rules body shorter than this (in code points) is suspicious enough to be checked
// against the generic extractor: a real article body, even a brief, is longer; a body
// selector that caught only a caption or a lead is shorter.
constexpr size_t kSuspiciousBodyChars = 400;
// The generic body must be this many times longer than the rules body to replace it: the
// rules only "far" under-deliver when a large part of the article is missing.
constexpr size_t kFallbackLengthRatio = 3;

struct ParsedPage {
  html::Document doc;
  html::PageMetadata meta;
  bool lossy;
  std::string encoding;
  html::CharsetSource charset_source;
};

Result<ParsedPage> Parse(const PageInput& page, const ExtractOptions& options) {
  if (page.bytes.size() > options.limits.max_bytes) {
    return Fail(ErrorCode::kNoArticle, "page too large (" + std::to_string(page.bytes.size()) +
                                           " bytes, limit " +
                                           std::to_string(options.limits.max_bytes) + ")");
  }
  html::DecodedPage decoded = html::DecodeToUtf8(page.bytes, page.content_type.value_or(""));
  // Inline script and style text is half of a news page's bytes and no extractor reads it
  // (JSON-LD is kept): dropping it first halves Gumbo's work (html/lean_html.h).
  auto doc = html::ParseHtml(html::DropScriptAndStyleText(decoded.utf8), options.limits);
  if (!doc) return tl::unexpected(doc.error());
  html::PageMetadata meta = html::ReadMetadata(*doc);
  return ParsedPage{std::move(*doc), std::move(meta), decoded.lossy, decoded.encoding,
                    decoded.source};
}

// Records in `*trace`, when it is not null, how the page was decoded.
void TraceDecoding(const ParsedPage& parsed, rules::ExplainTrace* trace) {
  if (!trace) return;
  trace->parsed = true;
  trace->encoding = parsed.encoding;
  trace->charset_source = parsed.charset_source;
  trace->lossy = parsed.lossy;
}

// The record's URL: as given; else the page's canonical link (resolved against nothing:
// only an absolute canonical URL can stand alone). Recorded in `*trace` when it is not null.
std::optional<std::string> RecordUrl(const PageInput& page, const html::PageMetadata& meta,
                                     rules::ExplainTrace* trace) {
  using Origin = rules::ExplainTrace::UrlOrigin;
  auto chosen = [trace](const std::optional<std::string>& url, Origin origin) {
    if (trace) {
      trace->url = url;
      trace->url_origin = origin;
    }
    return url;
  };
  if (page.url && !page.url->empty()) return chosen(page.url, Origin::kGiven);
  if (meta.canonical && ParseUrl(*meta.canonical))
    return chosen(meta.canonical, Origin::kCanonical);
  return chosen(std::nullopt, Origin::kNone);
}

// Records in `*trace`, when it is not null, how the site was chosen: `site` is the one
// chosen (null for none) and `url` the page's URL.
void TraceSite(rules::ExplainTrace* trace, rules::SiteTrace::Choice choice,
               const rules::SiteSet* sites, const rules::SiteRules* site = nullptr,
               const std::optional<std::string>& url = std::nullopt) {
  if (!trace) return;
  rules::SiteTrace& t = trace->site;
  t.choice = choice;
  t.sites = sites ? sites->sites().size() : 0;
  if (!site) return;
  t.id = site->id;
  t.file = site->file;
  const text::Regex* owning = url ? site->OwningPattern(*url) : nullptr;
  if (owning) t.url_regex = owning->pattern();
}

// The site whose rules apply: `options.site_id`, else the site of `sites` that owns `url`;
// null when none does, when there is no URL, or for `generic_only`. Returns kUsage for an
// unknown site id, kConfig when two sites own the URL.
Result<const rules::SiteRules*> ChooseSite(const rules::SiteSet* sites,
                                           const ExtractOptions& options,
                                           const std::optional<std::string>& url) {
  using Choice = rules::SiteTrace::Choice;
  const rules::SiteRules* none = nullptr;
  if (options.generic_only) {
    TraceSite(options.trace, Choice::kGenericOnly, sites);
    return none;
  }
  if (options.site_id) {
    const rules::SiteRules* site = sites ? sites->Find(*options.site_id) : nullptr;
    if (!site) return Fail(ErrorCode::kUsage, "no site with id '" + *options.site_id + "'");
    TraceSite(options.trace, Choice::kGiven, sites, site, url);
    return site;
  }
  if (!url || !sites) {
    TraceSite(options.trace, url ? Choice::kNoOwner : Choice::kNoUrl, sites);
    return none;
  }
  auto match = sites->Match(*url);
  if (!match) return tl::unexpected(match.error());
  TraceSite(options.trace, *match ? Choice::kOwned : Choice::kNoOwner, sites, *match, url);
  return *match;
}

Result<Article> RunGeneric(ParsedPage& parsed, const std::optional<std::string>& url,
                           const ExtractOptions& options) {
  generic::GenericInput input{url, parsed.meta, options.today};
  return generic::ExtractGeneric(parsed.doc, input);
}

// Replaces the rules' body with the generic one, keeping every field the rules found (and
// its provenance). `failed` is the rules' provenance with the fallback's reason filled in.
Article MergeFallback(Article rules, Article generic, const Provenance& failed) {
  Provenance& merged = generic.provenance;
  Provenance& kept = rules.provenance;
  generic.site = failed.site;
  merged.site = failed.site;
  merged.layout = failed.layout;
  merged.fallback = failed.fallback;
  merged.unmatched = std::move(kept.unmatched);
  generic.extractor = RenderExtractor(merged);
  for (auto [field, from, field_provenance, from_provenance] :
       {std::tuple{&generic.title, &rules.title, &merged.title, &kept.title},
        {&generic.author, &rules.author, &merged.author, &kept.author},
        {&generic.published, &rules.published, &merged.published, &kept.published},
        {&generic.source, &rules.source, &merged.source, &kept.source},
        {&generic.source_url, &rules.source_url, &merged.source_url, &kept.source_url},
        {&generic.language, &rules.language, &merged.language, &kept.language}}) {
    if (!*from) continue;
    *field = *from;
    *field_provenance = *from_provenance;
  }
  if (!rules.ticker.empty()) {
    generic.ticker = std::move(rules.ticker);
    merged.ticker = kept.ticker;
  }
  std::vector<std::string> warnings = std::move(rules.warnings);
  warnings.push_back(RenderFallbackWarning(merged));
  warnings.insert(warnings.end(), generic.warnings.begin(), generic.warnings.end());
  generic.warnings = std::move(warnings);
  return generic;
}

// The rules' article with its body replaced by the generic one, far longer.
Article ReplaceShortBody(Article ruled, Article generic, size_t rules_chars, size_t generic_chars) {
  Provenance failed = ruled.provenance;
  failed.fallback.reason = FallbackReason::kBodyFarShorter;
  failed.fallback.rules = {RuleRef{failed.layout, "body", failed.body.rule}};
  failed.fallback.rules_chars = rules_chars;
  failed.fallback.generic_chars = generic_chars;
  return MergeFallback(std::move(ruled), std::move(generic), failed);
}

using Verdict = rules::FallbackTrace::Verdict;

// Records in `*trace`, when it is not null, what the rules gave and the figures the
// fallback decision uses.
void TraceRules(rules::ExplainTrace* trace, bool rules_article, size_t rules_chars) {
  if (!trace) return;
  trace->rules_ran = true;
  trace->fallback.rules_article = rules_article;
  trace->fallback.rules_chars = rules_chars;
  trace->fallback.suspicious_below = kSuspiciousBodyChars;
  trace->fallback.length_ratio = kFallbackLengthRatio;
}

// Records in `*trace`, when it is not null, what the generic stage gave when consulted:
// its body's length, or why it gave nothing.
void TraceGeneric(rules::ExplainTrace* trace, std::optional<size_t> generic_chars,
                  const std::string& failure = "") {
  if (!trace) return;
  trace->fallback.generic_chars = generic_chars;
  trace->fallback.generic_failure = failure;
}

// Records `verdict` (and the reason the result's provenance gives) in `*trace`, when it is
// not null, and returns `result`.
Result<Article> Decide(rules::ExplainTrace* trace, Verdict verdict, Result<Article> result) {
  if (trace) {
    trace->fallback.verdict = verdict;
    if (result) trace->fallback.reason = result->provenance.fallback.reason;
  }
  return result;
}

Result<Article> ExtractWithRules(const PageInput& page, ParsedPage& parsed,
                                 const rules::SiteRules& site,
                                 const std::optional<std::string>& url,
                                 const ExtractOptions& options) {
  rules::ExplainTrace* trace = options.trace;
  rules::ApplyInput input{url, &parsed.meta, trace ? &trace->rules : nullptr};
  auto ruled = rules::ApplyRules(parsed.doc, site, input);
  size_t rules_chars = ruled && ruled->body ? text::CodePointCount(*ruled->body) : 0;
  TraceRules(trace, ruled.has_value(), rules_chars);
  if (ruled && rules_chars >= kSuspiciousBodyChars)
    return Decide(trace, Verdict::kRulesLong, std::move(*ruled));

  // The rules under-delivered: a fresh parse (ApplyRules removed nodes) for the generic stage.
  auto fresh = Parse(page, options);
  if (!fresh) {
    TraceGeneric(trace, std::nullopt, fresh.error().message);
    if (ruled) return Decide(trace, Verdict::kRulesKept, std::move(*ruled));
    return Decide(trace, Verdict::kNoArticle, tl::unexpected(fresh.error()));
  }
  auto generic = RunGeneric(*fresh, url, options);
  if (!generic) {
    TraceGeneric(trace, std::nullopt, generic.error().message);
    if (ruled) return Decide(trace, Verdict::kRulesKept, std::move(*ruled));
    return Decide(
        trace, Verdict::kNoArticle,
        Fail(ErrorCode::kNoArticle, RenderFallbackWarning(ruled.error()) +
                                        "; generic extraction: " + generic.error().message));
  }
  size_t generic_chars = generic->body ? text::CodePointCount(*generic->body) : 0;
  TraceGeneric(trace, generic_chars);
  if (!ruled) {
    return Decide(trace, Verdict::kGenericReplaced,
                  MergeFallback(Article{}, std::move(*generic), ruled.error()));
  }
  if (generic_chars < kFallbackLengthRatio * rules_chars)
    return Decide(trace, Verdict::kRulesKept, std::move(*ruled));
  return Decide(
      trace, Verdict::kGenericReplaced,
      ReplaceShortBody(std::move(*ruled), std::move(*generic), rules_chars, generic_chars));
}

}  // namespace

Result<Article> ExtractPage(const PageInput& page, const rules::SiteSet* sites,
                            const ExtractOptions& options) {
  auto parsed = Parse(page, options);
  if (!parsed) return tl::unexpected(parsed.error());
  TraceDecoding(*parsed, options.trace);
  std::optional<std::string> url = RecordUrl(page, parsed->meta, options.trace);
  auto chosen = ChooseSite(sites, options, url);
  if (!chosen) return tl::unexpected(chosen.error());
  const rules::SiteRules* site = *chosen;

  Result<Article> article = site ? ExtractWithRules(page, *parsed, *site, url, options)
                                 : RunGeneric(*parsed, url, options);
  if (!article) return article;
  if (!site) {
    article->site = std::nullopt;
    article->provenance.site.clear();
    article->extractor = RenderExtractor(article->provenance);
  }
  article->url = url;
  if (parsed->lossy) {
    article->warnings.push_back("lossy decode: bytes invalid in " + parsed->encoding +
                                " replaced by U+FFFD");
  }
  const std::vector<std::string>& parse_warnings = parsed->doc.warnings();
  article->warnings.insert(article->warnings.end(), parse_warnings.begin(), parse_warnings.end());
  return article;
}

}  // namespace gleaner
