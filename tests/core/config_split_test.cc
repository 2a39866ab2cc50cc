// core/config_split.h: the lexical split of a config into one run of lines per seam, its check
// against a whole parse, and parsing one seam alone with the file's own line numbers.
#include "core/config_split.h"

#include "tests/core/config_fixture.h"

namespace seam::config_test {
namespace {

using ::testing::ElementsAre;

class ConfigSplitTest : public ConfigTest {
 protected:
  Result<SplitConfig> Split(const std::string& text) { return ParseConfigAndSplit(text, file(), schema_); }

  // Every seam parsed alone through the checked split equals the whole parse's.
  void ExpectEverySeamAloneAsWhole(const std::string& text) {
    Result<SplitConfig> split = Split(text);
    ASSERT_TRUE(split.ok()) << split.status().ToString();
    ASSERT_EQ(split->seams.size(), split->config.seams.size()) << split->why_not_split;
    const std::vector<LineRange> runs = SeamRuns(text);
    for (std::size_t i = 0; i < split->seams.size(); ++i) {
      Result<Config> one = ParseConfigSubset(text, file(), schema_, runs, &split->seams[i].lines);
      ASSERT_TRUE(one.ok()) << one.status().ToString();
      ASSERT_EQ(one->seams.size(), 1u);
      ExpectSameSeam(one->seams.front(), split->config.seams[i]);
    }
  }

  static void ExpectSameSeam(const SeamConfig& alone, const SeamConfig& whole) {
    EXPECT_EQ(alone.name, whole.name);
    EXPECT_EQ(alone.stream(), whole.stream());
    EXPECT_EQ(alone.line, whole.line);
    EXPECT_EQ(alone.repair, whole.repair);
    EXPECT_EQ(alone.authority_side, whole.authority_side);
    EXPECT_EQ(alone.repair_budget.off, whole.repair_budget.off);
    EXPECT_EQ(alone.repair_budget.count, whole.repair_budget.count);
    EXPECT_EQ(alone.repair_budget.window_us, whole.repair_budget.window_us);
    EXPECT_EQ(alone.renew_before_us, whole.renew_before_us);
    EXPECT_EQ(alone.interval_us, whole.interval_us);
    ASSERT_EQ(alone.sides.size(), whole.sides.size());
    for (std::size_t s = 0; s < alone.sides.size(); ++s) {
      EXPECT_EQ(alone.sides[s].name, whole.sides[s].name);
      EXPECT_EQ(alone.sides[s].line, whole.sides[s].line);
      EXPECT_EQ(alone.sides[s].transform, whole.sides[s].transform);
      EXPECT_EQ(alone.sides[s].on_repair, whole.sides[s].on_repair);
      EXPECT_EQ(alone.sides[s].side->Describe(), whole.sides[s].side->Describe());
    }
  }
};

std::string Three() {
  return "# fleet\n[store]\npath = \"state/events.db\"\n\n" + Seam("a", "ea") + "\n" + Seam("b", "eb") +
         "[daemon]\nlisten = \"127.0.0.1:9477\"\n\n" + Seam("c", "ec");
}

TEST_F(ConfigSplitTest, RunsGoFromEachSeamHeaderToTheNextTopLevelHeader) {
  // Seam() is 10 lines: [[seam]] at 5, 16 (after a blank line), then [daemon] at 26, seam c at 29.
  EXPECT_THAT(SeamRuns(Three()), ElementsAre(LineRange{5, 16}, LineRange{16, 26}, LineRange{29, 39}));
  EXPECT_TRUE(SeamRuns("[store]\npath = \"x\"\n").empty());
  EXPECT_TRUE(SeamRuns("").empty());
}

TEST_F(ConfigSplitTest, HeadersAreRecognisedWithBlanksCommentsAndCrlf) {
  const std::string text =
      "  [[ seam ]]  # first\r\nname = \"a\"\r\n\t[seam.sides.cli]\r\nx = 1\r\n[ store ]\r\n[[seam]]\nname = \"b\"";
  EXPECT_THAT(SeamRuns(text), ElementsAre(LineRange{1, 5}, LineRange{6, 8}));
}

TEST_F(ConfigSplitTest, ABracketLineThatIsNotAWholeHeaderIsContent) {
  const std::string text = "[[seam]]\norder = [\n  [\"a\"],\n  [\"b\"] , \n]\n[other\n";
  EXPECT_THAT(SeamRuns(text), ElementsAre(LineRange{1, 7}));
}

TEST_F(ConfigSplitTest, EachCheckedRunParsesToExactlyThatSeamWithItsOwnLines) {
  const std::string text = Three();
  Result<SplitConfig> split = Split(text);
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  ASSERT_EQ(split->seams.size(), 3u);
  EXPECT_EQ(split->seams[0].name, "a");
  EXPECT_EQ(split->seams[1].name, "b");
  EXPECT_EQ(split->seams[2].name, "c");
  const std::vector<LineRange> runs = SeamRuns(text);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(split->seams[i].lines, runs[i]);
    Result<Config> one = ParseConfigSubset(text, file(), schema_, runs, &split->seams[i].lines);
    ASSERT_TRUE(one.ok()) << one.status().ToString();
    ASSERT_EQ(one->seams.size(), 1u);
    const SeamConfig& alone = one->seams.front();
    const SeamConfig& whole = split->config.seams[i];
    EXPECT_EQ(alone.name, whole.name);
    EXPECT_EQ(alone.stream(), whole.stream());
    EXPECT_EQ(alone.line, whole.line);
    ExpectSameSeam(alone, whole);
    EXPECT_EQ(one->store.db_path, split->config.store.db_path);
    EXPECT_EQ(one->daemon.listen, "127.0.0.1:9477");
  }
}

TEST_F(ConfigSplitTest, LayoutsThatStillSplitGiveEachSeamAsTheWholeParseDoes) {
  const std::string settings =
      "repair = \"manual\"\nauthority = \"cli\"\nrepair_budget = \"3/1h\"\ninterval = \"5m\"\n";
  struct Case {
    const char* what;
    std::string text;
  };
  std::string crlf = Three();
  for (std::size_t at = crlf.find('\n'); at != std::string::npos; at = crlf.find('\n', at + 2)) crlf.replace(at, 1, "\r\n");
  std::string no_final_newline = Seam("a", "ea") + Seam("b", "eb");
  no_final_newline.pop_back();
  const std::vector<Case> cases = {
      {"CRLF line ends", crlf},
      {"no line break at the end of the file", no_final_newline},
      {"a UTF-8 BOM before the first seam", "\xEF\xBB\xBF" + Seam("a", "ea") + Seam("b", "eb")},
      {"every policy key", Seam("a", "ea", settings) + Seam("b", "eb", settings)},
      {"dotted keys and inline tables",
       "[[seam]]\nname = \"a\"\nkind = \"token\"\nentity = \"ea\"\n"
       "sides.cli = { plugin = \"fake-file\", path = \"c.json\" }\n"
       "sides.gateway.plugin = \"fake-file\"\nsides.gateway.path = \"g.json\"\n" +
           Seam("b", "eb")},
      {"comments and blank lines everywhere",
       "# head\n\n" + Replace(Seam("a", "ea"), "[seam.sides.cli]", "# cli next\n\n  [seam.sides.cli]  # the cli\n") +
           "\n# between\n\n" + Seam("b", "eb") + "\n# tail\n"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ExpectEverySeamAloneAsWhole(c.text);
  }
}

TEST_F(ConfigSplitTest, QuotedSeamHeadersAreNotSplitButStillLoad) {
  const std::string text = Seam("a", "ea") + Replace(Seam("b", "eb"), "[[seam]]", "[[\"seam\"]]");
  Result<SplitConfig> split = Split(text);
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  EXPECT_EQ(split->config.seams.size(), 2u);
  EXPECT_TRUE(split->seams.empty());
  EXPECT_THAT(split->why_not_split, HasSubstr("1 lines look like a [[seam]] header, but the config has 2 seams"));
}

TEST_F(ConfigSplitTest, WithoutASeamOnlyStoreAndDaemonAreParsed) {
  const std::string text = Three();
  Result<Config> outside = ParseConfigSubset(text, file(), schema_, SeamRuns(text), nullptr);
  ASSERT_TRUE(outside.ok()) << outside.status().ToString();
  EXPECT_TRUE(outside->seams.empty());
  EXPECT_EQ(outside->store.db_path, (dir_.path() / "state/events.db").lexically_normal());
  EXPECT_EQ(outside->daemon.line, 27);
}

TEST_F(ConfigSplitTest, LinesThatAreNotOneOfTheRunsAreRefused) {
  const std::string text = Three();
  const LineRange half{5, 10};
  Result<Config> one = ParseConfigSubset(text, file(), schema_, SeamRuns(text), &half);
  ASSERT_FALSE(one.ok());
  EXPECT_THAT(one.status().message(), HasSubstr("lines 5-9 are not one seam's table"));
}

TEST_F(ConfigSplitTest, ErrorsInASeamKeepTheFilesLineNumbers) {
  std::string text = Three();
  text = Replace(text, "entity = \"eb\"\n", "entity = \"eb\"\nrepiar = \"off\"\n");
  const std::vector<LineRange> runs = SeamRuns(text);
  Result<Config> one = ParseConfigSubset(text, file(), schema_, runs, &runs[1]);
  ASSERT_FALSE(one.ok());
  EXPECT_THAT(one.status().message(), HasSubstr(At(20)));
  EXPECT_THAT(one.status().message(), HasSubstr("repiar"));
  // The whole parse says the same.
  Result<SplitConfig> split = Split(text);
  ASSERT_FALSE(split.ok());
  EXPECT_EQ(split.status().message(), one.status().message());
}

TEST_F(ConfigSplitTest, ASplitTheTextDoesNotHoldIsNotOffered) {
  struct Case {
    const char* what;
    std::string text;
  };
  const std::vector<Case> cases = {
      {"[store] between a seam and its sides",
       Replace(Seam("a", "ea"), "[seam.sides.cli]", "[store]\npath = \"x.db\"\n[seam.sides.cli]")},
      // A line-ending backslash joins the lines, so the values hold no control character:
      // "c[[seam]] # .json" and "c[daemon] # ".
      {"a multi-line string holding a seam header",
       Replace(Seam("a", "ea"), "path = \"c.json\"", "path = \"\"\"c\\\n[[seam]] # \\\n.json\"\"\"") +
           Seam("b", "eb")},
      {"a multi-line string holding another header",
       Replace(Seam("a", "ea"), "path = \"c.json\"", "path = \"\"\"c\\\n  [daemon] # \\\n\"\"\"") + Seam("b", "eb")},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Result<SplitConfig> split = Split(c.text);
    Result<Config> whole = ParseConfig(c.text, file(), schema_);
    ASSERT_TRUE(whole.ok()) << whole.status().ToString();
    ASSERT_TRUE(split.ok()) << split.status().ToString();
    EXPECT_TRUE(split->seams.empty());
    ASSERT_EQ(split->config.seams.size(), whole->seams.size());
  }
}

TEST_F(ConfigSplitTest, AConfigWithoutSeamsHasNoRunsToOffer) {
  Result<SplitConfig> split = Split("[store]\npath = \"x.db\"\n");
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  EXPECT_TRUE(split->seams.empty());
  EXPECT_TRUE(split->config.seams.empty());
}

TEST_F(ConfigSplitTest, BadTextGetsTheWholeParsesError) {
  for (const std::string& text : {std::string("[[seam]]\nname = \"a\nkind"), std::string(17u << 20, '#'),
                                 std::string("[[seam]]\n") + std::string(1, '\0') + "\n",
                                 std::string("[seam.sides.cli]\nplugin = \"fake-file\"\n")}) {
    Result<SplitConfig> split = Split(text);
    Result<Config> whole = ParseConfig(text, file(), schema_);
    ASSERT_FALSE(split.ok());
    ASSERT_FALSE(whole.ok());
    EXPECT_EQ(split.status().message(), whole.status().message());
  }
}

}  // namespace
}  // namespace seam::config_test
