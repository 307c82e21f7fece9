// Command-line parsing (daemon/args.h): long options as before, and the one-letter aliases
// a command declares (`gleaner export -o FILE`).
#include "daemon/args.h"

#include <catch2/catch.hpp>

#include "daemon/commands.h"

namespace gleaner::cli {
namespace {

ArgSpec ExportLikeSpec() {
  ArgSpec spec;
  spec.value_options = {"output", "format"};
  spec.flag_options = {"pretty"};
  spec.short_aliases = {{'o', "output"}, {'p', "pretty"}};
  return spec;
}

TEST_CASE("a declared short alias stands for its long option", "[cli][args]") {
  for (const std::vector<std::string>& argv : {std::vector<std::string>{"-o", "out.warc.gz"},
                                               {"-oout.warc.gz"},
                                               {"--output", "out.warc.gz"},
                                               {"--output=out.warc.gz"}}) {
    INFO(argv[0]);
    auto args = ParseArgs(argv, ExportLikeSpec());
    REQUIRE(args);
    CHECK(args->Value("output") == "out.warc.gz");
    CHECK(args->positional.empty());
  }
  auto flag = ParseArgs({"-p", "x"}, ExportLikeSpec());
  REQUIRE(flag);
  CHECK(flag->Has("pretty"));
  CHECK(flag->positional == std::vector<std::string>{"x"});
}

TEST_CASE("short options without a declared alias are usage errors", "[cli][args]") {
  auto unknown = ParseArgs({"-x"}, ExportLikeSpec());
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::kUsage);
  CHECK(unknown.error().message == "unknown option '-x'");
  // Without aliases, as before: every short option is unknown.
  CHECK_FALSE(ParseArgs({"-o", "f"}, ArgSpec{{"output"}, {}, {}, {}}));
}

TEST_CASE("an alias obeys its long option's rules", "[cli][args]") {
  auto missing = ParseArgs({"-o"}, ExportLikeSpec());
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message == "option '-o' needs a value");
  auto twice = ParseArgs({"-o", "a", "--output", "b"}, ExportLikeSpec());
  REQUIRE_FALSE(twice);
  CHECK(twice.error().message == "option '--output' given twice");
  auto valued_flag = ParseArgs({"-pyes"}, ExportLikeSpec());
  REQUIRE_FALSE(valued_flag);
  CHECK(valued_flag.error().message == "option '-p' takes no value");
}

TEST_CASE("'-' and arguments after '--' stay positional", "[cli][args]") {
  auto args = ParseArgs({"-", "--", "-o", "--output"}, ExportLikeSpec());
  REQUIRE(args);
  CHECK(args->positional == std::vector<std::string>{"-", "-o", "--output"});
  CHECK_FALSE(args->Has("output"));
}

TEST_CASE("export declares -o as its --output and says so in its help", "[cli][args]") {
  const Command& export_command = ExportCommand();
  bool found = false;
  for (const Flag& flag : export_command.flags) {
    if (flag.name != "output") continue;
    found = true;
    CHECK(flag.short_name == 'o');
  }
  CHECK(found);
  CHECK(std::string(export_command.help).find("-o FILE") != std::string::npos);
}

}  // namespace
}  // namespace gleaner::cli
