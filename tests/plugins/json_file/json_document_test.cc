// json-file's strict parse (duplicate keys) and the best-effort wipe of parsed trees.
#include "plugins/common/json_document.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "plugins/json_file/json_file_side.h"
#include "tests/support/records.h"
#include "tests/support/temp_dir.h"

namespace seam {
namespace {

namespace fs = std::filesystem;
using testing::OneField;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string ParseError(const std::string& text) {
  Result<Json> doc = ParseJsonDocument("f.json", text);
  EXPECT_FALSE(doc.ok());
  if (doc.ok()) return "";
  EXPECT_EQ(doc.status().code(), StatusCode::kFailedPrecondition);
  return doc.status().message();
}

TEST(JsonDocumentTest, DuplicateKeyIsRefusedNamingTheKeyAndItsSecondPosition) {
  EXPECT_EQ(ParseError(R"({"token":"a","token":"b"})"),
            "f.json: duplicate key \"token\" at line 1, column 14");
}

TEST(JsonDocumentTest, DuplicateKeyMessageNeverShowsEitherValue) {
  std::string why = ParseError("{\n  \"token\": \"first-secret\",\n  \"token\": \"second-secret\"\n}");
  EXPECT_EQ(why, "f.json: duplicate key \"token\" at line 3, column 3");
  EXPECT_FALSE(Contains(why, "secret")) << why;
}

TEST(JsonDocumentTest, DuplicateKeyInANestedObjectIsRefused) {
  EXPECT_EQ(ParseError("{\"devices\": {\"d\": {\"token\": \"a\",\n \"name\": \"n\", \"token\": 1}}}"),
            "f.json: duplicate key \"token\" at line 2, column 15");
}

TEST(JsonDocumentTest, DuplicateKeyInAnObjectInsideAnArrayIsRefused) {
  EXPECT_EQ(ParseError(R"({"list": [{"k": 1}, {"k": 2, "k": 3}]})"),
            "f.json: duplicate key \"k\" at line 1, column 30");
}

TEST(JsonDocumentTest, KeysThatAreEqualOnlyOnceUnescapedAreDuplicates) {
  EXPECT_EQ(ParseError(R"({"ab": 1, "a\u0062": 2})"), "f.json: duplicate key \"ab\" at line 1, column 11");
}

TEST(JsonDocumentTest, DuplicateKeyWithQuotesInItIsShownEscaped) {
  EXPECT_EQ(ParseError(R"({"a\"b": 1, "a\"b": 2})"), "f.json: duplicate key \"a\\\"b\" at line 1, column 13");
}

TEST(JsonDocumentTest, KeyLookalikesInsideStringsDoNotShiftThePosition) {
  // A string value containing `\": ` must not be counted as a key when locating the duplicate.
  EXPECT_EQ(ParseError(R"({"x": "v\": \"y", "x": 1})"), "f.json: duplicate key \"x\" at line 1, column 19");
}

TEST(JsonDocumentTest, SameKeyInDifferentObjectsIsFine) {
  Result<Json> doc = ParseJsonDocument(
      "f.json", R"({"token": "a", "d": {"token": "b", "e": {"token": "c"}}, "l": [{"token": 1}, {"token": 2}]})");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ((*doc)["d"]["e"]["token"], "c");
}

TEST(JsonDocumentTest, SyntaxErrorAfterADuplicateIsStillRefused) {
  std::string why = ParseError(R"({"a": 1, "a": 2,})");
  EXPECT_TRUE(Contains(why, "f.json: invalid JSON at line 1")) << why;
}

TEST(JsonDocumentTest, WipeJsonEmptiesEveryStringValueAndKeepsKeysAndOtherValues) {
  Result<Json> doc = ParseJsonDocument(
      "f.json",
      R"({"token": "a-long-secret-token-value-beyond-sso", "n": 7, "d": {"t": "short"}, "l": ["x", true, null]})");
  ASSERT_TRUE(doc.ok());
  const std::string* token = &(*doc)["token"].get_ref<const std::string&>();
  const char* buffer = token->data();
  std::size_t length = token->size();

  WipeJson(*doc);

  EXPECT_EQ(doc->dump(), R"({"token":"","n":7,"d":{"t":""},"l":["",true,null]})");
  EXPECT_EQ(std::string(buffer, length), std::string(length, '\0'));  // same buffer, zeroed
}

// --- through the side ------------------------------------------------------------------------

class JsonFileSideDuplicateKeyTest : public ::testing::Test {
 protected:
  std::unique_ptr<Side> Make(const std::string& pointer) {
    SideOptions o("seam.toml", dir_.path(), "device-token", "cli", 10);
    o.Set("path", OptionValue{std::string("paired.json"), 11});
    o.Set("pointer", OptionValue{pointer, 12});
    auto side = MakeJsonFileSide(o);
    EXPECT_TRUE(side.ok()) << side.status().ToString();
    return side.ok() ? std::move(side).value() : nullptr;
  }
  std::string File() const { return (dir_ / "paired.json").string(); }

  TempDir dir_;
  const std::string content_ = "{\"token\": \"first-secret\",\n \"token\": \"second-secret\"}";
};

TEST_F(JsonFileSideDuplicateKeyTest, ObserveIsUnreadableNamingTheKeyNotTheValues) {
  WriteFile(dir_ / "paired.json", content_);
  Observation o = Make("/token")->Observe();
  EXPECT_EQ(o.state, Observation::State::kUnreadable);
  EXPECT_EQ(o.reason, File() + ": duplicate key \"token\" at line 2, column 2");
  EXPECT_NE(o.marker.opaque, "");  // the file exists: its marker is kept
}

TEST_F(JsonFileSideDuplicateKeyTest, DuplicateOfAnotherKeyAlsoMakesTheFileUnreadable) {
  WriteFile(dir_ / "paired.json", R"({"token": "t", "name": "a", "name": "b"})");
  EXPECT_EQ(Make("/token")->Observe().reason, File() + ": duplicate key \"name\" at line 1, column 29");
}

TEST_F(JsonFileSideDuplicateKeyTest, WriteRefusesAndLeavesBothValuesOnDisk) {
  WriteFile(dir_ / "paired.json", content_);
  auto side = Make("/token");

  Status s = side->Write(OneField("new"), side->Observe().marker);

  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), File() + ": duplicate key \"token\" at line 2, column 2; not writing");
  EXPECT_EQ(ReadFile(dir_ / "paired.json"), content_);
}

TEST_F(JsonFileSideDuplicateKeyTest, RemoveRefusesAndLeavesTheFileAlone) {
  WriteFile(dir_ / "paired.json", content_);
  auto side = Make("/token");

  Status s = side->Remove(side->Observe().marker);

  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadFile(dir_ / "paired.json"), content_);
}

TEST_F(JsonFileSideDuplicateKeyTest, CheckWritableRefuses) {
  WriteFile(dir_ / "paired.json", content_);
  Status s = Make("/token")->CheckWritable();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), File() + ": duplicate key \"token\" at line 2, column 2");
}

}  // namespace
}  // namespace seam
