// The exec protocol without processes: parsing `read`'s stdout, encoding `write`'s stdin, and
// the stderr line shown in reasons.
#include "plugins/exec/exec_protocol.h"
#include "plugins/common/stderr_line.h"

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
  ASSERT_EQ(value->size(), 1u);
  EXPECT_EQ(value->at("token").Reveal(), "s3cret\n\xc3\xa9");
  for (const char* missing : {"{\"missing\": true}", "{\"value\": null}\n"}) {
    Result<ReadReply> r = ParseReadReply(missing);
    ASSERT_TRUE(r.ok()) << missing;
    EXPECT_TRUE(r->empty()) << missing;
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
            "printed an object with a key other than \"value\", \"fields\" and \"missing\"");
  EXPECT_EQ(ErrorFor("{}"), "printed an object without \"value\", \"fields\" or \"missing\"");
  EXPECT_EQ(ErrorFor("{\"value\": \"\xff\"}"), "printed non-JSON at line 1 column 12");
}

TEST(ExecProtocolTest, EncodesTheWriteRequest) {
  Secret value(std::string("a\"b\\c\n\xc3\xa9"));
  Result<std::string> line = EncodeWriteRequest(Record{{"token", value}});
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(*line, "{\"value\":\"a\\\"b\\\\c\\u000a\xc3\xa9\"}\n");
  Result<ReadReply> back = ParseReadReply(*line);
  ASSERT_TRUE(back.ok() && back->count("token") == 1);
  EXPECT_TRUE(back->at("token").Equals(value));

  EXPECT_EQ(EncodeRemoveRequest(), "{\"value\":null}\n");

  Secret bad(std::string("\xc3("));
  EXPECT_EQ(EncodeWriteRequest(Record{{"token", bad}}).status().message(),
            "the value is not valid UTF-8, which a JSON string must be");
}

TEST(ExecProtocolTest, StderrTellingLineIsOneShortCleanLine) {
  EXPECT_EQ(StderrTellingLine("", {}), "");
  EXPECT_EQ(StderrTellingLine("\n  \nvault: denied\r\nmore\n", {}), "vault: denied");
  EXPECT_EQ(StderrTellingLine("bell\a and \xff byte, caf\xc3\xa9", {}), "bell? and ? byte, caf\xc3\xa9");
  const std::string long_line(300, 'x');
  EXPECT_EQ(StderrTellingLine(long_line, {}), std::string(200, 'x') + "...");
  EXPECT_EQ(StderrTellingLine(std::string(200, 'x'), {}), std::string(200, 'x'));
  EXPECT_EQ(StderrTellingLine("Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: bad port\n\n", {}),
            "ValueError: bad port");
}

TEST(ExecProtocolTest, StderrThatContainsASecretIsWithheld) {
  constexpr char kWithheld[] = "(stderr withheld: it contains the value)";
  EXPECT_EQ(StderrTellingLine("got {\"value\":\"s3cret\"}\n", {"", "s3cret"}), kWithheld);
  // JSON-escaped, as a program echoing its stdin would print it.
  EXPECT_EQ(StderrTellingLine("got {\"value\":\"s3\\\"cret\"}", {"s3\"cret"}), kWithheld);
  // Only the shown line counts; an empty secret withholds nothing.
  EXPECT_EQ(StderrTellingLine("failed\ns3cret\n", {"s3cret", ""}), "failed");
}

TEST(ExecProtocolTest, TokenLikeStderrIsWithheldWhenAsked) {
  constexpr char kMaybe[] = "(stderr withheld: it may contain a secret)";
  const std::string token = "vault holds hvs.CAESIJ1kq7Xw0Zb9Yf3Lm2Np8Qr";
  EXPECT_EQ(StderrTellingLine(token, {}, true), kMaybe);
  EXPECT_EQ(StderrTellingLine(token, {}), token);  // not asked: as before
  // The value itself is still named as such.
  EXPECT_EQ(StderrTellingLine("got s3cret-0123456789abcdef", {"s3cret-0123456789abcdef"}, true),
            "(stderr withheld: it contains the value)");
  // Past the 200 characters shown counts too: a shortened line could show the token's start.
  EXPECT_EQ(StderrTellingLine(std::string(195, ' ') + "x " + "YWJjZGVmZ2hpamtsbW5vcA==", {}, true), kMaybe);
  EXPECT_EQ(StderrTellingLine("permission denied: /var/lib/x\n" + token, {}, true),
            "permission denied: /var/lib/x");
  EXPECT_TRUE(LooksTokenLike("0123456789abcdef"));
  EXPECT_TRUE(LooksTokenLike("key=ab+/cd_EF-gh=="));
  EXPECT_FALSE(LooksTokenLike("0123456789abcde"));  // 15
  EXPECT_FALSE(LooksTokenLike("vault: permission denied for device-42 (code 403)"));
  EXPECT_FALSE(LooksTokenLike("0123456789.abcdef0123"));
}

// --- the fields form --------------------------------------------------------------------------

const ExecFields kPairing{{"device_id", "token"}, false};
constexpr char kFieldsShape[] =
    "; expected {\"fields\": {\"device_id\": \"...\", \"token\": \"...\"}} or {\"missing\": true}";

std::string FieldsErrorFor(const std::string& out) {
  Result<ReadReply> r = ParseReadReply(out, kPairing);
  EXPECT_FALSE(r.ok()) << out;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  const std::string& m = r.status().message();
  EXPECT_EQ(m.find("s3cret"), std::string::npos) << m;
  const std::size_t n = sizeof(kFieldsShape) - 1;
  EXPECT_TRUE(m.size() >= n && m.substr(m.size() - n) == kFieldsShape) << m;
  return m.size() >= n ? m.substr(0, m.size() - n) : m;
}

TEST(ExecProtocolTest, ParsesTheFieldsForm) {
  Result<ReadReply> both = ParseReadReply("{\"fields\": {\"token\": \"s3cret\", \"device_id\": \"d-42\"}}", kPairing);
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  ASSERT_EQ(both->size(), 2u);
  EXPECT_EQ(both->at("token").Reveal(), "s3cret");
  EXPECT_EQ(both->at("device_id").Reveal(), "d-42");

  Result<ReadReply> partial = ParseReadReply("{\"fields\": {\"token\": null, \"device_id\": \"d-42\"}}", kPairing);
  ASSERT_TRUE(partial.ok()) << partial.status().ToString();
  ASSERT_EQ(partial->size(), 1u);
  EXPECT_EQ(partial->count("token"), 0u);

  for (const char* missing : {"{\"missing\": true}", "{\"fields\": {}}", "{\"fields\": null}",
                              "{\"fields\": {\"token\": null, \"device_id\": null}}"}) {
    Result<ReadReply> r = ParseReadReply(missing, kPairing);
    ASSERT_TRUE(r.ok()) << missing << ": " << r.status().ToString();
    EXPECT_TRUE(r->empty()) << missing;
  }
}

TEST(ExecProtocolTest, ASingleFieldSideAcceptsTheFieldsFormToo) {
  Result<ReadReply> r = ParseReadReply("{\"fields\": {\"token\": \"s3cret\"}}");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at("token").Reveal(), "s3cret");
  EXPECT_EQ(ErrorFor("{\"fields\": {\"device_id\": \"x\"}}"),
            "\"fields\" has a member that is not one of this side's fields (token)");
  EXPECT_EQ(ErrorFor("{\"value\": \"a\", \"fields\": {\"token\": \"s3cret\"}}"),
            "printed both \"value\" and \"fields\"");
}

TEST(ExecProtocolTest, RefusesEveryOtherFieldsShapeWithoutQuotingIt) {
  EXPECT_EQ(FieldsErrorFor("{\"value\": \"s3cret\"}"),
            "printed \"value\", but this side maps the fields device_id, token");
  EXPECT_EQ(FieldsErrorFor("{\"fields\": {\"s3cret\": \"x\"}}"),
            "\"fields\" has a member that is not one of this side's fields (device_id, token)");
  // A field of the kind that this side does not map is unknown to it as well.
  EXPECT_EQ(FieldsErrorFor("{\"fields\": {\"gateway_url\": \"https://gw\"}}"),
            "\"fields\" has a member that is not one of this side's fields (device_id, token)");
  EXPECT_EQ(FieldsErrorFor("{\"fields\": {\"token\": 42}}"), "field \"token\" is a number, not a string");
  EXPECT_EQ(FieldsErrorFor("{\"fields\": {\"token\": {\"v\": \"s3cret\"}}}"),
            "field \"token\" is an object, not a string");
  EXPECT_EQ(FieldsErrorFor("{\"fields\": {\"device_id\": [\"s3cret\"]}}"),
            "field \"device_id\" is an array, not a string");
  EXPECT_EQ(FieldsErrorFor("{\"fields\": {\"token\": \"a\", \"token\": \"s3cret\"}}"),
            "printed field \"token\" twice");
  EXPECT_EQ(FieldsErrorFor("{\"fields\": \"s3cret\"}"), "\"fields\" is a string, not an object");
  EXPECT_EQ(FieldsErrorFor("{\"fields\": [\"s3cret\"]}"), "\"fields\" is an array, not an object");
  EXPECT_EQ(FieldsErrorFor("{\"fields\": {}, \"fields\": {}}"), "printed \"fields\" twice");
  EXPECT_EQ(FieldsErrorFor("{\"fields\": {\"token\": \"s3cret\"}, \"missing\": true}"),
            "printed both \"fields\" and \"missing\"");
  EXPECT_EQ(FieldsErrorFor("{\"s3cret\": 1}"), "printed an object with a key other than \"fields\" and \"missing\"");
  EXPECT_EQ(FieldsErrorFor("{}"), "printed an object without \"fields\" or \"missing\"");
  EXPECT_EQ(FieldsErrorFor("[\"s3cret\"]"), "printed an array, not a JSON object");
  EXPECT_EQ(FieldsErrorFor("{\"fields\": {\"token\": s3cret}}"), "printed non-JSON at line 1 column 22");
}

TEST(ExecProtocolTest, EncodesTheFieldsForm) {
  Record record;
  record.emplace("token", Secret(std::string("a\"b")));
  record.emplace("device_id", Secret(std::string("d-42")));
  record.emplace("paired_at", Secret(std::string("17")));  // not mapped: left out
  Result<std::string> line = EncodeWriteRequest(record, kPairing);
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  EXPECT_EQ(*line, "{\"fields\":{\"device_id\":\"d-42\",\"token\":\"a\\\"b\"}}\n");
  Result<ReadReply> back = ParseReadReply(*line, kPairing);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->size(), 2u);
  EXPECT_TRUE(back->at("token").Equals(record.at("token")));

  Record partial{{"token", Secret(std::string("t"))}};
  EXPECT_EQ(*EncodeWriteRequest(partial, kPairing), "{\"fields\":{\"token\":\"t\"}}\n");

  Record bad{{"device_id", Secret(std::string("\xc3("))}};
  EXPECT_EQ(EncodeWriteRequest(bad, kPairing).status().message(),
            "the value of `device_id` is not valid UTF-8, which a JSON string must be");
  Record none{{"paired_at", Secret(std::string("17"))}};
  EXPECT_EQ(EncodeWriteRequest(none, kPairing).status().code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(EncodeRemoveRequest(kPairing), "{\"fields\":{\"device_id\":null,\"token\":null}}\n");
  Result<ReadReply> removed = ParseReadReply(EncodeRemoveRequest(kPairing), kPairing);
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(removed->empty());
}

}  // namespace
}  // namespace seam
