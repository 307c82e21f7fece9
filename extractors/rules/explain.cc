#include "extractors/rules/explain.h"

#include "extractors/core/utf8.h"
#include "extractors/text/normalize.h"

namespace gleaner::rules {
namespace {

// `text` on one line. Control characters become spaces: a page's text must not drive the
// reader's terminal.
std::string OneLine(std::string_view text) {
  std::string flat(text);
  for (char& c : flat) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return text::CollapseWhitespace(flat);
}

// OneLine(text) cut to kExplainTextChars code points ("..." marks a cut).
std::string Short(std::string_view text) {
  std::string flat = OneLine(text);
  size_t at = 0;
  for (size_t n = 0; at < flat.size() && n < kExplainTextChars; ++n) {
    at += DecodeUtf8(flat, at).length;
  }
  if (at >= flat.size()) return flat;
  return flat.substr(0, at) + "...";
}

std::string Quoted(std::string_view text) { return "\"" + Short(text) + "\""; }

// "1 node", "3 nodes".
std::string Count(size_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

void Line(std::string& out, int indent, const std::string& text) {
  out.append(static_cast<size_t>(indent) * 2, ' ');
  out += text;
  out += '\n';
}

std::string_view CharsetSourceText(html::CharsetSource source) {
  switch (source) {
    case html::CharsetSource::kBom:
      return "from the byte order mark";
    case html::CharsetSource::kHeader:
      return "from the Content-Type header";
    case html::CharsetSource::kMeta:
      return "from the page's <meta> charset";
    case html::CharsetSource::kUtf8Bytes:
      return "the bytes are valid UTF-8";
    case html::CharsetSource::kDetected:
      return "detected from the bytes";
    case html::CharsetSource::kDefault:
      break;
  }
  return "nothing declared or detected: the default";
}

std::string UrlLine(const ExplainTrace& t) {
  switch (t.url_origin) {
    case ExplainTrace::UrlOrigin::kGiven:
      return "url: " + *t.url + " (given)";
    case ExplainTrace::UrlOrigin::kCanonical:
      return "url: " + *t.url + " (the page's rel=canonical)";
    case ExplainTrace::UrlOrigin::kNone:
      break;
  }
  return "url: none (none given, and no absolute rel=canonical in the page)";
}

std::string SiteLine(const SiteTrace& s) {
  const std::string named = "site: " + s.id + " (" + s.file + ")";
  const std::string regex = "its urls regex '" + s.url_regex + "' matches the URL";
  switch (s.choice) {
    case SiteTrace::Choice::kOwned:
      return named + ": " + regex;
    case SiteTrace::Choice::kGiven:
      return named + ", given with --site; " +
             (s.url_regex.empty() ? "none of its urls matches the URL" : regex);
    case SiteTrace::Choice::kNoOwner:
      return "site: none: no site of the " + std::to_string(s.sites) + " loaded owns the URL";
    case SiteTrace::Choice::kNoUrl:
      return "site: none: without a URL no site can own the page";
    case SiteTrace::Choice::kGenericOnly:
      return "site: none: --generic, no site rules";
    case SiteTrace::Choice::kUndecided:
      break;
  }
  return "site: not chosen (see the result below)";
}

// The page: URL, site, encoding.
void RenderPage(const ExplainTrace& t, std::string& out) {
  if (!t.parsed) {
    Line(out, 0, "page: not parsed (see the result below)");
    return;
  }
  Line(out, 0, UrlLine(t));
  Line(out, 0, SiteLine(t.site));
  Line(out, 0,
       "encoding: " + t.encoding + " (" + std::string(CharsetSourceText(t.charset_source)) + "), " +
           (t.lossy ? "lossy: invalid bytes became U+FFFD" : "decoded without loss"));
}

void RenderLayouts(const ApplyTrace& t, std::string& out) {
  Line(out, 0, "layouts, in the order tried:");
  for (const LayoutTrace& layout : t.layouts) {
    Line(out, 1, layout.name + ": " + (layout.chosen ? "chosen" : "does not apply"));
    for (const RequiredTrace& r : layout.required) {
      Line(out, 2,
           "required " + r.field + ": '" + r.selector + "' " +
               (r.matched ? "matched" : "matched nothing"));
    }
    for (const std::string& field : layout.unchecked) Line(out, 2, "not checked: " + field);
  }
}

std::string SelectorLine(const SelectorTrace& s, bool has_pattern) {
  std::string line = "selector '" + s.selector + "': " + Count(s.nodes, "node");
  if (s.first_text.empty()) return line;
  line += ", first text " + Quoted(s.first_text);
  if (!has_pattern) return line;
  return line + " -> pattern " +
         (s.pattern_result ? "gave " + Quoted(*s.pattern_result) : "matched nothing");
}

std::string KeptLine(const char* name, const FieldTrace& f) {
  if (!f.kept) return std::string("kept: nothing (") + f.not_kept + ")";
  if (std::string_view(name) != "body") return "kept: " + Quoted(*f.kept);
  return "kept: " + Count(f.paragraphs, "paragraph") + ", " +
         std::to_string(text::CodePointCount(*f.kept)) + " code points: " + Quoted(*f.kept);
}

void RenderField(const char* name, const FieldTrace& f, std::string& out) {
  Line(out, 1, name);
  if (f.pattern) Line(out, 2, "pattern '" + *f.pattern + "'");
  for (const SelectorTrace& s : f.selectors) Line(out, 2, SelectorLine(s, f.pattern.has_value()));
  // The value, when neither the first text nor the kept value already shows it.
  if (f.value && f.value != f.kept &&
      (f.selectors.empty() || *f.value != f.selectors.back().first_text))
    Line(out, 2, "value: " + Quoted(*f.value));
  Line(out, 2, KeptLine(name, f));
}

void RenderFields(const ApplyTrace& t, const std::string& layout, std::string& out) {
  Line(out, 0, "fields of layout '" + layout + "':");
  std::string undeclared;
  for (auto [name, field] : {std::pair{"title", &t.title},
                             {"author", &t.author},
                             {"byline", &t.byline},
                             {"published", &t.published},
                             {"source", &t.source},
                             {"source_url", &t.source_url},
                             {"body", &t.body}}) {
    if (field->declared) {
      RenderField(name, *field, out);
    } else {
      undeclared += std::string(undeclared.empty() ? "" : ", ") + name;
    }
  }
  if (!undeclared.empty()) Line(out, 1, "not declared: " + undeclared);
}

std::string_view RemovalKind(RemovalTrace::Kind kind) {
  switch (kind) {
    case RemovalTrace::Kind::kTicker:
      return "ticker";
    case RemovalTrace::Kind::kLayoutRemove:
      return "layout remove";
    case RemovalTrace::Kind::kSiteRemove:
      break;
  }
  return "remove";
}

void RenderRemovals(const ApplyTrace& t, std::string& out) {
  Line(out, 0, "taken out of the page before the body was read:");
  if (t.removals.empty()) Line(out, 1, "nothing: no ticker, no remove");
  for (size_t i = 0; i < t.removals.size(); ++i) {
    const RemovalTrace& r = t.removals[i];
    std::string line =
        std::string(RemovalKind(r.kind)) + " '" + r.selector + "': " + Count(r.nodes, "node");
    if (!r.first_text.empty()) line += ", first " + Quoted(r.first_text);
    Line(out, 1, line);
    const bool last_ticker =
        r.kind == RemovalTrace::Kind::kTicker &&
        (i + 1 == t.removals.size() || t.removals[i + 1].kind != RemovalTrace::Kind::kTicker);
    if (last_ticker) Line(out, 1, "ticker: " + Count(t.ticker_links, "link") + " captured");
  }
  Line(out, 0, "related (\"read also\" paragraphs taken out of the body):");
  if (t.related.empty()) Line(out, 1, "no related regex");
  for (const RelatedTrace& r : t.related) {
    std::string line = "regex '" + r.regex + "': " + Count(r.paragraphs, "paragraph");
    if (!r.first_text.empty()) line += ", first " + Quoted(r.first_text);
    Line(out, 1, line);
  }
}

void RenderMetadata(const ApplyTrace& t, std::string& out) {
  Line(out, 0, "metadata fallbacks (fields the rules left empty):");
  if (t.metadata.empty()) Line(out, 1, "none");
  for (const MetadataTrace& m : t.metadata) {
    std::string line = m.field + ": " + Quoted(m.value) + " from the page's metadata";
    if (m.kept != m.value) line += ", kept " + Quoted(m.kept);
    Line(out, 1, line);
  }
}

// What the rules did: layouts, then (for the chosen one) fields, removals, fallbacks.
void RenderRules(const ApplyTrace& t, std::string& out) {
  out += '\n';
  RenderLayouts(t, out);
  for (const LayoutTrace& layout : t.layouts) {
    if (!layout.chosen) continue;
    out += '\n';
    RenderFields(t, layout.name, out);
    out += '\n';
    RenderRemovals(t, out);
    out += '\n';
    RenderMetadata(t, out);
  }
}

std::string GenericLine(const FallbackTrace& f) {
  if (!f.generic_chars) return "generic extraction gave no article: " + f.generic_failure;
  return "generic body: " + std::to_string(*f.generic_chars) + " code points";
}

// The rules' side of the decision: their body's length against the threshold, or why they
// gave none.
std::string RulesLine(const FallbackTrace& f, const ApplyTrace& rules) {
  if (!f.rules_article) {
    for (const LayoutTrace& layout : rules.layouts) {
      if (layout.chosen) return "rules body: none (the body rule matched only empty text)";
    }
    return "rules body: none (no layout applies)";
  }
  const std::string figures = "rules body: " + std::to_string(f.rules_chars) + " code points, ";
  const std::string threshold = "kSuspiciousBodyChars (" + std::to_string(f.suspicious_below) + ")";
  if (f.rules_chars >= f.suspicious_below)
    return figures + "not under " + threshold + ": generic extraction not consulted";
  return figures + "under " + threshold + ": checked against generic extraction";
}

std::string VerdictLine(const FallbackTrace& f) {
  switch (f.verdict) {
    case FallbackTrace::Verdict::kRulesLong:
    case FallbackTrace::Verdict::kRulesKept:
      return "decision: rules kept";
    case FallbackTrace::Verdict::kGenericReplaced:
      return "decision: generic replaced the body: reason " +
             std::string(FallbackReasonName(f.reason));
    case FallbackTrace::Verdict::kNoArticle:
      return "decision: no article (neither the rules nor generic extraction gave one)";
    case FallbackTrace::Verdict::kNotRun:
      break;
  }
  return "decision: no site rules ran: generic extraction only";
}

void RenderDecision(const ExplainTrace& t, std::string& out) {
  const FallbackTrace& f = t.fallback;
  out += '\n';
  Line(out, 0, "fallback decision:");
  if (t.rules_ran) {
    Line(out, 1, RulesLine(f, t.rules));
    if (f.verdict != FallbackTrace::Verdict::kRulesLong) Line(out, 1, GenericLine(f));
    if (f.rules_article && f.generic_chars) {
      const size_t bar = f.length_ratio * f.rules_chars;
      Line(out, 1,
           "kFallbackLengthRatio (" + std::to_string(f.length_ratio) + ") x " +
               std::to_string(f.rules_chars) + " = " + std::to_string(bar) + ": the generic body " +
               (*f.generic_chars >= bar ? "reaches" : "does not reach") + " it");
    }
  }
  Line(out, 1, VerdictLine(f));
}

// "rules '.title'", "metadata", "generic".
std::string From(const FieldProvenance& p) {
  if (p.rule.empty()) return std::string(StageName(p.stage));
  return std::string(StageName(p.stage)) + " '" + p.rule + "'";
}

std::string FieldLine(const char* name, const std::optional<std::string>& value,
                      const FieldProvenance& p) {
  if (!value) return std::string(name) + ": none";
  return std::string(name) + ": " + Quoted(*value) + " (" + From(p) + ")";
}

void RenderRecord(const Result<Article>& result, std::string& out) {
  out += '\n';
  if (!result) {
    Line(out, 0, "record: none");
    Line(out, 1,
         "error (exit " + std::to_string(result.error().ExitCode()) +
             "): " + OneLine(result.error().message));
    return;
  }
  const Article& a = *result;
  const Provenance& p = a.provenance;
  Line(out, 0, "record:");
  Line(out, 1, "extractor: " + a.extractor);
  Line(out, 1, FieldLine("title", a.title, p.title));
  Line(out, 1, FieldLine("published", a.published, p.published));
  Line(out, 1, FieldLine("source", a.source, p.source));
  Line(out, 1, FieldLine("author", a.author, p.author));
  if (!a.body) {
    Line(out, 1, "body: none");
  } else {
    Line(out, 1,
         "body: " + std::to_string(text::CodePointCount(*a.body)) + " code points (" +
             From(p.body) + "): " + Quoted(*a.body));
  }
  Line(out, 1,
       "related: " + Count(a.related.size(), "link") +
           ", ticker: " + Count(a.ticker.size(), "link"));
  for (const std::string& w : a.warnings) Line(out, 1, "warning: " + OneLine(w));
}

}  // namespace

std::string RenderExplanation(const ExplainTrace& trace, const Result<Article>& result) {
  std::string out;
  RenderPage(trace, out);
  if (trace.rules_ran) RenderRules(trace.rules, out);
  if (trace.parsed && trace.site.choice != SiteTrace::Choice::kUndecided)
    RenderDecision(trace, out);
  RenderRecord(result, out);
  return out;
}

}  // namespace gleaner::rules
