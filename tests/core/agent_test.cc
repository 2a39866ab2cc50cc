// Agents (core/agent.h): `[agent] name` and a side's `agent` in seam.toml, the name a process
// acts as, and the sides an agent acts on with and without the seam's ownership.
#include "core/agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/core/config_fixture.h"

namespace seam::config_test {
namespace {

using ::testing::HasSubstr;

std::vector<std::string> Names(const SeamConfig& seam) {
  std::vector<std::string> out;
  for (const SideConfig& s : seam.sides) out.push_back(s.name);
  return out;
}

// A seam whose cli side is gw1's, gateway gw2's, shared no agent's, with `authority`.
std::string ThreeSides(const std::string& authority = "log") {
  return "[agent]\nname = \"gw1\"\n\n[[seam]]\nname = \"t\"\nkind = \"token\"\nentity = \"e\"\nauthority = \"" +
         authority + "\"\norder = [\"gateway\", \"shared\", \"cli\"]\n" +
         "[seam.sides.cli]\nplugin = \"fake-file\"\npath = \"c.json\"\nagent = \"gw1\"\n"
         "[seam.sides.gateway]\nplugin = \"fake-file\"\npath = \"g.json\"\nagent = \"gw2\"\n"
         "[seam.sides.shared]\nplugin = \"fake-file\"\npath = \"s.json\"\n";
}

TEST_F(ConfigTest, AgentNameAndEachSidesAgentAreLoaded) {
  Result<Config> config = Load(ThreeSides());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->agent.name, "gw1");
  EXPECT_EQ(config->agent.line, 2);
  const SeamConfig& seam = config->seams[0];
  EXPECT_EQ(seam.FindSide("cli")->agent, "gw1");
  EXPECT_EQ(seam.FindSide("gateway")->agent, "gw2");
  EXPECT_EQ(seam.FindSide("shared")->agent, "");
  EXPECT_TRUE(NeedsOwner(seam));
}

TEST_F(ConfigTest, BadAgentNamesAndKeysAreOneLineErrorsWithTheLine) {
  EXPECT_THAT(LoadError("[agent]\nname = \"gw 1\"\n" + Seam("a", "e")),
              HasSubstr(At(2) + "agent: key `name` must be 1-63 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit, got `gw 1`"));
  EXPECT_THAT(LoadError("[agent]\nname = \"gw1\"\nhost = \"x\"\n" + Seam("a", "e")), HasSubstr("unknown key `host`"));
  EXPECT_THAT(LoadError("agent = \"gw1\"\n" + Seam("a", "e")), HasSubstr("key `agent` must be a table ([agent])"));
  EXPECT_THAT(LoadError("[agent]\nname = \"" + std::string(64, 'a') + "\"\n" + Seam("a", "e")),
              HasSubstr("must be 1-63 characters"));
  std::string side_agent = ThreeSides();
  side_agent.replace(side_agent.find("agent = \"gw2\""), 13, "agent = \"-gw2\"");
  EXPECT_THAT(LoadError(side_agent), HasSubstr(At(17) + "seam `t` side `gateway`: key `agent` must be 1-63 characters"));
  std::string not_string = ThreeSides();
  not_string.replace(not_string.find("agent = \"gw2\""), 13, "agent = 2");
  EXPECT_THAT(LoadError(not_string), HasSubstr("key `agent` must be 1-63 characters"));
}

TEST_F(ConfigTest, AnAgentActsOnItsOwnSidesAndTheUnnamedOnesOnlyAsOwner) {
  Result<Config> config = Load(ThreeSides("gateway"));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const SeamConfig& seam = config->seams[0];

  EXPECT_EQ(Names(SidesForAgent(seam, "gw1", true)), (std::vector<std::string>{"shared", "cli"}));
  EXPECT_EQ(Names(SidesForAgent(seam, "gw1", false)), (std::vector<std::string>{"cli"}));
  EXPECT_EQ(Names(SidesForAgent(seam, "gw2", false)), (std::vector<std::string>{"gateway"}));
  EXPECT_EQ(Names(SidesForAgent(seam, "gw3", false)), (std::vector<std::string>{}));
  // The authority stays only with the agent that acts on it.
  EXPECT_EQ(SidesForAgent(seam, "gw2", false).authority_side, "gateway");
  EXPECT_FALSE(SidesForAgent(seam, "gw1", true).authority_side.has_value());
}

TEST(AgentNameTest, TheFlagThenTheEnvironmentThenTheConfigThenTheHostName) {
  ::unsetenv("SEAM_AGENT");
  AgentConfig config{"from-config", 3};
  EXPECT_EQ(ResolveAgentName("from-flag", config).value(), "from-flag");
  ::setenv("SEAM_AGENT", "from-env", 1);
  EXPECT_EQ(ResolveAgentName("", config).value(), "from-env");
  ::unsetenv("SEAM_AGENT");
  EXPECT_EQ(ResolveAgentName("", config).value(), "from-config");
  Result<std::string> host = ResolveAgentName("", AgentConfig{});
  ASSERT_TRUE(host.ok()) << host.status().ToString();
  EXPECT_TRUE(IsAgentName(*host));
  EXPECT_EQ(host->find('.'), std::string::npos);  // the first label only
  Result<std::string> bad = ResolveAgentName("no spaces", config);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("--agent `no spaces` must be"));
}

}  // namespace
}  // namespace seam::config_test
