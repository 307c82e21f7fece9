#include "daemon/schedule/fetch_outcome.h"

namespace gleaner::schedule {

store::FetchOutcome SucceededFetch(const std::string& url, store::UrlKind kind,
                                   const std::optional<std::string>& site,
                                   const fetch::FetchResult& result) {
  store::FetchOutcome outcome;
  outcome.url = url;
  outcome.kind = kind;
  outcome.site = site;
  outcome.ok = true;
  outcome.status = result.status;
  outcome.etag = result.etag;
  outcome.last_modified = result.last_modified;
  outcome.content_hash = store::ContentHash(result.body);
  return outcome;
}

Result<void> StoreFetchedArticle(const std::string& database, const std::string& url,
                                 const fetch::FetchResult& result, const Article& article) {
  auto store = store::Store::Open(database, store::OpenMode::kCreate);
  if (!store) return tl::unexpected(store.error());
  store::WriteBatch batch;
  if (auto ok = batch.PutArticle(article); !ok) return ok;
  store::FetchOutcome outcome = SucceededFetch(url, store::UrlKind::kArticle, article.site, result);
  outcome.state = store::FrontierState::kDone;
  outcome.next_fetch = store::Now();
  if (auto ok = batch.RecordFetch(std::move(outcome)); !ok) return ok;
  auto written = store->Write(batch, store::Now());
  if (!written) return tl::unexpected(written.error());
  return {};
}

store::NewCapture CaptureOf(const std::string& url, const std::optional<std::string>& site,
                            const fetch::FetchResult& result, store::Time fetched) {
  store::NewCapture capture;
  capture.url = url;
  capture.final_url = result.final_url.empty() ? url : result.final_url;
  capture.site = site;
  capture.status = result.status;
  capture.head = result.head;
  capture.body = result.body;
  capture.fetched = fetched;
  return capture;
}

Result<void> ArchiveFetched(const std::string& database, const std::string& url,
                            const std::optional<std::string>& site,
                            const fetch::FetchResult& result, store::Time now) {
  auto archive = store::Archive::Open(store::ArchivePathFor(database), store::OpenMode::kCreate);
  if (!archive) return tl::unexpected(archive.error());
  auto added = archive->Add({CaptureOf(url, site, result, now)});
  if (!added) return tl::unexpected(added.error());
  return {};
}

}  // namespace gleaner::schedule
