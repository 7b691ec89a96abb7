// Starts a real vellumd on a free loopback port (--listen 127.0.0.1:0; the port is read from
// its "serving http://..." line) and drives it with the vellum commands that talk to a server,
// checking exit statuses and messages as an operator or a monitor would see them.

#include <signal.h>
#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "ledger/identity/token_file.h"
#include "ledger/testing/wait_until.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proof/hash.h"
#include "tools/testing/process.h"

namespace vellum {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kToken[] = "test-token-5f1c9a";

using Result = subprocess::RunResult;
using subprocess::ChildProcess;
using subprocess::ReadFile;
using subprocess::TempDir;
using subprocess::WriteFile;

Result RunVellum(const std::vector<std::string>& args, const std::string& input = "") {
  return subprocess::Run("tools/vellum", args, input);
}

std::string LastLine(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(absl::StripTrailingAsciiWhitespace(text), '\n');
  return lines.back();
}

// One vellumd for the whole suite, with a token file, so that appends need the token.
class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(TempDir() + "/vellumd");
    token_file_ = new std::string(TempDir() + "/token");
    WriteFile(*token_file_, std::string(kToken) + "\n");
    WriteFile(TempDir() + "/token-hashes",
              "# append tokens\n" + ledger::identity::TokenSet::Line(kToken) + "\n");
    server_ = ChildProcess::Spawn("tools/vellumd",
                                  {"--data-dir", *dir_, "--listen", "127.0.0.1:0",
                                   "--token-file", TempDir() + "/token-hashes",
                                   "--http-threads", "3"},
                                  "vellumd")
                  .release();
    ASSERT_NE(server_, nullptr);
    const uint16_t port = server_->WaitUntilServing(absl::Seconds(60));
    ASSERT_NE(port, 0) << "vellumd exited: " << server_->err();
    url_ = new std::string(absl::StrCat("http://127.0.0.1:", port));
    key_ = new std::string(*dir_ + "/log.pub");
  }

  static void TearDownTestSuite() {
    if (server_ == nullptr) return;
    EXPECT_TRUE(server_->Stop(SIGTERM, absl::Seconds(30)));
    EXPECT_EQ(server_->status(), 0) << server_->err();
    delete server_;
  }

  // Appends `entry` with the token; returns the index from the JSON answer.
  static uint64_t Append(const std::string& entry) {
    Result r = RunVellum({"append", "--server", *url_, "--token-file", *token_file_}, entry);
    EXPECT_EQ(r.status, 0) << r.err;
    size_t at = r.out.find("\"index\":\"");
    uint64_t index = 0;
    EXPECT_NE(at, std::string::npos) << r.out;
    if (at != std::string::npos) {
      std::string rest = r.out.substr(at + 9);
      EXPECT_TRUE(absl::SimpleAtoi(rest.substr(0, rest.find('"')), &index)) << r.out;
    }
    return index;
  }

  static uint64_t TreeSize() {
    Result r = RunVellum({"checkpoint", "--server", *url_, "--verifier-key", *key_});
    EXPECT_EQ(r.status, 0) << r.err;
    std::vector<std::string> lines = absl::StrSplit(r.out, '\n');
    uint64_t size = 0;
    EXPECT_TRUE(lines.size() > 1 && absl::SimpleAtoi(absl::StripPrefix(lines[1], "size: "), &size))
        << r.out;
    return size;
  }

  // A verifier key for the log's origin that is not the log's.
  static std::string StrangerKey() {
    static std::string* path = nullptr;
    if (path == nullptr) {
      path = new std::string(TempDir() + "/stranger");
      Result r = RunVellum({"keygen", "--origin", "localhost/vellum", "--out", *path});
      EXPECT_EQ(r.status, 0) << r.err;
    }
    return *path + ".pub";
  }

  static ChildProcess* server_;
  static std::string* dir_;
  static std::string* url_;
  static std::string* key_;
  static std::string* token_file_;
};

ChildProcess* ServerTest::server_ = nullptr;
std::string* ServerTest::dir_ = nullptr;
std::string* ServerTest::url_ = nullptr;
std::string* ServerTest::key_ = nullptr;
std::string* ServerTest::token_file_ = nullptr;

TEST_F(ServerTest, AppendNeedsTheTokenAndNeverPrintsIt) {
  Result denied = RunVellum({"append", "--server", *url_}, "no token");
  EXPECT_EQ(denied.status, 2);
  EXPECT_THAT(denied.err, HasSubstr("the server refused the entry: HTTP 401"));

  Result ok = RunVellum({"append", "--server", *url_, "--token-file", *token_file_}, "entry");
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_THAT(ok.out, StartsWith("{\"index\":\""));
  EXPECT_THAT(ok.out, HasSubstr(absl::StrCat("\"leafHash\":\"", HashToBase64(HashLeaf("entry")))));
  EXPECT_THAT(ok.out + ok.err, Not(HasSubstr(kToken)));

  WriteFile(TempDir() + "/bad-token", "two words\n");
  Result bad = RunVellum({"append", "--server", *url_, "--token-file", TempDir() + "/bad-token"},
                         "entry");
  EXPECT_EQ(bad.status, 2);
  EXPECT_THAT(bad.err, HasSubstr("want exactly one token on one line"));
  EXPECT_THAT(bad.err, Not(HasSubstr("two words")));

  Result empty = RunVellum({"append", "--server", *url_, "--token-file", *token_file_}, "");
  EXPECT_EQ(empty.status, 2);
  EXPECT_THAT(empty.err, HasSubstr("the entry is empty"));
}

TEST_F(ServerTest, AppendWithAnIdempotencyKeyAppendsOnce) {
  const std::vector<std::string> args = {"append", "--server", *url_, "--token-file",
                                         *token_file_, "--idempotency-key", "cli-key-1"};
  Result first = RunVellum(args, "keyed entry");
  ASSERT_EQ(first.status, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("\"duplicate\":false"));
  const std::string index = first.out.substr(0, first.out.find(",\"leafHash\""));
  Result again = RunVellum(args, "keyed entry");
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_THAT(again.out, StartsWith(index));
  EXPECT_THAT(again.out, HasSubstr("\"duplicate\":true"));
  Result other = RunVellum(args, "another entry");
  EXPECT_EQ(other.status, 2);
  EXPECT_THAT(other.err, HasSubstr("HTTP 409"));
}

TEST_F(ServerTest, AppendWithReceiptVerifiesIt) {
  const std::string entry_file = TempDir() + "/receipt-entry";
  WriteFile(entry_file, "an entry with a receipt");
  const std::string receipt_file = TempDir() + "/receipt.txt";
  Result pinned = RunVellum({"append", "--server", *url_, "--token-file", *token_file_,
                             "--receipt", "--verifier-key", *key_, "--receipt-out", receipt_file,
                             entry_file});
  EXPECT_EQ(pinned.status, 0) << pinned.err;
  EXPECT_THAT(pinned.err, HasSubstr("receipt verified: the entry is at index "));
  EXPECT_THAT(pinned.err, Not(HasSubstr("trust on first use")));
  EXPECT_THAT(pinned.out, HasSubstr("\"receipt\":\"c2sp.org/tlog-proof@v1\\n"));
  Result offline = RunVellum({"verify", "receipt", "--verifier-key", *key_, "--entry",
                              entry_file, receipt_file});
  EXPECT_EQ(offline.status, 0) << offline.err;

  Result tofu = RunVellum({"append", "--server", *url_, "--token-file", *token_file_,
                           "--receipt"},
                          "trust me");
  EXPECT_EQ(tofu.status, 0) << tofu.err;
  EXPECT_THAT(tofu.err, HasSubstr("trust on first use"));
  EXPECT_THAT(tofu.err, HasSubstr(absl::StripTrailingAsciiWhitespace(ReadFile(*key_))));

  // A receipt signed by the log does not verify with another key: exit 1, though the entry
  // is in the log by now.
  Result stranger = RunVellum({"append", "--server", *url_, "--token-file", *token_file_,
                               "--receipt", "--verifier-key", StrangerKey()},
                              "checked with the wrong key");
  EXPECT_EQ(stranger.status, 1);
  EXPECT_THAT(stranger.err, StartsWith("vellum append: invalid: "));
  EXPECT_EQ(stranger.out, "");
}

TEST_F(ServerTest, CheckpointProveAndVerifyLog) {
  for (int i = 0; i < 5; ++i) Append(absl::StrCat("audit event ", i));
  // Grow past two entry bundles and a level-1 tile with batch requests.
  Result bench = RunVellum({"bench", "http", "--server", *url_, "--clients", "2", "--requests",
                            "3", "--batch", "200", "--entry-bytes", "64", "--token-file",
                            *token_file_});
  ASSERT_EQ(bench.status, 0) << bench.err << bench.out;
  EXPECT_THAT(LastLine(bench.out), StartsWith("{\"benchmark\": \"http\", \"requests\": 3, "
                                              "\"entries\": 600, "));
  const uint64_t index = Append("the entry to prove");
  const uint64_t size = TreeSize();
  ASSERT_GT(size, 600u);

  Result checkpoint = RunVellum({"checkpoint", "--server", *url_, "--verifier-key", *key_});
  EXPECT_EQ(checkpoint.status, 0) << checkpoint.err;
  EXPECT_THAT(checkpoint.out, StartsWith("origin: localhost/vellum\nsize: "));
  EXPECT_THAT(checkpoint.out, HasSubstr("\n\nlocalhost/vellum\n"));
  EXPECT_THAT(checkpoint.out, HasSubstr("\n\xe2\x80\x94 localhost/vellum "));

  Result proved = RunVellum(
      {"prove", "--server", *url_, "--verifier-key", *key_, "--index", absl::StrCat(index)});
  EXPECT_EQ(proved.status, 0) << proved.err;
  EXPECT_THAT(proved.out, HasSubstr(absl::StrCat("index: ", index, "\nleaf hash: ",
                                                 HashToBase64(HashLeaf("the entry to prove")))));
  EXPECT_THAT(proved.out, EndsWith(absl::StrCat("valid: entry ", index,
                                                " is in the tree of size ", size, "\n")));
  // The printed proof verifies offline.
  std::vector<std::string> lines = absl::StrSplit(proved.out, '\n');
  std::string root, proof;
  for (const std::string& line : lines) {
    if (absl::StartsWith(line, "root: ")) root = line.substr(6);
    if (absl::StartsWith(line, "proof: ")) proof = line.substr(7);
  }
  Result offline = RunVellum({"verify", "inclusion", "--leaf-hash",
                              HashToBase64(HashLeaf("the entry to prove")), "--index",
                              absl::StrCat(index), "--size", absl::StrCat(size), "--root", root,
                              "--proof", proof});
  EXPECT_EQ(offline.status, 0) << offline.err;

  Result past = RunVellum(
      {"prove", "--server", *url_, "--verifier-key", *key_, "--index", absl::StrCat(size)});
  EXPECT_EQ(past.status, 2);
  EXPECT_THAT(past.err, HasSubstr(absl::StrCat("--index ", size,
                                               " is past the checkpoint's tree size ", size)));

  Result audit = RunVellum({"verify", "log", "--server", *url_, "--verifier-key", *key_});
  EXPECT_EQ(audit.status, 0) << audit.err;
  EXPECT_THAT(audit.out, StartsWith(absl::StrCat("valid: ", size, " entries in ")));
  EXPECT_THAT(audit.out, HasSubstr(absl::StrCat("agree with the checkpoint of size ", size)));
  EXPECT_THAT(audit.err, HasSubstr(absl::StrCat(size, " of ", size, " entries verified")));

  Result proofs = RunVellum({"bench", "proofs", "--server", *url_, "--clients", "2",
                             "--requests", "50"});
  EXPECT_EQ(proofs.status, 0) << proofs.err;
  EXPECT_THAT(LastLine(proofs.out),
              StartsWith("{\"benchmark\": \"proofs\", \"requests\": 50, \"clients\": 2, "));
}

TEST_F(ServerTest, AnotherKeyIsInvalid) {
  Append("one entry at least");
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"checkpoint"}, {"prove", "--index", "0"}, {"verify", "log"}}) {
    args.insert(args.end(), {"--server", *url_, "--verifier-key", StrangerKey()});
    Result r = RunVellum(args);
    EXPECT_EQ(r.status, 1) << args[0] << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("invalid: checkpoint: ")) << args[0];
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(ServerTest, UnreachableServerIsAnIoError) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"checkpoint"}, {"prove", "--index", "0"}, {"verify", "log"}}) {
    args.insert(args.end(), {"--server", "http://127.0.0.1:1", "--verifier-key", *key_});
    Result r = RunVellum(args);
    EXPECT_EQ(r.status, 2) << args[0] << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("cannot connect to 127.0.0.1:1")) << args[0];
  }
  Result wrong_prefix =
      RunVellum({"checkpoint", "--server", *url_ + "/nothing", "--verifier-key", *key_});
  // A path that is no endpoint is fail-closed: only an administrator learns it is not found.
  EXPECT_EQ(wrong_prefix.status, 2) << wrong_prefix.err;
  EXPECT_THAT(wrong_prefix.err,
              HasSubstr("HTTP 401: {\"error\":\"permission admin needs an authenticated caller\"}"));
  Result bad_url = RunVellum({"checkpoint", "--server", "ftp://x", "--verifier-key", *key_});
  EXPECT_EQ(bad_url.status, 2);
  EXPECT_THAT(bad_url.err, HasSubstr("--server: server URL \"ftp://x\" must start with http:// or "
                                     "https://"));
}

TEST(VellumdFlagsTest, HttpThreadsOutOfRangeAreRefusedBeforeAnythingIsCreated) {
  const std::string dir = TempDir() + "/http-threads-refused";
  for (const char* bad : {"0", "65", "two"}) {
    Result r = subprocess::Run("tools/vellumd", {"--data-dir", dir, "--listen", "127.0.0.1:0",
                                                 "--http-threads", bad});
    EXPECT_EQ(r.status, 1) << bad << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("--http-threads")) << r.err;
  }
  struct stat st;
  EXPECT_NE(stat(dir.c_str(), &st), 0) << dir << " was created";
}

// vellumd --config FILE with a flag that overrides one of its keys: the file's relative paths
// resolve against its folder (the test runs elsewhere), the flag wins and vellumd says so.
TEST(VellumdConfigFileTest, ServesFromTheFileWithAFlagOverride) {
  const std::string folder = TempDir() + "/config-file";
  ASSERT_EQ(mkdir(folder.c_str(), 0700), 0);
  WriteFile(folder + "/tokens", ledger::identity::TokenSet::Line(kToken) + "\n");
  WriteFile(folder + "/token", std::string(kToken) + "\n");
  const std::string file = folder + "/vellumd.yaml";
  WriteFile(file,
            "listen: 127.0.0.1:1\n"
            "data_dir: data\n"
            "auth: {token_file: tokens}\n"
            "http: {threads: 2}\n"
            "sequencer: {max_batch_entries: 4}\n");
  std::unique_ptr<ChildProcess> server = ChildProcess::Spawn(
      "tools/vellumd", {"--config", file, "--listen", "127.0.0.1:0"}, "vellumd-config");
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->WaitUntilServing(absl::Seconds(60));
  ASSERT_NE(port, 0) << "vellumd exited: " << server->err();
  EXPECT_THAT(server->out(), HasSubstr("vellumd: --listen overrides listen of " + file + "\n"));
  const std::string url = absl::StrCat("http://127.0.0.1:", port);

  Result denied = RunVellum({"append", "--server", url}, "no token");
  EXPECT_EQ(denied.status, 2);
  EXPECT_THAT(denied.err, HasSubstr("HTTP 401"));
  Result ok = RunVellum({"append", "--server", url, "--token-file", folder + "/token"}, "entry");
  EXPECT_EQ(ok.status, 0) << ok.err;
  Result checkpoint =
      RunVellum({"checkpoint", "--server", url, "--verifier-key", folder + "/data/log.pub"});
  EXPECT_EQ(checkpoint.status, 0) << checkpoint.err;
  // config.applied at start, access.denied for the append without a token, then the entry.
  EXPECT_THAT(checkpoint.out, HasSubstr("size: 3\n"));
  EXPECT_TRUE(server->Stop(SIGTERM, absl::Seconds(30)));
  EXPECT_EQ(server->status(), 0) << server->err();
}

TEST(VellumdConfigFileTest, RefusesABadFileOrPlaintextBeyondLoopbackBeforeAnythingIsCreated) {
  const std::string folder = TempDir() + "/config-refused";
  ASSERT_EQ(mkdir(folder.c_str(), 0700), 0);
  WriteFile(folder + "/unknown.yaml", "data_dir: data\nlistn: 127.0.0.1:0\n");
  Result unknown = subprocess::Run("tools/vellumd", {"--config", folder + "/unknown.yaml"});
  EXPECT_EQ(unknown.status, 1);
  EXPECT_THAT(unknown.err, HasSubstr("unknown.yaml: listn (line 2): unknown key; want one of"));

  WriteFile(folder + "/tls.yaml",
            "data_dir: data\nlisten: 127.0.0.1:0\ntls: {cert_file: c, key_file: k}\n");
  WriteFile(folder + "/k", "not a key\n");
  Result tls = subprocess::Run("tools/vellumd", {"--config", folder + "/tls.yaml"});
  EXPECT_EQ(tls.status, 1);
  EXPECT_THAT(tls.err, HasSubstr("tls: cannot load the certificate chain"));
  // A key file its group may read is refused before it is read.
  ASSERT_EQ(chmod((folder + "/k").c_str(), 0640), 0);
  Result readable = subprocess::Run("tools/vellumd", {"--config", folder + "/tls.yaml"});
  EXPECT_EQ(readable.status, 1);
  EXPECT_THAT(readable.err, HasSubstr("vellumd: tls.key_file " + folder + "/k"));
  EXPECT_THAT(readable.err,
              HasSubstr("has mode 0640, want no group or other access: chmod 600 "));
  EXPECT_THAT(readable.err, EndsWith("/k\n"));

  WriteFile(folder + "/open.yaml", "data_dir: data\nlisten: 0.0.0.0:0\n");
  Result open = subprocess::Run("tools/vellumd", {"--config", folder + "/open.yaml"});
  EXPECT_EQ(open.status, 1);
  EXPECT_THAT(open.err, HasSubstr("refusing to listen on 0.0.0.0 without an auth section"));

  WriteFile(folder + "/tokens", ledger::identity::TokenSet::Line(kToken) + "\n");
  WriteFile(folder + "/plain.yaml",
            "data_dir: data\nlisten: 0.0.0.0:0\nauth: {token_file: tokens}\n");
  Result plain = subprocess::Run("tools/vellumd", {"--config", folder + "/plain.yaml"});
  EXPECT_EQ(plain.status, 1);
  EXPECT_THAT(plain.err, HasSubstr("refusing to listen on 0.0.0.0 without TLS"));

  // One principal that both appends and erases breaks the default separation of duties.
  WriteFile(folder + "/duties.yaml",
            "data_dir: data\nlisten: 127.0.0.1:0\nauth: {token_file: tokens}\n"
            "bindings:\n  - {principal: ci, roles: [appender]}\n"
            "  - {principal: ci, roles: [governance]}\n");
  Result duties = subprocess::Run("tools/vellumd", {"--config", folder + "/duties.yaml"});
  EXPECT_EQ(duties.status, 1);
  EXPECT_THAT(duties.err, HasSubstr("separation of duties: principal ci is bound to permissions "
                                    "of two exclusive sets of \"produce-versus-govern\""));
  struct stat st;
  EXPECT_NE(stat((folder + "/data").c_str(), &st), 0) << folder << "/data was created";
}

TEST(VellumdFilesTest, RefusesAnOpenDataDirectoryAndAReadableSignerKey) {
  const std::string folder = TempDir() + "/files-refused";
  ASSERT_EQ(mkdir(folder.c_str(), 0700), 0);
  const std::string open_dir = folder + "/open-data";
  ASSERT_EQ(mkdir(open_dir.c_str(), 0700), 0);
  ASSERT_EQ(chmod(open_dir.c_str(), 0750), 0);
  Result open =
      subprocess::Run("tools/vellumd", {"--data-dir", open_dir, "--listen", "127.0.0.1:0"});
  EXPECT_EQ(open.status, 1);
  EXPECT_THAT(open.err, HasSubstr("vellumd: data directory " + open_dir));
  EXPECT_THAT(open.err,
              HasSubstr("has mode 0750, want 0700 (no group or other access): chmod 700 "));
  EXPECT_EQ(ReadFile(open_dir + "/log.key"), "") << "the key was created";

  ASSERT_EQ(RunVellum({"keygen", "--origin", "localhost/vellum", "--out", folder + "/log"}).status,
            0);
  ASSERT_EQ(chmod((folder + "/log.key").c_str(), 0644), 0);
  Result key =
      subprocess::Run("tools/vellumd", {"--data-dir", folder + "/data", "--listen", "127.0.0.1:0",
                                        "--signer-key", folder + "/log.key"});
  EXPECT_EQ(key.status, 1);
  EXPECT_THAT(key.err, HasSubstr("vellumd: signer key " + folder + "/log.key"));
  EXPECT_THAT(key.err, HasSubstr("has mode 0644, want no group or other access: chmod 600 "));
}

// A reload whose token file others may read is refused, and the running configuration stays:
// a token the new file adds is not accepted until the file is private again.
TEST(VellumdFilesTest, ReloadWithAReadableTokenFileKeepsTheOldConfiguration) {
  const std::string folder = TempDir() + "/reload-mode";
  ASSERT_EQ(mkdir(folder.c_str(), 0700), 0);
  const std::string tokens = folder + "/tokens";
  WriteFile(tokens, ledger::identity::TokenSet::Line(kToken) + "\n");
  WriteFile(folder + "/token", std::string(kToken) + "\n");
  WriteFile(folder + "/new-token", "new-token-8d2e\n");
  WriteFile(folder + "/vellumd.yaml",
            "listen: 127.0.0.1:0\ndata_dir: data\nauth: {token_file: tokens}\n");
  std::unique_ptr<ChildProcess> server = ChildProcess::Spawn(
      "tools/vellumd", {"--config", folder + "/vellumd.yaml"}, "vellumd-reload-mode");
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->WaitUntilServing(absl::Seconds(60));
  ASSERT_NE(port, 0) << "vellumd exited: " << server->err();
  const std::string url = absl::StrCat("http://127.0.0.1:", port);
  auto append = [&](const std::string& token_file) {
    return RunVellum({"append", "--server", url, "--token-file", token_file}, "entry").status;
  };
  auto reload = [&](absl::string_view want) {
    const size_t printed = server->out().size();
    EXPECT_TRUE(server->Signal(SIGHUP));
    EXPECT_TRUE(ledger::WaitUntil(
        [&] { return absl::StrContains(server->out().substr(printed), want); },
        absl::Seconds(30)))
        << server->out();
  };

  WriteFile(tokens, ledger::identity::TokenSet::Line(kToken) + "\n" +
                        ledger::identity::TokenSet::Line("new-token-8d2e", "new") + "\n");
  ASSERT_EQ(chmod(tokens.c_str(), 0644), 0);
  reload("vellumd: reload refused, the configuration ");
  EXPECT_THAT(server->out(), HasSubstr(" stays in force: auth.token_file " + tokens));
  EXPECT_THAT(server->out(), HasSubstr("has mode 0644, want no group or other access: chmod 600 "));
  EXPECT_EQ(append(folder + "/token"), 0);
  EXPECT_EQ(append(folder + "/new-token"), 2) << "the refused file's token was accepted";

  ASSERT_EQ(chmod(tokens.c_str(), 0600), 0);
  reload("vellumd: reloaded: configuration ");
  EXPECT_EQ(append(folder + "/new-token"), 0);
  EXPECT_TRUE(server->Stop(SIGTERM, absl::Seconds(30)));
  EXPECT_EQ(server->status(), 0) << server->err();
}

// A reload applies retention rules that lengthen retention, on record, and refuses shorter
// ones (docs/privacy.md, "Retention"); a restart with shorter ones does not start.
TEST(VellumdFilesTest, ReloadLengthensRetentionAndRefusesToShortenIt) {
  const std::string folder = TempDir() + "/reload-retention";
  ASSERT_EQ(mkdir(folder.c_str(), 0700), 0);
  auto write = [&](int days) {
    WriteFile(folder + "/vellumd.yaml",
              absl::StrCat("listen: 127.0.0.1:0\ndata_dir: data\n",
                           "privacy: {retention: [{name: infer, actions: [ACTION_INFER], "
                           "keep_days: ",
                           days, "}]}\n"));
  };
  write(30);
  std::unique_ptr<ChildProcess> server = ChildProcess::Spawn(
      "tools/vellumd", {"--config", folder + "/vellumd.yaml"}, "vellumd-reload-retention");
  ASSERT_NE(server, nullptr);
  ASSERT_NE(server->WaitUntilServing(absl::Seconds(60)), 0) << server->err();
  auto reload = [&](absl::string_view want) {
    const size_t printed = server->out().size();
    EXPECT_TRUE(server->Signal(SIGHUP));
    EXPECT_TRUE(ledger::WaitUntil(
        [&] { return absl::StrContains(server->out().substr(printed), want); },
        absl::Seconds(30)))
        << server->out();
  };
  write(60);
  reload("vellumd: reloaded: configuration ");
  write(10);
  reload("vellumd: reload refused, the configuration ");
  EXPECT_THAT(server->out(),
              HasSubstr("privacy.retention[0].keep_days: got 10, shorter than the 60 in force"));
  EXPECT_TRUE(server->Stop(SIGTERM, absl::Seconds(30)));
  EXPECT_EQ(server->status(), 0) << server->err();
  // Nor does a restart shorten it.
  Result restarted = subprocess::Run("tools/vellumd", {"--config", folder + "/vellumd.yaml"});
  EXPECT_EQ(restarted.status, 1);
  EXPECT_THAT(restarted.err, HasSubstr("shorter than the 60 in force"));
}

TEST(VellumServerCommandsTest, HelpForEveryNewCommand) {
  for (const char* command : {"append", "checkpoint", "prove", "verify log", "bench append",
                              "bench http", "bench proofs"}) {
    std::vector<std::string> args = absl::StrSplit(command, ' ');
    args.push_back("--help");
    Result r = RunVellum(args);
    EXPECT_EQ(r.status, 0) << command;
    EXPECT_THAT(r.out, StartsWith(absl::StrCat("vellum ", command, " "))) << command;
  }
  Result overview = RunVellum({"--help"});
  for (const char* command : {"append", "checkpoint", "prove", "verify log", "bench append"}) {
    EXPECT_THAT(overview.out, HasSubstr(absl::StrCat("  ", command, "\n")));
  }
}

TEST(VellumServerCommandsTest, BenchAppend) {
  const std::string dir = TempDir() + "/bench-append";
  Result r = RunVellum({"bench", "append", "--data-dir", dir, "--entries", "2000", "--clients",
                        "2", "--batch", "16"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("appended 2000 entries of 300 bytes in "));
  EXPECT_THAT(LastLine(r.out), StartsWith("{\"benchmark\": \"append\", \"entries\": 2000, "
                                          "\"entry_bytes\": 300, \"clients\": 2, "
                                          "\"entries_per_call\": 16, "));
  EXPECT_THAT(LastLine(r.out), HasSubstr("\"entries_per_second\": "));
  EXPECT_THAT(LastLine(r.out), HasSubstr("\"batches\": "));
  EXPECT_THAT(LastLine(r.out), EndsWith("\"errors\": 0}"));

  Result again = RunVellum({"bench", "append", "--data-dir", dir, "--entries", "10"});
  EXPECT_EQ(again.status, 2);
  EXPECT_THAT(again.err, HasSubstr("already holds a log"));

  Result usage = RunVellum({"bench", "append", "--data-dir", dir + "2", "--entries", "10",
                            "--entry-bytes", "70000"});
  EXPECT_EQ(usage.status, 2);
  EXPECT_THAT(usage.err, HasSubstr("--entry-bytes is 70000, want 1 to 65535"));
  Result missing = RunVellum({"bench", "http", "--server", "http://127.0.0.1:1"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_THAT(missing.err, HasSubstr("missing required flag --clients"));
}

}  // namespace
}  // namespace vellum
