// Runs the vellum binary as an auditor would and checks exit statuses and messages, especially
// for malformed input: every bad input must end in status 1 or 2 with one clear line, never a
// crash.

#include <sys/stat.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/identity/token_file.h"
#include "proof/hash.h"
#include "tools/testing/process.h"

namespace vellum {
namespace {

using ::testing::HasSubstr;

using Result = subprocess::RunResult;
using subprocess::ReadFile;
using subprocess::TempDir;
using subprocess::WriteFile;

// Runs tools/vellum with `args`, feeding `input` on standard input.
Result RunVellum(const std::vector<std::string>& args, const std::string& input = "") {
  return subprocess::Run("tools/vellum", args, input);
}

// A valid inclusion proof: leaf 2 of the 3-leaf tree over "a", "b", "c".
struct SmallTree {
  Hash a = HashLeaf("a"), b = HashLeaf("b"), c = HashLeaf("c");
  Hash ab = HashChildren(a, b);
  Hash root2 = ab;
  Hash root3 = HashChildren(ab, c);
};

std::vector<std::string> InclusionArgs(const SmallTree& t) {
  return {"verify", "inclusion", "--leaf-hash", HashToBase64(t.c), "--index", "2",
          "--size", "3", "--root", HashToBase64(t.root3), "--proof", HashToBase64(t.ab)};
}

std::vector<std::string> With(std::vector<std::string> args, const std::string& flag,
                              const std::string& value) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == flag) args[i + 1] = value;
  }
  return args;
}

TEST(VellumCliTest, HelpForEveryCommand) {
  for (const char* command : {"keygen", "verify inclusion", "verify consistency",
                              "verify checkpoint", "verify receipt", "hash leaf"}) {
    std::vector<std::string> args = absl::StrSplit(command, ' ');
    args.push_back("--help");
    Result r = RunVellum(args);
    EXPECT_EQ(r.status, 0) << command;
    EXPECT_THAT(r.out, HasSubstr(absl::StrCat("vellum ", command))) << command;
  }
  EXPECT_EQ(RunVellum({"--help"}).status, 0);
  Result none = RunVellum({});
  EXPECT_EQ(none.status, 2);
  EXPECT_THAT(none.err, HasSubstr("Commands:"));
  Result unknown = RunVellum({"verify", "bogus"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_THAT(unknown.err, HasSubstr("unknown command \"verify bogus\""));
}

TEST(VellumCliTest, HashLeafMatchesRfc6962) {
  Result r = RunVellum({"hash", "leaf"}, "hello");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, HashToBase64(HashLeaf("hello")) + "\n");
  Result empty = RunVellum({"hash", "leaf", "-"}, "");
  EXPECT_EQ(empty.out, HashToBase64(HashLeaf("")) + "\n");
  Result too_big = RunVellum({"hash", "leaf"}, std::string(65536, 'x'));
  EXPECT_EQ(too_big.status, 2);
  EXPECT_THAT(too_big.err, HasSubstr("longer than the limit of 65535 bytes"));
  Result missing = RunVellum({"hash", "leaf", TempDir() + "/does-not-exist"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_THAT(missing.err, HasSubstr("cannot open"));
}

TEST(VellumCliTest, VerifyInclusion) {
  SmallTree t;
  Result ok = RunVellum(InclusionArgs(t));
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(ok.out, "valid: leaf 2 is in the tree of size 3\n");

  Result wrong_root = RunVellum(With(InclusionArgs(t), "--root", HashToBase64(t.root2)));
  EXPECT_EQ(wrong_root.status, 1);
  EXPECT_THAT(wrong_root.err, HasSubstr("invalid: root mismatch"));

  Result wrong_index = RunVellum(With(InclusionArgs(t), "--index", "1"));
  EXPECT_EQ(wrong_index.status, 1);

  Result past_size = RunVellum(With(InclusionArgs(t), "--index", "3"));
  EXPECT_EQ(past_size.status, 1);
  EXPECT_THAT(past_size.err, HasSubstr("past tree size 3"));

  Result long_proof =
      RunVellum(With(InclusionArgs(t), "--proof", HashToBase64(t.ab) + "," + HashToBase64(t.a)));
  EXPECT_EQ(long_proof.status, 1);
  EXPECT_THAT(long_proof.err, HasSubstr("wrong proof size 2, want 1"));
}

TEST(VellumCliTest, VerifyConsistency) {
  SmallTree t;
  std::vector<std::string> args = {"verify", "consistency", "--size1", "2", "--size2", "3",
                                   "--root1", HashToBase64(t.root2), "--root2",
                                   HashToBase64(t.root3), "--proof", HashToBase64(t.c)};
  Result ok = RunVellum(args);
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(ok.out, "valid: the tree of size 3 extends the tree of size 2\n");
  Result swapped = RunVellum(With(With(args, "--root1", HashToBase64(t.root3)), "--root2",
                            HashToBase64(t.root2)));
  EXPECT_EQ(swapped.status, 1);
  Result empty_proof = RunVellum(With(args, "--proof", ""));
  EXPECT_EQ(empty_proof.status, 1);
  EXPECT_THAT(empty_proof.err, HasSubstr("wrong proof size 0, want 1"));
}

TEST(VellumCliTest, MalformedArgumentsAreUsageErrors) {
  SmallTree t;
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  const Case cases[] = {
      {With(InclusionArgs(t), "--index", "-1"), "--index \"-1\" is not a decimal number"},
      {With(InclusionArgs(t), "--size", "3x"), "--size \"3x\" is not a decimal number"},
      {With(InclusionArgs(t), "--size", "99999999999999999999"), "overflows 64 bits"},
      {With(InclusionArgs(t), "--root", "not base64"), "--root: invalid base64"},
      {With(InclusionArgs(t), "--root", "AAAA"), "--root: hash is 3 bytes, want 32"},
      {With(InclusionArgs(t), "--proof", "AAAA,"), "--proof hash 1: hash is 3 bytes, want 32"},
      {With(InclusionArgs(t), "--proof", HashToBase64(t.ab) + ",,"),
       "--proof hash 2: hash is 0 bytes, want 32"},
      {{"verify", "inclusion", "--index", "0"}, "missing required flag --leaf-hash"},
      {{"verify", "inclusion", "--bogus", "1"}, "unknown flag --bogus"},
      {{"verify", "inclusion", "--index"}, "flag --index needs a value"},
      {{"keygen", "--origin", "o"}, "missing required flag --out"},
      {{"keygen", "--token"}, "missing required flag --principal"},
      {{"keygen", "--token", "--principal", "ci", "--out", "x"}, "--token takes no --out"},
      {{"keygen", "--token", "--principal", "two words"}, "--principal \"two words\": want"},
      {{"keygen", "--token", "--principal", "ci", "--groups", "a,,b"}, "--groups: group \"\""},
      {{"keygen", "--origin", "o", "--out", "x", "--principal", "ci"},
       "--principal needs --token"},
      {{"verify", "checkpoint", "--verifier-key", "garbage"}, "--verifier-key:"},
      {{"hash", "leaf", "a", "b"}, "got 2 input files, want at most 1"},
  };
  for (const Case& c : cases) {
    Result r = RunVellum(c.args);
    EXPECT_EQ(r.status, 2) << absl::StrJoin(c.args, " ");
    EXPECT_THAT(r.err, HasSubstr(c.message)) << absl::StrJoin(c.args, " ");
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 2) << r.err;
  }
}

TEST(VellumCliTest, KeygenWritesPrivateKeyWithMode0600AndNeverOverwrites) {
  std::string prefix = TempDir() + "/log";
  Result r = RunVellum({"keygen", "--origin", "example.com/log", "--out", prefix});
  ASSERT_EQ(r.status, 0) << r.err;
  struct stat st;
  ASSERT_EQ(stat((prefix + ".key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string vkey = ReadFile(prefix + ".pub");
  EXPECT_EQ(r.out, vkey);
  EXPECT_EQ(vkey.rfind("example.com/log+", 0), 0u) << vkey;
  std::string skey = ReadFile(prefix + ".key");
  EXPECT_EQ(skey.rfind("PRIVATE+KEY+example.com/log+", 0), 0u);
  EXPECT_EQ(r.out.find("PRIVATE"), std::string::npos);

  Result again = RunVellum({"keygen", "--origin", "example.com/log", "--out", prefix});
  EXPECT_EQ(again.status, 2);
  EXPECT_THAT(again.err, HasSubstr("cannot create"));
  EXPECT_EQ(ReadFile(prefix + ".key"), skey);
}

TEST(VellumCliTest, KeygenTokenPrintsATokenAndTheLineThatAuthenticatesIt) {
  Result r = RunVellum({"keygen", "--token", "--principal", "ci-deployer", "--groups",
                        "ml-team,release"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::vector<std::string> lines = absl::StrSplit(r.out, '\n');
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[2], "");
  const std::string& token = lines[0];
  // 32 random bytes in unpadded base64url.
  EXPECT_EQ(token.size(), 43u) << token;
  EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                    "0123456789-_"),
            std::string::npos)
      << token;
  auto tokens = ledger::identity::TokenSet::Parse(lines[1]);
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  auto principal = (*tokens)->Find(token);
  ASSERT_TRUE(principal.has_value()) << lines[1];
  EXPECT_EQ(principal->name, "ci-deployer");
  EXPECT_EQ(principal->groups, (std::vector<std::string>{"ml-team", "release"}));
  EXPECT_FALSE((*tokens)->Find(token + "x").has_value());
  EXPECT_EQ(lines[1].find(token), std::string::npos) << "the token file holds only the hash";

  Result other = RunVellum({"keygen", "--token", "--principal", "ci-deployer"});
  ASSERT_EQ(other.status, 0) << other.err;
  std::vector<std::string> other_lines = absl::StrSplit(other.out, '\n');
  ASSERT_EQ(other_lines.size(), 3u) << other.out;
  EXPECT_NE(other_lines[0], token);
  EXPECT_EQ(other_lines[1], ledger::identity::TokenSet::Line(other_lines[0], "ci-deployer"));
}

TEST(VellumCliTest, VerifyCheckpointRejectsGarbageWithoutCrashing) {
  std::string prefix = TempDir() + "/garbage";
  Result key = RunVellum({"keygen", "--origin", "example.com/g", "--out", prefix});
  ASSERT_EQ(key.status, 0) << key.err;
  const std::string inputs[] = {
      "",
      "\n",
      "example.com/g\n1\n",
      "example.com/g\n1\nAAAA\n\n",
      std::string(1 << 16, '\n'),
      std::string("\0\xff\xfe", 3),
      "example.com/g\n1\n" + HashToBase64(HashLeaf("x")) + "\n\n\xe2\x80\x94 example.com/g AAAA\n",
  };
  for (const std::string& input : inputs) {
    // By key text and by key file.
    for (const std::string& k : {key.out.substr(0, key.out.size() - 1), prefix + ".pub"}) {
      Result r = RunVellum({"verify", "checkpoint", "--verifier-key", k}, input);
      EXPECT_EQ(r.status, 1) << r.err;
      EXPECT_THAT(r.err, HasSubstr("invalid: "));
      EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
  }
  Result too_big =
      RunVellum({"verify", "checkpoint", "--verifier-key", prefix + ".pub"}, std::string(2 << 20, 'a'));
  EXPECT_EQ(too_big.status, 2);
}

TEST(VellumCliTest, VerifyReceiptRejectsGarbageWithoutCrashing) {
  std::string prefix = TempDir() + "/receipt";
  ASSERT_EQ(RunVellum({"keygen", "--origin", "example.com/r", "--out", prefix}).status, 0);
  WriteFile(prefix + ".entry", "entry");
  for (const std::string& input : {std::string(""), std::string("c2sp.org/tlog-proof@v1\n"),
                                   std::string("c2sp.org/tlog-proof@v1\nindex 0\n\n"),
                                   std::string("garbage\n\n\n")}) {
    WriteFile(prefix + ".receipt", input);
    Result r = RunVellum({"verify", "receipt", "--verifier-key", prefix + ".pub", "--entry",
                    prefix + ".entry", prefix + ".receipt"});
    EXPECT_EQ(r.status, 1) << input << r.err;
    EXPECT_THAT(r.err, HasSubstr("invalid: "));
  }
  Result no_receipt = RunVellum({"verify", "receipt", "--verifier-key", prefix + ".pub", "--entry",
                           prefix + ".entry"});
  EXPECT_EQ(no_receipt.status, 2);
  EXPECT_THAT(no_receipt.err, HasSubstr("got 0 receipt files, want exactly 1"));
}

}  // namespace
}  // namespace vellum
