// The environment-file scanner (plugins/env_file/env_document.h): what each dialect reads, where
// each value's bytes are, the errors (file:line:column), and that every value the encoder writes
// reads back as itself.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "plugins/env_file/env_document.h"

namespace seam {
namespace {

EnvDocument Parse(const std::string& text, EnvDialect d) {
  Result<EnvDocument> doc = ParseEnvDocument("app.env", text, d);
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return doc.ok() ? std::move(*doc) : EnvDocument();
}

std::string ValueOf(const EnvDocument& doc, const std::string& key) {
  std::vector<const EnvEntry*> found = doc.Find(key);
  return found.size() == 1 ? found.front()->value : "<" + std::to_string(found.size()) + " entries>";
}

std::string ErrorOf(const std::string& text, EnvDialect d) {
  Result<EnvDocument> doc = ParseEnvDocument("app.env", text, d);
  return doc.ok() ? "" : doc.status().message();
}

TEST(EnvDocumentTest, DotenvReadsCommentsExportQuotesAndEscapes) {
  const std::string text =
      "# database\n"
      "export DATABASE_URL=postgres://app@db/app   # the primary\n"
      "  PASSWORD = 'p#ss \\n word'\n"
      "GREETING=\"a \\\"quoted\\\" \\n line\" # comment\n"
      "HASHED=abc#def\n"
      "MULTI=\"one\n"
      "two\"\n"
      "EMPTY=\n"
      "CRLF=yes\r\n"
      "BARE\n";
  EnvDocument doc = Parse(text, EnvDialect::kDotenv);
  EXPECT_EQ(ValueOf(doc, "DATABASE_URL"), "postgres://app@db/app");
  EXPECT_EQ(ValueOf(doc, "PASSWORD"), "p#ss \\n word") << "single quotes are literal";
  EXPECT_EQ(ValueOf(doc, "GREETING"), "a \"quoted\" \n line");
  EXPECT_EQ(ValueOf(doc, "HASHED"), "abc#def") << "a # right after the text is part of it";
  EXPECT_EQ(ValueOf(doc, "MULTI"), "one\ntwo");
  EXPECT_EQ(ValueOf(doc, "EMPTY"), "");
  EXPECT_EQ(ValueOf(doc, "CRLF"), "yes");
  ASSERT_EQ(doc.Find("BARE").size(), 1u);
  EXPECT_TRUE(doc.Find("BARE").front()->bare);
  // Spans: the value's bytes as written, quotes included; lines whole.
  const EnvEntry& url = *doc.Find("DATABASE_URL").front();
  EXPECT_EQ(text.substr(url.value_begin, url.value_end - url.value_begin), "postgres://app@db/app");
  EXPECT_EQ(url.line, 2u);
  const EnvEntry& pw = *doc.Find("PASSWORD").front();
  EXPECT_EQ(text.substr(pw.value_begin, pw.value_end - pw.value_begin), "'p#ss \\n word'");
  EXPECT_EQ(pw.quote, '\'');
  EXPECT_EQ(text.substr(pw.line_begin, pw.line_end - pw.line_begin), "  PASSWORD = 'p#ss \\n word'\n");
  const EnvEntry& multi = *doc.Find("MULTI").front();
  EXPECT_EQ(text.substr(multi.line_begin, multi.line_end - multi.line_begin), "MULTI=\"one\ntwo\"\n");
  EXPECT_EQ(doc.Find("EMPTY").front()->line, 8u) << "lines counted across a multi-line value";
}

TEST(EnvDocumentTest, SystemdTakesHashesLiterallyAndItsOwnEscapes) {
  EnvDocument doc = Parse(
      "; a comment\n# another\nTOKEN=abc # not a comment\nQUOTED=\"cost \\$5 \\\\ \\n\"\nSINGLE='$HOME'\n",
      EnvDialect::kSystemd);
  EXPECT_EQ(ValueOf(doc, "TOKEN"), "abc # not a comment");
  EXPECT_EQ(ValueOf(doc, "QUOTED"), "cost $5 \\ \\n") << "only \\\" \\\\ \\$ \\` are escapes";
  EXPECT_EQ(ValueOf(doc, "SINGLE"), "$HOME");
  EXPECT_EQ(ErrorOf("A=one \\\n", EnvDialect::kSystemd), "app.env:1:7: a line continued by a backslash is not supported");
  EXPECT_EQ(ErrorOf("BARE\n", EnvDialect::kSystemd), "app.env:1:5: expected '=' after BARE");
  EXPECT_EQ(ErrorOf("export A=1\n", EnvDialect::kSystemd), "app.env:1:8: expected '=' after export");
}

TEST(EnvDocumentTest, DockerTakesTheRestOfTheLineAsItIs) {
  const std::string text = "  TOKEN=\"quoted\" and # more  \nBARE\n#c\nX=\n";
  EnvDocument doc = Parse(text, EnvDialect::kDocker);
  EXPECT_EQ(ValueOf(doc, "TOKEN"), "\"quoted\" and # more  ");
  EXPECT_TRUE(doc.Find("BARE").front()->bare);
  EXPECT_EQ(ValueOf(doc, "X"), "");
  EXPECT_EQ(ErrorOf("TOKEN =x\n", EnvDialect::kDocker), "app.env:1:6: expected '=' after TOKEN");
}

TEST(EnvDocumentTest, ErrorsNameTheLineAndColumnAndNeverTheValue) {
  EXPECT_EQ(ErrorOf("A=1\nB=\"s3cret-value\nC=3\n", EnvDialect::kDotenv), "app.env:2:3: unterminated double quote");
  EXPECT_EQ(ErrorOf("A='s3cret-value\n", EnvDialect::kSystemd), "app.env:1:3: unterminated single quote");
  EXPECT_EQ(ErrorOf("A='s3cret' trailing\n", EnvDialect::kDotenv),
            "app.env:1:12: unexpected characters after the closing quote of A");
  EXPECT_EQ(ErrorOf("1A=x\n", EnvDialect::kDotenv), "app.env:1:1: not a variable name (expected KEY=VALUE)");
  EXPECT_EQ(ErrorOf("A=x\0y\n", EnvDialect::kDotenv), "");  // std::string stops at the NUL: a clean file
  EXPECT_EQ(ErrorOf(std::string("A=x\0y\n", 6), EnvDialect::kDotenv), "app.env: holds a NUL byte; not an environment file");
  EXPECT_EQ(ErrorOf("A=1\n\n\n   =x\n", EnvDialect::kDotenv), "app.env:4:4: not a variable name (expected KEY=VALUE)");
}

TEST(EnvDocumentTest, EveryValueWrittenReadsBackAsItselfOrIsRefused) {
  const std::vector<std::string> values = {
      "plain-Token_123", "with space", "it's", "say \"hi\"", "$HOME and `cmd`", "back\\slash", "line\nbreak",
      "tab\there", "#hash", "trailing ", " leading", "", "it's $5", "a'b\\c", "=equals=", "unicodé ✓", "cr\rlf"};
  for (EnvDialect d : {EnvDialect::kDotenv, EnvDialect::kSystemd, EnvDialect::kDocker}) {
    for (char like : {'\0', '\'', '"'}) {
      for (const std::string& v : values) {
        Result<std::string> enc = EncodeEnvValue(v, d, like);
        if (!enc.ok()) {
          EXPECT_EQ(enc.status().message().find(v.empty() ? "\x01" : v), std::string::npos) << "never names the value";
          continue;
        }
        const std::string text = "# head\nK=" + *enc + "\nNEXT=1\n";
        Result<EnvDocument> doc = ParseEnvDocument("f", text, d);
        ASSERT_TRUE(doc.ok()) << "dialect " << static_cast<int>(d) << " value [" << v << "] as [" << *enc << "]: "
                              << doc.status().ToString();
        EXPECT_EQ(ValueOf(*doc, "K"), v) << "dialect " << static_cast<int>(d) << " written as [" << *enc << "]";
        EXPECT_EQ(ValueOf(*doc, "NEXT"), "1");
      }
    }
  }
  // What each dialect cannot hold is refused rather than written wrong.
  EXPECT_FALSE(EncodeEnvValue("line\nbreak", EnvDialect::kDocker, 0).ok());
  EXPECT_FALSE(EncodeEnvValue("line\nbreak", EnvDialect::kSystemd, 0).ok());
  EXPECT_FALSE(EncodeEnvValue("it's $5", EnvDialect::kDotenv, 0).ok());
  EXPECT_FALSE(EncodeEnvValue(std::string("a\0b", 3), EnvDialect::kDotenv, 0).ok());
  // The style of the value it replaces, when the new value allows it.
  EXPECT_EQ(*EncodeEnvValue("abc", EnvDialect::kDotenv, '\''), "'abc'");
  EXPECT_EQ(*EncodeEnvValue("abc", EnvDialect::kDotenv, '"'), "\"abc\"");
  EXPECT_EQ(*EncodeEnvValue("abc", EnvDialect::kDotenv, 0), "abc");
  EXPECT_EQ(*EncodeEnvValue("$abc", EnvDialect::kDotenv, '"'), "'$abc'") << "dotenv expands $ in double quotes";
  EXPECT_EQ(*EncodeEnvValue("with space", EnvDialect::kDotenv, 0), "'with space'");
}

}  // namespace
}  // namespace seam
