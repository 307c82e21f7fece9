// The generic extractor on small hand-written pages, one scoring signal at a time: what a
// reader calls the article ends up in `body`, and tickers, "read also" lines, related
// lists, comment forms, hidden dialogs, share bars, cookie banners, captions and layout
// furniture do not.
#include <catch2/catch.hpp>
#include <string>

#include "extractors/pipeline.h"

namespace gleaner {
namespace {

// Three paragraphs of ordinary news prose: enough text, commas and sentence ends for the
// scoring to recognise an article.
const std::string kProse =
    "<p>The ministry announced on Monday, after weeks of talks with the regional councils, "
    "that the new water network will reach forty villages before the end of the year.</p>"
    "<p>Engineers said the pipes, pumps and reservoirs had been tested in the spring, and "
    "that the first villages, in the north of the province, would be connected in June.</p>"
    "<p>Residents, who have relied on wells and tanker trucks for decades, welcomed the "
    "news, although several farmers said the tariffs were still too high for them.</p>";

const std::string kProseFr =
    "<p>Le ministère a annoncé lundi, après des semaines de discussions avec les conseils "
    "régionaux, que le nouveau réseau d'eau atteindra quarante villages avant la fin de "
    "l'année.</p><p>Les ingénieurs ont indiqué que les conduites, les pompes et les "
    "réservoirs avaient été testés au printemps, et que les premiers villages seraient "
    "raccordés en juin.</p><p>Les habitants, qui dépendent depuis des décennies des puits "
    "et des camions-citernes, ont salué la nouvelle, même si plusieurs agriculteurs ont jugé "
    "les tarifs trop élevés.</p>";

const std::string kProseAr =
    "<p>أعلنت الوزارة يوم الاثنين، بعد أسابيع من المشاورات مع المجالس الجهوية، أن شبكة الماء "
    "الجديدة ستصل إلى أربعين قرية قبل نهاية السنة الجارية.</p><p>وقال المهندسون إن الأنابيب "
    "والمضخات والخزانات جربت خلال فصل الربيع، وإن القرى الأولى في شمال الإقليم ستربط بالشبكة "
    "في شهر يونيو.</p><p>ورحب السكان، الذين اعتمدوا لعقود على الآبار وشاحنات الصهاريج، "
    "بهذا الخبر، رغم أن عددا من الفلاحين اعتبروا أن الأسعار ما تزال مرتفعة.</p>";

std::string Page(const std::string& body, const std::string& head = "",
                 const std::string& html_attributes = " lang=\"en\"") {
  return "<!DOCTYPE html><html" + html_attributes + "><head><meta charset=\"utf-8\">" + head +
         "</head><body>" + body + "</body></html>";
}

Article Extract(const std::string& html, const std::string& url = "https://news.example/a/1") {
  PageInput page{html, url, std::string("text/html; charset=utf-8")};
  ExtractOptions options;
  options.generic_only = true;
  auto article = ExtractPage(page, nullptr, options);
  INFO((article ? std::string() : article.error().message));
  REQUIRE(article.has_value());
  REQUIRE(article->body.has_value());
  return *article;
}

bool BodyHas(const Article& a, const std::string& text) {
  return a.body->find(text) != std::string::npos;
}

TEST_CASE("the article's paragraphs make the body, one blank line apart", "[generic]") {
  Article a =
      Extract(Page("<div class=\"content\"><h1>Water for forty villages</h1>" + kProse + "</div>"));
  CHECK(a.extractor == "generic");
  CHECK(a.site == std::nullopt);
  CHECK(a.body->rfind("The ministry announced on Monday", 0) == 0);
  CHECK(BodyHas(a, "for decades, welcomed the news,"));
  CHECK(BodyHas(a, "end of the year.\n\nEngineers said"));
  CHECK_FALSE(BodyHas(a, "Water for forty villages"));  // the headline is the title
}

TEST_CASE("a marquee of headlines goes to ticker, in page order, not to the body", "[generic]") {
  std::string marquee = "<div class=\"row\"><marquee>";
  for (int i = 1; i <= 8; ++i) {
    marquee += "<a href=\"/news/" + std::to_string(i) + "\">Headline number " + std::to_string(i) +
               " about the regional elections</a>&nbsp;&nbsp;&nbsp;";
  }
  marquee += "</marquee></div>";
  Article a = Extract(Page(marquee + "<div class=\"article\">" + kProse + "</div>"));
  REQUIRE(a.ticker.size() == 8);
  CHECK(a.ticker.front() ==
        Link{"Headline number 1 about the regional elections", "https://news.example/news/1"});
  CHECK(a.ticker.back().url == "https://news.example/news/8");
  CHECK_FALSE(BodyHas(a, "Headline number"));
}

TEST_CASE("a row of links separated by no-break spaces is a ticker whatever its markup",
          "[generic]") {
  std::string row = "<div id=\"top\">";
  for (int i = 1; i <= 6; ++i) {
    row += "<a href=\"https://other.example/s/" + std::to_string(i) +
           "\">Short story headline from a partner site " + std::to_string(i) + "</a>&nbsp;|&nbsp;";
  }
  row += "</div>";
  Article a = Extract(Page(row + "<article>" + kProse + "</article>"));
  CHECK(a.ticker.size() == 6);
  CHECK_FALSE(BodyHas(a, "partner site"));
}

TEST_CASE("a breaking-news list is a ticker, a menu of single words is not", "[generic]") {
  std::string breaking = "<ul class=\"breaking-news\">";
  for (int i = 1; i <= 5; ++i) {
    breaking += "<li><a href=\"/b/" + std::to_string(i) +
                "\">Breaking: storm closes the coastal road near town " + std::to_string(i) +
                "</a></li>";
  }
  breaking += "</ul>";
  std::string menu =
      "<div class=\"menu-row\"><a href=\"/\">Home</a> <a href=\"/p\">Politics</a> "
      "<a href=\"/e\">Economy</a> <a href=\"/s\">Sport</a> <a href=\"/c\">Culture</a></div>";
  Article a = Extract(Page(menu + breaking + "<div class=\"post\">" + kProse + "</div>"));
  CHECK(a.ticker.size() == 5);
  CHECK_FALSE(BodyHas(a, "Breaking: storm"));
  CHECK_FALSE(BodyHas(a, "Politics"));
}

TEST_CASE("'read also' lines go to related with absolute links, in three languages", "[generic]") {
  SECTION("French, inside the text, between <br>") {
    Article a = Extract(Page(
        "<div class=\"article\"><p><span>" + kProseFr.substr(3, 200) +
            "<br><strong>Lire aussi : <a href=\"/fr/autre/42\">Un autre article du "
            "jour</a></strong><br>"
            "Et d'ajouter que les travaux, financés par l'État, commenceront dès le mois prochain, "
            "selon le ministère.</span></p>" +
            kProseFr + "</div>",
        "", " lang=\"fr\""));
    REQUIRE(a.related.size() == 1);
    CHECK(a.related[0] == Link{"Un autre article du jour", "https://news.example/fr/autre/42"});
    CHECK_FALSE(BodyHas(a, "Lire aussi"));
    CHECK(BodyHas(a, "Et d'ajouter que les travaux"));
  }
  SECTION("Arabic") {
    Article a =
        Extract(Page("<div class=\"entry-content\">" + kProseAr +
                         "<p><strong>اقرأ أيضا:</strong> <a href=\"https://ar.example/?p=7\">"
                         "خبر آخر عن الماء</a></p>" +
                         kProseAr + "</div>",
                     "", " dir=\"rtl\""));
    REQUIRE(a.related.size() == 1);
    CHECK(a.related[0] == Link{"خبر آخر عن الماء", "https://ar.example/?p=7"});
    CHECK_FALSE(BodyHas(a, "اقرأ أيضا"));
  }
  SECTION("English") {
    Article a = Extract(Page("<article>" + kProse +
                             "<p>Read more: <a href=\"../b/2\">Drought hits the south</a></p>" +
                             kProse + "</article>"));
    REQUIRE(a.related.size() == 1);
    CHECK(a.related[0].url == "https://news.example/b/2");
    CHECK_FALSE(BodyHas(a, "Drought hits"));
  }
}

TEST_CASE("related-post lists, share bars and comment forms stay out of the body", "[generic]") {
  std::string related = "<div id=\"related-posts\"><h3>Articles similaires</h3><ul>";
  for (int i = 1; i <= 4; ++i) {
    related += "<li><a href=\"/r/" + std::to_string(i) + "\">Another story about water number " +
               std::to_string(i) + "</a></li>";
  }
  related += "</ul></div>";
  std::string share =
      "<div class=\"share-buttons\"><span>Share this article</span> <a href=\"#\">Facebook</a> "
      "<a href=\"#\">Twitter</a></div>";
  std::string comments =
      "<div id=\"comments\" class=\"comments-area\"><h3>Leave a comment</h3>"
      "<form id=\"commentform\"><p>Your email address will not be published.</p>"
      "<textarea name=\"comment\"></textarea><input type=\"submit\" value=\"Post\"></form></div>";
  Article a = Extract(Page("<article><div class=\"entry-content\">" + kProse + "</div>" + share +
                           "</article>" + related + comments));
  CHECK(BodyHas(a, "The ministry announced"));
  CHECK_FALSE(BodyHas(a, "Articles similaires"));
  CHECK_FALSE(BodyHas(a, "Another story"));
  CHECK_FALSE(BodyHas(a, "Share this article"));
  CHECK_FALSE(BodyHas(a, "Leave a comment"));
  CHECK_FALSE(BodyHas(a, "will not be published"));
}

TEST_CASE("hidden dialogs and cookie banners never reach the body", "[generic]") {
  std::string dialog =
      "<div class=\"modal fade\" id=\"reportModal\" role=\"dialog\" aria-hidden=\"true\">"
      "<p>Thank you for reporting this image, it will be blocked after several reports.</p></div>";
  std::string styled =
      "<div style=\"display: none\"><p>Subscribe now, only one dollar a week, "
      "cancel anytime, no questions asked.</p></div>";
  std::string cookies =
      "<div id=\"cookie-notice\"><p>We use cookies to improve your experience, analyse "
      "traffic and personalise ads. By continuing you agree to our policy.</p></div>";
  Article a =
      Extract(Page(dialog + cookies + "<div class=\"story\">" + kProse + styled + "</div>"));
  CHECK(BodyHas(a, "Engineers said"));
  CHECK_FALSE(BodyHas(a, "Thank you for reporting"));
  CHECK_FALSE(BodyHas(a, "Subscribe now"));
  CHECK_FALSE(BodyHas(a, "We use cookies"));
}

TEST_CASE("nested layout tables: the cell with the prose wins over the link column", "[generic]") {
  std::string links;
  for (int i = 1; i <= 10; ++i) {
    links +=
        "<a href=\"/l/" + std::to_string(i) + "\">Section link " + std::to_string(i) + "</a><br>";
  }
  Article a = Extract(Page("<table><tr><td>" + links + "</td><td><table><tr><td><font size=\"2\">" +
                               kProse + "</font></td></tr></table></td></tr></table>",
                           "", ""));
  CHECK(a.body->rfind("The ministry announced", 0) == 0);
  CHECK_FALSE(BodyHas(a, "Section link"));
}

TEST_CASE("captions and 'read at the source' links are not body text", "[generic]") {
  Article a = Extract(Page(
      "<div class=\"article-body\">" + kProse +
      "<figure><img src=\"a.jpg\"><figcaption>Villagers queue at a tanker truck. Photo: "
      "Agency</figcaption></figure><p class=\"wp-caption-text\">Credit: Agency photographer</p>"
      "<p><a class=\"source\" href=\"https://origin.example/story\">Click here to read the "
      "article at its source.</a></p></div>"));
  CHECK_FALSE(BodyHas(a, "Villagers queue"));
  CHECK_FALSE(BodyHas(a, "Agency photographer"));
  CHECK_FALSE(BodyHas(a, "Click here"));
}

TEST_CASE("the title is the headline, not the <title> with the site name", "[generic]") {
  SECTION("h1 agreeing with og:title") {
    Article a =
        Extract(Page("<h1>Water for forty villages</h1><div class=\"post\">" + kProse + "</div>",
                     "<title>Water for forty villages : Maghress</title><meta "
                     "property=\"og:title\" content=\"Water for forty villages\">"));
    CHECK(a.title == "Water for forty villages");
  }
  SECTION("<title> only, site name after a separator") {
    Article a = Extract(Page("<div class=\"post\">" + kProse + "</div>",
                             "<title>Water for forty villages - The Daily Example</title>"));
    CHECK(a.title == "Water for forty villages");
  }
  SECTION("the logo's <h1> does not win over og:title") {
    Article a = Extract(Page("<h1>Example News</h1><div class=\"post\">" + kProse + "</div>",
                             "<meta property=\"og:title\" content=\"Water for forty villages\">"));
    CHECK(a.title == "Water for forty villages");
  }
}

TEST_CASE("language: declared, else Arabic script, date and author from the page", "[generic]") {
  Article ar =
      Extract(Page("<h1>شبكة الماء تصل إلى أربعين قرية</h1><div class=\"entry-meta\">"
                   "الإثنين 31 أكتوبر 2022</div><div class=\"entry-content\">" +
                       kProseAr + "</div>",
                   "", ""));
  CHECK(ar.language == "ar");
  CHECK(ar.published == "2022-10-31");
  Article fr =
      Extract(Page("<div class=\"article\">" + kProseFr + "</div>",
                   "<meta name=\"author\" content=\"Rédaction\"><meta "
                   "property=\"article:published_time\" content=\"2017-09-20T21:41:00+00:00\">",
                   " lang=\"fr-FR\""));
  CHECK(fr.language == "fr");
  CHECK(fr.author == "Rédaction");
  CHECK(fr.published == "2017-09-20T21:41:00+00:00");
}

TEST_CASE("a page whose only text is in a box named like a sidebar still gives its text",
          "[generic]") {
  Article a = Extract(Page("<div class=\"sidebar-wrapper\">" + kProse + "</div>"));
  CHECK(BodyHas(a, "The ministry announced"));
}

// ---- Pages that are not one run of prose -------------------------------------------------

// A service page: a short introduction, then sections of headings and short lists, none of
// which wins the scoring alone.
std::string ServiceSections() {
  std::string out =
      "<div class=\"intro\"><p>Our clinic offers music lessons for children and adults, with "
      "qualified teachers, flexible hours, and lessons at home or in our studios.</p></div>";
  const char* headings[] = {"Piano lessons", "Guitar lessons", "Singing lessons"};
  for (const char* heading : headings) {
    out += std::string("<section class=\"offer\"><h2>") + heading + "</h2><ul>";
    for (int i = 1; i <= 5; ++i) {
      out += "<li>Level " + std::to_string(i) + " course for " + heading +
             " students, forty minutes</li>";
    }
    out += "</ul></section>";
  }
  return out;
}

TEST_CASE("a page of sections under <main> gives all of them, not only its introduction",
          "[generic]") {
  Article a = Extract(Page("<nav><a href=\"/\">Home</a> <a href=\"/about\">About</a></nav><main>" +
                           ServiceSections() + "</main><footer>Copyright 2024 Clinic</footer>"));
  CHECK(BodyHas(a, "Our clinic offers music lessons"));
  CHECK(BodyHas(a, "Level 3 course for Guitar lessons students"));
  CHECK(BodyHas(a, "Singing lessons"));
  CHECK_FALSE(BodyHas(a, "Copyright 2024"));
}

TEST_CASE(
    "without <main>, sections that dwarf the chosen block join when the page is not "
    "mostly links",
    "[generic]") {
  Article a = Extract(Page("<div class=\"page\">" + ServiceSections() + "</div>"));
  CHECK(BodyHas(a, "Level 5 course for Piano lessons students"));
}

TEST_CASE("an article under <main> keeps its body: a short box beside it does not widen it",
          "[generic]") {
  Article a = Extract(Page("<main><article>" + kProse +
                           "</article><div class=\"box\"><p>Prices from 10 euros.</p></div>"
                           "</main>"));
  CHECK(BodyHas(a, "The ministry announced"));
  CHECK_FALSE(BodyHas(a, "Prices from 10 euros"));
}

TEST_CASE("a listing under <main> keeps its entries' linked titles", "[generic]") {
  std::string entries =
      "<p>Every program of the school, with its length and its next start date, in one "
      "list.</p><ul class=\"programs\">";
  for (int i = 1; i <= 8; ++i) {
    entries += "<li class=\"card\"><h3><a href=\"/p/" + std::to_string(i) +
               "\">Certificate program number " + std::to_string(i) +
               "</a></h3><p>Twelve weeks, evenings, next start in spring.</p></li>";
  }
  entries += "</ul>";
  Article a = Extract(Page("<main>" + entries + "</main>"));
  INFO(*a.body);
  CHECK(BodyHas(a, "Certificate program number 1"));
  CHECK(BodyHas(a, "Certificate program number 8"));
  CHECK(BodyHas(a, "next start in spring"));
}

// A question and its replies under the page's main landmark, the replies in blocks named
// like comments and, together, longer than the question, as in a thread.
std::string Thread() {
  std::string replies;
  const char* texts[] = {
      "Plan it yourself: the trains, the hotels and the museums are easy to book, and a pass "
      "saves a lot of money if you travel between the big cities more than twice.",
      "We took a tour the first time, and it was worth it, because the guide spoke the "
      "language, knew the restaurants, and took care of the luggage between the hotels.",
      "Book the first nights near the station, then decide day by day where to go next: the "
      "trains leave every hour, and the seats are rarely sold out outside the holidays.",
      "Two weeks is enough for the main cities, but add a few days in the mountains, where "
      "the inns serve dinner in the room and the hot springs are open all night."};
  for (const char* text : texts) {
    replies += std::string("<article class=\"reply\"><div class=\"content\"><p>") + text +
               "</p></div></article>";
  }
  std::string question = kProse.substr(0, kProse.rfind("<p>"));  // two paragraphs
  return "<main><article class=\"topic\"><div class=\"content\">" + question +
         "</div></article><section id=\"replies\">" + replies + "</section></main>";
}

TEST_CASE("a page declared a discussion keeps its replies, an article drops its comments",
          "[generic]") {
  Article thread =
      Extract(Page(Thread(),
                   "<script type=\"application/ld+json\">{\"@type\": \"DiscussionForumPosting\"}"
                   "</script>"));
  INFO(*thread.body);
  CHECK(BodyHas(thread, "The ministry announced"));
  CHECK(BodyHas(thread, "Plan it yourself"));
  CHECK(BodyHas(thread, "We took a tour"));
  CHECK(thread.warnings.empty());
  Article microdata =
      Extract(Page("<div itemscope itemtype=\"https://schema.org/QAPage\">" + Thread() + "</div>"));
  CHECK(BodyHas(microdata, "Plan it yourself"));
  Article article = Extract(Page(Thread()));
  INFO(*article.body);
  CHECK_FALSE(BodyHas(article, "Plan it yourself"));
}

TEST_CASE("a run of posts of one class is the body, not the first post alone", "[generic]") {
  std::string posts;
  const char* texts[] = {
      "I have been getting errors regularly since the update, and the logs say nothing useful "
      "about it, so I wonder whether anyone else has seen the same thing.",
      "Same here: the update broke the service on two of my machines, and rolling back to the "
      "previous version fixed it, at least for now.",
      "It is a known problem with the new configuration format; renaming the old file and "
      "starting again made it work on mine, without losing any data.",
      "Thank you, renaming the file worked for me too, and the service has been running for "
      "two days now without a single error in the logs."};
  for (const char* text : texts) {
    posts += std::string(
                 "<div class=\"post\"><div class=\"author\">user</div><div "
                 "class=\"message\">") +
             text + "</div></div>";
  }
  Article a = Extract(Page("<div class=\"thread\">" + posts + "</div>"));
  CHECK(BodyHas(a, "I have been getting errors"));
  CHECK(BodyHas(a, "Same here"));
  CHECK(BodyHas(a, "renaming the file worked for me too"));
}

TEST_CASE("a page that holds its content in <noscript> gives that content", "[generic]") {
  Article a = Extract(Page("<div id=\"app\">Loading...</div><noscript><div class=\"post\">" +
                           kProse + "</div></noscript>"));
  CHECK(BodyHas(a, "The ministry announced"));
}

TEST_CASE("a <noscript> smaller than the page stays out of the body", "[generic]") {
  Article a = Extract(Page("<div class=\"post\">" + kProse +
                           "</div><noscript><p>Please enable JavaScript to see the comments, "
                           "the map and the videos of this page.</p></noscript>"));
  CHECK(BodyHas(a, "The ministry announced"));
  CHECK_FALSE(BodyHas(a, "enable JavaScript"));
}

TEST_CASE("a body wrapped in a <form> is read", "[generic]") {
  Article a = Extract(Page("<form action=\"/post\"><div class=\"post\"><div>" + kProse +
                           "</div><div><p>More prose follows here, and it is part of the post, "
                           "which the form only wraps.</p></div></div></form>"));
  CHECK(BodyHas(a, "The ministry announced"));
}

TEST_CASE("content streamed in hidden chunks is read, a hidden dialog is not", "[generic]") {
  Article streamed =
      Extract(Page("<div id=\"shell\"><p>Loading</p></div><div hidden id=\"S:0\"><main><article>" +
                   kProse + "</article></main></div>"));
  CHECK(BodyHas(streamed, "The ministry announced"));
  Article dialog = Extract(Page("<article>" + kProse +
                                "</article><div hidden><p>Report this image: tell us what is "
                                "wrong with it.</p></div>"));
  CHECK_FALSE(BodyHas(dialog, "Report this image"));
}

TEST_CASE("a page with no text at all is 'no article'", "[generic]") {
  const std::string html = Page("<div><img src=\"x.png\"></div>");
  PageInput page{html, std::string("https://news.example/"), std::nullopt};
  ExtractOptions options;
  options.generic_only = true;
  auto article = ExtractPage(page, nullptr, options);
  INFO((article ? ArticleToJson(*article) : std::string()));
  REQUIRE_FALSE(article.has_value());
  CHECK(article.error().code == ErrorCode::kNoArticle);
}

}  // namespace
}  // namespace gleaner
