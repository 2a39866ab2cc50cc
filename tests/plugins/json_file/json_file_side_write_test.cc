// json-file: Write and Remove (compare-and-swap, key order, modes, refusals). Each test asserts
// the exact bytes left on disk.
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "plugins/common/atomic_file.h"
#include "plugins/json_file/json_file_side.h"
#include "tests/support/records.h"
#include "tests/support/temp_dir.h"

namespace seam {
namespace {

namespace fs = std::filesystem;
using testing::OneField;
using testing::ReadFile;
using testing::FieldText;
using testing::TempDir;
using testing::WriteFile;

constexpr char kSecret[] = "s3cret-token-value";

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

class JsonFileSideWriteTest : public ::testing::Test {
 protected:
  std::unique_ptr<Side> Make(const std::string& pointer, const std::string& path = "paired.json") {
    SideOptions o("seam.toml", dir_.path(), "device-token", "cli", 10);
    o.Set("path", OptionValue{path, 11});
    o.Set("pointer", OptionValue{pointer, 12});
    auto side = MakeJsonFileSide(o);
    EXPECT_TRUE(side.ok()) << side.status().ToString();
    return side.ok() ? std::move(side).value() : nullptr;
  }
  std::string File() const { return (dir_ / "paired.json").string(); }
  std::string Content() const { return ReadFile(dir_ / "paired.json"); }
  mode_t Mode() const {
    struct stat st {};
    EXPECT_EQ(::stat(File().c_str(), &st), 0);
    return st.st_mode & 07777;
  }
  std::set<std::string> Names() const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_.path())) out.insert(e.path().filename().string());
    return out;
  }

  TempDir dir_;
};

TEST_F(JsonFileSideWriteTest, WriteKeepsOtherKeysAndTheirOrder) {
  WriteFile(dir_ / "paired.json",
            R"({"zeta": 1, "alpha": {"b": true, "a": null}, "token": "old", "list": [1, "x"]})");
  auto side = Make("/token");

  Status s = side->Write(OneField("new"), side->Observe().marker);

  ASSERT_TRUE(s.ok()) << s.ToString();
  // Only the value's bytes change: a one-line file stays one line.
  EXPECT_EQ(Content(), R"({"zeta": 1, "alpha": {"b": true, "a": null}, "token": "new", "list": [1, "x"]})");
}

TEST_F(JsonFileSideWriteTest, WriteCreatesIntermediateObjectsAfterExistingKeys) {
  WriteFile(dir_ / "paired.json", R"({"version": 2, "devices": {"device-7": {"token": "t7"}}})");
  auto side = Make("/devices/device-42/token");

  ASSERT_TRUE(side->Write(OneField("t42"), side->Observe().marker).ok());

  EXPECT_EQ(Content(), R"({"version": 2, "devices": {"device-7": {"token": "t7"}, "device-42": {"token": "t42"}}})");
}

TEST_F(JsonFileSideWriteTest, WriteCreatesMissingFileWithMode0600AndNoTempFiles) {
  auto side = Make("/token");
  Observation missing = side->Observe();
  ASSERT_EQ(missing.state, Observation::State::kMissing);

  ASSERT_TRUE(side->Write(OneField("v"), missing.marker).ok());

  EXPECT_EQ(Content(), "{\n  \"token\": \"v\"\n}\n");
  EXPECT_EQ(Mode(), 0600u);
  EXPECT_EQ(Names(), std::set<std::string>{"paired.json"});
}

TEST_F(JsonFileSideWriteTest, WriteKeepsExistingMode0640AndLeavesNoTempFiles) {
  WriteFile(dir_ / "paired.json", R"({"token": "old"})");
  fs::permissions(dir_ / "paired.json", static_cast<fs::perms>(0640));
  auto side = Make("/token");

  ASSERT_TRUE(side->Write(OneField("new"), side->Observe().marker).ok());

  EXPECT_EQ(Mode(), 0640u);
  EXPECT_EQ(Names(), std::set<std::string>{"paired.json"});
}

TEST_F(JsonFileSideWriteTest, ReadBackAfterWriteObservesTheValue) {
  WriteFile(dir_ / "paired.json", R"({"token": "old"})");
  auto side = Make("/token");

  ASSERT_TRUE(side->Write(OneField(kSecret), side->Observe().marker).ok());

  Observation o = side->Observe();
  ASSERT_EQ(o.state, Observation::State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o), kSecret);
}

TEST_F(JsonFileSideWriteTest, SecondIdenticalWriteAfterReobserveSucceeds) {
  auto side = Make("/token");
  ASSERT_TRUE(side->Write(OneField("v"), side->Observe().marker).ok());

  Status s = side->Write(OneField("v"), side->Observe().marker);

  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Content(), "{\n  \"token\": \"v\"\n}\n") << "a new file is written whole, indented";
}

TEST_F(JsonFileSideWriteTest, WriteRefusesWhenFileChangedSinceObserved) {
  WriteFile(dir_ / "paired.json", R"({"token": "old"})");
  auto side = Make("/token");
  Observation seen = side->Observe();
  WriteFile(dir_ / "paired.json", R"({"token": "mid"})");  // same size, maybe same mtime

  Status s = side->Write(OneField(kSecret), seen.marker);

  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), File() + " changed since it was observed; not writing");
  EXPECT_EQ(Content(), R"({"token": "mid"})");
}

TEST_F(JsonFileSideWriteTest, WriteRefusesWhenFileAppearedSinceObservedMissing) {
  auto side = Make("/token");
  Observation seen = side->Observe();
  WriteFile(dir_ / "paired.json", R"({"token": "theirs"})");

  Status s = side->Write(OneField("ours"), seen.marker);

  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Content(), R"({"token": "theirs"})");
}

TEST_F(JsonFileSideWriteTest, WriteWithTheMarkerFromBeforeOurOwnWriteIsRefused) {
  auto side = Make("/token");
  ChangeMarker before = side->Observe().marker;
  ASSERT_TRUE(side->Write(OneField("v1"), before).ok());

  EXPECT_EQ(side->Write(OneField("v2"), before).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Content(), "{\n  \"token\": \"v1\"\n}\n");
}

TEST_F(JsonFileSideWriteTest, WriteRefusesToClobberInvalidJson) {
  const std::string broken = "{\"token\": \"s3cret-token-value\",\n";
  WriteFile(dir_ / "paired.json", broken);
  auto side = Make("/token");

  Status s = side->Write(OneField("new"), side->Observe().marker);

  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(s.message(), File() + ": invalid JSON at line 2")) << s.message();
  EXPECT_FALSE(Contains(s.message(), kSecret));
  EXPECT_EQ(Content(), broken);
}

TEST_F(JsonFileSideWriteTest, WriteRefusesPointerThroughNonObject) {
  const std::string content = R"({"devices": ["a"]})";
  WriteFile(dir_ / "paired.json", content);
  auto side = Make("/devices/device-42/token");

  Status s = side->Write(OneField(kSecret), side->Observe().marker);

  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            File() + ": /devices/device-42/token: /devices is an array, not an object; not writing");
  EXPECT_EQ(Content(), content);
}

TEST_F(JsonFileSideWriteTest, WriteRefusesToReplaceANonStringValue) {
  const std::string content = R"({"token": {"id": 7}})";
  WriteFile(dir_ / "paired.json", content);
  auto side = Make("/token");

  Status s = side->Write(OneField(kSecret), side->Observe().marker);

  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), File() + ": value at /token is an object, not a string; not writing");
  EXPECT_EQ(Content(), content);
}

TEST_F(JsonFileSideWriteTest, WriteReplacesANullValue) {
  WriteFile(dir_ / "paired.json", R"({"token": null})");
  auto side = Make("/token");
  ASSERT_TRUE(side->Write(OneField("v"), side->Observe().marker).ok());
  EXPECT_EQ(Content(), R"({"token": "v"})");
}

TEST_F(JsonFileSideWriteTest, WriteRefusesValueThatIsNotUtf8) {
  WriteFile(dir_ / "paired.json", R"({"token": "old"})");
  auto side = Make("/token");

  Status s = side->Write(OneField("\xff\xfe"), side->Observe().marker);

  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Content(), R"({"token": "old"})");
}

TEST_F(JsonFileSideWriteTest, WriteIntoMissingDirectoryFailsAndCreatesNothing) {
  auto side = Make("/token", "nope/paired.json");

  Status s = side->Write(OneField(kSecret), side->Observe().marker);

  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message(), (dir_ / "nope/paired.json").string() + ": directory " +
                             (dir_ / "nope").string() + " does not exist");
  EXPECT_FALSE(fs::exists(dir_ / "nope"));
}

TEST_F(JsonFileSideWriteTest, RemoveRemovesOnlyThatKey) {
  WriteFile(dir_ / "paired.json", R"({"a": 1, "devices": {"d": {"token": "t", "name": "n"}}, "z": 2})");
  auto side = Make("/devices/d/token");

  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());

  EXPECT_EQ(Content(), R"({"a": 1, "devices": {"d": {"name": "n"}}, "z": 2})");
  EXPECT_EQ(side->Observe().state, Observation::State::kMissing);
}

TEST_F(JsonFileSideWriteTest, RemoveOfAbsentMemberSucceedsWithoutWriting) {
  const std::string content = R"({"other": 1})";
  WriteFile(dir_ / "paired.json", content);
  struct stat before {};
  ASSERT_EQ(::stat(File().c_str(), &before), 0);
  auto side = Make("/devices/d/token");

  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());

  struct stat after {};
  ASSERT_EQ(::stat(File().c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(Content(), content);
}

TEST_F(JsonFileSideWriteTest, RemoveFromMissingFileSucceedsAndCreatesNothing) {
  auto side = Make("/token");
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  EXPECT_TRUE(Names().empty());
}

TEST_F(JsonFileSideWriteTest, RemoveRefusesWhenFileChangedSinceObserved) {
  WriteFile(dir_ / "paired.json", R"({"token": "old"})");
  auto side = Make("/token");
  Observation seen = side->Observe();
  WriteFile(dir_ / "paired.json", R"({"token": "new"})");

  Status s = side->Remove(seen.marker);

  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Content(), R"({"token": "new"})");
}

// --- a pairing: several fields, one write ---------------------------------------------------

// Counts the renames onto `name` in `dir` (inotify IN_MOVED_TO) between construction and Count().
class RenameCounter {
 public:
  RenameCounter(const fs::path& dir, std::string name) : name_(std::move(name)) {
    fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    EXPECT_GE(fd_, 0);
    EXPECT_GE(::inotify_add_watch(fd_, dir.c_str(), IN_MOVED_TO), 0);
  }
  ~RenameCounter() { ::close(fd_); }
  RenameCounter(const RenameCounter&) = delete;
  RenameCounter& operator=(const RenameCounter&) = delete;

  int Count() {
    int count = 0;
    alignas(inotify_event) char buf[4096];
    while (true) {
      ssize_t n = ::read(fd_, buf, sizeof(buf));
      if (n <= 0) break;
      for (ssize_t off = 0; off < n;) {
        inotify_event event;
        std::memcpy(&event, buf + off, sizeof(event));
        const char* name = buf + off + static_cast<ssize_t>(sizeof(inotify_event));
        if ((event.mask & IN_MOVED_TO) != 0 && event.len > 0 && name_ == name) ++count;
        off += static_cast<ssize_t>(sizeof(inotify_event) + event.len);
      }
    }
    return count;
  }

 private:
  int fd_ = -1;
  std::string name_;
};

class JsonFilePairingWriteTest : public JsonFileSideWriteTest {
 protected:
  std::unique_ptr<Side> MakePairing() {
    SideOptions o("seam.toml", dir_.path(), "device-42", "cli", 10);
    o.SetKind(KindFields{"pairing", {"device_id", "token", "gateway_url", "paired_at"}, "token"});
    o.Set("path", OptionValue{std::string("paired.json"), 11});
    o.Set("fields", OptionValue{StringTable{{"token", "/token", 13},
                                            {"device_id", "/device_id", 14},
                                            {"gateway_url", "/gateway_url", 15}},
                                12});
    auto side = MakeJsonFileSide(o);
    EXPECT_TRUE(side.ok()) << side.status().ToString();
    return side.ok() ? std::move(side).value() : nullptr;
  }
  static Record Pairing() {
    Record r;
    r.emplace("device_id", Secret(std::string("device-42")));
    r.emplace("token", Secret(std::string(kSecret)));
    r.emplace("gateway_url", Secret(std::string("https://gw.example:8443")));
    r.emplace("paired_at", Secret(std::string("1700000000")));  // not mapped: ignored
    return r;
  }
  ino_t Inode() const {
    struct stat st {};
    EXPECT_EQ(::stat(File().c_str(), &st), 0);
    return st.st_ino;
  }
};

TEST_F(JsonFilePairingWriteTest, WritesEveryMappedFieldInOneRename) {
  WriteFile(dir_ / "paired.json", R"({"version": 2, "token": "old", "name": "laptop"})");
  auto side = MakePairing();
  const ino_t before = Inode();
  RenameCounter renames(dir_.path(), "paired.json");

  Status s = side->Write(Pairing(), side->Observe().marker);

  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(renames.Count(), 1);
  EXPECT_NE(Inode(), before);
  EXPECT_EQ(Names(), std::set<std::string>{"paired.json"});
  // Existing members keep their place; new ones follow in kind order. paired_at is not mapped.
  EXPECT_EQ(Content(),
            R"({"version": 2, "token": "s3cret-token-value", "name": "laptop", "device_id": "device-42", "gateway_url": "https://gw.example:8443"})");
  Observation o = side->Observe();
  ASSERT_EQ(o.state, Observation::State::kValue) << o.reason;
  EXPECT_EQ(o.fields.size(), 3u);
  EXPECT_EQ(FieldText(o, "device_id"), "device-42");
  EXPECT_EQ(FieldText(o), kSecret);
  EXPECT_EQ(FieldText(o, "gateway_url"), "https://gw.example:8443");
}

TEST_F(JsonFilePairingWriteTest, FieldsAbsentFromTheRecordAreLeftAlone) {
  WriteFile(dir_ / "paired.json", R"({"device_id": "device-42", "token": "old", "gateway_url": "https://gw"})");
  auto side = MakePairing();

  ASSERT_TRUE(side->Write(OneField("new"), side->Observe().marker).ok());

  EXPECT_EQ(Content(), R"({"device_id": "device-42", "token": "new", "gateway_url": "https://gw"})");
}

TEST_F(JsonFilePairingWriteTest, ARecordWithNoMappedFieldWritesNothing) {
  const std::string content = R"({"token": "old"})";
  WriteFile(dir_ / "paired.json", content);
  auto side = MakePairing();
  const ino_t before = Inode();

  ASSERT_TRUE(side->Write(OneField("1700000000", "paired_at"), side->Observe().marker).ok());

  EXPECT_EQ(Inode(), before);
  EXPECT_EQ(Content(), content);
}

TEST_F(JsonFilePairingWriteTest, WriteRefusesWhenAnyMappedMemberHoldsANonString) {
  // Only the token is written, but the file is judged as a whole, as Observe judges it.
  const std::string content = R"({"token": "old", "gateway_url": {"host": "gw"}})";
  WriteFile(dir_ / "paired.json", content);
  auto side = MakePairing();

  Status s = side->Write(OneField("new"), side->Observe().marker);

  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), File() + ": value at /gateway_url is an object, not a string; not writing");
  EXPECT_EQ(Content(), content);
}

TEST_F(JsonFilePairingWriteTest, WriteRefusesWhenTheFileChangedSinceObserved) {
  WriteFile(dir_ / "paired.json", R"({"token": "old"})");
  auto side = MakePairing();
  Observation seen = side->Observe();
  WriteFile(dir_ / "paired.json", R"({"token": "mid"})");

  Status s = side->Write(Pairing(), seen.marker);

  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Content(), R"({"token": "mid"})");
}

TEST_F(JsonFilePairingWriteTest, RemoveRemovesEveryMappedFieldInOneRename) {
  WriteFile(dir_ / "paired.json",
            R"({"device_id": "device-42", "token": "t", "gateway_url": "https://gw", "paired_at": "1", "v": 2})");
  auto side = MakePairing();
  RenameCounter renames(dir_.path(), "paired.json");

  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());

  EXPECT_EQ(renames.Count(), 1);
  EXPECT_EQ(Content(), R"({"paired_at": "1", "v": 2})");
  EXPECT_EQ(side->Observe().state, Observation::State::kMissing);
}

TEST_F(JsonFilePairingWriteTest, RemoveOfAPartialPairingRemovesWhatIsThere) {
  WriteFile(dir_ / "paired.json", R"({"token": null, "gateway_url": "https://gw"})");
  auto side = MakePairing();
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  EXPECT_EQ(Content(), "{}");
}

// Every other byte stays, whatever the file's layout: indentation (tabs too), a compact file,
// escapes in other strings, a final newline or none; an added member is spaced as its object's
// members are, and a removal takes its separator with it.
TEST_F(JsonFileSideWriteTest, WritesKeepTheFilesLayoutByteForByte) {
  struct Case {
    std::string before, pointer;
    std::optional<std::string> value;
    std::string after;
  };
  const std::vector<Case> cases = {
      {"{\n  \"name\": \"caf\\u00e9\",\n  \"token\": \"old\"\n}\n", "/token", "new",
       "{\n  \"name\": \"caf\\u00e9\",\n  \"token\": \"new\"\n}\n"},
      {"{\n\t\"a\": 1,\n\t\"b\": {\n\t\t\"c\": true\n\t}\n}", "/token", "v",
       "{\n\t\"a\": 1,\n\t\"b\": {\n\t\t\"c\": true\n\t},\n\t\"token\": \"v\"\n}"},
      {"{\"a\":1,\"b\":2}\n", "/token", "v", "{\"a\":1,\"b\":2,\"token\":\"v\"}\n"},
      {"{\"a\":1}", "/token", "v", "{\"a\":1,\"token\":\"v\"}"},
      {"{ \"a\": 1 }", "/token", "v", "{ \"a\": 1, \"token\": \"v\" }"},
      {"{\n    \"a\": 1\n}\n", "/token", "v", "{\n    \"a\": 1,\n    \"token\": \"v\"\n}\n"},
      {"{}", "/token", "v", "{\"token\": \"v\"}"},
      {"{\"z\": 0}", "/cfg/auth/token", "v", "{\"z\": 0, \"cfg\": {\"auth\": {\"token\": \"v\"}}}"},
      {"{\n  \"a\": 1,\n  \"token\": \"x\",\n  \"z\": 2\n}\n", "/token", std::nullopt, "{\n  \"a\": 1,\n  \"z\": 2\n}\n"},
      {"{\n  \"token\": \"x\",\n  \"z\": 2\n}\n", "/token", std::nullopt, "{\n  \"z\": 2\n}\n"},
      {"{\"t\\u006fken\": \"x\", \"z\": \"\\\"}\"}", "/token", "say \"hi\"\n", "{\"t\\u006fken\": \"say \\\"hi\\\"\\n\", \"z\": \"\\\"}\"}"},
  };
  for (const Case& c : cases) {
    WriteFile(dir_ / "paired.json", c.before);
    auto side = Make(c.pointer);
    Status s = c.value ? side->Write(OneField(*c.value), side->Observe().marker) : side->Remove(side->Observe().marker);
    ASSERT_TRUE(s.ok()) << c.before << ": " << s.ToString();
    EXPECT_EQ(Content(), c.after) << c.before;
  }
}

// The file another tool keeps behind a link: read through it, never written through it
// (plugins/common/link_policy.h), and the target keeps its bytes.
TEST_F(JsonFileSideWriteTest, ASymlinkedFileIsReadButNeverWrittenThrough) {
  fs::create_directories(dir_ / "real");
  WriteFile(dir_ / "real/paired.json", "{\"token\": \"theirs\"}\n");
  fs::create_symlink("real/paired.json", dir_ / "paired.json");
  auto side = Make("/token");
  Observation o = side->Observe();
  ASSERT_EQ(o.state, Observation::State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o, "token"), "theirs");
  const Status check = side->CheckWritable();
  EXPECT_EQ(check.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(check.message(), File() + " is a symlink to real/paired.json")) << check.message();
  const Status write = side->Write(OneField(kSecret), o.marker);
  EXPECT_EQ(write.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(write.message(), "seam does not write through it")) << write.message();
  EXPECT_EQ(side->Remove(o.marker).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadFile(dir_ / "real/paired.json"), "{\"token\": \"theirs\"}\n");
  EXPECT_TRUE(fs::is_symlink(dir_ / "paired.json"));
}

// A symlink planted after the side's own read, just before its rename (the window the lstat
// check cannot cover): the file it points to keeps its bytes, the link stays, and the write is
// refused (plugins/common/atomic_file.h ReplaceReadFile; every window:
// tests/plugins/common/replace_read_file_test.cc).
TEST_F(JsonFileSideWriteTest, ASymlinkPlantedJustBeforeTheRenameIsNotWrittenThrough) {
  WriteFile(dir_ / "paired.json", "{\"token\": \"old\"}\n");
  fs::create_directories(dir_ / "elsewhere");
  WriteFile(dir_ / "elsewhere/target.json", "{\"token\": \"not seam's\"}\n");
  auto side = Make("/token");
  Observation o = side->Observe();
  ASSERT_EQ(o.state, Observation::State::kValue) << o.reason;
  atomic_file_internal::SetStepHook([&](std::string_view step) {
    if (step != "before-rename") return;
    fs::remove(dir_ / "paired.json");
    fs::create_symlink("elsewhere/target.json", dir_ / "paired.json");
  });
  const Status write = side->Write(OneField(kSecret), o.marker);
  atomic_file_internal::SetStepHook(nullptr);
  EXPECT_EQ(write.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(write.message(), File() + " was replaced or rewritten while it was being written; it is put back; not writing");
  EXPECT_EQ(ReadFile(dir_ / "elsewhere/target.json"), "{\"token\": \"not seam's\"}\n");
  EXPECT_TRUE(fs::is_symlink(dir_ / "paired.json"));
  EXPECT_FALSE(Contains(write.message(), kSecret));
}

TEST_F(JsonFileSideWriteTest, AHardLinkedFileIsReadButNotReplaced) {
  WriteFile(dir_ / "paired.json", "{\"token\": \"old\"}\n");
  fs::create_hard_link(dir_ / "paired.json", dir_ / "paired.json.bak");
  auto side = Make("/token");
  Observation o = side->Observe();
  ASSERT_EQ(o.state, Observation::State::kValue) << o.reason;
  const Status check = side->CheckWritable();
  EXPECT_EQ(check.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(check.message(), File() + " has 2 hard links")) << check.message();
  EXPECT_EQ(side->Write(OneField(kSecret), o.marker).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(side->Remove(o.marker).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadFile(dir_ / "paired.json"), "{\"token\": \"old\"}\n");
  EXPECT_EQ(ReadFile(dir_ / "paired.json.bak"), "{\"token\": \"old\"}\n");
}

}  // namespace
}  // namespace seam
