// Every threshold and word list `gleaner suggest` drafts a site file with, each with the
// reason for its value. None may name a site or a page: the drafts must hold on sites the
// lists were never tuned on.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace gleaner::suggest {

using std::string_view_literals::operator""sv;

// Samples one draft may be built from, and the layouts it may hold: a site is drafted
// from a handful of pages; more only cost time. A site with more designs than this is
// better split by hand.
inline constexpr size_t kMaxSamples = 20;
inline constexpr size_t kMaxLayouts = 4;

// A sample whose generic body is shorter than this (code points) is not an article page:
// a listing or a section front gives a few headlines at most.
inline constexpr size_t kMinArticleChars = 200;

// The body token F1 against generic extraction each sample must reach for the draft to be
// called verified (the measure the extraction benchmarks use).
inline constexpr double kTargetBodyF1 = 0.95;

// A body selector whose F1 on a sample is at least this (before `remove` and `related`
// refine it) reads that sample's design: samples below it go to another layout.
inline constexpr double kSameLayoutF1 = 0.8;

// When no selector reads a sample that well, the best one that reaches this is still
// drafted, marked UNSURE: a rule that gets most of the article is a better start for the
// user than no draft.
inline constexpr double kMinUsableBodyF1 = 0.5;

// Elements of a sample ranked as body candidates, and selectors tried per element: the
// right container is among the first few by text overlap; more only cost time.
inline constexpr size_t kBodyCandidatesPerSample = 6;
inline constexpr size_t kSelectorsPerElement = 10;

// A container candidate must hold at least this share of the sample's body text.
inline constexpr double kMinCandidateRecall = 0.3;

// An element inside the body container is proposed for `remove` when it holds at least
// this many code points of text that generic extraction left out, and at most this share
// of body text (a share bar or a dialog, not a paragraph).
inline constexpr size_t kMinRemovedChars = 8;
inline constexpr double kMaxRemovedBodyShare = 0.05;

// Names that say an element inside the body is furniture even when it holds no text on
// the samples (share bars fill in by script; ads and dialogs vary by page).
inline constexpr std::array kFurnitureNameWords = {
    "share"sv,      "social"sv,  "sharing"sv,  "modal"sv, "dialog"sv, "advert"sv,       "ads"sv,
    "newsletter"sv, "related"sv, "comments"sv, "popup"sv, "promo"sv,  "subscription"sv,
};

// Class and id tokens that hold layout or state, not meaning: a selector built on them
// matches half the page or changes with the page's state.
inline constexpr std::array kLayoutNameTokens = {
    "row"sv,  "container"sv, "clearfix"sv, "active"sv,    "show"sv,       "fade"sv,
    "in"sv,   "open"sv,      "selected"sv, "current"sv,   "hidden"sv,     "visible"sv,
    "left"sv, "right"sv,     "center"sv,   "pull-left"sv, "pull-right"sv, "first"sv,
    "last"sv, "odd"sv,       "even"sv,     "fa"sv,
};

// Longest class or id token a draft uses: longer ones are generated (CSS modules, hashes).
inline constexpr size_t kMaxNameChars = 40;

// The longest text an element may have to be read as a date or a source line: a dateline
// or a "Published in X on DATE" line is short; a paragraph that mentions a date is not.
inline constexpr size_t kMaxDateTextChars = 150;
inline constexpr size_t kMaxSourceLineChars = 200;

// An aggregator's line naming the original publisher ("Publié dans X le ...", "نشر في X
// يوم ..."), in French, Arabic and English; group `value` is the publisher's name.
inline constexpr std::string_view kSourceLinePattern =
    R"(^\s*(?:publié\s+dans|publie\s+dans|paru\s+dans|publié\s+sur|published\s+in|)"
    R"(source\s*:|المصدر\s*:|نشر\s+في|نشر\s+فى|نشرت\s+في)\s*(?<value>.+?))"
    R"((?:\s+(?:le|on|يوم|بتاريخ)(?:\s+.*)?)?\s*$)";

// The text of a link to the original article at the source, and hosts whose links are
// sharing buttons, never a source.
inline constexpr std::string_view kSourceLinkPattern =
    R"(source|original|مصدر|المصدر|الأصلي|lire\s+l['’]article|read\s+the\s+article)";
inline constexpr std::array kShareHosts = {
    "facebook.com"sv, "twitter.com"sv,  "x.com"sv,         "whatsapp.com"sv,
    "t.me"sv,         "linkedin.com"sv, "pinterest.com"sv, "reddit.com"sv,
    "wa.me"sv,        "telegram.me"sv,  "google.com"sv,
};

// A ticker is a run of at least this many headline links (generic_params.h holds the
// same measure for generic extraction: kTickerMinLinks, kTickerMinAverageTitle).
inline constexpr size_t kMinTickerLinks = 5;
inline constexpr size_t kMinHeadlineChars = 20;

// The first path segment of every sample that reads as an edition ("fr", "ar", "en-us"):
// it belongs in `urls`, since the other editions are other sites.
inline constexpr std::string_view kEditionSegmentPattern = R"(^[a-z]{2}(?:[-_][a-z]{2})?$)";

// Meta tags and attributes whose name says the date is a change, not the publication: a
// page changed on the day it was published would otherwise give its `published` rule.
inline constexpr std::array kChangeDateWords = {"modif"sv, "updat"sv, "revis"sv};

// Feeds that are about comments, not articles.
inline constexpr std::string_view kCommentFeedPattern = R"(comment)";

}  // namespace gleaner::suggest
