#include "daemon/schedule/reextract.h"

#include <string_view>
#include <utility>

#include "daemon/store/timestamps.h"
#include "extractors/core/provenance.h"
#include "extractors/pipeline.h"

namespace gleaner::schedule {
namespace {

// The `extractor` of a record whose site's rules broke and generic extraction filled in
// ("rules:<site>+generic"): how a stored record says it was a fallback.
constexpr std::string_view kFallbackSuffix = "+generic";

const std::optional<std::string>& FieldOf(const Article& a, std::string_view field) {
  if (field == "title") return a.title;
  if (field == "body") return a.body;
  if (field == "published") return a.published;
  if (field == "author") return a.author;
  if (field == "source") return a.source;
  if (field == "source_url") return a.source_url;
  return a.language;
}

std::vector<std::string> DifferingFields(const Article& before, const Article& after) {
  std::vector<std::string> fields;
  for (const char* field : kReextractFields) {
    if (FieldOf(before, field) != FieldOf(after, field)) fields.emplace_back(field);
  }
  return fields;
}

// The site a capture belongs to now: the one it was fetched for while that is still
// configured, else the one whose patterns own its URL ("" for none).
std::string OwnerOf(const store::Capture& capture, const rules::SiteSet& sites) {
  if (capture.site && sites.Find(*capture.site) != nullptr) return *capture.site;
  auto owner = sites.Match(capture.url);
  return owner && *owner != nullptr ? (*owner)->id : std::string();
}

bool Selected(const store::Capture& capture, const std::string& owner,
              const ReextractOptions& options) {
  return !options.site || owner == *options.site || capture.site == options.site;
}

class Run {
 public:
  Run(const Config& config, const rules::SiteSet& sites, store::Store& store,
      store::Archive& archive, const ReextractOptions& options, const ReextractHooks& hooks)
      : config_(config),
        sites_(sites),
        store_(store),
        archive_(archive),
        options_(options),
        hooks_(hooks) {}

  Result<ReextractReport> Go() {
    store::CaptureFilter filter;
    filter.since = options_.since;
    filter.latest_only = true;
    int64_t total = 0;
    auto counted = archive_.ForEach(filter, [&](const store::Capture& c) {
      total += Selected(c, OwnerOf(c, sites_), options_) ? 1 : 0;
      return true;
    });
    if (!counted) return tl::unexpected(counted.error());
    Result<void> failure;
    auto walked = archive_.ForEach(filter, [&](const store::Capture& c) {
      std::string owner = OwnerOf(c, sites_);
      if (!Selected(c, owner, options_)) return true;
      failure = Page(c, owner);
      if (failure && batch_.size() >= kReextractBatch) failure = Flush();
      if (hooks_.on_progress) hooks_.on_progress(report_.pages, std::max(total, report_.pages));
      return failure.has_value();
    });
    if (!walked) return tl::unexpected(walked.error());
    if (!failure) return tl::unexpected(failure.error());
    if (auto ok = Flush(); !ok) return tl::unexpected(ok.error());
    return std::move(report_);
  }

 private:
  void Event(PageEvent::Kind kind, const store::Capture& c, const std::string& site,
             std::string reason, std::vector<std::string> fields = {}) {
    if (!hooks_.on_event) return;
    hooks_.on_event(PageEvent{kind, c.url, site, std::move(fields), std::move(reason)});
  }

  // Extracts one page and compares it with the stored record. kDatabase only.
  Result<void> Page(const store::Capture& c, const std::string& owner) {
    ++report_.pages;
    SiteReextract& figures = report_.sites[owner];
    ++figures.pages;
    auto body = archive_.Body(c);
    if (!body) {
      if (body.error().code != ErrorCode::kInput) return tl::unexpected(body.error());
      ++figures.corrupt;
      Event(PageEvent::Kind::kCorrupt, c, owner, body.error().message);
      return {};
    }
    // A record from another fetch than the page's (a later one, made while the archive was
    // off) must not be replaced with what the older page gives: the frontier keeps the hash
    // of the body its last successful fetch brought.
    auto entry = store_.FindUrl(c.url);
    if (!entry) return tl::unexpected(entry.error());
    if (*entry && (*entry)->content_hash && *(*entry)->content_hash != store::ContentHash(*body)) {
      ++figures.stale;
      Event(PageEvent::Kind::kStale, c, owner,
            "its record comes from a later fetch than the archived page");
      return {};
    }
    auto stored = store_.FindArticle(c.url);
    if (!stored) return tl::unexpected(stored.error());
    if (*stored && (*stored)->article.extractor.ends_with(kFallbackSuffix)) {
      ++figures.fallbacks_before;
    }
    auto article = Extract(c, *body);
    if (!article) {
      ++figures.failed;
      Event(PageEvent::Kind::kFailed, c, owner, article.error().message);
      return {};
    }
    if (article->provenance.fallback.reason != FallbackReason::kNone) ++figures.fallbacks_after;
    if (!*stored) {
      ++figures.added;
      Event(PageEvent::Kind::kAdded, c, owner, "");
      Put(std::move(*article));
      return {};
    }
    std::vector<std::string> fields = DifferingFields((*stored)->article, *article);
    bool changed =
        (*stored)->article.title != article->title || (*stored)->article.body != article->body;
    if (!changed) return {};
    ++figures.changed;
    for (const std::string& field : fields) ++figures.fields[field];
    Event(PageEvent::Kind::kChanged, c, owner, "", std::move(fields));
    Put(std::move(*article));
    return {};
  }

  // As the crawler extracts a page it fetched (Crawler::OnArticleFetched).
  Result<Article> Extract(const store::Capture& c, const std::string& body) const {
    PageInput page{body, c.url, store::HeadValue(c.head, "content-type")};
    ExtractOptions extract;
    extract.limits = DomLimitsFrom(config_.limits);
    if (c.site && sites_.Find(*c.site) != nullptr) extract.site_id = c.site;
    extract.today = store::LatestPageDay(c.fetched);  // no page is dated after its fetch
    return ExtractPage(page, &sites_, extract);
  }

  void Put(Article article) {
    if (options_.dry_run) return;
    // kInput only for a record without an absolute URL, which an archived page never gives.
    (void)batch_.PutArticle(std::move(article));
  }

  Result<void> Flush() {
    if (batch_.empty()) return {};
    auto written = store_.Write(batch_, store::Now());
    if (!written) return tl::unexpected(written.error());
    batch_.Clear();
    return {};
  }

  const Config& config_;
  const rules::SiteSet& sites_;
  store::Store& store_;
  store::Archive& archive_;
  const ReextractOptions& options_;
  const ReextractHooks& hooks_;
  store::WriteBatch batch_;
  ReextractReport report_;
};

}  // namespace

Result<ReextractReport> Reextract(const Config& config, const rules::SiteSet& sites,
                                  store::Store& store, store::Archive& archive,
                                  const ReextractOptions& options, const ReextractHooks& hooks) {
  return Run(config, sites, store, archive, options, hooks).Go();
}

}  // namespace gleaner::schedule
