// The exec protocol without processes: parsing `read`'s stdout, encoding `write`'s stdin, and
// the stderr line shown in reasons.
#include "plugins/exec/exec_protocol.h"

#include <gtest/gtest.h>

#include <string>

namespace seam {
namespace {

constexpr char kShape[] = "; expected {\"value\": \"...\"} or {\"missing\": true}";

std::string ErrorFor(const std::string& out) {
  Result<ReadReply> r = ParseReadReply(out);
  EXPECT_FALSE(r.ok()) << out;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  const std::string& m = r.status().message();
  EXPECT_EQ(m.find("s3cret"), std::string::npos) << m;
  EXPECT_TRUE(m.size() >= sizeof(kShape) - 1 && m.substr(m.size() - (sizeof(kShape) - 1)) == kShape) << m;
  return m.substr(0, m.size() - (sizeof(kShape) - 1));
}

TEST(ExecProtocolTest, ParsesAValueAndBothFormsOfMissing) {
  Result<ReadReply> value = ParseReadReply(" {\"value\": \"s3cret\\n\\u00e9\"}\n");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  ASSERT_TRUE(value->has_value());
  EXPECT_EQ((*value)->Reveal(), "s3cret\n\xc3\xa9");
  for (const char* missing : {"{\"missing\": true}", "{\"value\": null}\n"}) {
    Result<ReadReply> r = ParseReadReply(missing);
    ASSERT_TRUE(r.ok()) << missing;
    EXPECT_FALSE(r->has_value()) << missing;
  }
}

TEST(ExecProtocolTest, RefusesEveryOtherShapeWithoutQuotingIt) {
  EXPECT_EQ(ErrorFor(""), "printed nothing on stdout");
  EXPECT_EQ(ErrorFor(" \n"), "printed nothing on stdout");
  EXPECT_EQ(ErrorFor("s3cret"), "printed non-JSON at line 1 column 1");
  EXPECT_EQ(ErrorFor("{\n  \"value\": s3cret\n}"), "printed non-JSON at line 2 column 12");
  EXPECT_EQ(ErrorFor("{\"value\": \"s3cret\"} {}"), "printed non-JSON at line 1 column 21");
  EXPECT_EQ(ErrorFor("{\"value\": \"s3cret"), "printed non-JSON at line 1 column 18");
  EXPECT_EQ(ErrorFor("\"s3cret\""), "printed a string, not a JSON object");
  EXPECT_EQ(ErrorFor("[\"s3cret\"]"), "printed an array, not a JSON object");
  EXPECT_EQ(ErrorFor("{\"value\": 42}"), "\"value\" is a number, not a string");
  EXPECT_EQ(ErrorFor("{\"value\": {\"s3cret\": 1}}"), "\"value\" is an object, not a string");
  EXPECT_EQ(ErrorFor("{\"value\": true}"), "\"value\" is a boolean, not a string");
  EXPECT_EQ(ErrorFor("{\"missing\": false}"), "\"missing\" must be true");
  EXPECT_EQ(ErrorFor("{\"missing\": \"yes\"}"), "\"missing\" must be true");
  EXPECT_EQ(ErrorFor("{\"value\": \"a\", \"value\": \"s3cret\"}"), "printed \"value\" twice");
  EXPECT_EQ(ErrorFor("{\"value\": \"s3cret\", \"missing\": true}"),
            "printed both \"value\" and \"missing\"");
  EXPECT_EQ(ErrorFor("{\"s3cret\": \"x\"}"),
            "printed an object with a key other than \"value\" and \"missing\"");
  EXPECT_EQ(ErrorFor("{}"), "printed an object without \"value\" or \"missing\"");
  EXPECT_EQ(ErrorFor("{\"value\": \"\xff\"}"), "printed non-JSON at line 1 column 12");
}

TEST(ExecProtocolTest, EncodesTheWriteRequest) {
  Secret value(std::string("a\"b\\c\n\xc3\xa9"));
  Result<std::string> line = EncodeWriteRequest(&value);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(*line, "{\"value\":\"a\\\"b\\\\c\\u000a\xc3\xa9\"}\n");
  Result<ReadReply> back = ParseReadReply(*line);
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_TRUE((*back)->Equals(value));

  Result<std::string> null = EncodeWriteRequest(nullptr);
  ASSERT_TRUE(null.ok());
  EXPECT_EQ(*null, "{\"value\":null}\n");

  Secret bad(std::string("\xc3("));
  EXPECT_EQ(EncodeWriteRequest(&bad).status().code(), StatusCode::kInvalidArgument);
}

TEST(ExecProtocolTest, StderrFirstLineIsOneShortCleanLine) {
  EXPECT_EQ(StderrFirstLine("", {}), "");
  EXPECT_EQ(StderrFirstLine("\n  \nvault: denied\r\nmore\n", {}), "vault: denied");
  EXPECT_EQ(StderrFirstLine("bell\a and \xff byte, caf\xc3\xa9", {}), "bell? and ? byte, caf\xc3\xa9");
  const std::string long_line(300, 'x');
  EXPECT_EQ(StderrFirstLine(long_line, {}), std::string(200, 'x') + "...");
  EXPECT_EQ(StderrFirstLine(std::string(200, 'x'), {}), std::string(200, 'x'));
}

TEST(ExecProtocolTest, StderrThatContainsASecretIsWithheld) {
  constexpr char kWithheld[] = "(stderr withheld: it contains the value)";
  EXPECT_EQ(StderrFirstLine("got {\"value\":\"s3cret\"}\n", {"", "s3cret"}), kWithheld);
  // JSON-escaped, as a program echoing its stdin would print it.
  EXPECT_EQ(StderrFirstLine("got {\"value\":\"s3\\\"cret\"}", {"s3\"cret"}), kWithheld);
  // Only the shown line counts; an empty secret withholds nothing.
  EXPECT_EQ(StderrFirstLine("failed\ns3cret\n", {"s3cret", ""}), "failed");
}

TEST(ExecProtocolTest, TokenLikeStderrIsWithheldWhenAsked) {
  constexpr char kMaybe[] = "(stderr withheld: it may contain a secret)";
  const std::string token = "vault holds hvs.CAESIJ1kq7Xw0Zb9Yf3Lm2Np8Qr";
  EXPECT_EQ(StderrFirstLine(token, {}, true), kMaybe);
  EXPECT_EQ(StderrFirstLine(token, {}), token);  // not asked: as before
  // The value itself is still named as such.
  EXPECT_EQ(StderrFirstLine("got s3cret-0123456789abcdef", {"s3cret-0123456789abcdef"}, true),
            "(stderr withheld: it contains the value)");
  // Past the 200 characters shown counts too: a shortened line could show the token's start.
  EXPECT_EQ(StderrFirstLine(std::string(195, ' ') + "x " + "YWJjZGVmZ2hpamtsbW5vcA==", {}, true), kMaybe);
  EXPECT_EQ(StderrFirstLine("permission denied: /var/lib/x\n" + token, {}, true),
            "permission denied: /var/lib/x");
  EXPECT_TRUE(LooksTokenLike("0123456789abcdef"));
  EXPECT_TRUE(LooksTokenLike("key=ab+/cd_EF-gh=="));
  EXPECT_FALSE(LooksTokenLike("0123456789abcde"));  // 15
  EXPECT_FALSE(LooksTokenLike("vault: permission denied for device-42 (code 403)"));
  EXPECT_FALSE(LooksTokenLike("0123456789.abcdef0123"));
}

}  // namespace
}  // namespace seam
