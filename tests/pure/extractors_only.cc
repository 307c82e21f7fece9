// Links against gleaner_extractors alone, with no curl, SQLite or daemon code: if the
// extraction library ever reached for the network, the database or the CLI, this program
// would fail to link, and the extractors would no longer be the pure library the daemon,
// the fuzzers and other tools build on. Run, it extracts a small page and prints the record
// (the test checks it found the title and the body).
#include <cstdio>
#include <string>

#include "extractors/pipeline.h"

int main() {
  const std::string page =
      "<html lang=fr><head><title>Un titre</title></head><body><article><h1>Un titre</h1>"
      "<p>Le premier paragraphe de l'article, assez long pour passer pour du texte.</p>"
      "<p>Le second paragraphe, qui dit autre chose et compte lui aussi quelques mots.</p>"
      "</article></body></html>";
  gleaner::PageInput input{page, std::string("https://news.example/a/1"), std::nullopt};
  auto article = gleaner::ExtractPage(input, nullptr, gleaner::ExtractOptions{});
  if (!article) {
    std::fprintf(stderr, "extractors_only: %s\n", article.error().message.c_str());
    return 1;
  }
  std::printf("%s\n", gleaner::ArticleToJson(*article).c_str());
  return 0;
}
