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
  return ParsedPage{std::move(*doc), std::move(meta), decoded.lossy, decoded.encoding};
}

// The record's URL: as given; else the page's canonical link (resolved against nothing:
// only an absolute canonical URL can stand alone).
std::optional<std::string> RecordUrl(const PageInput& page, const html::PageMetadata& meta) {
  if (page.url && !page.url->empty()) return page.url;
  if (meta.canonical && ParseUrl(*meta.canonical)) return meta.canonical;
  return std::nullopt;
}

Result<Article> RunGeneric(ParsedPage& parsed, const std::optional<std::string>& url) {
  generic::GenericInput input{url, parsed.meta};
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

Result<Article> ExtractWithRules(const PageInput& page, ParsedPage& parsed,
                                 const rules::SiteRules& site,
                                 const std::optional<std::string>& url,
                                 const ExtractOptions& options) {
  rules::ApplyInput input{url, &parsed.meta};
  auto ruled = rules::ApplyRules(parsed.doc, site, input);
  size_t rules_chars = ruled && ruled->body ? text::CodePointCount(*ruled->body) : 0;
  if (ruled && rules_chars >= kSuspiciousBodyChars) return std::move(*ruled);

  // The rules under-delivered: a fresh parse (ApplyRules removed nodes) for the generic stage.
  auto fresh = Parse(page, options);
  if (!fresh) {
    if (ruled) return std::move(*ruled);
    return tl::unexpected(fresh.error());
  }
  auto generic = RunGeneric(*fresh, url);
  if (!generic) {
    if (ruled) return std::move(*ruled);
    return Fail(ErrorCode::kNoArticle, RenderFallbackWarning(ruled.error()) +
                                           "; generic extraction: " + generic.error().message);
  }
  if (!ruled) return MergeFallback(Article{}, std::move(*generic), ruled.error());
  size_t generic_chars = generic->body ? text::CodePointCount(*generic->body) : 0;
  if (generic_chars < kFallbackLengthRatio * rules_chars) return std::move(*ruled);
  Provenance failed = ruled->provenance;
  failed.fallback.reason = FallbackReason::kBodyFarShorter;
  failed.fallback.rules = {RuleRef{failed.layout, "body", failed.body.rule}};
  failed.fallback.rules_chars = rules_chars;
  failed.fallback.generic_chars = generic_chars;
  return MergeFallback(std::move(*ruled), std::move(*generic), failed);
}

}  // namespace

Result<Article> ExtractPage(const PageInput& page, const rules::SiteSet* sites,
                            const ExtractOptions& options) {
  auto parsed = Parse(page, options);
  if (!parsed) return tl::unexpected(parsed.error());
  std::optional<std::string> url = RecordUrl(page, parsed->meta);

  const rules::SiteRules* site = nullptr;
  if (!options.generic_only && options.site_id) {
    site = sites ? sites->Find(*options.site_id) : nullptr;
    if (!site) return Fail(ErrorCode::kUsage, "no site with id '" + *options.site_id + "'");
  } else if (!options.generic_only && sites && url) {
    auto match = sites->Match(*url);
    if (!match) return tl::unexpected(match.error());
    site = *match;
  }

  Result<Article> article =
      site ? ExtractWithRules(page, *parsed, *site, url, options) : RunGeneric(*parsed, url);
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
