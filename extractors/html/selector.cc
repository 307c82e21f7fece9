#include "extractors/html/selector.h"

#include <libxml/HTMLtree.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "extractors/core/ascii.h"
#include "extractors/core/libxml.h"
#include "extractors/html/html_internal_text.h"

namespace gleaner::html {
namespace {

constexpr std::string_view kXPathPrefix = "xpath:";

struct XPathContextDeleter {
  void operator()(xmlXPathContext* ctx) const { xmlXPathFreeContext(ctx); }
};
using XPathContextPtr = std::unique_ptr<xmlXPathContext, XPathContextDeleter>;

struct XPathObjectDeleter {
  void operator()(xmlXPathObject* obj) const { xmlXPathFreeObject(obj); }
};
using XPathObjectPtr = std::unique_ptr<xmlXPathObject, XPathObjectDeleter>;

struct CompExprDeleter {
  void operator()(xmlXPathCompExpr* comp) const { xmlXPathFreeCompExpr(comp); }
};

// Collects libxml2's XPath errors instead of letting them reach stderr.
struct XPathErrors {
  std::string message;
  int offset = -1;  // 0-based position in the expression, when libxml2 gives one

  static void Handle(void* user, xmlError* error) {
    auto* self = static_cast<XPathErrors*>(user);
    if (error == nullptr || !self->message.empty()) return;
    self->message = error->message ? error->message : "invalid XPath";
    while (!self->message.empty() &&
           (self->message.back() == '\n' || self->message.back() == ' ')) {
      self->message.pop_back();
    }
    self->offset = error->int1;
  }
};

// libxml2 reports XPath errors through the thread's structured error handler (printing to
// stderr when none is set); this guard routes them to `errors` for its lifetime. A handler
// set on the XPath context instead would receive the error without its message text.
class GlobalErrorGuard {
 public:
  explicit GlobalErrorGuard(XPathErrors* errors)
      : saved_(xmlStructuredError), saved_ctx_(xmlStructuredErrorContext) {
    xmlSetStructuredErrorFunc(errors, &XPathErrors::Handle);
  }
  ~GlobalErrorGuard() { xmlSetStructuredErrorFunc(saved_ctx_, saved_); }
  GlobalErrorGuard(const GlobalErrorGuard&) = delete;
  GlobalErrorGuard& operator=(const GlobalErrorGuard&) = delete;

 private:
  xmlStructuredErrorFunc saved_;
  void* saved_ctx_;
  // Some evaluation failures ("function foo not found") are printed through the generic
  // handler as well; the structured one already carries them.
  QuietGenericErrors quiet_generic_;
};

// Compiles `expr`; on failure returns null and fills `errors`.
std::shared_ptr<xmlXPathCompExpr> CompileXPath(const std::string& expr, XPathErrors* errors) {
  InitLibxml();
  GlobalErrorGuard guard(errors);
  XPathContextPtr ctx(xmlXPathNewContext(nullptr));
  if (ctx == nullptr) return nullptr;
  xmlXPathCompExpr* comp =
      xmlXPathCtxtCompile(ctx.get(), reinterpret_cast<const xmlChar*>(expr.c_str()));
  if (comp == nullptr) return nullptr;
  return std::shared_ptr<xmlXPathCompExpr>(comp, CompExprDeleter{});
}

// The 1-based column of byte `offset` in `text`, counted in code points.
size_t ColumnAt(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  size_t column = 1;
  for (size_t i = 0; i < offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  return column;
}

// An XPath 1.0 string literal for `value`; XPath has no escapes, so a value holding both
// quote kinds is built with concat().
std::string XPathLiteral(std::string_view value) {
  if (value.find('\'') == std::string_view::npos) return "'" + std::string(value) + "'";
  if (value.find('"') == std::string_view::npos) return "\"" + std::string(value) + "\"";
  std::string out = "concat(";
  size_t start = 0;
  bool first = true;
  while (start < value.size()) {
    size_t quote = value.find('\'', start);
    if (!first) out += ", ";
    first = false;
    if (quote == start) {
      out += "\"'\"";
      start = quote + 1;
    } else {
      size_t end = quote == std::string_view::npos ? value.size() : quote;
      out += "'" + std::string(value.substr(start, end - start)) + "'";
      start = end;
    }
  }
  return out + ")";
}

bool IsNameStartByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

bool IsNameByte(unsigned char c) {
  return IsNameStartByte(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// True when `name` can be written as is in an XPath name test (an NCName).
bool IsNcName(std::string_view name) {
  if (name.empty() || !IsNameStartByte(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsNameByte(static_cast<unsigned char>(c)); });
}

std::string AttributeRef(const std::string& name) {
  if (IsNcName(name)) return "@" + name;
  return "@*[name()=" + XPathLiteral(name) + "]";
}

std::string ElementTest(const std::string& name) {
  if (name == "*" || IsNcName(name)) return name;
  return "*[name()=" + XPathLiteral(name) + "]";
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

constexpr const char* kUpper = "'ABCDEFGHIJKLMNOPQRSTUVWXYZ'";
constexpr const char* kLower = "'abcdefghijklmnopqrstuvwxyz'";

// A compound selector as XPath: the element test and its predicates.
struct Compound {
  std::string element = "*";
  std::vector<std::string> predicates;

  std::string Step() const {
    std::string out = ElementTest(element);
    for (const std::string& p : predicates) out += "[" + p + "]";
    return out;
  }
};

// Recursive-descent CSS parser producing XPath. Every failure records the first error with
// the byte offset where it happened; parse functions then return false up the chain.
class CssCompiler {
 public:
  explicit CssCompiler(std::string_view css) : css_(css) {}

  Result<Selector> Compile() {
    Selector selector;
    selector.source = std::string(css_);
    SkipSpace();
    if (AtEnd()) return FailAt(pos_, "empty selector");
    std::string xpath;
    if (!ParseList(&xpath)) return Failure();
    if (Peek() == '@') {
      ++pos_;
      std::string name;
      if (!ParseIdent(&name, "an attribute name after '@'")) return Failure();
      selector.attribute = AsciiLower(name);
      SkipSpace();
    }
    if (!AtEnd()) return Failure(Unexpected());
    selector.xpath = std::move(xpath);
    return selector;
  }

 private:
  bool AtEnd() const { return pos_ >= css_.size(); }
  char Peek() const { return AtEnd() ? '\0' : css_[pos_]; }

  static bool IsSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
  }
  bool SkipSpace() {
    size_t start = pos_;
    while (!AtEnd() && IsSpace(css_[pos_])) ++pos_;
    return pos_ != start;
  }

  bool Record(size_t offset, std::string what) {
    if (!error_) error_ = "col " + std::to_string(ColumnAt(css_, offset)) + ": " + what;
    return false;
  }
  bool Unexpected() {
    if (AtEnd()) return Record(pos_, "unexpected end of selector");
    size_t len = 1;
    while (pos_ + len < css_.size() &&
           (static_cast<unsigned char>(css_[pos_ + len]) & 0xC0) == 0x80)
      ++len;
    return Record(pos_, "unexpected '" + std::string(css_.substr(pos_, len)) + "'");
  }
  tl::unexpected<Error> Failure(bool = false) {
    return Fail(ErrorCode::kConfig, error_.value_or("col 1: invalid selector"));
  }
  tl::unexpected<Error> FailAt(size_t offset, std::string what) {
    Record(offset, std::move(what));
    return Failure();
  }

  // selector-list := complex ( ',' complex )*
  bool ParseList(std::string* xpath) {
    std::vector<std::string> paths;
    for (;;) {
      std::string path;
      if (!ParseComplex(&path)) return false;
      paths.push_back(std::move(path));
      if (Peek() != ',') break;
      ++pos_;
      SkipSpace();
    }
    for (size_t i = 0; i < paths.size(); ++i) {
      if (i > 0) *xpath += " | ";
      *xpath += paths[i];
    }
    return true;
  }

  // complex := compound ( combinator compound )*
  bool ParseComplex(std::string* path) {
    Compound first;
    if (!ParseCompound(&first)) return false;
    *path = ".//" + first.Step();
    for (;;) {
      bool had_space = SkipSpace();
      char c = Peek();
      std::string axis;
      if (c == '>' || c == '+' || c == '~') {
        ++pos_;
        SkipSpace();
        axis = c == '>'   ? "/"
               : c == '+' ? "/following-sibling::*[1]/self::"
                          : "/following-sibling::";
      } else if (had_space && StartsCompound()) {
        axis = "//";
      } else {
        return true;  // end, ',', ')' or '@': the caller decides
      }
      Compound next;
      if (!ParseCompound(&next)) return false;
      *path += axis + next.Step();
    }
  }

  bool StartsCompound() const {
    char c = Peek();
    return c == '*' || c == '#' || c == '.' || c == '[' || c == ':' || StartsIdent();
  }

  bool StartsIdent() const {
    if (AtEnd()) return false;
    unsigned char c = static_cast<unsigned char>(css_[pos_]);
    if (IsNameStartByte(c) || c == '\\') return true;
    return c == '-' && pos_ + 1 < css_.size() &&
           (IsNameStartByte(static_cast<unsigned char>(css_[pos_ + 1])) || css_[pos_ + 1] == '-');
  }

  // compound := [ type | '*' ] ( '#id' | '.class' | '[attr]' | ':pseudo' )*
  bool ParseCompound(Compound* out) {
    bool any = false;
    if (Peek() == '*') {
      ++pos_;
      any = true;
    } else if (StartsIdent()) {
      std::string name;
      if (!ParseIdent(&name, "an element name")) return false;
      out->element = AsciiLower(name);
      any = true;
    }
    for (;;) {
      char c = Peek();
      bool ok = true;
      if (c == '#') {
        ++pos_;
        std::string id;
        ok = ParseIdent(&id, "an id after '#'");
        if (ok) out->predicates.push_back("@id=" + XPathLiteral(id));
      } else if (c == '.') {
        ++pos_;
        std::string cls;
        ok = ParseIdent(&cls, "a class name after '.'");
        if (ok) out->predicates.push_back(TokenMatch("@class", XPathLiteral(" " + cls + " ")));
      } else if (c == '[') {
        ok = ParseAttribute(out);
      } else if (c == ':') {
        ok = ParsePseudo(out);
      } else {
        break;
      }
      if (!ok) return false;
      any = true;
    }
    if (!any) return Unexpected();
    return true;
  }

  static std::string TokenMatch(const std::string& attr, const std::string& padded_literal) {
    return "contains(concat(' ', normalize-space(" + attr + "), ' '), " + padded_literal + ")";
  }

  // ident with CSS escapes: `\:` is ':', `\31 ` is '1'.
  bool ParseIdent(std::string* out, const char* what) {
    if (!StartsIdent())
      return Record(pos_, AtEnd()
                              ? std::string("expected ") + what
                              : "expected " + std::string(what) + ", found '" + css_[pos_] + "'");
    while (!AtEnd()) {
      unsigned char c = static_cast<unsigned char>(css_[pos_]);
      if (c == '\\') {
        if (!ParseEscape(out)) return false;
      } else if (IsNameByte(c) && c != '.') {
        out->push_back(static_cast<char>(c));
        ++pos_;
      } else {
        break;
      }
    }
    return true;
  }

  bool ParseEscape(std::string* out) {
    size_t start = pos_++;
    if (AtEnd()) return Record(start, "unfinished escape");
    auto hex = [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    };
    if (hex(css_[pos_])) {
      uint32_t cp = 0;
      for (int n = 0; n < 6 && !AtEnd() && hex(css_[pos_]); ++n, ++pos_) {
        cp = cp * 16 + static_cast<uint32_t>(std::stoi(std::string(1, css_[pos_]), nullptr, 16));
      }
      if (!AtEnd() && IsSpace(css_[pos_])) ++pos_;
      AppendUtf8(*out, cp);
      return true;
    }
    if (css_[pos_] == '\n') return Record(start, "unfinished escape");
    // Copy the escaped character whole (it may be multi-byte).
    size_t len = 1;
    while (pos_ + len < css_.size() &&
           (static_cast<unsigned char>(css_[pos_ + len]) & 0xC0) == 0x80)
      ++len;
    out->append(css_.substr(pos_, len));
    pos_ += len;
    return true;
  }

  // '[' name [ op value [i|s] ] ']'
  bool ParseAttribute(Compound* out) {
    ++pos_;
    SkipSpace();
    std::string name;
    if (!ParseIdent(&name, "an attribute name")) return false;
    std::string attr = AttributeRef(AsciiLower(name));
    SkipSpace();
    if (Peek() == ']') {
      ++pos_;
      out->predicates.push_back(attr);
      return true;
    }
    std::string op;
    if (Peek() == '=') {
      op = "=";
      ++pos_;
    } else if (std::strchr("~*^$|", Peek()) != nullptr && Peek() != '\0' &&
               pos_ + 1 < css_.size() && css_[pos_ + 1] == '=') {
      op = std::string(1, css_[pos_]) + "=";
      pos_ += 2;
    } else {
      return Unexpected();
    }
    SkipSpace();
    std::string value;
    if (Peek() == '"' || Peek() == '\'') {
      if (!ParseString(&value)) return false;
    } else if (!ParseIdent(&value, "an attribute value")) {
      return false;
    }
    SkipSpace();
    bool fold_case = false;
    if (Peek() == 'i' || Peek() == 'I' || Peek() == 's' || Peek() == 'S') {
      fold_case = Peek() == 'i' || Peek() == 'I';
      ++pos_;
      SkipSpace();
    }
    if (Peek() != ']') return Unexpected();
    ++pos_;
    if (fold_case) {
      attr = "translate(" + attr + ", " + kUpper + ", " + kLower + ")";
      value = AsciiLower(value);
    }
    out->predicates.push_back(AttributeMatch(attr, op, value));
    return true;
  }

  static std::string AttributeMatch(const std::string& attr, const std::string& op,
                                    const std::string& value) {
    std::string lit = XPathLiteral(value);
    if (op == "=") return attr + "=" + lit;
    if (op == "|=")
      return "(" + attr + "=" + lit + " or starts-with(" + attr + ", " + XPathLiteral(value + "-") +
             "))";
    // Per CSS, the substring operators and ~= never match an empty value, and ~= never
    // matches a value holding white space.
    bool has_space = value.find_first_of(" \t\n\r\f") != std::string::npos;
    if (value.empty() || (op == "~=" && has_space)) return "false()";
    if (op == "~=") return TokenMatch(attr, XPathLiteral(" " + value + " "));
    if (op == "*=") return "contains(" + attr + ", " + lit + ")";
    if (op == "^=") return "starts-with(" + attr + ", " + lit + ")";
    // $=: XPath 1.0 has no ends-with().
    return "substring(" + attr + ", string-length(" + attr + ") - " + std::to_string(value.size()) +
           " + 1) = " + lit;
  }

  bool ParseString(std::string* out) {
    size_t start = pos_;
    char quote = css_[pos_++];
    while (!AtEnd() && css_[pos_] != quote) {
      if (css_[pos_] == '\\') {
        if (pos_ + 1 < css_.size() && css_[pos_ + 1] == '\n') {
          pos_ += 2;  // an escaped newline continues the string
          continue;
        }
        if (!ParseEscape(out)) return false;
      } else if (css_[pos_] == '\n') {
        return Record(pos_, "newline inside a string");
      } else {
        out->push_back(css_[pos_++]);
      }
    }
    if (AtEnd()) return Record(start, "unterminated string");
    ++pos_;
    return true;
  }

  bool ParsePseudo(Compound* out) {
    size_t start = pos_++;
    std::string name;
    if (!ParseIdent(&name, "a pseudo-class name after ':'")) return false;
    name = AsciiLower(name);
    if (name == "first-child") {
      out->predicates.push_back("not(preceding-sibling::*)");
    } else if (name == "last-child") {
      out->predicates.push_back("not(following-sibling::*)");
    } else if (name == "only-child") {
      out->predicates.push_back("not(preceding-sibling::*) and not(following-sibling::*)");
    } else if (name == "nth-child" || name == "not") {
      if (Peek() != '(') return Record(pos_, "expected '(' after ':" + name + "'");
      ++pos_;
      SkipSpace();
      bool ok = name == "not" ? ParseNot(out) : ParseNth(out);
      if (!ok) return false;
      SkipSpace();
      if (Peek() != ')') return Unexpected();
      ++pos_;
    } else {
      return Record(start, "unsupported pseudo-class ':" + name + "'");
    }
    return true;
  }

  bool ParseNot(Compound* out) {
    std::vector<std::string> alternatives;
    for (;;) {
      Compound inner;
      if (!ParseCompound(&inner)) return false;
      alternatives.push_back("self::" + inner.Step());
      SkipSpace();
      if (Peek() != ',') break;
      ++pos_;
      SkipSpace();
    }
    std::string joined;
    for (size_t i = 0; i < alternatives.size(); ++i) {
      if (i > 0) joined += " or ";
      joined += alternatives[i];
    }
    out->predicates.push_back("not(" + joined + ")");
    return true;
  }

  // an+b, odd, even, or an integer.
  bool ParseNth(Compound* out) {
    size_t start = pos_;
    while (!AtEnd() && css_[pos_] != ')' && !IsSpace(css_[pos_])) ++pos_;
    std::string arg = AsciiLower(std::string(css_.substr(start, pos_ - start)));
    // Allow spaces around the sign of b: "2n + 1".
    for (;;) {
      size_t save = pos_;
      SkipSpace();
      if (Peek() == '+' || Peek() == '-' ||
          (!arg.empty() && (arg.back() == '+' || arg.back() == '-') && StartsDigit())) {
        while (!AtEnd() && css_[pos_] != ')' && !IsSpace(css_[pos_])) arg.push_back(css_[pos_++]);
      } else {
        pos_ = save;
        break;
      }
    }
    long a = 0, b = 0;
    if (!ParseAnPlusB(arg, &a, &b)) return Record(start, "invalid :nth-child() argument");
    out->predicates.push_back(NthPredicate(a, b));
    return true;
  }

  bool StartsDigit() const {
    size_t p = pos_;
    while (p < css_.size() && IsSpace(css_[p])) ++p;
    return p < css_.size() && css_[p] >= '0' && css_[p] <= '9';
  }

  static bool ParseInt(std::string_view s, long* out) {
    if (s.empty() || s.size() > 9) return false;
    long v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
  }

  static bool ParseAnPlusB(std::string_view arg, long* a, long* b) {
    if (arg == "odd") return (*a = 2, *b = 1, true);
    if (arg == "even") return (*a = 2, *b = 0, true);
    size_t n = arg.find('n');
    if (n == std::string_view::npos) {
      bool negative = !arg.empty() && arg[0] == '-';
      if (!arg.empty() && (arg[0] == '+' || arg[0] == '-')) arg.remove_prefix(1);
      if (!ParseInt(arg, b)) return false;
      if (negative) *b = -*b;
      *a = 0;
      return true;
    }
    std::string_view coef = arg.substr(0, n), rest = arg.substr(n + 1);
    if (coef.empty() || coef == "+") {
      *a = 1;
    } else if (coef == "-") {
      *a = -1;
    } else {
      bool negative = coef[0] == '-';
      if (coef[0] == '+' || coef[0] == '-') coef.remove_prefix(1);
      if (!ParseInt(coef, a)) return false;
      if (negative) *a = -*a;
    }
    if (rest.empty()) return (*b = 0, true);
    if (rest[0] != '+' && rest[0] != '-') return false;
    bool negative = rest[0] == '-';
    if (!ParseInt(rest.substr(1), b)) return false;
    if (negative) *b = -*b;
    return true;
  }

  static std::string NthPredicate(long a, long b) {
    const std::string pos = "(count(preceding-sibling::*) + 1)";
    if (a == 0) return pos + " = " + std::to_string(b);
    if (a > 0) {
      return pos + " >= " + std::to_string(b) + " and (" + pos + " - " + std::to_string(b) +
             ") mod " + std::to_string(a) + " = 0";
    }
    return pos + " <= " + std::to_string(b) + " and (" + std::to_string(b) + " - " + pos +
           ") mod " + std::to_string(-a) + " = 0";
  }

  std::string_view css_;
  size_t pos_ = 0;
  std::optional<std::string> error_;
};

// Compiling accepts calls to functions that do not exist ("foo()") and undefined variables;
// evaluating once against an empty page reports those when the site file is loaded rather
// than silently matching nothing on every page. Returns the error, or "" when none.
std::string TrialEvaluationError(xmlXPathCompExpr* comp) {
  XmlDocPtr doc(htmlNewDocNoDtD(nullptr, nullptr));
  if (doc == nullptr) return {};
  xmlNode* root = xmlNewDocNode(doc.get(), nullptr, BAD_CAST "html", nullptr);
  xmlDocSetRootElement(doc.get(), root);
  XPathErrors errors;
  GlobalErrorGuard guard(&errors);
  XPathContextPtr ctx(xmlXPathNewContext(doc.get()));
  if (ctx == nullptr) return {};
  ctx->node = root;
  XPathObjectPtr result(xmlXPathCompiledEval(comp, ctx.get()));
  if (result != nullptr) return {};
  return errors.message.empty() ? "evaluation failed" : errors.message;
}

Result<Selector> CompileRawXPath(std::string_view css) {
  Selector selector;
  selector.source = std::string(css);
  std::string_view expr = css.substr(kXPathPrefix.size());
  size_t lead = 0;
  while (lead < expr.size() && (expr[lead] == ' ' || expr[lead] == '\t')) ++lead;
  selector.xpath = std::string(expr.substr(lead));
  if (selector.xpath.empty()) {
    return Fail(ErrorCode::kConfig,
                "col " + std::to_string(ColumnAt(css, css.size())) + ": empty XPath expression");
  }
  XPathErrors errors;
  selector.compiled = CompileXPath(selector.xpath, &errors);
  if (selector.compiled == nullptr) {
    size_t offset = kXPathPrefix.size() + lead + static_cast<size_t>(std::max(errors.offset, 0));
    return Fail(ErrorCode::kConfig, "col " + std::to_string(ColumnAt(css, offset)) +
                                        ": invalid XPath: " +
                                        (errors.message.empty() ? "syntax error" : errors.message));
  }
  std::string trial = TrialEvaluationError(selector.compiled.get());
  if (!trial.empty()) {
    return Fail(ErrorCode::kConfig, "col " + std::to_string(kXPathPrefix.size() + lead + 1) +
                                        ": invalid XPath: " + trial);
  }
  return selector;
}

// Runs the selector's XPath with `context` as the context node (the root when null).
XPathObjectPtr Evaluate(const Document& doc, const Selector& selector, xmlNode* context) {
  XPathErrors errors;
  std::shared_ptr<xmlXPathCompExpr> comp = selector.compiled;
  if (comp == nullptr) comp = CompileXPath(selector.xpath, &errors);
  if (comp == nullptr || doc.doc() == nullptr) return nullptr;
  GlobalErrorGuard guard(&errors);
  XPathContextPtr ctx(xmlXPathNewContext(doc.doc()));
  if (ctx == nullptr) return nullptr;
  ctx->node = context != nullptr ? context : doc.root();
  XPathObjectPtr result(xmlXPathCompiledEval(comp.get(), ctx.get()));
  if (result != nullptr && result->type == XPATH_NODESET && result->nodesetval != nullptr) {
    xmlXPathNodeSetSort(result->nodesetval);
  }
  return result;
}

std::string Trim(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end) {
    size_t n = internal::SpaceLength(text, begin);
    if (n == 0) break;
    begin += n;
  }
  // Trailing spaces are at most 3 bytes each; step back over whole ones.
  for (bool trimmed = true; trimmed && end > begin;) {
    trimmed = false;
    for (size_t n = 1; n <= 3 && n <= end - begin; ++n) {
      if (internal::SpaceLength(text, end - n) == n) {
        end -= n;
        trimmed = true;
        break;
      }
    }
  }
  return std::string(text.substr(begin, end - begin));
}

std::string AttrValue(const xmlNode* attr) {
  xmlChar* value = xmlNodeGetContent(attr);
  std::string out = value ? reinterpret_cast<const char*>(value) : "";
  xmlFree(value);
  return out;
}

}  // namespace

Result<Selector> CompileSelector(std::string_view css) {
  size_t lead = 0;
  while (lead < css.size() && (css[lead] == ' ' || css[lead] == '\t')) ++lead;
  if (css.substr(lead, kXPathPrefix.size()) == kXPathPrefix) {
    auto raw = CompileRawXPath(css.substr(lead));
    if (raw) raw->source = std::string(css);
    return raw;
  }
  auto selector = CssCompiler(css).Compile();
  if (!selector) return selector;
  XPathErrors errors;
  selector->compiled = CompileXPath(selector->xpath, &errors);
  if (selector->compiled == nullptr) {
    // A CSS selector we accepted must compile; failing here is our bug, reported clearly.
    return Fail(ErrorCode::kConfig, "col 1: selector '" + std::string(css) +
                                        "' produced invalid XPath '" + selector->xpath +
                                        "': " + errors.message);
  }
  return selector;
}

std::vector<xmlNode*> Select(const Document& doc, const Selector& selector, xmlNode* context) {
  std::vector<xmlNode*> out;
  XPathObjectPtr result = Evaluate(doc, selector, context);
  if (result == nullptr || result->type != XPATH_NODESET || result->nodesetval == nullptr) {
    return out;
  }
  const xmlNodeSet* set = result->nodesetval;
  std::unordered_set<const xmlNode*> seen;
  for (int i = 0; i < set->nodeNr; ++i) {
    xmlNode* node = set->nodeTab[i];
    // A raw XPath may select attributes: the element carrying one stands for it.
    if (node->type == XML_ATTRIBUTE_NODE) node = node->parent;
    if (node == nullptr || node->type != XML_ELEMENT_NODE) continue;
    if (selector.attribute && !xmlHasProp(node, BAD_CAST selector.attribute->c_str())) continue;
    if (set->nodeNr > 1 && !seen.insert(node).second) continue;
    out.push_back(node);
  }
  return out;
}

std::vector<std::string> SelectValues(const Document& doc, const Selector& selector,
                                      xmlNode* context) {
  std::vector<std::string> values;
  XPathObjectPtr result = Evaluate(doc, selector, context);
  if (result == nullptr) return values;
  auto add = [&values](std::string value) {
    if (!value.empty()) values.push_back(std::move(value));
  };
  if (result->type != XPATH_NODESET) {
    xmlChar* text = xmlXPathCastToString(result.get());
    add(Trim(text ? reinterpret_cast<const char*>(text) : ""));
    xmlFree(text);
    return values;
  }
  const xmlNodeSet* set = result->nodesetval;
  for (int i = 0; set != nullptr && i < set->nodeNr; ++i) {
    xmlNode* node = set->nodeTab[i];
    if (node->type == XML_ATTRIBUTE_NODE) {
      add(Trim(AttrValue(node)));
    } else if (node->type == XML_ELEMENT_NODE && selector.attribute) {
      if (auto value = Attribute(node, selector.attribute->c_str())) add(Trim(*value));
    } else {
      add(ElementText(node));
    }
  }
  return values;
}

std::vector<xmlNode*> Outermost(const std::vector<xmlNode*>& nodes) {
  std::unordered_set<const xmlNode*> set(nodes.begin(), nodes.end());
  std::unordered_set<const xmlNode*> taken;
  std::vector<xmlNode*> out;
  for (xmlNode* n : nodes) {
    bool inside = false;
    for (const xmlNode* p = n->parent; p && !inside; p = p->parent) inside = set.count(p) > 0;
    if (!inside && taken.insert(n).second) out.push_back(n);
  }
  return out;
}

}  // namespace gleaner::html
