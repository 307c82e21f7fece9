// Where each field of an article record came from, as data: the stage that produced it,
// the rule that did when a site rule did, and, when generic extraction replaced a site's
// rules, why (an enum with its figures). The record's `extractor` string, the warning that
// names a fallback's reason and the "matched nothing" warnings are rendered from it here
// and nowhere else, so code that needs to know what happened reads these values, never
// the text. Pure data and pure functions: no I/O. Not part of the JSON record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gleaner {

// The stage that produced a value.
enum class Stage : uint8_t {
  kNone = 0,      // nothing produced it: the field is empty
  kRules = 1,     // the chosen layout of the site's rules (or the site file, for language)
  kMetadata = 2,  // the page's metadata: og:, twitter:, JSON-LD, <meta>, <html lang>, <title>
  kGeneric = 3,   // the generic extractor's reading of the page's elements
};

// "none", "rules", "metadata", "generic". Never fails.
std::string_view StageName(Stage stage);

// Why generic extraction replaced a site's rules. The numbers are stable: they may be
// stored or compared across versions.
enum class FallbackReason : uint8_t {
  kNone = 0,
  kRuleMatchedNothing = 1,  // no layout applied: a required rule of each matched nothing
  kBodyFarShorter = 2,      // the rules' body is far shorter than the page's main text
  kBodyEmptyText = 3,       // the chosen layout's body rule matched only empty text
};

// A stable lower-case name for logs and status keys: "none", "rule_matched_nothing",
// "body_far_shorter", "body_empty_text". Never fails.
std::string_view FallbackReasonName(FallbackReason reason);

// One field rule of one layout.
struct RuleRef {
  std::string layout;  // the layout's name
  std::string field;   // the rule's key in the site file: "title", "byline", "body" ...
  // The source text of a selector of the rule: its first for a rule that matched nothing,
  // else the one that matched.
  std::string rule;
  bool operator==(const RuleRef&) const = default;
};

struct FieldProvenance {
  Stage stage = Stage::kNone;
  // kRules: the source text of the selector (or, for `related`, the regex) that produced
  // the value; empty for the site file's language and for the other stages.
  std::string rule;
  bool operator==(const FieldProvenance&) const = default;
};

// Why, as data, generic extraction stepped in for a site's rules.
struct Fallback {
  FallbackReason reason = FallbackReason::kNone;
  // The rules that broke. kRuleMatchedNothing: for each layout, in the order tried, the
  // first of its required rules that matched nothing. kBodyFarShorter, kBodyEmptyText: the
  // chosen layout's body rule.
  std::vector<RuleRef> rules;
  size_t rules_chars = 0;    // kBodyFarShorter: code points of the rules' body
  size_t generic_chars = 0;  // kBodyFarShorter: code points of the generic body
  bool operator==(const Fallback&) const = default;
};

struct Provenance {
  // The stage whose body the record carries: kRules or kGeneric; kNone before extraction.
  Stage winner = Stage::kNone;
  std::string site;    // id of the site whose rules ran; empty when none did
  std::string layout;  // the layout the rules chose; empty when none applied
  FieldProvenance title, author, published, source, source_url, language, body, related, ticker;
  // Declared fields of the chosen layout whose rule matched nothing, in reading order.
  std::vector<RuleRef> unmatched;
  Fallback fallback;  // reason kNone unless generic extraction replaced the rules
  bool operator==(const Provenance&) const = default;
};

// The record's `extractor`: "rules:<site>/<layout>" when the rules won, "rules:<site>+generic"
// when generic extraction replaced them, "generic" when no site's rules ran, "" before any
// stage won.
std::string RenderExtractor(const Provenance& provenance);

// The sentence naming why generic extraction replaced the rules (a record warning, and the
// error message when the rules give no article):
//   kRuleMatchedNothing: site 'S': no layout matched (layout 'L': F selector 'R' matched
//                        nothing; layout 'L2': ...)
//   kBodyEmptyText:      site 'S': layout 'L': body selector 'R' matched only empty text
//   kBodyFarShorter:     site 'S': S/L body has N characters, far shorter than the page's
//                        main text (M)
// Empty when the reason is kNone.
std::string RenderFallbackWarning(const Provenance& provenance);

// RenderFallbackWarning with its figures (character counts) written "#": one broken rule
// gives one key however many pages, of whatever length, it broke on.
std::string FallbackKey(const Provenance& provenance);

// The warning for a declared field whose rule matched nothing: "F: rule 'R' matched nothing".
std::string RenderUnmatchedWarning(const RuleRef& rule);

}  // namespace gleaner
