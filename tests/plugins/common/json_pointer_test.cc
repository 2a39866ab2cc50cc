// The RFC 6901 pointer helpers shared by json-file and http-json.
#include "plugins/common/json_pointer.h"
#include "plugins/common/json_document.h"

#include <gtest/gtest.h>

namespace seam {
namespace {

JsonPointer Pointer(const std::string& text) { return JsonPointer{text, ParseJsonPointer(text).value()}; }

TEST(JsonPointerTest, ParsesAndUnescapesTokens) {
  EXPECT_EQ(ParseJsonPointer("/devices/a~1b/c~0d").value(),
            (std::vector<std::string>{"devices", "a/b", "c~d"}));
  EXPECT_EQ(EscapeJsonPointerToken("a/b~c"), "a~1b~0c");
}

TEST(JsonPointerTest, RefusesMalformedPointersAndTheWholeDocument) {
  for (const char* bad : {"", "token", "/a~2", "/a~"}) EXPECT_FALSE(ParseJsonPointer(bad).ok()) << bad;
  // Not UTF-8: no JSON member has that name, and a side could not write one (tests/fuzz json_file
  // found a json-file side throwing on it).
  EXPECT_EQ(ParseJsonPointer("/a~1b\x8b/c").status().message(), "is not valid UTF-8");
  // Deeper than a document seam reads: a write there would make a file the side then refuses.
  std::string deepest;
  for (std::size_t i = 0; i < kJsonMaxDepth; ++i) deepest += "/a";
  EXPECT_TRUE(ParseJsonPointer(deepest).ok());
  Json doc = Json::object();
  SetJsonMember(doc, Pointer(deepest), "v", JsonRemoval::kErase);
  EXPECT_TRUE(ParseJsonDocument("deep.json", doc.dump()).ok()) << "the deepest member written reads back";
  EXPECT_EQ(ParseJsonPointer(deepest + "/a").status().message(),
            "is 513 members deep; a JSON document seam reads nests at most 512 levels");
}

TEST(JsonPointerTest, FindsStringsAndTreatsAbsentOrNullAsNothing) {
  const Json doc = Json::parse(R"({"devices": {"d": {"token": "t", "gone": null}}})");
  const auto found = FindJsonString(doc, Pointer("/devices/d/token"));
  ASSERT_TRUE(found.ok());
  ASSERT_NE(*found, nullptr);
  EXPECT_EQ(**found, "t");
  EXPECT_EQ(FindJsonString(doc, Pointer("/devices/d/gone")).value(), nullptr);
  EXPECT_EQ(FindJsonString(doc, Pointer("/devices/x/token")).value(), nullptr);
}

TEST(JsonPointerTest, NonObjectsOnTheWayAndNonStringValuesAreRefusedWithoutShowingValues) {
  const Json doc = Json::parse(R"({"devices": "s3cret", "n": 42})");
  auto through = FindJsonString(doc, Pointer("/devices/d"));
  ASSERT_FALSE(through.ok());
  EXPECT_EQ(through.status().message().find("s3cret"), std::string::npos);
  EXPECT_NE(through.status().message().find("is a string, not an object"), std::string::npos);
  EXPECT_FALSE(FindJsonString(doc, Pointer("/n")).ok());
}

TEST(JsonPointerTest, SetCreatesObjectsKeepsOrderAndRemoveReportsChange) {
  Json doc = Json::parse(R"({"z": 1, "a": 2})");
  EXPECT_TRUE(SetJsonMember(doc, Pointer("/devices/d/token"), "v", JsonRemoval::kErase));
  EXPECT_EQ(doc.dump(), R"({"z":1,"a":2,"devices":{"d":{"token":"v"}}})");
  EXPECT_TRUE(SetJsonMember(doc, Pointer("/devices/d/token"), std::nullopt, JsonRemoval::kErase));
  EXPECT_FALSE(SetJsonMember(doc, Pointer("/devices/d/token"), std::nullopt, JsonRemoval::kErase));
  EXPECT_TRUE(SetJsonMember(doc, Pointer("/a"), std::nullopt, JsonRemoval::kWriteNull));
  EXPECT_EQ(doc.dump(), R"({"z":1,"a":null,"devices":{"d":{}}})");
}

}  // namespace
}  // namespace seam
