#include "extractors/core/provenance.h"

namespace gleaner {
namespace {

// The one renderer of a fallback's sentence; `figure` prints its character counts.
template <typename FigureFn>
std::string RenderFallback(const Provenance& p, FigureFn figure) {
  const Fallback& f = p.fallback;
  std::string out = "site '" + p.site + "': ";
  switch (f.reason) {
    case FallbackReason::kNone:
      return "";
    case FallbackReason::kRuleMatchedNothing: {
      std::string layouts;
      for (const RuleRef& r : f.rules) {
        layouts += (layouts.empty() ? "" : "; ") + ("layout '" + r.layout + "': " + r.field +
                                                    " selector '" + r.rule + "' matched nothing");
      }
      return out + "no layout matched (" + layouts + ")";
    }
    case FallbackReason::kBodyEmptyText: {
      RuleRef body = f.rules.empty() ? RuleRef{p.layout, "body", ""} : f.rules.front();
      return out + "layout '" + body.layout + "': body selector '" + body.rule +
             "' matched only empty text";
    }
    case FallbackReason::kBodyFarShorter:
      return out + p.site + "/" + p.layout + " body has " + figure(f.rules_chars) +
             " characters, far shorter than the page's main text (" + figure(f.generic_chars) + ")";
  }
  return "";
}

}  // namespace

std::string_view StageName(Stage stage) {
  switch (stage) {
    case Stage::kNone:
      return "none";
    case Stage::kRules:
      return "rules";
    case Stage::kMetadata:
      return "metadata";
    case Stage::kGeneric:
      return "generic";
  }
  return "none";
}

std::string_view FallbackReasonName(FallbackReason reason) {
  switch (reason) {
    case FallbackReason::kNone:
      return "none";
    case FallbackReason::kRuleMatchedNothing:
      return "rule_matched_nothing";
    case FallbackReason::kBodyFarShorter:
      return "body_far_shorter";
    case FallbackReason::kBodyEmptyText:
      return "body_empty_text";
  }
  return "none";
}

std::string RenderExtractor(const Provenance& p) {
  switch (p.winner) {
    case Stage::kRules:
      return "rules:" + p.site + "/" + p.layout;
    case Stage::kGeneric:
      return p.fallback.reason == FallbackReason::kNone ? "generic"
                                                        : "rules:" + p.site + "+generic";
    case Stage::kNone:
    case Stage::kMetadata:
      break;
  }
  return "";
}

std::string RenderFallbackWarning(const Provenance& p) {
  return RenderFallback(p, [](size_t n) { return std::to_string(n); });
}

std::string FallbackKey(const Provenance& p) {
  return RenderFallback(p, [](size_t) { return std::string("#"); });
}

std::string RenderUnmatchedWarning(const RuleRef& rule) {
  return rule.field + ": rule '" + rule.rule + "' matched nothing";
}

}  // namespace gleaner
