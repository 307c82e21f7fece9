// Patterns from site files must understand Arabic and accented French, report errors a
// site author can act on, and never hang the daemon.
#include "extractors/text/regex.h"

#include <catch2/catch.hpp>
#include <string>

namespace gleaner::text {
namespace {

Regex MustCompile(std::string_view pattern, Regex::Options options = {}) {
  auto r = Regex::Compile(pattern, options);
  REQUIRE(r.has_value());
  return *r;
}

TEST_CASE("\\w and \\b understand Arabic letters", "[regex]") {
  Regex word = MustCompile(R"(^\w+$)");
  CHECK(word.Matches("مسؤول"));
  CHECK(word.Matches("été"));
  CHECK_FALSE(word.Matches("a b"));

  Regex first = MustCompile(R"(\b(\w+)\b)");
  auto m = first.Search("« الصحيفة » تقول");
  REQUIRE(m.has_value());
  CHECK((*m)[1] == "الصحيفة");
}

TEST_CASE("case-insensitive matching folds accented capitals", "[regex]") {
  Regex lire = MustCompile("^à lire aussi", {.case_insensitive = true});
  CHECK(lire.Matches("À LIRE AUSSI : le reste"));
  CHECK(lire.Matches("à lire aussi"));
  CHECK_FALSE(lire.Matches("A lire aussi"));  // a different letter, not a case variant

  Regex strict = MustCompile("^à lire aussi");
  CHECK_FALSE(strict.Matches("À lire aussi"));
}

TEST_CASE("captures: whole match, groups, groups that did not take part", "[regex]") {
  Regex r = MustCompile(R"((\d{4})-(\d{2})(?:-(\d{2}))?)");
  auto m = r.Search("le 2022-10 seulement");
  REQUIRE(m.has_value());
  REQUIRE(m->size() == 4);
  CHECK((*m)[0] == "2022-10");
  CHECK((*m)[1] == "2022");
  CHECK((*m)[2] == "10");
  CHECK_FALSE((*m)[3].has_value());
  CHECK_FALSE(r.Search("pas de date").has_value());
}

TEST_CASE("named groups", "[regex]") {
  Regex r = MustCompile(R"((?<day>\d+)\s+(?<month>\w+))");
  CHECK(r.NamedGroup("le 31 octobre", "month") == "octobre");
  CHECK(r.NamedGroup("le 31 octobre", "day") == "31");
  CHECK_FALSE(r.NamedGroup("le 31 octobre", "year").has_value());
  CHECK_FALSE(r.NamedGroup("rien", "day").has_value());
  CHECK(r.pattern() == R"((?<day>\d+)\s+(?<month>\w+))");
}

TEST_CASE("compile errors name the 1-based column", "[regex]") {
  struct Row {
    const char* pattern;
    const char* prefix;
  };
  // PCRE2 reports where it noticed the problem.
  const Row rows[] = {
      {"(abc", "col 5: "},  {"abc)", "col 4: "}, {"a{2,1}", "col 6: "},
      {"[z-a]", "col 4: "}, {"é(", "col 3: "},  // columns count characters, not bytes
  };
  for (const Row& row : rows) {
    INFO(row.pattern);
    auto r = Regex::Compile(row.pattern);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::kConfig);
    CHECK(r.error().message.rfind(row.prefix, 0) == 0);
    CHECK(r.error().message.size() > std::string(row.prefix).size());
  }
  auto paren = Regex::Compile("(abc");
  REQUIRE_FALSE(paren.has_value());
  CHECK(paren.error().message.find("parenthesis") != std::string::npos);
}

TEST_CASE("catastrophic backtracking gives up with no match instead of hanging", "[regex]") {
  Regex r = MustCompile(R"(^(a+)+$)");
  std::string subject(40, 'a');
  subject += '!';
  CHECK_FALSE(r.Matches(subject));
  CHECK_FALSE(r.Search(subject).has_value());
  // Without the match limit this one takes longer than the age of the universe.
  Regex words = MustCompile(R"(^(\w+\s?)*$)");
  CHECK_FALSE(words.Matches(std::string(60, 'a') + "!"));
  CHECK(words.Matches("deux mots"));
}

TEST_CASE("invalid UTF-8 subjects do not crash", "[regex]") {
  Regex r = MustCompile(R"(\w+)");
  std::string bad = "abc\xC3(\xFF";
  CHECK_FALSE(r.Search(bad).has_value());
  CHECK_FALSE(r.Matches(bad));
  CHECK(r.Matches("abc"));
}

TEST_CASE("copies share the compiled pattern and stay usable", "[regex]") {
  Regex copy = MustCompile("a");
  {
    Regex original = MustCompile("lire");
    copy = original;
  }
  CHECK(copy.Matches("à lire"));
}

TEST_CASE("invalid UTF-8 in a pattern is a compile error", "[regex]") {
  auto r = Regex::Compile("ab\xFF");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.rfind("col ", 0) == 0);
}

}  // namespace
}  // namespace gleaner::text
