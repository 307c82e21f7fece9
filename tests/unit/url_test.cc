// Links in records must resolve like a browser resolves them (RFC 3986), and one article
// must get one identity in the store however its URL was written.
#include "extractors/core/url.h"

#include <catch2/catch.hpp>
#include <string>

namespace gleaner {
namespace {

struct Pair {
  const char* in;
  const char* out;
};

TEST_CASE("RFC 3986 5.4 reference resolution examples", "[url]") {
  const char* base = "http://a/b/c/d;p?q";
  const Pair normal[] = {
      {"g:h", "g:h"},
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q#s"},
      {"g#s", "http://a/b/c/g#s"},
      {"g?y#s", "http://a/b/c/g?y#s"},
      {";x", "http://a/b/c/;x"},
      {"g;x", "http://a/b/c/g;x"},
      {"g;x?y#s", "http://a/b/c/g;x?y#s"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../", "http://a/"},
      {"../../g", "http://a/g"},
  };
  const Pair abnormal[] = {
      {"../../../g", "http://a/g"},
      {"../../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {".g", "http://a/b/c/.g"},
      {"g..", "http://a/b/c/g.."},
      {"..g", "http://a/b/c/..g"},
      {"./../g", "http://a/b/g"},
      {"./g/.", "http://a/b/c/g/"},
      {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"},
      {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
      {"g;x=1/../y", "http://a/b/c/y"},
      {"g?y/./x", "http://a/b/c/g?y/./x"},
      {"g?y/../x", "http://a/b/c/g?y/../x"},
      {"g#s/./x", "http://a/b/c/g#s/./x"},
      {"g#s/../x", "http://a/b/c/g#s/../x"},
      {"http:g", "http:g"},  // strict parser
  };
  for (const Pair& row : normal) {
    INFO("normal: " << row.in);
    CHECK(ResolveUrl(base, row.in) == row.out);
  }
  for (const Pair& row : abnormal) {
    INFO("abnormal: " << row.in);
    CHECK(ResolveUrl(base, row.in) == row.out);
  }
}

TEST_CASE("resolution of links as pages write them", "[url]") {
  const Pair rows[] = {
      // a base with no path: the reference gets a leading slash
      {"/fr/article/1", "https://www.maghress.com/fr/article/1"},
      {"article/1", "https://www.maghress.com/article/1"},
      {"  /x \n", "https://www.maghress.com/x"},
      {"/a\n/b", "https://www.maghress.com/a/b"},  // a wrapped href attribute
      {"//cdn.example.org/i.png", "https://cdn.example.org/i.png"},
      {"HTTPS://Other.example/Path", "https://Other.example/Path"},
      {"mailto:redaction@example.com", "mailto:redaction@example.com"},
      {"javascript:void(0)", "javascript:void(0)"},
  };
  for (const Pair& row : rows) {
    INFO(row.in);
    CHECK(ResolveUrl("https://www.maghress.com", row.in) == row.out);
  }
  CHECK(ResolveUrl("https://a.example/x/y.html#top", "#s") == "https://a.example/x/y.html#s");
  CHECK(ResolveUrl("https://a.example/x/y.html#top", "") == "https://a.example/x/y.html");
}

TEST_CASE("with no absolute base the reference stays as written", "[url]") {
  CHECK(ResolveUrl("", " /fr/x ") == "/fr/x");
  CHECK(ResolveUrl("/relative/base", "../x") == "../x");
  CHECK(ResolveUrl("", "https://a.example/./b") == "https://a.example/./b");
}

TEST_CASE("ParseUrl splits absolute URLs and refuses relative ones", "[url]") {
  auto p = ParseUrl("  HTTPS://user:pw@Example.COM:8443/a/b?x=1&y#frag  ");
  REQUIRE(p.has_value());
  CHECK(p->scheme == "https");
  CHECK(p->userinfo == "user:pw");
  CHECK(p->host == "Example.COM");
  CHECK(p->port == "8443");
  CHECK(p->path == "/a/b");
  CHECK(p->query == "x=1&y");
  CHECK(p->fragment == "frag");
  CHECK(p->has_authority);

  auto v6 = ParseUrl("http://[2001:db8::1]:8080/x");
  REQUIRE(v6.has_value());
  CHECK(v6->host == "[2001:db8::1]");
  CHECK(v6->port == "8080");

  auto mail = ParseUrl("mailto:a@example.com");
  REQUIRE(mail.has_value());
  CHECK_FALSE(mail->has_authority);
  CHECK(mail->path == "a@example.com");
  CHECK(FormatUrl(*mail) == "mailto:a@example.com");

  auto bare = ParseUrl("http://example.com");
  REQUIRE(bare.has_value());
  CHECK(bare->path.empty());
  CHECK_FALSE(bare->query.has_value());
  CHECK_FALSE(bare->port.has_value());

  CHECK_FALSE(ParseUrl("/fr/article").has_value());
  CHECK_FALSE(ParseUrl("//example.com/x").has_value());
  CHECK_FALSE(ParseUrl("").has_value());
  CHECK_FALSE(ParseUrl("http://example.com:80a/").has_value());
  CHECK_FALSE(ParseUrl("http://[::1/").has_value());
}

TEST_CASE("FormatUrl writes back what ParseUrl read", "[url]") {
  const char* urls[] = {
      "https://user@example.com:8443/a/b?x=1#f",
      "http://[::1]:8080/",
      "https://example.com",
      "https://example.com/?",
      "https://example.com/#",
      "file:///etc/hosts",
  };
  for (const char* url : urls) {
    INFO(url);
    auto p = ParseUrl(url);
    REQUIRE(p.has_value());
    CHECK(FormatUrl(*p) == url);
  }
}

TEST_CASE("NormalizeUrl canonical forms", "[url]") {
  const Pair rows[] = {
      {"HTTP://Example.COM:80/a/./b/../c", "http://example.com/a/c"},
      {"https://example.com:443/x", "https://example.com/x"},
      {"https://example.com:8443/x", "https://example.com:8443/x"},
      {"http://example.com:443/x", "http://example.com:443/x"},
      {"https://example.com:/x", "https://example.com/x"},
      {"https://example.com:0443/x", "https://example.com/x"},
      {"https://example.com", "https://example.com/"},
      {"https://example.com?id=3", "https://example.com/?id=3"},
      {"https://example.com/a#comments", "https://example.com/a"},
      {"https://example.com/a?", "https://example.com/a"},
      {"https://example.com/%7euser/%2fx%2F", "https://example.com/~user/%2Fx%2F"},
      {"https://example.com/%41%2D%5f", "https://example.com/A-_"},
      {"https://example.com/a%2e%2E/b/%2E%2E/c", "https://example.com/a../c"},
      {"https://example.com/100%", "https://example.com/100%25"},
      {"https://example.com/a b", "https://example.com/a%20b"},
      {"https://example.com/été", "https://example.com/%C3%A9t%C3%A9"},
      {"https://example.com/x?utm_source=fb&id=7&utm_medium=social&page=2",
       "https://example.com/x?id=7&page=2"},
      {"https://example.com/x?fbclid=abc", "https://example.com/x"},
      {"https://example.com/x?gclid=1&b=2&a=1&mc_cid=3&mc_eid=4", "https://example.com/x?b=2&a=1"},
      {"https://example.com/x?UTM_Campaign=z&q=%7e", "https://example.com/x?q=~"},
      {"https://example.com/x?utm%5Fsource=z&q=1", "https://example.com/x?q=1"},
      {"https://example.com/x?a=1&&b=2&", "https://example.com/x?a=1&b=2"},
      {"https://example.com/x?q=a+b&r", "https://example.com/x?q=a+b&r"},
      {"https://example.com/x?tag=utm_source", "https://example.com/x?tag=utm_source"},
      {"https://WWW.Maghress.com/FR/Article", "https://www.maghress.com/FR/Article"},
      {"http://[2001:DB8::1]:8080/x", "http://[2001:db8::1]:8080/x"},
      {"https://müller.example/x", "https://müller.example/x"},
      {"https://User@Example.com/x", "https://User@example.com/x"},
      {"  https://example.com/x  ", "https://example.com/x"},
      {"https://example.com/../../x", "https://example.com/x"},
      {"https://example.com//a//b", "https://example.com//a//b"},
  };
  for (const Pair& row : rows) {
    INFO(row.in);
    auto once = NormalizeUrl(row.in);
    REQUIRE(once.has_value());
    CHECK(*once == row.out);
    auto twice = NormalizeUrl(*once);
    REQUIRE(twice.has_value());
    CHECK(*twice == *once);
  }
}

TEST_CASE("NormalizeUrl refuses what is not an absolute http(s) URL", "[url]") {
  const char* rows[] = {
      "/fr/article",
      "//example.com/x",
      "ftp://example.com/x",
      "mailto:a@example.com",
      "http:///x",
      "https://example.com:99999/",
      "https://example.com:8x/",
      "",
      "http:g",
  };
  for (const char* row : rows) {
    INFO(row);
    CHECK_FALSE(NormalizeUrl(row).has_value());
  }
}

TEST_CASE("NormalizeUrl is idempotent over the RFC resolution results", "[url]") {
  const char* refs[] = {"g",  "./g/.", "../../../g", "g;x=1/../y",        "g?y/./x",
                        "?y", "#s",    "//g",        "g?utm_source=x&y=1"};
  for (const char* ref : refs) {
    INFO(ref);
    auto once = NormalizeUrl(ResolveUrl("http://a/b/c/d;p?q", ref));
    REQUIRE(once.has_value());
    CHECK(NormalizeUrl(*once) == once);
  }
}

TEST_CASE("URLs longer than kMaxUrlBytes are refused", "[url]") {
  const std::string origin = "https://a.example/";
  const std::string longest = origin + std::string(kMaxUrlBytes - origin.size(), 'x');
  const std::string too_long = longest + "x";
  CHECK(ParseUrl(longest).has_value());
  CHECK(NormalizeUrl(longest) == longest);
  CHECK_FALSE(ParseUrl(too_long).has_value());
  CHECK_FALSE(NormalizeUrl(too_long).has_value());
  // Resolution does not cap: the caller sees (and counts) what it drops.
  CHECK(ResolveUrl(origin, too_long.substr(origin.size())) == too_long);
  CHECK_FALSE(NormalizeUrl(ResolveUrl(origin, too_long.substr(origin.size()))).has_value());
  // Normalisation may not lengthen a URL past the cap either ("HTTPS://A.EXAMPLE" with an
  // empty path gains a "/"): the cap holds for the stored form.
  const std::string no_path = "https://a.example?" + std::string(kMaxUrlBytes - 18, 'q');
  REQUIRE(no_path.size() == kMaxUrlBytes);
  CHECK(ParseUrl(no_path).has_value());
  CHECK_FALSE(NormalizeUrl(no_path).has_value());
}

}  // namespace
}  // namespace gleaner
