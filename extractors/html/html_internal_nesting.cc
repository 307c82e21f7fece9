#include "extractors/html/html_internal_nesting.h"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <vector>

#include "extractors/html/html_internal_scan.h"

namespace gleaner::html::internal {
namespace {

// The active formatting elements the model (and so Gumbo) may hold after the last marker.
// Each one can be reconstructed onto the stack by a single text node, so this bounds how far
// past the depth limit Gumbo's stack can get. Real pages hold a handful (<b>, <i>, <font>,
// <a>); a formatting start tag beyond the cap is dropped like an over-deep one.
constexpr size_t kMaxActiveFormatting = 64;

// End tags are matched against dropped ("ghost") start tags this far down; an end tag
// matched to nothing is kept, which can only make the model and Gumbo agree.
constexpr size_t kGhostScanLimit = 64;

// Unknown elements (custom elements, <font>-era oddities) are found by name this far down.
constexpr size_t kUnknownScanLimit = 256;

constexpr size_t kNpos = std::string_view::npos;

// The adoption agency algorithm's outer loop runs at most this many times (HTML standard).
constexpr int kAdoptionRounds = 8;

enum TagFlag : uint32_t {
  kVoid = 1u << 0,     // never pushed
  kNoPush = 1u << 1,   // <html>, <head>, <body>: merged or implied, not nested
  kClosesP = 1u << 2,  // "if the stack has a p element in button scope, close a p element"
  kHeading = 1u << 3,
  kFormatting = 1u << 4,     // goes on the list of active formatting elements
  kSpecial = 1u << 5,        // the HTML standard's "special" category
  kScope = 1u << 6,          // ends "has an element in scope"
  kTableScope = 1u << 7,     // ends "has an element in table scope"
  kMarker = 1u << 8,         // inserts a marker in the list of active formatting elements
  kRawText = 1u << 9,        // content is text up to the matching end tag
  kTablePart = 1u << 10,     // caption, col, colgroup, tbody, td, tfoot, th, thead, tr
  kBreakout = 1u << 11,      // leaves SVG/MathML content
  kBlockEnd = 1u << 12,      // end tag pops to the element when it is in scope
  kReconstructs = 1u << 13,  // start tag reconstructs the active formatting elements
};

using FlagTable = std::array<uint32_t, GUMBO_TAG_LAST + 1>;

const FlagTable& Flags() {
  static const FlagTable table = [] {
    FlagTable f{};
    auto set = [&f](uint32_t flag, std::initializer_list<GumboTag> tags) {
      for (GumboTag t : tags) f[t] |= flag;
    };
    set(kVoid, {GUMBO_TAG_AREA,    GUMBO_TAG_BASE,   GUMBO_TAG_BASEFONT, GUMBO_TAG_BGSOUND,
                GUMBO_TAG_BR,      GUMBO_TAG_COL,    GUMBO_TAG_EMBED,    GUMBO_TAG_FRAME,
                GUMBO_TAG_HR,      GUMBO_TAG_IMAGE,  GUMBO_TAG_IMG,      GUMBO_TAG_INPUT,
                GUMBO_TAG_ISINDEX, GUMBO_TAG_KEYGEN, GUMBO_TAG_LINK,     GUMBO_TAG_MENUITEM,
                GUMBO_TAG_META,    GUMBO_TAG_PARAM,  GUMBO_TAG_SOURCE,   GUMBO_TAG_TRACK,
                GUMBO_TAG_WBR});
    set(kNoPush, {GUMBO_TAG_HTML, GUMBO_TAG_HEAD, GUMBO_TAG_BODY});
    set(kClosesP,
        {GUMBO_TAG_ADDRESS,   GUMBO_TAG_ARTICLE,  GUMBO_TAG_ASIDE,      GUMBO_TAG_BLOCKQUOTE,
         GUMBO_TAG_CENTER,    GUMBO_TAG_DETAILS,  GUMBO_TAG_DIR,        GUMBO_TAG_DIV,
         GUMBO_TAG_DL,        GUMBO_TAG_FIELDSET, GUMBO_TAG_FIGCAPTION, GUMBO_TAG_FIGURE,
         GUMBO_TAG_FOOTER,    GUMBO_TAG_HEADER,   GUMBO_TAG_HGROUP,     GUMBO_TAG_MAIN,
         GUMBO_TAG_MENU,      GUMBO_TAG_NAV,      GUMBO_TAG_OL,         GUMBO_TAG_P,
         GUMBO_TAG_SECTION,   GUMBO_TAG_SUMMARY,  GUMBO_TAG_UL,         GUMBO_TAG_H1,
         GUMBO_TAG_H2,        GUMBO_TAG_H3,       GUMBO_TAG_H4,         GUMBO_TAG_H5,
         GUMBO_TAG_H6,        GUMBO_TAG_PRE,      GUMBO_TAG_LISTING,    GUMBO_TAG_FORM,
         GUMBO_TAG_PLAINTEXT, GUMBO_TAG_LI,       GUMBO_TAG_DD,         GUMBO_TAG_DT,
         GUMBO_TAG_HR,        GUMBO_TAG_XMP});
    set(kHeading,
        {GUMBO_TAG_H1, GUMBO_TAG_H2, GUMBO_TAG_H3, GUMBO_TAG_H4, GUMBO_TAG_H5, GUMBO_TAG_H6});
    set(kFormatting, {GUMBO_TAG_A, GUMBO_TAG_B, GUMBO_TAG_BIG, GUMBO_TAG_CODE, GUMBO_TAG_EM,
                      GUMBO_TAG_FONT, GUMBO_TAG_I, GUMBO_TAG_NOBR, GUMBO_TAG_S, GUMBO_TAG_SMALL,
                      GUMBO_TAG_STRIKE, GUMBO_TAG_STRONG, GUMBO_TAG_TT, GUMBO_TAG_U});
    set(kSpecial,
        {GUMBO_TAG_ADDRESS,    GUMBO_TAG_APPLET,   GUMBO_TAG_AREA,      GUMBO_TAG_ARTICLE,
         GUMBO_TAG_ASIDE,      GUMBO_TAG_BASE,     GUMBO_TAG_BASEFONT,  GUMBO_TAG_BGSOUND,
         GUMBO_TAG_BLOCKQUOTE, GUMBO_TAG_BODY,     GUMBO_TAG_BR,        GUMBO_TAG_BUTTON,
         GUMBO_TAG_CAPTION,    GUMBO_TAG_CENTER,   GUMBO_TAG_COL,       GUMBO_TAG_COLGROUP,
         GUMBO_TAG_DD,         GUMBO_TAG_DETAILS,  GUMBO_TAG_DIR,       GUMBO_TAG_DIV,
         GUMBO_TAG_DL,         GUMBO_TAG_DT,       GUMBO_TAG_EMBED,     GUMBO_TAG_FIELDSET,
         GUMBO_TAG_FIGCAPTION, GUMBO_TAG_FIGURE,   GUMBO_TAG_FOOTER,    GUMBO_TAG_FORM,
         GUMBO_TAG_FRAME,      GUMBO_TAG_FRAMESET, GUMBO_TAG_H1,        GUMBO_TAG_H2,
         GUMBO_TAG_H3,         GUMBO_TAG_H4,       GUMBO_TAG_H5,        GUMBO_TAG_H6,
         GUMBO_TAG_HEAD,       GUMBO_TAG_HEADER,   GUMBO_TAG_HGROUP,    GUMBO_TAG_HR,
         GUMBO_TAG_HTML,       GUMBO_TAG_IFRAME,   GUMBO_TAG_IMG,       GUMBO_TAG_INPUT,
         GUMBO_TAG_ISINDEX,    GUMBO_TAG_KEYGEN,   GUMBO_TAG_LI,        GUMBO_TAG_LINK,
         GUMBO_TAG_LISTING,    GUMBO_TAG_MAIN,     GUMBO_TAG_MARQUEE,   GUMBO_TAG_MENU,
         GUMBO_TAG_MENUITEM,   GUMBO_TAG_META,     GUMBO_TAG_NAV,       GUMBO_TAG_NOEMBED,
         GUMBO_TAG_NOFRAMES,   GUMBO_TAG_NOSCRIPT, GUMBO_TAG_OBJECT,    GUMBO_TAG_OL,
         GUMBO_TAG_P,          GUMBO_TAG_PARAM,    GUMBO_TAG_PLAINTEXT, GUMBO_TAG_PRE,
         GUMBO_TAG_SCRIPT,     GUMBO_TAG_SECTION,  GUMBO_TAG_SELECT,    GUMBO_TAG_SOURCE,
         GUMBO_TAG_STYLE,      GUMBO_TAG_SUMMARY,  GUMBO_TAG_TABLE,     GUMBO_TAG_TBODY,
         GUMBO_TAG_TD,         GUMBO_TAG_TEMPLATE, GUMBO_TAG_TEXTAREA,  GUMBO_TAG_TFOOT,
         GUMBO_TAG_TH,         GUMBO_TAG_THEAD,    GUMBO_TAG_TITLE,     GUMBO_TAG_TR,
         GUMBO_TAG_TRACK,      GUMBO_TAG_UL,       GUMBO_TAG_WBR,       GUMBO_TAG_XMP});
    set(kScope, {GUMBO_TAG_APPLET, GUMBO_TAG_CAPTION, GUMBO_TAG_HTML, GUMBO_TAG_TABLE, GUMBO_TAG_TD,
                 GUMBO_TAG_TH, GUMBO_TAG_MARQUEE, GUMBO_TAG_OBJECT, GUMBO_TAG_TEMPLATE});
    set(kTableScope, {GUMBO_TAG_HTML, GUMBO_TAG_TABLE, GUMBO_TAG_TEMPLATE});
    set(kMarker, {GUMBO_TAG_APPLET, GUMBO_TAG_MARQUEE, GUMBO_TAG_OBJECT, GUMBO_TAG_TEMPLATE,
                  GUMBO_TAG_TD, GUMBO_TAG_TH, GUMBO_TAG_CAPTION});
    // The scanner's list, so the model and the scan agree on what is raw text.
    for (int t = 0; t < GUMBO_TAG_LAST; ++t) {
      if (IsRawTextElement(gumbo_normalized_tagname(static_cast<GumboTag>(t)))) f[t] |= kRawText;
    }
    set(kTablePart, {GUMBO_TAG_CAPTION, GUMBO_TAG_COL, GUMBO_TAG_COLGROUP, GUMBO_TAG_TBODY,
                     GUMBO_TAG_TD, GUMBO_TAG_TFOOT, GUMBO_TAG_TH, GUMBO_TAG_THEAD, GUMBO_TAG_TR});
    set(kBreakout, {GUMBO_TAG_B,       GUMBO_TAG_BIG,    GUMBO_TAG_BLOCKQUOTE, GUMBO_TAG_BODY,
                    GUMBO_TAG_BR,      GUMBO_TAG_CENTER, GUMBO_TAG_CODE,       GUMBO_TAG_DD,
                    GUMBO_TAG_DIV,     GUMBO_TAG_DL,     GUMBO_TAG_DT,         GUMBO_TAG_EM,
                    GUMBO_TAG_EMBED,   GUMBO_TAG_H1,     GUMBO_TAG_H2,         GUMBO_TAG_H3,
                    GUMBO_TAG_H4,      GUMBO_TAG_H5,     GUMBO_TAG_H6,         GUMBO_TAG_HEAD,
                    GUMBO_TAG_HR,      GUMBO_TAG_I,      GUMBO_TAG_IMG,        GUMBO_TAG_LI,
                    GUMBO_TAG_LISTING, GUMBO_TAG_MENU,   GUMBO_TAG_META,       GUMBO_TAG_NOBR,
                    GUMBO_TAG_OL,      GUMBO_TAG_P,      GUMBO_TAG_PRE,        GUMBO_TAG_RUBY,
                    GUMBO_TAG_S,       GUMBO_TAG_SMALL,  GUMBO_TAG_SPAN,       GUMBO_TAG_STRONG,
                    GUMBO_TAG_STRIKE,  GUMBO_TAG_SUB,    GUMBO_TAG_SUP,        GUMBO_TAG_TABLE,
                    GUMBO_TAG_TT,      GUMBO_TAG_U,      GUMBO_TAG_UL,         GUMBO_TAG_VAR});
    set(kBlockEnd, {GUMBO_TAG_ADDRESS, GUMBO_TAG_ARTICLE, GUMBO_TAG_ASIDE,    GUMBO_TAG_BLOCKQUOTE,
                    GUMBO_TAG_BUTTON,  GUMBO_TAG_CENTER,  GUMBO_TAG_DETAILS,  GUMBO_TAG_DIR,
                    GUMBO_TAG_DIV,     GUMBO_TAG_DL,      GUMBO_TAG_FIELDSET, GUMBO_TAG_FIGCAPTION,
                    GUMBO_TAG_FIGURE,  GUMBO_TAG_FOOTER,  GUMBO_TAG_HEADER,   GUMBO_TAG_HGROUP,
                    GUMBO_TAG_LISTING, GUMBO_TAG_MAIN,    GUMBO_TAG_MENU,     GUMBO_TAG_NAV,
                    GUMBO_TAG_OL,      GUMBO_TAG_PRE,     GUMBO_TAG_SECTION,  GUMBO_TAG_SUMMARY,
                    GUMBO_TAG_UL});
    for (int t = 0; t < GUMBO_TAG_LAST; ++t) {
      // Non-special start tags ("any other start tag", formatting, phrasing) reconstruct
      // the active formatting elements; so do the special ones listed below.
      if (!(f[t] & kSpecial)) f[t] |= kReconstructs;
    }
    for (GumboTag ruby_part : {GUMBO_TAG_RB, GUMBO_TAG_RTC, GUMBO_TAG_RP, GUMBO_TAG_RT}) {
      f[ruby_part] &= ~kReconstructs;
    }
    set(kReconstructs,
        {GUMBO_TAG_APPLET, GUMBO_TAG_MARQUEE, GUMBO_TAG_OBJECT, GUMBO_TAG_AREA, GUMBO_TAG_BR,
         GUMBO_TAG_EMBED, GUMBO_TAG_IMG, GUMBO_TAG_KEYGEN, GUMBO_TAG_WBR, GUMBO_TAG_INPUT,
         GUMBO_TAG_BUTTON, GUMBO_TAG_SELECT, GUMBO_TAG_XMP});
    f[GUMBO_TAG_UNKNOWN] = kReconstructs;
    return f;
  }();
  return table;
}

uint32_t FlagsOf(GumboTag tag) { return Flags()[tag]; }

uint64_t Fnv1a(std::string_view bytes) {
  uint64_t h = 1469598103934665603ull;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

bool ContainsNoCase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && AsciiLower(haystack[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

enum class Ns : uint8_t { kHtml, kSvg, kMath };

struct Token {
  std::string name;  // lower-case
  GumboTag tag = GUMBO_TAG_UNKNOWN;
  uint64_t hash = 0;
  uint64_t attr_hash = 0;
  std::string_view attrs;
  bool self_closing = false;
};

enum class StartResult { kDropped, kIgnored, kElement };

// What the tokenizer does after a kept start tag.
struct AfterStart {
  bool raw_text = false;   // content is text up to </name>
  bool plaintext = false;  // the rest of the input is text
};

class StackModel {
 public:
  explicit StackModel(size_t limit) : limit_(limit), positions_(GUMBO_TAG_LAST + 1) {}

  size_t max_depth() const { return max_depth_; }

  StartResult StartTag(const Token& t, AfterStart* after) {
    // Whether the parser takes a <frameset> (and then ignores nearly every other tag)
    // hangs on its frameset-ok flag, which the model does not follow. A frameset page has
    // no article text, so the tag is dropped and the page parsed as a body.
    if (t.tag == GUMBO_TAG_FRAMESET) return Ghost(t);
    // At the limit, a tag that could push is dropped before it has any effect (a dropped
    // tag that Gumbo would have ignored anyway costs nothing).
    const bool foreign_root = t.tag == GUMBO_TAG_SVG || t.tag == GUMBO_TAG_MATH;
    const bool cannot_push = (FlagsOf(t.tag) & (kVoid | kNoPush)) ||
                             (t.self_closing && (foreign_root || InForeignContent()));
    if (!cannot_push && depth() >= limit_) return Ghost(t);
    if (InForeignContent()) {
      if (!IsBreakout(t)) return ForeignStart(t);
      while (InForeignContent()) PopTo(live_.back());
    }
    if (InSelectMode()) return SelectStart(t, after);
    return HtmlStart(t, after);
  }

  // Returns false when the end tag belongs to a dropped start tag (drop it too).
  bool EndTag(const Token& t) {
    std::optional<size_t> ghost = NearestGhost(t);
    if (ghost && (!NearestAny(t) || *ghost > *NearestAny(t))) {
      stack_[*ghost].state = State::kDead;
      return false;
    }
    // Integration points redirect start tags and text to HTML rules, not end tags.
    if (InForeignNamespace() && ForeignEnd(t)) return true;
    if (InSelectMode()) {
      SelectEnd(t);
    } else {
      HtmlEnd(t);
    }
    return true;
  }

  void Text() {
    if (!InForeignContent() && !InSelectMode()) Reconstruct();
  }

  // The current node is an SVG or MathML element (integration points included): where the
  // tokenizer reads "<![CDATA[" as a CDATA section.
  bool InForeignNamespace() const { return !live_.empty() && stack_[live_.back()].ns != Ns::kHtml; }

  bool InForeignContent() const {
    if (live_.empty()) return false;
    const Entry& top = stack_[live_.back()];
    return top.ns != Ns::kHtml && !top.integration;
  }

 private:
  enum class State : uint8_t { kLive, kGhost, kDead };
  enum class TemplateMode : uint8_t { kUndecided, kTable, kColumnGroup, kBody };

  struct Entry {
    uint64_t hash;
    GumboTag tag;
    State state;
    Ns ns;
    bool integration;  // children are HTML (SVG foreignObject/desc/title, MathML text)
    // For <template>: the first start tag inside decides whether table parts are parsed
    // as in a table (<template><tr>) or ignored as in a body (<template><div><tr>).
    TemplateMode template_mode = TemplateMode::kUndecided;
  };

  struct Afe {
    GumboTag tag;
    uint64_t hash;
    uint64_t attr_hash;
    int64_t stack_index;  // -1: not on the stack (reconstructable)
    bool marker;
  };

  // ---- stack primitives -------------------------------------------------------------

  size_t depth() const { return live_.size(); }

  const Entry* Top() const { return live_.empty() ? nullptr : &stack_[live_.back()]; }

  bool TopIs(GumboTag tag) const {
    const Entry* top = Top();
    return top != nullptr && top->ns == Ns::kHtml && top->tag == tag;
  }

  // The last live index of `v` (dead ones are dropped lazily), or -1.
  int64_t Last(std::vector<size_t>& v) const {
    while (!v.empty() && stack_[v.back()].state == State::kDead) v.pop_back();
    return v.empty() ? -1 : static_cast<int64_t>(v.back());
  }

  std::optional<size_t> Nearest(GumboTag tag) {
    int64_t i = Last(positions_[tag]);
    if (i < 0) return std::nullopt;
    return static_cast<size_t>(i);
  }

  std::optional<size_t> NearestOther(uint64_t hash, std::optional<Ns> ns) {
    size_t scanned = 0;
    for (auto it = others_.rbegin(); it != others_.rend() && scanned < kUnknownScanLimit;
         ++it, ++scanned) {
      const Entry& e = stack_[*it];
      if (e.state == State::kLive && e.hash == hash && (!ns || e.ns == *ns)) return *it;
    }
    return std::nullopt;
  }

  // The nearest live element with this name, HTML or foreign.
  std::optional<size_t> NearestAny(const Token& t) {
    std::optional<size_t> html;
    if (t.tag != GUMBO_TAG_UNKNOWN) html = Nearest(t.tag);
    std::optional<size_t> other = NearestOther(t.hash, std::nullopt);
    if (html && other) return std::max(*html, *other);
    return html ? html : other;
  }

  std::optional<size_t> NearestGhost(const Token& t) {
    size_t scanned = 0;
    for (auto it = ghosts_.rbegin(); it != ghosts_.rend() && scanned < kGhostScanLimit;
         ++it, ++scanned) {
      const Entry& e = stack_[*it];
      if (e.state == State::kGhost && e.hash == t.hash) return *it;
    }
    return std::nullopt;
  }

  bool BelowAll(size_t pos, std::initializer_list<std::vector<size_t>*> boundaries) const {
    for (std::vector<size_t>* b : boundaries) {
      if (Last(*b) > static_cast<int64_t>(pos)) return false;
    }
    return true;
  }
  // "has an element in scope": no scope boundary above `pos` (the element may be one).
  bool InScope(size_t pos) { return BelowAll(pos, {&scope_}); }
  bool InButtonScope(size_t pos) { return BelowAll(pos, {&scope_, &button_}); }
  bool InListItemScope(size_t pos) { return BelowAll(pos, {&scope_, &list_}); }
  bool InTableScope(size_t pos) { return BelowAll(pos, {&table_scope_}); }
  bool NoSpecialAbove(size_t pos) { return BelowAll(pos, {&special_}); }

  size_t Push(GumboTag tag, uint64_t hash, Ns ns, bool integration) {
    size_t idx = stack_.size();
    stack_.push_back({hash, tag, State::kLive, ns, integration, TemplateMode::kUndecided});
    live_.push_back(idx);
    max_depth_ = std::max(max_depth_, live_.size());
    if (ns != Ns::kHtml || tag == GUMBO_TAG_UNKNOWN) {
      others_.push_back(idx);
    } else {
      positions_[tag].push_back(idx);
    }
    uint32_t f = ns == Ns::kHtml ? FlagsOf(tag) : 0;
    if (ns != Ns::kHtml && IsForeignScopeBoundary(tag, ns)) f |= kScope | kSpecial;
    if (f & kScope) scope_.push_back(idx);
    if (ns == Ns::kHtml && tag == GUMBO_TAG_BUTTON) button_.push_back(idx);
    if (ns == Ns::kHtml && (tag == GUMBO_TAG_OL || tag == GUMBO_TAG_UL)) list_.push_back(idx);
    if (f & kTableScope) table_scope_.push_back(idx);
    if (f & kSpecial) {
      special_.push_back(idx);
      bool adp = tag == GUMBO_TAG_ADDRESS || tag == GUMBO_TAG_DIV || tag == GUMBO_TAG_P;
      if (!adp || ns != Ns::kHtml) special_except_adp_.push_back(idx);
    }
    return idx;
  }

  size_t PushHtml(const Token& t) { return Push(t.tag, t.hash, Ns::kHtml, false); }

  size_t PushImplied(GumboTag tag) {
    const char* name = gumbo_normalized_tagname(tag);
    return Push(tag, Fnv1a(name), Ns::kHtml, false);
  }

  StartResult Ghost(const Token& t) {
    size_t idx = stack_.size();
    stack_.push_back({t.hash, t.tag, State::kGhost, Ns::kHtml, false, TemplateMode::kUndecided});
    ghosts_.push_back(idx);
    return StartResult::kDropped;
  }

  static void PopIfBack(std::vector<size_t>& v, size_t idx) {
    if (!v.empty() && v.back() == idx) v.pop_back();
  }

  void PopOne() {
    size_t idx = stack_.size() - 1;
    Entry e = stack_.back();
    stack_.pop_back();
    if (e.state == State::kGhost) {
      PopIfBack(ghosts_, idx);
      return;
    }
    if (e.state == State::kLive) PopIfBack(live_, idx);
    if (e.ns != Ns::kHtml || e.tag == GUMBO_TAG_UNKNOWN) {
      PopIfBack(others_, idx);
    } else {
      PopIfBack(positions_[e.tag], idx);
    }
    for (std::vector<size_t>* b :
         {&scope_, &button_, &list_, &table_scope_, &special_, &special_except_adp_}) {
      PopIfBack(*b, idx);
    }
    if (e.state != State::kLive || e.ns != Ns::kHtml) return;
    uint32_t f = FlagsOf(e.tag);
    if (f & kFormatting) {
      for (auto it = afe_.rbegin(); it != afe_.rend(); ++it) {
        if (it->stack_index == static_cast<int64_t>(idx)) {
          it->stack_index = -1;
          break;
        }
      }
    }
    if (f & kMarker) ClearAfeToLastMarker();
  }

  // Pops every entry at or above `idx`.
  void PopTo(size_t idx) {
    while (stack_.size() > idx) PopOne();
  }

  // Removes a live entry from the middle of the stack (adoption agency, </form>).
  void MarkDead(size_t idx) {
    stack_[idx].state = State::kDead;
    auto it = std::find(live_.rbegin(), live_.rend(), idx);
    if (it != live_.rend()) live_.erase(std::next(it).base());
  }

  // ---- active formatting elements -----------------------------------------------------

  size_t AfeStartAfterMarker() const {
    for (size_t i = afe_.size(); i > 0; --i) {
      if (afe_[i - 1].marker) return i;
    }
    return 0;
  }

  void ClearAfeToLastMarker() {
    while (!afe_.empty()) {
      bool marker = afe_.back().marker;
      afe_.pop_back();
      if (marker) break;
    }
  }

  void PushMarker() { afe_.push_back({GUMBO_TAG_UNKNOWN, 0, 0, -1, true}); }

  size_t IdenticalAfterMarker(const Token& t) const {
    size_t count = 0;
    for (size_t i = AfeStartAfterMarker(); i < afe_.size(); ++i) {
      if (afe_[i].tag == t.tag && afe_[i].attr_hash == t.attr_hash) ++count;
    }
    return count;
  }

  bool AfeWouldOverflow(const Token& t) const {
    return afe_.size() - AfeStartAfterMarker() >= kMaxActiveFormatting &&
           IdenticalAfterMarker(t) < 3;
  }

  // Pushes the element and applies the "Noah's Ark" clause (at most three identical).
  void AddFormatting(const Token& t, size_t idx) {
    if (IdenticalAfterMarker(t) >= 3) {
      for (size_t i = AfeStartAfterMarker(); i < afe_.size(); ++i) {
        if (afe_[i].tag == t.tag && afe_[i].attr_hash == t.attr_hash) {
          afe_.erase(afe_.begin() + static_cast<std::ptrdiff_t>(i));
          break;
        }
      }
    }
    afe_.push_back({t.tag, t.hash, t.attr_hash, static_cast<int64_t>(idx), false});
  }

  void Reconstruct() {
    if (afe_.empty() || afe_.back().marker || afe_.back().stack_index >= 0) return;
    size_t i = afe_.size() - 1;
    while (i > 0 && !afe_[i - 1].marker && afe_[i - 1].stack_index < 0) --i;
    for (; i < afe_.size(); ++i) {
      afe_[i].stack_index = static_cast<int64_t>(Push(afe_[i].tag, afe_[i].hash, Ns::kHtml, false));
    }
  }

  std::optional<size_t> AfeIndexAfterMarker(GumboTag tag) const {
    const size_t start = AfeStartAfterMarker();
    for (size_t i = afe_.size(); i > start; --i) {
      if (afe_[i - 1].tag == tag) return i - 1;
    }
    return std::nullopt;
  }

  enum class AaResult { kNotFormatting, kDone, kNotInScope };

  // The adoption agency algorithm, as far as the stack's height goes: it never grows the
  // stack, so where the real algorithm removes nodes between the formatting element and
  // the furthest block the model keeps them (an overestimate).
  AaResult AdoptionAgency(GumboTag tag) {
    std::optional<size_t> fe = AfeIndexAfterMarker(tag);
    if (!fe) return AaResult::kNotFormatting;
    Afe& entry = afe_[*fe];
    if (entry.stack_index < 0) {
      afe_.erase(afe_.begin() + static_cast<std::ptrdiff_t>(*fe));
      return AaResult::kDone;
    }
    size_t pos = static_cast<size_t>(entry.stack_index);
    if (!InScope(pos)) return AaResult::kNotInScope;
    if (!SpecialAbove(pos)) {
      PopTo(pos);
      afe_.erase(afe_.begin() + static_cast<std::ptrdiff_t>(*fe));
      return AaResult::kDone;
    }
    // A furthest block exists: the element leaves the stack, and a clone takes its place in
    // the list and on the stack just above the furthest block. The algorithm's next rounds
    // run on that clone: each finds the next special element above, and when there is none
    // the clone is popped with everything above it. (Nodes the rounds remove between the
    // element and the block stay in the model: an overestimate.)
    uint64_t hash = entry.hash;
    MarkDead(pos);
    size_t block = *SpecialAbove(pos);
    for (int round = 1; round < kAdoptionRounds; ++round) {
      std::optional<size_t> next = SpecialAbove(block);
      if (!next) {
        PopTo(block + 1);
        afe_.erase(afe_.begin() + static_cast<std::ptrdiff_t>(*fe));
        return AaResult::kDone;
      }
      block = *next;
    }
    afe_[*fe].stack_index = static_cast<int64_t>(Push(tag, hash, Ns::kHtml, false));
    return AaResult::kDone;
  }

  // The first live special element above `pos`.
  std::optional<size_t> SpecialAbove(size_t pos) {
    auto it = std::upper_bound(special_.begin(), special_.end(), pos);
    for (; it != special_.end(); ++it) {
      if (stack_[*it].state == State::kLive) return *it;
    }
    return std::nullopt;
  }

  // ---- start tags ---------------------------------------------------------------------

  bool IsBreakout(const Token& t) const {
    if (FlagsOf(t.tag) & kBreakout) return true;
    return t.tag == GUMBO_TAG_FONT &&
           (ContainsNoCase(t.attrs, "color") || ContainsNoCase(t.attrs, "face") ||
            ContainsNoCase(t.attrs, "size"));
  }

  StartResult ForeignStart(const Token& t) {
    if (t.self_closing) return StartResult::kElement;
    if (depth() >= limit_) return Ghost(t);
    // A foreign element takes the namespace of its parent ("<svg><math>" is an SVG element
    // named math), except <svg> under MathML annotation-xml.
    const Entry& parent = *Top();
    Ns ns = parent.ns;
    if (t.tag == GUMBO_TAG_SVG && parent.ns == Ns::kMath &&
        parent.tag == GUMBO_TAG_ANNOTATION_XML) {
      ns = Ns::kSvg;
    }
    Push(t.tag, t.hash, ns, IsIntegrationPoint(t, ns));
    return StartResult::kElement;
  }

  // MathML mi, mo, mn, ms, mtext, annotation-xml and SVG foreignObject, desc, title bound
  // every kind of scope and are "special", whatever their attributes.
  static bool IsForeignScopeBoundary(GumboTag tag, Ns ns) {
    if (ns == Ns::kSvg) {
      return tag == GUMBO_TAG_FOREIGNOBJECT || tag == GUMBO_TAG_DESC || tag == GUMBO_TAG_TITLE;
    }
    return ns == Ns::kMath &&
           (tag == GUMBO_TAG_MI || tag == GUMBO_TAG_MO || tag == GUMBO_TAG_MN ||
            tag == GUMBO_TAG_MS || tag == GUMBO_TAG_MTEXT || tag == GUMBO_TAG_ANNOTATION_XML);
  }

  static bool IsIntegrationPoint(const Token& t, Ns ns) {
    if (ns == Ns::kSvg) {
      return t.tag == GUMBO_TAG_FOREIGNOBJECT || t.tag == GUMBO_TAG_DESC ||
             t.tag == GUMBO_TAG_TITLE;
    }
    if (ns != Ns::kMath) return false;
    if (t.tag == GUMBO_TAG_ANNOTATION_XML) {
      return ContainsNoCase(t.attrs, "text/html") ||
             ContainsNoCase(t.attrs, "application/xhtml+xml");
    }
    return t.tag == GUMBO_TAG_MI || t.tag == GUMBO_TAG_MO || t.tag == GUMBO_TAG_MN ||
           t.tag == GUMBO_TAG_MS || t.tag == GUMBO_TAG_MTEXT;
  }

  bool InSelectMode() {
    const Entry* top = Top();
    if (top == nullptr || top->ns != Ns::kHtml) return false;
    if (top->tag != GUMBO_TAG_SELECT && top->tag != GUMBO_TAG_OPTION &&
        top->tag != GUMBO_TAG_OPTGROUP) {
      return false;
    }
    // Template contents are parsed "in template" (then "in body"), even inside a select.
    std::optional<size_t> select = Nearest(GUMBO_TAG_SELECT);
    std::optional<size_t> tmpl = Nearest(GUMBO_TAG_TEMPLATE);
    return select && (!tmpl || *tmpl < *select);
  }

  StartResult SelectStart(const Token& t, AfterStart* after) {
    size_t select = *Nearest(GUMBO_TAG_SELECT);
    switch (t.tag) {
      case GUMBO_TAG_OPTION:
      case GUMBO_TAG_OPTGROUP:
        if (depth() >= limit_) return Ghost(t);
        if (TopIs(GUMBO_TAG_OPTION)) PopTo(live_.back());
        if (t.tag == GUMBO_TAG_OPTGROUP && TopIs(GUMBO_TAG_OPTGROUP)) PopTo(live_.back());
        PushHtml(t);
        return StartResult::kElement;
      case GUMBO_TAG_SELECT:
        PopTo(select);  // acts as </select>
        return StartResult::kIgnored;
      case GUMBO_TAG_INPUT:
      case GUMBO_TAG_KEYGEN:
      case GUMBO_TAG_TEXTAREA:
        PopTo(select);
        return HtmlStart(t, after);
      case GUMBO_TAG_SCRIPT:
      case GUMBO_TAG_TEMPLATE:
        return HtmlStart(t, after);
      case GUMBO_TAG_CAPTION:
      case GUMBO_TAG_TABLE:
      case GUMBO_TAG_TBODY:
      case GUMBO_TAG_TFOOT:
      case GUMBO_TAG_THEAD:
      case GUMBO_TAG_TR:
      case GUMBO_TAG_TD:
      case GUMBO_TAG_TH: {
        if (!SelectInTable(select)) return StartResult::kIgnored;
        PopTo(select);  // "in select in table": close the select and reprocess
        return HtmlStart(t, after);
      }
      default:
        return StartResult::kIgnored;
    }
  }

  // "in select in table": a table encloses the select with no template in between.
  bool SelectInTable(size_t select) {
    std::optional<size_t> table = Nearest(GUMBO_TAG_TABLE);
    std::optional<size_t> tmpl = Nearest(GUMBO_TAG_TEMPLATE);
    return table && *table < select && (!tmpl || *tmpl < *table || *tmpl > select);
  }

  // The table whose "in table" rules apply (a table with no cell, caption or template
  // open inside it), if any.
  std::optional<size_t> TableContext() {
    std::optional<size_t> table = Nearest(GUMBO_TAG_TABLE);
    if (!table) return std::nullopt;
    for (GumboTag inner : {GUMBO_TAG_TD, GUMBO_TAG_TH, GUMBO_TAG_CAPTION, GUMBO_TAG_TEMPLATE}) {
      std::optional<size_t> pos = Nearest(inner);
      if (pos && *pos > *table) return std::nullopt;
    }
    return table;
  }

  // The nearest live element among `tags`.
  std::optional<size_t> NearestOf(std::initializer_list<GumboTag> tags) {
    std::optional<size_t> best;
    for (GumboTag tag : tags) {
      std::optional<size_t> pos = Nearest(tag);
      if (pos && (!best || *pos > *best)) best = pos;
    }
    return best;
  }

  std::optional<size_t> NearestAbove(std::initializer_list<GumboTag> tags, size_t floor) {
    std::optional<size_t> best = NearestOf(tags);
    if (best && *best > floor) return best;
    return std::nullopt;
  }

  // caption, col, colgroup, tbody, td, tfoot, th, thead, tr: ignored outside a table or a
  // template; in a table they clear the stack back to the right table context and imply
  // what the HTML standard implies (<tbody> for <tr>, <tr> for <td> ...).
  StartResult TablePartStart(const Token& t) {
    std::optional<size_t> table = Nearest(GUMBO_TAG_TABLE);
    std::optional<size_t> tmpl = Nearest(GUMBO_TAG_TEMPLATE);
    // In a template the parser's insertion mode decides what a table part does; the model
    // does not follow it there and only pushes (what Gumbo implies included), never pops.
    clear_ = true;
    if (tmpl && (!table || *tmpl > *table)) {
      if (stack_[*tmpl].template_mode == TemplateMode::kBody) return StartResult::kIgnored;
      table = tmpl;
      clear_ = false;
    }
    if (!table) return StartResult::kIgnored;
    const size_t above_table = *table + 1;
    switch (t.tag) {
      case GUMBO_TAG_CAPTION:
        ClearTo(above_table);
        PushHtml(t);
        PushMarker();
        break;
      case GUMBO_TAG_COLGROUP:
      case GUMBO_TAG_TBODY:
      case GUMBO_TAG_THEAD:
      case GUMBO_TAG_TFOOT:
        ClearTo(above_table);
        PushHtml(t);
        break;
      case GUMBO_TAG_COL:
        if (clear_ && !TopIs(GUMBO_TAG_COLGROUP)) {  // (Gumbo implies none in a template)
          ClearTo(above_table);
          PushImplied(GUMBO_TAG_COLGROUP);
        }
        break;
      case GUMBO_TAG_TR:
        if (clear_) EnsureSection(*table);
        PushHtml(t);
        break;
      default: {  // td, th
        std::optional<size_t> row = NearestAbove({GUMBO_TAG_TR}, *table);
        if (row) {
          ClearTo(*row + 1);
        } else if (clear_) {
          EnsureSection(*table);
          PushImplied(GUMBO_TAG_TR);
        }
        PushHtml(t);
        PushMarker();
        break;
      }
    }
    return StartResult::kElement;
  }

  void ClearTo(size_t idx) {
    if (clear_) PopTo(idx);
  }

  // Clears the stack back to the table's body section, implying a <tbody>.
  void EnsureSection(size_t table) {
    std::optional<size_t> section =
        NearestAbove({GUMBO_TAG_TBODY, GUMBO_TAG_THEAD, GUMBO_TAG_TFOOT}, table);
    if (section) {
      ClearTo(*section + 1);
    } else {
      ClearTo(table + 1);
      PushImplied(GUMBO_TAG_TBODY);
    }
  }

  void CloseP() {
    std::optional<size_t> p = Nearest(GUMBO_TAG_P);
    if (p && InButtonScope(*p)) PopTo(*p);
  }

  // <li>, <dd>, <dt>: close the nearest such item unless a special element other than
  // address/div/p lies above it.
  void CloseListItem(std::initializer_list<GumboTag> items) {
    std::optional<size_t> best = NearestOf(items);
    if (best && BelowAll(*best, {&special_except_adp_})) PopTo(*best);
  }

  // Tags a template's contents handle with "in head" rules, leaving its mode undecided.
  static bool IsHeadTag(GumboTag tag) {
    switch (tag) {
      case GUMBO_TAG_BASE:
      case GUMBO_TAG_BASEFONT:
      case GUMBO_TAG_BGSOUND:
      case GUMBO_TAG_LINK:
      case GUMBO_TAG_META:
      case GUMBO_TAG_NOFRAMES:
      case GUMBO_TAG_SCRIPT:
      case GUMBO_TAG_STYLE:
      case GUMBO_TAG_TEMPLATE:
      case GUMBO_TAG_TITLE:
        return true;
      default:
        return false;
    }
  }

  // The first start tag read with a template as the current node fixes how the template's
  // contents are parsed.
  void DecideTemplateMode(const Token& t, uint32_t f) {
    if (!TopIs(GUMBO_TAG_TEMPLATE)) return;
    TemplateMode& mode = stack_[live_.back()].template_mode;
    if (mode != TemplateMode::kUndecided || IsHeadTag(t.tag)) return;
    if (t.tag == GUMBO_TAG_COL) {
      mode = TemplateMode::kColumnGroup;
    } else if (f & kTablePart) {
      mode = TemplateMode::kTable;
    } else {
      mode = TemplateMode::kBody;
    }
  }

  // "<template><col>": the parser then ignores every start tag but <col> and <template>.
  bool TemplateIgnores(const Token& t) {
    return TopIs(GUMBO_TAG_TEMPLATE) &&
           stack_[live_.back()].template_mode == TemplateMode::kColumnGroup &&
           t.tag != GUMBO_TAG_COL && t.tag != GUMBO_TAG_TEMPLATE;
  }

  StartResult HtmlStart(const Token& t, AfterStart* after) {
    const uint32_t f = FlagsOf(t.tag);
    DecideTemplateMode(t, f);
    if (TemplateIgnores(t)) return StartResult::kIgnored;
    if (f & kNoPush) return StartResult::kIgnored;
    const bool in_template = Nearest(GUMBO_TAG_TEMPLATE).has_value();
    if (t.tag == GUMBO_TAG_FORM && form_pointer_ && !in_template) {
      return StartResult::kIgnored;  // the parser's form element pointer is set
    }
    const bool foreign_root = t.tag == GUMBO_TAG_SVG || t.tag == GUMBO_TAG_MATH;
    const bool pushes = !(f & kVoid) && !(foreign_root && t.self_closing);
    // Decide before touching the model: a dropped tag must have no effect at all.
    if (pushes && depth() >= limit_) return Ghost(t);
    if ((f & kFormatting) && AfeWouldOverflow(t)) return Ghost(t);
    if (f & kTablePart) return TablePartStart(t);
    ApplyImpliedEnds(t, f);
    if (f & kReconstructs) Reconstruct();
    if (!pushes) return StartResult::kElement;
    size_t idx;
    if (foreign_root) {
      idx = Push(t.tag, t.hash, t.tag == GUMBO_TAG_SVG ? Ns::kSvg : Ns::kMath, false);
    } else {
      idx = PushHtml(t);
    }
    if (f & kFormatting) AddFormatting(t, idx);
    if (f & kMarker) PushMarker();
    if (t.tag == GUMBO_TAG_FORM && !in_template) form_pointer_ = true;
    after->raw_text = (f & kRawText) != 0;
    after->plaintext = t.tag == GUMBO_TAG_PLAINTEXT;
    return StartResult::kElement;
  }

  // What a start tag closes before it is inserted.
  void ApplyImpliedEnds(const Token& t, uint32_t f) {
    if (t.tag == GUMBO_TAG_TABLE) {
      if (std::optional<size_t> table = TableContext()) PopTo(*table);  // a sibling table
    }
    if (t.tag == GUMBO_TAG_LI) CloseListItem({GUMBO_TAG_LI});
    if (t.tag == GUMBO_TAG_DD || t.tag == GUMBO_TAG_DT) {
      CloseListItem({GUMBO_TAG_DD, GUMBO_TAG_DT});
    }
    if (f & kClosesP) CloseP();
    if (f & kHeading) {
      const Entry* top = Top();
      if (top != nullptr && top->ns == Ns::kHtml && (FlagsOf(top->tag) & kHeading)) {
        PopTo(live_.back());
      }
    }
    switch (t.tag) {
      case GUMBO_TAG_BUTTON:
        if (std::optional<size_t> b = Nearest(GUMBO_TAG_BUTTON); b && InScope(*b)) PopTo(*b);
        break;
      case GUMBO_TAG_A:
        if (AfeIndexAfterMarker(GUMBO_TAG_A)) {
          if (AdoptionAgency(GUMBO_TAG_A) == AaResult::kNotInScope) {
            // "remove that element from the list and the stack if the agency did not"
            std::optional<size_t> fe = AfeIndexAfterMarker(GUMBO_TAG_A);
            if (fe && afe_[*fe].stack_index >= 0) {
              MarkDead(static_cast<size_t>(afe_[*fe].stack_index));
            }
            if (fe) afe_.erase(afe_.begin() + static_cast<std::ptrdiff_t>(*fe));
          }
        }
        break;
      case GUMBO_TAG_NOBR:
        if (std::optional<size_t> n = Nearest(GUMBO_TAG_NOBR); n && InScope(*n)) {
          Reconstruct();
          AdoptionAgency(GUMBO_TAG_NOBR);
        }
        break;
      case GUMBO_TAG_OPTION:
      case GUMBO_TAG_OPTGROUP:
        if (TopIs(GUMBO_TAG_OPTION)) PopTo(live_.back());
        break;
      case GUMBO_TAG_RB:
      case GUMBO_TAG_RTC:
      case GUMBO_TAG_RP:
      case GUMBO_TAG_RT:
        if (std::optional<size_t> ruby = Nearest(GUMBO_TAG_RUBY); ruby && InScope(*ruby)) {
          PopImpliedEnds(t.tag == GUMBO_TAG_RP || t.tag == GUMBO_TAG_RT);
        }
        break;
      default:
        break;
    }
  }

  // "Generate implied end tags" (optionally sparing <rtc>).
  void PopImpliedEnds(bool except_rtc) {
    for (;;) {
      const Entry* top = Top();
      if (top == nullptr || top->ns != Ns::kHtml) return;
      switch (top->tag) {
        case GUMBO_TAG_DD:
        case GUMBO_TAG_DT:
        case GUMBO_TAG_LI:
        case GUMBO_TAG_OPTGROUP:
        case GUMBO_TAG_OPTION:
        case GUMBO_TAG_P:
        case GUMBO_TAG_RB:
        case GUMBO_TAG_RP:
        case GUMBO_TAG_RT:
          break;
        case GUMBO_TAG_RTC:
          if (except_rtc) return;
          break;
        default:
          return;
      }
      PopTo(live_.back());
    }
  }

  // ---- end tags -----------------------------------------------------------------------

  // In SVG/MathML content an end tag closes the nearest foreign element of that name
  // above the nearest HTML element; returns false when HTML rules apply instead.
  bool ForeignEnd(const Token& t) {
    for (auto it = live_.rbegin(); it != live_.rend(); ++it) {
      const Entry& e = stack_[*it];
      if (e.ns == Ns::kHtml) return false;
      if (e.hash == t.hash) {
        PopTo(*it);
        return true;
      }
    }
    return false;
  }

  void SelectEnd(const Token& t) {
    switch (t.tag) {
      case GUMBO_TAG_OPTGROUP:
        if (TopIs(GUMBO_TAG_OPTION) && live_.size() >= 2 &&
            stack_[live_[live_.size() - 2]].tag == GUMBO_TAG_OPTGROUP) {
          PopTo(live_[live_.size() - 2]);
        } else if (TopIs(GUMBO_TAG_OPTGROUP)) {
          PopTo(live_.back());
        }
        return;
      case GUMBO_TAG_OPTION:
        if (TopIs(GUMBO_TAG_OPTION)) PopTo(live_.back());
        return;
      case GUMBO_TAG_SELECT:
        PopTo(*Nearest(GUMBO_TAG_SELECT));
        return;
      case GUMBO_TAG_TEMPLATE:
        HtmlEnd(t);
        return;
      case GUMBO_TAG_CAPTION:
      case GUMBO_TAG_TABLE:
      case GUMBO_TAG_TBODY:
      case GUMBO_TAG_TFOOT:
      case GUMBO_TAG_THEAD:
      case GUMBO_TAG_TR:
      case GUMBO_TAG_TD:
      case GUMBO_TAG_TH: {
        size_t select = *Nearest(GUMBO_TAG_SELECT);
        std::optional<size_t> match = Nearest(t.tag);
        if (SelectInTable(select) && match && *match < select && InTableScope(*match)) {
          PopTo(select);
          HtmlEnd(t);
        }
        return;
      }
      default:
        return;  // ignored
    }
  }

  void PopToIf(std::optional<size_t> pos, bool ok) {
    if (pos && ok) PopTo(*pos);
  }

  void HtmlEnd(const Token& t) {
    const uint32_t f = FlagsOf(t.tag);
    std::optional<size_t> pos =
        t.tag == GUMBO_TAG_UNKNOWN ? NearestOther(t.hash, Ns::kHtml) : Nearest(t.tag);
    switch (t.tag) {
      case GUMBO_TAG_BODY:
      case GUMBO_TAG_HTML:
      case GUMBO_TAG_HEAD:
        return;
      case GUMBO_TAG_BR:  // </br> is taken as <br>
        Reconstruct();
        return;
      case GUMBO_TAG_P:
        PopToIf(pos, pos && InButtonScope(*pos));
        return;
      case GUMBO_TAG_LI:
        PopToIf(pos, pos && InListItemScope(*pos));
        return;
      case GUMBO_TAG_DD:
      case GUMBO_TAG_DT:
        PopToIf(pos, pos && InScope(*pos));
        return;
      case GUMBO_TAG_H1:
      case GUMBO_TAG_H2:
      case GUMBO_TAG_H3:
      case GUMBO_TAG_H4:
      case GUMBO_TAG_H5:
      case GUMBO_TAG_H6: {
        std::optional<size_t> h = NearestOf(
            {GUMBO_TAG_H1, GUMBO_TAG_H2, GUMBO_TAG_H3, GUMBO_TAG_H4, GUMBO_TAG_H5, GUMBO_TAG_H6});
        PopToIf(h, h && InScope(*h));
        return;
      }
      case GUMBO_TAG_FORM: {
        // The form element pointer is cleared whether or not the form is in scope; a form
        // in scope leaves the stack, what it contains stays open. (The standard pops to the
        // form when a template is open; removing only the form overestimates that.)
        bool had_pointer = form_pointer_;
        form_pointer_ = false;
        if (pos && InScope(*pos) && (had_pointer || Nearest(GUMBO_TAG_TEMPLATE))) {
          MarkDead(*pos);
        }
        return;
      }
      case GUMBO_TAG_TEMPLATE:
        PopToIf(pos, true);
        return;
      case GUMBO_TAG_APPLET:
      case GUMBO_TAG_MARQUEE:
      case GUMBO_TAG_OBJECT:
        PopToIf(pos, pos && InScope(*pos));
        return;
      case GUMBO_TAG_TABLE:
      case GUMBO_TAG_TBODY:
      case GUMBO_TAG_TFOOT:
      case GUMBO_TAG_THEAD:
      case GUMBO_TAG_TR:
      case GUMBO_TAG_TD:
      case GUMBO_TAG_TH:
      case GUMBO_TAG_CAPTION:
      case GUMBO_TAG_COLGROUP:
        PopToIf(pos, pos && InTableScope(*pos));
        return;
      default:
        break;
    }
    if (f & kBlockEnd) {
      PopToIf(pos, pos && InScope(*pos));
      return;
    }
    if ((f & kFormatting) && AdoptionAgency(t.tag) != AaResult::kNotFormatting) return;
    // "Any other end tag": the nearest element of that name, unless a special element lies
    // above it.
    PopToIf(pos, pos && NoSpecialAbove(*pos));
  }

  size_t limit_;
  size_t max_depth_ = 0;
  bool clear_ = true;          // TablePartStart: pop back to the table context (false in templates)
  bool form_pointer_ = false;  // the parser's "form element pointer" is set
  std::vector<Entry> stack_;   // every entry, including ghosts and dead ones
  std::vector<size_t> live_;   // indices of live entries: the modelled stack of open elements
  std::vector<size_t> ghosts_;
  std::vector<std::vector<size_t>> positions_;  // live HTML entries per known tag
  std::vector<size_t> others_;                  // live unknown and foreign entries
  // Indices of the live entries that bound each kind of scope.
  mutable std::vector<size_t> scope_, button_, list_, table_scope_, special_, special_except_adp_;
  std::vector<Afe> afe_;
};

// ---- tokenizer ------------------------------------------------------------------------

// The model's view of a tag the scanner read.
void MakeToken(const TagSpan& tag, Token* t) {
  t->name.assign(tag.name);
  for (char& c : t->name) c = AsciiLower(c);
  t->hash = Fnv1a(t->name);
  t->tag = t->name.size() <= 16
               ? gumbo_tagn_enum(t->name.data(), static_cast<unsigned>(t->name.size()))
               : GUMBO_TAG_UNKNOWN;
  if (t->tag >= GUMBO_TAG_LAST) t->tag = GUMBO_TAG_UNKNOWN;
  t->attrs = tag.attrs;
  t->attr_hash = Fnv1a(t->attrs);
  t->self_closing = tag.self_closing;
}

// Copies the input minus the dropped tags, lazily: nothing is copied until a first drop.
class Filter {
 public:
  Filter(std::string_view src, std::string* out) : src_(src), out_(out) {}
  void Drop(size_t from, size_t to) { Replace(from, to, {}); }
  void Replace(size_t from, size_t to, std::string_view text) {
    if (!changed_) out_->reserve(src_.size());
    changed_ = true;
    out_->append(src_.substr(copied_, from - copied_));
    out_->append(text);
    copied_ = to;
  }
  bool Finish() {
    if (changed_) out_->append(src_.substr(copied_));
    return changed_;
  }

 private:
  std::string_view src_;
  std::string* out_;
  size_t copied_ = 0;
  bool changed_ = false;
};

// Gumbo 0.10.1 (as Debian builds it, with assertions on) aborts the process on a CDATA
// section read while the current node is an SVG/MathML integration point inside a table
// ("<table><math><mi><![CDATA[z]]>x": handle_in_table asserts). So no CDATA section ever
// reaches Gumbo: in SVG/MathML, where it is one, it becomes the equivalent escaped text; in
// HTML, where "<![CDATA[" starts a bogus comment ending at '>', it becomes "<!-[CDATA[",
// the same bogus comment, which Gumbo can never mistake for CDATA. Returns where scanning
// resumes.
size_t RewriteCdata(std::string_view s, size_t lt, bool foreign, Filter* filter) {
  if (!foreign) {
    filter->Replace(lt, lt + 3, "<!-[");
    return PastGt(s, lt + 2, s.size());
  }
  size_t close = s.find("]]>", lt + 9);
  size_t content_end = close == kNpos ? s.size() : close;
  size_t resume = close == kNpos ? s.size() : close + 3;
  std::string text;
  for (char c : s.substr(lt + 9, content_end - (lt + 9))) {
    if (c == '&') {
      text += "&amp;";
    } else if (c == '<') {
      text += "&lt;";
    } else {
      text.push_back(c);
    }
  }
  filter->Replace(lt, resume, text);
  return resume;
}

}  // namespace

GuardedHtml GuardNesting(std::string_view html, size_t max_depth, size_t max_elements) {
  GuardedHtml result;
  StackModel model(max_depth);
  Filter filter(html, &result.filtered);
  Token token;
  MarkupScanner scanner(html);
  MarkupScanner::Piece piece;
  using Kind = MarkupScanner::Kind;
  bool stop = false;
  while (!stop && scanner.Next(&piece)) {
    switch (piece.kind) {
      case Kind::kText:
        model.Text();
        break;
      case Kind::kStartTag: {
        MakeToken(piece.tag, &token);
        AfterStart after;
        StartResult r = model.StartTag(token, &after);
        if (r == StartResult::kDropped) {
          filter.Drop(piece.begin, piece.end);
          break;
        }
        if (r == StartResult::kElement && ++result.elements > max_elements) {
          result.too_many_elements = true;
          stop = true;
        } else if (after.plaintext) {
          stop = true;
        } else if (after.raw_text) {
          scanner.SkipRawText(token.name);
        }
        break;
      }
      case Kind::kEndTag:
        MakeToken(piece.tag, &token);
        if (!model.EndTag(token)) filter.Drop(piece.begin, piece.end);
        break;
      case Kind::kCdata:
        scanner.ResumeAt(RewriteCdata(html, piece.begin, model.InForeignNamespace(), &filter));
        model.Text();
        break;
      case Kind::kUnclosedTag:
        stop = true;
        break;
      case Kind::kComment:
      case Kind::kBogusComment:
      case Kind::kIgnored:
        break;
    }
  }
  result.changed = filter.Finish();
  if (!result.changed) result.filtered.clear();
  result.max_depth_seen = model.max_depth();
  return result;
}

}  // namespace gleaner::html::internal
