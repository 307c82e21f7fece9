// Every weight, word list, pattern and threshold of the generic extractor, in one place,
// each with the reason it exists. Tuning happens here, never inside the algorithm files.
// The kinds of page named in the reasons are those of tests/fixtures/pages (Maghress
// aggregator pages, a WordPress publisher, an Arabic publisher) and of the
// article-extraction-benchmark (181 news and blog pages in many languages and layouts).
// No constant may name a particular site or URL: these are general heuristics.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace gleaner::generic::params {

using std::string_view_literals::operator""sv;

// ---------------------------------------------------------------------------------------
// Elements that never hold article text. Their subtrees are dropped before scoring.
// ---------------------------------------------------------------------------------------

// Scripts, styles, embedded objects and form controls: paragraphs.h skips them in the
// body too, but dropping them up front keeps their text out of every length and density.
inline constexpr std::array kNeverContentTags = {
    "script"sv, "style"sv,  "noscript"sv, "template"sv, "svg"sv,    "math"sv,
    "iframe"sv, "object"sv, "embed"sv,    "canvas"sv,   "select"sv, "textarea"sv,
    "button"sv, "input"sv,  "head"sv,     "link"sv,     "meta"sv,   "dialog"sv,
};

// Page furniture by its HTML5 role: menus, side columns and page footers. The body of an
// article is never inside them (WordPress themes and every Maghress layout put menus in
// <nav>, most-read lists in <aside>, copyright lines in <footer>).
inline constexpr std::array kFurnitureTags = {"nav"sv, "aside"sv, "footer"sv, "menu"sv};

// ARIA roles with the same meaning as kFurnitureTags, for pages built from bare <div>s.
inline constexpr std::array kFurnitureRoles = {
    "navigation"sv, "complementary"sv, "contentinfo"sv, "banner"sv,
    "menu"sv,       "menubar"sv,       "dialog"sv,      "alertdialog"sv,
};

// Class tokens that CSS frameworks define as display:none or screen-reader-only (Bootstrap
// "hidden"/"d-none"/"sr-only"/"modal", WordPress "screen-reader-text": the fixture's "Bouton
// retour en haut de la page"; the Maghress report dialog is a "modal"). Compared as whole
// tokens: "hidden-xs" is responsive and "modal-enabled" (a news site's article box) shows.
inline constexpr std::array kHiddenClassTokens = {
    "hidden"sv,          "hide"sv,           "d-none"sv,
    "invisible"sv,       "sr-only"sv,        "screen-reader-text"sv,
    "visually-hidden"sv, "visuallyhidden"sv, "element-invisible"sv,
    "offscreen"sv,       "sr-text"sv,        "modal"sv,
};

// A page-level <header> holds the logo, menus, the title and the byline. One with more
// paragraphs than this wraps the article itself (seen on single-page blogs) and stays.
inline constexpr size_t kHeaderMaxParagraphs = 2;

// ---------------------------------------------------------------------------------------
// Class and id hints (Readability's idea: names authors give their blocks).
// Matching is on the lower-cased class and id attributes, as substrings.
// ---------------------------------------------------------------------------------------

// Blocks that are almost never the article: comment threads, share bars, related-post
// lists, newsletter boxes, breadcrumbs, tag clouds, author boxes, ads. Removed before
// scoring unless the name also matches kMaybeContentWords (e.g. "article-related" is
// removed, "comment-body-of-article" is kept until scoring decides).
inline constexpr std::array kUnlikelyWords = {
    "-ad-"sv,       "ad-break"sv,     "agegate"sv,    "banner"sv,     "breadcrumb"sv,
    "combx"sv,      "comment"sv,      "community"sv,  "cookie"sv,     "cover-wrap"sv,
    "disqus"sv,     "footer"sv,       "gdpr"sv,       "header"sv,     "legends"sv,
    "menu"sv,       "related"sv,      "remark"sv,     "replies"sv,    "rss"sv,
    "share"sv,      "shoutbox"sv,     "sidebar"sv,    "skyscraper"sv, "social"sv,
    "sponsor"sv,    "supplemental"sv, "pagination"sv, "pager"sv,      "popup"sv,
    "newsletter"sv, "subscribe"sv,    "signup"sv,     "promo"sv,      "navbar"sv,
    "nav-"sv,       "-nav"sv,         "masthead"sv,   "ticker"sv,     "breaking"sv,
    "most-read"sv,  "mostread"sv,     "popular"sv,    "trending"sv,   "recommend"sv,
    "outbrain"sv,   "taboola"sv,      "tags"sv,       "tag-list"sv,   "author-bio"sv,
    "authorbio"sv,  "about-author"sv, "byline"sv,     "print"sv,
};

// Names that keep a block despite an unlikely word: the article's own container often has
// "content", "article", "body" or "main" in its name next to a layout word ("col-md-8
// article", "entry-content", "main-content ... sidebar-right").
inline constexpr std::array kMaybeContentWords = {
    "and"sv, "article"sv, "body"sv, "column"sv, "content"sv, "main"sv, "shadow"sv, "story"sv,
};

// Scoring bonus names (Readability's "positive" list plus the usual CMS body classes:
// WordPress "entry-content", schema.org "articleBody", "story-body", "post-body").
inline constexpr std::array kPositiveWords = {
    "article"sv, "body"sv, "content"sv, "entry"sv, "hentry"sv, "h-entry"sv,
    "main"sv,    "page"sv, "post"sv,    "text"sv,  "blog"sv,   "story"sv,
};

// Scoring penalty names (Readability's "negative" list, plus share/related furniture).
inline constexpr std::array kNegativeWords = {
    "-ad-"sv,    "hidden"sv,   "banner"sv,   "combx"sv,      "comment"sv,    "com-"sv,
    "contact"sv, "foot"sv,     "footer"sv,   "footnote"sv,   "gdpr"sv,       "masthead"sv,
    "media"sv,   "meta"sv,     "outbrain"sv, "promo"sv,      "related"sv,    "scroll"sv,
    "share"sv,   "shoutbox"sv, "sidebar"sv,  "skyscraper"sv, "sponsor"sv,    "shopping"sv,
    "tags"sv,    "tool"sv,     "widget"sv,   "social"sv,     "newsletter"sv, "caption"sv,
};

// Weight of one class/id hint. Readability's 25 is large enough that a positive name beats
// a few paragraphs of noise, yet a long real body outscores a mislabelled box.
inline constexpr double kClassWeight = 25.0;

// Attribute values that name the article body outright (schema.org microdata); a strong
// bonus because authors put them on exactly the body container.
inline constexpr std::array kArticleBodyItemprops = {"articlebody"sv, "text"sv};
inline constexpr double kItempropBodyBonus = 60.0;

// A box whose first element is a heading like these (or a heading named "related") is a
// related-content box, whatever its own name: "Você pode gostar..." over teaser <article>s,
// "Articles similaires", "مقالات ذات صلة", "You may also like". The heading may sit in one
// wrapper ("<div class=box-title><h3>"); it is at most kRelatedHeadingMaxChars long.
inline constexpr std::string_view kRelatedHeadingPattern =
    R"(^[\s\p{P}\p{S}]*(?:related|more\s+(?:stories|news|articles|from|on)\b|you\s+(?:may|might)\s+)"
    R"((?:also\s+)?(?:like|enjoy|be\s+interested)|recommended|read\s+next|(?:also\s+)?read\s+more|)"
    R"(articles?\s+similaires|sur\s+le\s+même\s+sujet|vous\s+aimerez|à\s+lire\s+aussi|)"
    R"(dans\s+la\s+même\s+rubrique|lire\s+aussi|você\s+(?:também\s+)?pode\s+gostar|)"
    R"(leia\s+também|veja\s+também|artículos\s+relacionados|te\s+puede\s+interesar|)"
    R"(ähnliche\s+artikel|das\s+könnte\s+sie\s+auch|مقالات\s+ذات\s+صلة|أخبار\s+ذات\s+صلة|)"
    R"(قد\s+يعجبك|[اإأ]قرأ\s+(?:أيضا|أيضاً|ايضا)))";
inline constexpr size_t kRelatedHeadingMaxChars = 80;

// schema.org types of a page that is a discussion (a forum thread, a question and its
// answers), declared in JSON-LD or microdata: its posts and replies are its content, though
// their blocks are named like comments ("comment", "replies").
inline constexpr std::array kDiscussionTypes = {"DiscussionForumPosting"sv, "QAPage"sv};

// ---------------------------------------------------------------------------------------
// Tickers: link-dense runs of short headlines, whatever the markup.
// ---------------------------------------------------------------------------------------

// Headlines in a run before it counts as a ticker: a menu has a handful of short links,
// the Maghress marquee has 48-58 headlines, WordPress "breaking news" bars 5-10.
inline constexpr size_t kTickerMinLinks = 5;

// Share of the block's text that sits inside the headlines: a row of <a> separated by
// &nbsp; is ~100 % links; a paragraph quoting several links is far below.
inline constexpr double kTickerMinLinkDensity = 0.85;

// Average headline length in code points: headlines are 25-150 characters; menus are
// single words ("Accueil", "Sport"), which keeps navigation bars out of `ticker`.
inline constexpr size_t kTickerMinAverageTitle = 20;

// Names of ticker containers (ul.breaking-news, div.ticker, news flash bars, Arabic
// "عاجل" bars are named in Latin script in their classes).
inline constexpr std::array kTickerClassWords = {
    "ticker"sv,        "breaking"sv, "marquee"sv, "newsflash"sv,  "news-flash"sv,
    "headlines-bar"sv, "scroller"sv, "urgent"sv,  "flash-news"sv, "latest-news"sv,
};

// ---------------------------------------------------------------------------------------
// Candidate scoring (Readability's method: paragraphs vote for their ancestors).
// ---------------------------------------------------------------------------------------

// A text block shorter than this does not vote: captions, bylines, buttons.
inline constexpr size_t kMinParagraphChars = 25;

// One point per this many characters of a paragraph, capped: long paragraphs count more,
// but a single huge block (a comment dump) cannot outvote many real paragraphs.
inline constexpr double kCharsPerPoint = 100.0;
inline constexpr double kMaxLengthPoints = 3.0;

// How many ancestors receive a paragraph's vote, and the share each level gets: the
// parent gets it all, the grandparent half, then 1/(3*level) (Readability's decay).
inline constexpr int kVoteLevels = 5;

// Base scores by tag of a candidate container.
inline constexpr double kDivBase = 5.0;
inline constexpr double kArticleBase = 10.0;  // <article>/<main>: HTML5 says it is the content
inline constexpr double kPreTdBlockquoteBase = 3.0;
inline constexpr double kListFormBase = -3.0;
inline constexpr double kHeadingBase = -5.0;

// Siblings of the best candidate join the body when they score at least this share of
// it (Readability's 0.2) or this absolute floor.
inline constexpr double kSiblingScoreShare = 0.2;
inline constexpr double kSiblingMinScore = 10.0;

// A sibling paragraph without a score still joins when it is long prose with few links
// (bodies split in two columns around an image or ad).
inline constexpr size_t kSiblingParagraphMinChars = 80;
inline constexpr double kSiblingParagraphMaxLinkDensity = 0.25;

// When the best candidate's parent collects at least this share of the best score from
// several of the top candidates, the parent is the better container (bodies cut in
// several <div>s by ads).
inline constexpr size_t kTopCandidates = 5;
inline constexpr double kAlternativeAncestorShare = 0.75;
inline constexpr size_t kMinAlternativeAncestors = 3;

// When the chosen body holds less than this share of the text of the page's main landmark
// (<main>, role="main"; furniture and unlikely blocks already out), the landmark is the
// content: service, product, listing and documentation pages spread it over sections,
// cards and lists that no single block wins, while an article's prose is most of its
// landmark, the rest being its headline, byline and captions.
inline constexpr double kMainRegionBodyShare = 0.4;

// Without a main landmark the page's <body> stands in, with a lower share (it also holds
// the header's and the footer's blocks that no name gave away) and only when at most this
// share of its text is links: a short article under link-list furniture (menus, "more
// stories", site maps in the footer) keeps its own body.
inline constexpr double kPageRegionBodyShare = 0.3;
inline constexpr double kPageRegionMaxLinkDensity = 0.3;

// A run of sibling blocks of one tag and class (the posts of a thread, the entries of a
// list, the cards of a catalogue) replaces the body found in one of them: the body's block
// or one of its ancestors up to this many levels up is looked at ...
inline constexpr int kRepeatedRunLevels = 4;
// ... the run has at least this many blocks ...
inline constexpr size_t kRepeatedRunMin = 3;
// ... they hold at least this many times the body's text (an article split in a few
// same-class blocks already joins as siblings; a teaser list under an article holds less
// than the article) ...
inline constexpr double kRepeatedRunGain = 1.5;
// ... and their text is mostly not links (a run of link-only teasers is navigation).
inline constexpr double kRepeatedRunMaxLinkDensity = 0.5;

// ---------------------------------------------------------------------------------------
// Cleaning inside the chosen body (Readability's conditional cleaning).
// ---------------------------------------------------------------------------------------

// A block holding at least this share of the chosen body's text is its core and is never
// cleaned away, even under a negative name ("elementor-widget-container" holds the article
// on sites built with page builders).
inline constexpr double kBodyCoreShare = 0.5;

// Blocks with this many commas are prose and never removed conditionally.
inline constexpr size_t kProseCommas = 10;

// Scripts that use few commas (Korean, Japanese, many blogs' short sentences) still end
// their sentences: this many commas and sentence ends together, with few links, is prose.
inline constexpr size_t kProsePunctuation = 10;

// Link density above which a block inside the body is a link list (related posts, tag
// lists, share bars): 0.2 for blocks with no positive name, 0.5 for those with one.
inline constexpr double kMaxLinkDensityPlain = 0.2;
inline constexpr double kMaxLinkDensityNamed = 0.5;

// Blocks shorter than this with a link and not an image are buttons and "share" rows.
inline constexpr size_t kMinBlockChars = 25;

// A block with one video/audio and less text than this is a player with its caption; two
// or more players make a gallery, not prose (Readability's embed rule).
inline constexpr size_t kMinEmbedBlockChars = 75;

// Names of caption and photo-credit elements inside the body, and the longest text such an
// element may hold (a long block named "caption" is a mislabelled paragraph).
inline constexpr std::array kCaptionWords = {
    "caption"sv, "credit"sv, "wp-caption"sv, "photo-source"sv, "image-source"sv,
};
inline constexpr size_t kMaxCaptionChars = 400;

// A list (ul/ol/dl) whose text is mostly links is a related-posts, tag or share list; real
// lists in articles (steps, bullet points) have few links.
inline constexpr double kMaxListLinkDensity = 0.5;

// After the body's last prose paragraph, a list with this much link text is a "more
// stories" list even when each item is only partly linked (magazine "More great stories"
// lists); inside the body, gift guides' "See it now: <a>Shop</a>" lists are content.
inline constexpr double kMaxTailListLinkDensity = 0.35;

// ---------------------------------------------------------------------------------------
// "Read also" lines: leave the body, go to `related` with their link.
// ---------------------------------------------------------------------------------------

// Start of a paragraph (case-insensitive, after leading punctuation) that announces a
// related article, in French, Arabic (with and without hamza/tanwin variants) and English.
// The Maghress fixture has "Lire aussi :" in <strong>; the Arabic publisher "اقرأ أيضا:".
inline constexpr std::string_view kReadAlsoPattern =
    R"(^[\s\p{P}\p{S}]*(?:à\s+lire\s+aussi|a\s+lire\s+aussi|lire\s+aussi|voir\s+aussi|)"
    R"(à\s+lire\s+également|lire\s+également|[اإأ]قرأ\s+(?:أيضا|أيضاً|ايضا|ايضاً|كذلك|المزيد)|)"
    R"(read\s+also|also\s+read|read\s+more|related\s*:|see\s+also|more\s+on\s+this|)"
    R"(recommended\s*:))";

// A "read also" line is short: longer paragraphs that happen to start with "See also" are
// prose and stay.
inline constexpr size_t kReadAlsoMaxChars = 300;

// A paragraph of at most this many code points whose text is nearly all link text (this
// share) is a navigation line: the aggregator's "read at the source" link after the body,
// "Continue reading", a lone related headline.
inline constexpr size_t kMaxLinkLineChars = 150;
inline constexpr double kLinkLineCoverage = 0.9;

// Short lines that are page furniture in any article: comment counters, share prompts,
// "more stories" labels, newsletter and follow prompts, copyright and reading-time lines
// (English, French, Spanish/Portuguese, German, Arabic). Matched case-insensitively at the
// start of a paragraph of at most kBoilerplateLineMaxChars; a longer paragraph that
// starts so is prose.
inline constexpr std::string_view kBoilerplateLinePattern =
    R"(^[\s\p{P}\p{S}\d]*(?:comments?|comentários?|comentarios?|commentaires?|kommentare|)"
    R"(التعليقات|تعليقات|sharing\s+is\s+caring|share\s+(?:this|on|the)\b|partager|partagez|)"
    R"(compartilh|comparte|teilen\b|شارك|related\s+(?:tags|posts?|articles?|news|stories)|)"
    R"(more\s+(?:from|in|on)\b|more:|see\s+more\b|you\s+(?:may|might)\s+also\b|)"
    R"(don'?t\s+miss|popular\s+on\b|tell\s+us\s+what|like\s+this\s+story|have\s+a\s+tip|)"
    R"(subscribe\b|abonnez|inscrivez|follow\s+(?:us|me|him|her)\b|)"
    R"(suivez[- ]nous|síguenos|siga-nos|copyright\b|©|all\s+rights\s+reserved|)"
    R"(tous\s+droits\s+réservés|جميع\s+الحقوق\s+محفوظة|filed\s+under\b|tags?\s*:|)"
    R"(tagged\b|advertisement\b|publicité|this\s+slideshow\s+requires|tempo\s+de\s+leitura|)"
    R"(reading\s+time|temps\s+de\s+lecture|min(?:ute)?s?\s+read\b))";
inline constexpr size_t kBoilerplateLineMaxChars = 120;

// Date and byline lines ("Updated 1:39 am EST, Wednesday, November 20, 2019", "by Jeff
// Foust — November 18, 2019") at the body's edges: this many paragraphs at each end are
// checked, and a line is at most kDateLineMaxChars with a date in it (text/dates.h, or a
// year next to a clock time for languages ParseDate does not know).
inline constexpr size_t kEdgeParagraphs = 3;
// ... except inside a quotation: an embedded post's signature ("— Name (@handle) November
// 18, 2019") sits in a <p> up to this many levels under its <blockquote>.
inline constexpr int kQuotationLevels = 3;
inline constexpr size_t kDateLineMaxChars = 80;
inline constexpr std::string_view kYearAndTimePattern =
    R"((?:\b(?:19|20)\d\d\b.*\b\d{1,2}[:h]\d\d\b)|(?:\b\d{1,2}[:h]\d\d\b.*\b(?:19|20)\d\d\b))";

// ---------------------------------------------------------------------------------------
// Fallbacks and titles.
// ---------------------------------------------------------------------------------------

// A body shorter than this after the strict pass is retried with fewer removals
// (unlikely names kept, then furniture kept), as Readability retries with its flags off.
inline constexpr size_t kMinBodyChars = 250;

// Bytes of headline + body given to the Arabic-script test when the page declares no
// language: enough letters to be sure, without scanning a long article.
inline constexpr size_t kLanguageSampleBytes = 2000;

// Separators between a headline and the site name in <title> ("Titre : Maghress",
// "Title - Site", "Title | Site", "Title – Site", "Title — Site", "Title » Site").
inline constexpr std::array kTitleSeparators = {
    " : "sv, " - "sv, " | "sv, " – "sv, " — "sv, " » "sv, " · "sv, " :: "sv, " • "sv,
};

// Anchor marks that documentation generators append to headings for a permalink
// ("Logging HOWTO¶", "Install #"): not part of the headline.
inline constexpr std::array kHeadingAnchorMarks = {"¶"sv, "#"sv, "🔗"sv, "§"sv};

// Headline length bounds in code points: shorter is a section label ("Sport"), longer is
// a paragraph styled as a heading.
inline constexpr size_t kMinTitleChars = 5;
inline constexpr size_t kMaxTitleChars = 300;

// Share of the longer headline that the shorter must cover for an <h1> and og:title (or
// <title>) to name the same article: "Titre" vs "Titre : Maghress" agree, a section label
// inside a headline does not.
inline constexpr double kTitleAgreementShare = 0.6;

// Share of an <h1>'s words that og:title or <title> must also use for the <h1> to be taken
// as the headline when they do not agree outright: reworded titles share the topic's
// words ("Best Apps to Learn a Language" / "Top 10: Best Language Learning App"); a
// logo's or a section's <h1> shares none.
inline constexpr double kMinHeadlineWordShare = 0.3;

// A trailing part of <title> after a separator with at most this many words is a site
// name ("Maghress", "Maroc Diplomatique", "The New York Times").
inline constexpr size_t kMaxSiteNameWords = 4;

// ---------------------------------------------------------------------------------------
// Date and author lines.
// ---------------------------------------------------------------------------------------

// A date line is short ("Publié dans Barlamane le 17 - 12 - 2020", "الإثنين 31 أكتوبر 2022");
// longer blocks are prose that may mention other dates.
inline constexpr size_t kMaxDateLineChars = 150;

// Elements after the headline searched for a date line before giving up: the byline block
// of a news page is a few dozen elements at most; further down, dates belong to other
// stories.
inline constexpr size_t kDateScanElements = 60;

// A date line may sit just above the headline, inside the same heading block ("<header>
// <span class=date>December 17, 2025</span><h1>"): the headline's parent and grandparent
// are searched when they hold at most this much text (a heading block, not the page).
inline constexpr int kHeadlineBlockLevels = 2;
inline constexpr size_t kMaxHeadlineBlockChars = 600;

// Names of elements that hold the publication date when no metadata gives it.
inline constexpr std::array kDateClassWords = {
    "date"sv, "time"sv, "posted"sv, "published"sv, "pubdate"sv, "entry-meta"sv, "post-meta"sv,
};

// Words that mark a date as a modification, in an element's name or in the line around a
// <time> ("last-modified", "Updated on", "Mis à jour le", "تحديث"): such a date is not the
// publication.
inline constexpr std::array kUpdateWords = {
    "modified"sv, "updated"sv, "update"sv, "mis à jour"sv, "actualizado"sv, "تحديث"sv,
};

// Names of byline elements (rel=author is checked too).
inline constexpr std::array kAuthorClassWords = {"author"sv, "byline"sv, "writer"sv};

// A byline is a name, not a paragraph.
inline constexpr size_t kMaxAuthorChars = 80;

// Words before the name in a byline, case-folded: English, French, Spanish/Portuguese,
// German, Arabic ("بقلم" = "by the pen of").
inline constexpr std::array kBylinePrefixes = {
    "posted by: "sv, "posted by "sv, "written by: "sv, "written by "sv, "author: "sv, "by: "sv,
    "by "sv,         "par "sv,       "por "sv,         "von "sv,        "بقلم: "sv,   "بقلم "sv,
};

// A byline goes on after the name with a date, a role or a count ("Luke Kim December 17,
// 2025", "By X | Updated ...", "X, Privacy and Digital Security Expert"). The name ends at
// the first of these separators, at the date, and before a comma followed by at least
// kMinRoleWords words (a role; "Angela Holliday-Bell, MD" keeps its title).
inline constexpr std::array kBylineSeparators = {
    " | "sv, " • "sv, " · "sv, " — "sv, " – "sv, " - "sv,
};
inline constexpr size_t kMinRoleWords = 3;
// Words left before a date once it is cut off ("By X on 4 August 2021", "X Updated ...").
inline constexpr std::array kBylineDateWords = {
    "on"sv,   "le"sv, "el"sv, "am"sv, "at"sv, "updated"sv, "published"sv, "posted"sv,
    "last"sv, "|"sv,  "-"sv,  "—"sv,  "•"sv,  "·"sv,       ","sv,
};
// Labels that byline elements hold when they hold no name.
inline constexpr std::array kNotAuthorNames = {
    "author"sv, "authors"sv, "admin"sv, "administrator"sv, "by"sv, "written by"sv, "posted by"sv,
};

}  // namespace gleaner::generic::params
