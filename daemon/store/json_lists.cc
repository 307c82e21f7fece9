#include "daemon/store/json_lists.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "extractors/core/utf8.h"

namespace gleaner::store {
namespace {

using nlohmann::json;

void AppendEscaped(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\r':
      out += "\\r";
      return;
    default: {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out += buffer;
    }
  }
}

// Receives nlohmann's SAX events for a list of links or of strings and fills the vector
// without building a DOM. Any other shape is an error.
class ListReader : public nlohmann::json_sax<json> {
 public:
  explicit ListReader(bool links) : links_(links) {}

  bool null() override { return Fail("null"); }
  bool boolean(bool) override { return Fail("a boolean"); }
  bool number_integer(number_integer_t) override { return Fail("a number"); }
  bool number_unsigned(number_unsigned_t) override { return Fail("a number"); }
  bool number_float(number_float_t, const string_t&) override { return Fail("a number"); }
  bool binary(binary_t&) override { return Fail("binary data"); }

  bool string(string_t& value) override {
    if (!links_ && depth_ == 1) {
      strings_.push_back(std::move(value));
      return true;
    }
    if (links_ && depth_ == 2 && field_ != nullptr) {
      *field_ = std::move(value);
      field_ = nullptr;
      return true;
    }
    return Fail("a misplaced string");
  }
  bool start_object(std::size_t) override {
    if (!links_ || depth_ != 1) return Fail("a misplaced object");
    ++depth_;
    current_ = Link{};
    seen_title_ = seen_url_ = false;
    return true;
  }
  bool key(string_t& name) override {
    if (name == "title") {
      field_ = &current_.title;
      seen_title_ = true;
    } else if (name == "url") {
      field_ = &current_.url;
      seen_url_ = true;
    } else {
      return Fail("an unknown key");
    }
    return true;
  }
  bool end_object() override {
    --depth_;
    if (!seen_title_ || !seen_url_) return Fail("a link without title or url");
    links_out_.push_back(std::move(current_));
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ != 0) return Fail("a nested list");
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return Fail("invalid JSON");
  }

  std::string error;
  std::vector<Link> links_out_;
  std::vector<std::string> strings_;

 private:
  bool Fail(const char* what) {
    if (error.empty()) error = what;
    return false;
  }

  bool links_;
  int depth_ = 0;
  Link current_;
  std::string* field_ = nullptr;
  bool seen_title_ = false;
  bool seen_url_ = false;
};

Result<ListReader> ReadList(std::string_view text, bool links) {
  ListReader reader(links);
  bool ok = json::sax_parse(text, &reader, json::input_format_t::json, /*strict=*/true);
  if (!ok || !reader.error.empty()) {
    return Fail(ErrorCode::kDatabase,
                std::string(links ? "a link list" : "the warnings") + " column holds " +
                    (reader.error.empty() ? std::string("invalid JSON") : reader.error));
  }
  return reader;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      // As the header promises, each byte of an ill-formed sequence becomes one U+FFFD
      // (RepairUtf8 writes one per maximal subpart), so stored columns keep their form.
      DecodedCodePoint d = DecodeUtf8(text, i);
      out += d.valid ? text.substr(i, d.length) : kReplacementUtf8;
      i += d.valid ? d.length : 1;
      continue;
    }
    if (c < 0x20 || c == '"' || c == '\\') {
      AppendEscaped(out, c);
    } else {
      out += static_cast<char>(c);
    }
    ++i;
  }
  out += '"';
}

std::string LinksToColumn(const std::vector<Link>& links) {
  std::string out = "[";
  for (const Link& link : links) {
    if (out.size() > 1) out += ',';
    out += "{\"title\":";
    AppendJsonString(out, link.title);
    out += ",\"url\":";
    AppendJsonString(out, link.url);
    out += '}';
  }
  return out + "]";
}

std::string StringsToColumn(const std::vector<std::string>& strings) {
  std::string out = "[";
  for (const std::string& s : strings) {
    if (out.size() > 1) out += ',';
    AppendJsonString(out, s);
  }
  return out + "]";
}

Result<std::vector<Link>> LinksFromColumn(std::string_view text) {
  auto reader = ReadList(text, /*links=*/true);
  if (!reader) return tl::unexpected(reader.error());
  return std::move(reader->links_out_);
}

Result<std::vector<std::string>> StringsFromColumn(std::string_view text) {
  auto reader = ReadList(text, /*links=*/false);
  if (!reader) return tl::unexpected(reader.error());
  return std::move(reader->strings_);
}

}  // namespace gleaner::store
