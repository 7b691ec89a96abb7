// Multi-process test of the witness network on loopback: a log (vellumd) that sends its
// checkpoints to three witnesses (vellum witness) and publishes those a quorum cosigned, a fork
// of it (a second vellumd with the same signer key and different entries), and monitors.
//
// Covers: witnesses refusing the fork with the spec's status codes as the forked log submits it
// (409 at the same size, 422 for a larger tree) and keeping it as evidence, served at /evidence
// and across a restart, that a third party checks; a witness killed with -9 and restarted while
// the log grows, after which it still never cosigns another tree; monitors that require
// cosignatures accepting the real log; monitors detecting the fork, shown to one of them, against
// the witnesses' checkpoints and against each other, with evidence that verifies offline; and
// the start-up of a witness without its state, with --init, and with another key's state.

#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/testing/wait_until.h"
#include "tools/testing/process.h"

namespace vellum {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using subprocess::ChildProcess;
using subprocess::HttpGet;
using subprocess::ReadFile;
using subprocess::RunResult;
using subprocess::TempDir;

constexpr char kOrigin[] = "network.test/log";

std::string Url(uint16_t port) { return absl::StrCat("http://127.0.0.1:", port); }

RunResult Vellum(const std::vector<std::string>& args) {
  return subprocess::Run("tools/vellum", args);
}

// The tree size of a checkpoint note, or -1.
int64_t SizeOf(const std::string& note) {
  std::vector<std::string> lines = absl::StrSplit(note, '\n');
  int64_t size = -1;
  if (lines.size() > 2 && !absl::SimpleAtoi(lines[1], &size)) return -1;
  return size;
}

// The evidence file a `vellum monitor --once` run names on stderr, or "".
std::string EvidencePath(const RunResult& run) {
  size_t at = run.err.find("evidence: ");
  if (at == std::string::npos) return "";
  at += strlen("evidence: ");
  return run.err.substr(at, run.err.find_first_of(" \n", at) - at);
}

class WitnessNetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir() + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ASSERT_EQ(subprocess::Run("/bin/rm", {"-rf", dir_}).status, 0);
    ASSERT_EQ(subprocess::Run("/bin/mkdir", {"-p", dir_}).status, 0);
    RunResult key = Vellum({"keygen", "--origin", kOrigin, "--out", dir_ + "/log"});
    ASSERT_EQ(key.status, 0) << key.err;
    log_vkey_ = ReadFile(dir_ + "/log.pub");
    log_vkey_.pop_back();
    for (int i = 0; i < 3; ++i) {
      std::string name = absl::StrCat("w", i);
      RunResult w = Vellum({"keygen", "--cosigner", "--origin", name + ".network.test", "--out",
                            dir_ + "/" + name});
      ASSERT_EQ(w.status, 0) << w.err;
      std::string vkey = ReadFile(dir_ + "/" + name + ".pub");
      vkey.pop_back();
      witness_keys_.push_back(vkey);
      witness_ports_.push_back(0);
      witnesses_.emplace_back();
      ASSERT_TRUE(StartWitness(i, 0, /*init=*/true));
    }
  }

  // The flags of witness `i` but --listen and --init.
  std::vector<std::string> WitnessFlags(int i, const std::string& key) const {
    return {"witness", "--data-dir", absl::StrCat(dir_, "/w", i, "-data"), "--signer-key",
            absl::StrCat(dir_, "/", key, ".key"), "--log", absl::StrCat(kOrigin, "=", log_vkey_)};
  }

  // Starts witness `i` on its state, which `init` creates.
  bool StartWitness(int i, uint16_t port = 0, bool init = false) {
    std::vector<std::string> args = WitnessFlags(i, absl::StrCat("w", i));
    args.insert(args.end(), {"--listen", absl::StrCat("127.0.0.1:", port)});
    if (init) args.push_back("--init");
    witnesses_[i] = ChildProcess::Spawn("tools/vellum", args,
                                        absl::StrCat("witness-w", i, "-", ++spawned_));
    if (witnesses_[i] == nullptr) return false;
    witness_ports_[i] = witnesses_[i]->WaitUntilServing(absl::Seconds(30));
    return witness_ports_[i] != 0;
  }

  // Starts a log on data directory `name`; with `witnessed`, it sends its checkpoints to the
  // three witnesses and publishes those that two of them cosigned.
  std::unique_ptr<ChildProcess> StartLog(const std::string& name, bool witnessed, uint16_t* port) {
    std::vector<std::string> args = {"--data-dir", dir_ + "/" + name, "--listen", "127.0.0.1:0",
                                     "--signer-key", dir_ + "/log.key"};
    if (witnessed) {
      for (int i = 0; i < 3; ++i) {
        args.push_back("--witness");
        args.push_back(absl::StrCat(Url(witness_ports_[i]), "=", witness_keys_[i]));
      }
      args.insert(args.end(), {"--witness-quorum", "2", "--witness-interval-ms", "20"});
    }
    auto log = ChildProcess::Spawn("tools/vellumd", args, absl::StrCat(name, "-", ++spawned_));
    *port = log == nullptr ? 0 : log->WaitUntilServing(absl::Seconds(60));
    return log;
  }

  void Append(uint16_t log, const std::string& entry) {
    RunResult r = subprocess::Run("tools/vellum", {"append", "--server", Url(log)}, entry);
    ASSERT_EQ(r.status, 0) << r.err;
  }

  // Waits until `url` + `target` serves a checkpoint of at least `size`; returns it.
  std::string WaitForCheckpoint(const std::string& url, const std::string& target, int64_t size) {
    std::string body;
    if (ledger::WaitUntil([&] { return HttpGet(url, target, &body) == 200 && SizeOf(body) >= size; },
                          absl::Seconds(30))) {
      return body;
    }
    ADD_FAILURE() << url << target << " did not reach size " << size << "; it serves: " << body;
    return "";
  }

  std::string WitnessCheckpointTarget() const {
    return "/v1/witness/checkpoint?origin=network.test%2Flog";
  }

  std::vector<std::string> WitnessKeyFlags() const {
    std::vector<std::string> flags;
    for (int i = 0; i < 3; ++i) {
      flags.push_back("--witness-key");
      flags.push_back(dir_ + absl::StrCat("/w", i, ".pub"));
    }
    return flags;
  }

  // The bytes counted by the line "<label> <count>" of `record` that starts at `*at`, which
  // moves past them; "" when that line is not there.
  static std::string Counted(const std::string& record, const std::string& label, size_t* at) {
    const std::string prefix = label + " ";
    size_t end = record.find('\n', *at);
    size_t length = 0;
    if (end == std::string::npos || record.compare(*at, prefix.size(), prefix) != 0 ||
        !absl::SimpleAtoi(record.substr(*at + prefix.size(), end - *at - prefix.size()),
                          &length) ||
        end + 1 + length > record.size()) {
      return "";
    }
    *at = end + 1 + length;
    return record.substr(end + 1, length);
  }

  // Turns a witness's evidence record of a fork at the size it held into split-view evidence
  // (proof/evidence.h) in a file; returns its path.
  std::string SplitViewFromWitnessEvidence(const std::string& record) {
    size_t at = record.find("\nheld ") + 1;
    std::string held = Counted(record, "held", &at);
    std::string submitted = Counted(record, "submitted", &at);
    size_t blank = submitted.find("\n\n");
    if (held.empty() || blank == std::string::npos) {
      ADD_FAILURE() << "not a witness evidence record: " << record;
      return "";
    }
    std::string note = submitted.substr(blank + 2);
    std::string path = dir_ + "/witness-split-view";
    subprocess::WriteFile(path, absl::StrCat("vellum.dev/split-view-evidence@v1\nnote ",
                                             held.size(), "\n", held, "note ", note.size(),
                                             "\n", note));
    return path;
  }

  void ExpectProvesSplitView(const std::string& evidence) {
    ASSERT_FALSE(evidence.empty());
    RunResult r = Vellum({"verify", "evidence", "--verifier-key", dir_ + "/log.pub", evidence});
    EXPECT_EQ(r.status, 0) << evidence << ": " << r.err << "\n" << ReadFile(evidence);
    EXPECT_THAT(r.out, HasSubstr("valid: split view of network.test/log"));
  }

  std::string dir_;
  std::string log_vkey_;
  std::vector<std::string> witness_keys_;
  std::vector<uint16_t> witness_ports_;
  std::vector<std::unique_ptr<ChildProcess>> witnesses_;
  int spawned_ = 0;
};

TEST_F(WitnessNetworkTest, WitnessesRefuseAForkAndMonitorsCatchIt) {
  uint16_t a = 0;
  auto log_a = StartLog("log-a", /*witnessed=*/true, &a);
  ASSERT_NE(a, 0);
  for (int i = 0; i < 5; ++i) Append(a, absl::StrCat("entry ", i));
  std::string cosigned = WaitForCheckpoint(Url(a), "/checkpoint", 5);

  // A checkpoint the witnesses cosigned satisfies a client that requires two of them.
  subprocess::WriteFile(dir_ + "/cosigned", cosigned);
  std::vector<std::string> verify = {"verify", "checkpoint", "--verifier-key", dir_ + "/log.pub",
                                     "--min-witnesses", "2"};
  for (const std::string& flag : WitnessKeyFlags()) verify.push_back(flag);
  verify.push_back(dir_ + "/cosigned");
  RunResult verified = Vellum(verify);
  EXPECT_EQ(verified.status, 0) << verified.err << cosigned;

  // Witness 0 is killed with -9 while the log grows, and restarted on its port: the log carries
  // on with the other two, and witness 0 catches up from the size it had stored.
  uint16_t port0 = witness_ports_[0];
  ASSERT_TRUE(witnesses_[0]->Kill());
  for (int i = 5; i < 8; ++i) Append(a, absl::StrCat("entry ", i));
  WaitForCheckpoint(Url(a), "/checkpoint", 8);
  ASSERT_TRUE(StartWitness(0, port0));
  for (int i = 8; i < 11; ++i) Append(a, absl::StrCat("entry ", i));
  WaitForCheckpoint(Url(a), "/checkpoint", 11);
  for (int i = 0; i < 3; ++i) {
    WaitForCheckpoint(Url(witness_ports_[i]), WitnessCheckpointTarget(), 11);
  }

  // The fork: the same key, other entries, sent to the same witnesses. At size 11 they answer
  // 409 (same size, another root); once it is larger, 422 (the proof from their size fails).
  uint16_t b = 0;
  auto log_b = StartLog("log-b", /*witnessed=*/true, &b);
  ASSERT_NE(b, 0);
  for (int i = 0; i < 11; ++i) Append(b, absl::StrCat("forked entry ", i));
  std::string info;
  auto wait_for_error = [&](const std::string& text) {
    if (ledger::WaitUntil(
            [&] {
              HttpGet(Url(b), "/v1/log", &info);
              return absl::StrContains(info, text);
            },
            absl::Seconds(30))) {
      return;
    }
    ADD_FAILURE() << "the fork's /v1/log never said \"" << text << "\": " << info;
  };
  wait_for_error("it holds another tree at size 11");
  for (int i = 11; i < 14; ++i) Append(b, absl::StrCat("forked entry ", i));
  wait_for_error("HTTP 422");
  EXPECT_EQ(HttpGet(Url(b), "/checkpoint"), 503);
  // No witness ever cosigned for the fork.
  std::vector<std::string> parts = absl::StrSplit(info, "\"cosignatures\":\"0\"");
  EXPECT_EQ(parts.size(), 4u) << info;
  EXPECT_THAT(log_b->err(), Not(HasSubstr("PRIVATE")));
  for (int i = 0; i < 3; ++i) {
    std::string latest;
    ASSERT_EQ(HttpGet(Url(witness_ports_[i]), WitnessCheckpointTarget(), &latest), 200);
    EXPECT_EQ(SizeOf(latest), 11) << "witness " << i << " moved to the fork: " << latest;
    EXPECT_THAT(witnesses_[i]->err(), HasSubstr("witness: refused network.test/log size 11"));
    EXPECT_THAT(witnesses_[i]->err(), HasSubstr("; kept as /evidence/0"));
  }
  // Each witness kept the fork at size 11 as its first record, once however often the fork
  // sent it, and the larger fork after it; a third party checks the first with the log's key
  // alone, as split-view evidence. Witness 1 keeps them across a restart.
  std::string listed;
  ASSERT_EQ(HttpGet(Url(witness_ports_[1]), "/evidence", &listed), 200);
  EXPECT_THAT(listed, HasSubstr("\"records\":[\"/evidence/0\",\"/evidence/1\""));
  EXPECT_THAT(listed, Not(HasSubstr("/evidence/4\"")));  // Sizes 11 to 14 at most.
  std::string first;
  ASSERT_EQ(HttpGet(Url(witness_ports_[1]), "/evidence/0", &first), 200);
  EXPECT_THAT(first, HasSubstr("\nreason the checkpoint of size 11 has another root"));
  ExpectProvesSplitView(SplitViewFromWitnessEvidence(first));
  uint16_t port1 = witness_ports_[1];
  ASSERT_TRUE(witnesses_[1]->Stop(SIGTERM, absl::Seconds(20)));
  ASSERT_TRUE(StartWitness(1, port1));
  std::string after;
  ASSERT_EQ(HttpGet(Url(witness_ports_[1]), "/evidence/0", &after), 200);
  EXPECT_EQ(after, first);
  std::string metrics;
  ASSERT_EQ(HttpGet(Url(witness_ports_[1]), "/metrics", &metrics), 200);
  EXPECT_THAT(metrics, Not(HasSubstr("vellum_witness_evidence_records 0\n")));

  // The fork is then shown to one monitor alone: log B stops asking witnesses and serves its
  // own checkpoints. The monitor of the real log, which requires two cosignatures, is content.
  ASSERT_TRUE(log_b->Stop(SIGTERM, absl::Seconds(20)));
  log_b = StartLog("log-b", /*witnessed=*/false, &b);
  ASSERT_NE(b, 0);
  std::vector<std::string> m1 = {"monitor", "--server", Url(a), "--verifier-key",
                                 dir_ + "/log.pub", "--state-dir", dir_ + "/m1",
                                 "--min-witnesses", "2"};
  for (const std::string& flag : WitnessKeyFlags()) m1.push_back(flag);
  for (int i = 0; i < 3; ++i) {
    m1.push_back("--peer");
    m1.push_back(Url(witness_ports_[i]) + WitnessCheckpointTarget());
  }
  std::vector<std::string> once = m1;
  once.push_back("--once");
  RunResult content = Vellum(once);
  EXPECT_EQ(content.status, 0) << content.err;

  // The fork's monitor compares with the witnesses: their size-11 checkpoint is not a prefix of
  // its 14-entry tree.
  auto m2 = ChildProcess::Spawn(
      "tools/vellum",
      {"monitor", "--server", Url(b), "--verifier-key", dir_ + "/log.pub", "--state-dir",
       dir_ + "/m2", "--peer", Url(witness_ports_[1]) + WitnessCheckpointTarget(), "--listen",
       "127.0.0.1:0", "--interval-ms", "50"},
      "monitor-m2");
  ASSERT_NE(m2, nullptr);
  uint16_t m2_port = m2->WaitUntilServing(absl::Seconds(30));
  ASSERT_NE(m2_port, 0);
  WaitForCheckpoint(Url(m2_port), "/checkpoint", 14);
  RunResult fork_seen = Vellum({"monitor", "--server", Url(b), "--verifier-key",
                                dir_ + "/log.pub", "--state-dir", dir_ + "/m3", "--peer",
                                Url(witness_ports_[2]) + WitnessCheckpointTarget(), "--once"});
  EXPECT_EQ(fork_seen.status, 1) << fork_seen.err;
  EXPECT_THAT(fork_seen.err, HasSubstr("SPLIT VIEW"));
  ExpectProvesSplitView(EvidencePath(fork_seen));
  ledger::WaitUntil([&] { return absl::StrContains(m2->err(), "ALERT SPLIT VIEW"); },
                    absl::Seconds(30));
  EXPECT_THAT(m2->err(), HasSubstr("ALERT SPLIT VIEW"));
  EXPECT_EQ(HttpGet(Url(m2_port), "/healthz"), 503);

  // The real log's monitor peers with the fork's monitor. While the real log is smaller it cannot
  // decide; once the real log grows past 14 it proves the split view from its own mirror.
  std::vector<std::string> with_peer = m1;
  with_peer.insert(with_peer.end(), {"--peer", Url(m2_port), "--once"});
  for (int i = 11; i < 16; ++i) Append(a, absl::StrCat("entry ", i));
  WaitForCheckpoint(Url(a), "/checkpoint", 16);
  RunResult caught = Vellum(with_peer);
  EXPECT_EQ(caught.status, 1) << caught.err;
  EXPECT_THAT(caught.err, HasSubstr("SPLIT VIEW: peer " + Url(m2_port)));
  ExpectProvesSplitView(EvidencePath(caught));

  // Nothing the witnesses hold ever left the real log's tree.
  for (int i = 0; i < 3; ++i) {
    std::string latest = WaitForCheckpoint(Url(witness_ports_[i]), WitnessCheckpointTarget(), 16);
    std::string real;
    ASSERT_EQ(HttpGet(Url(a), "/checkpoint", &real), 200);
    EXPECT_EQ(latest.substr(0, latest.find("\n\n")), real.substr(0, real.find("\n\n")))
        << "witness " << i;
  }
  EXPECT_TRUE(m2->Stop(SIGTERM, absl::Seconds(10)));
  EXPECT_TRUE(log_a->Stop(SIGTERM, absl::Seconds(20)));
  EXPECT_EQ(log_a->status(), 0) << log_a->err();
}

// The start-up of a witness on an empty, a new and a foreign state.
TEST_F(WitnessNetworkTest, AStateNeedsInitOnceAndServesOnlyItsKey) {
  const std::string data = dir_ + "/w7-data";
  const std::string listen = "127.0.0.1:0";
  std::vector<std::string> flags = WitnessFlags(7, "w0");
  flags.insert(flags.end(), {"--listen", listen});
  // No state, no --init: refused, naming the directory and the flag, and nothing is created.
  RunResult missing = Vellum(flags);
  EXPECT_EQ(missing.status, 1) << missing.err;
  EXPECT_THAT(missing.err, HasSubstr("no witness state in " + data + ". Give --init"));
  struct stat st;
  EXPECT_NE(stat(data.c_str(), &st), 0) << "a refused start created " << data;

  // --init creates it once; the next start needs no flag, and --init is refused then.
  std::vector<std::string> init = flags;
  init.push_back("--init");
  auto created = ChildProcess::Spawn("tools/vellum", init, "witness-init");
  ASSERT_NE(created, nullptr);
  uint16_t port = created->WaitUntilServing(absl::Seconds(30));
  ASSERT_NE(port, 0) << created->err();
  EXPECT_THAT(created->err(), Not(HasSubstr("bound it to key")));
  ASSERT_TRUE(created->Stop(SIGTERM, absl::Seconds(20)));
  RunResult again = Vellum(init);
  EXPECT_EQ(again.status, 1) << again.err;
  EXPECT_THAT(again.err, HasSubstr("--init: a witness state already exists in " + data +
                                   "/db; start without --init"));
  auto restarted = ChildProcess::Spawn("tools/vellum", flags, "witness-restarted");
  ASSERT_NE(restarted, nullptr);
  port = restarted->WaitUntilServing(absl::Seconds(30));
  ASSERT_NE(port, 0) << restarted->err();
  EXPECT_EQ(HttpGet(Url(port), "/evidence"), 200);
  ASSERT_TRUE(restarted->Stop(SIGTERM, absl::Seconds(20)));

  // Another key on this state: refused with both key ids.
  auto id_of = [&](int i) {
    // NAME+HASH of NAME+HASH+KEY: the key's base64 may hold '+' too.
    const std::string& vkey = witness_keys_[i];
    return vkey.substr(0, vkey.find('+', vkey.find('+') + 1));
  };
  std::vector<std::string> foreign = WitnessFlags(7, "w1");
  foreign.insert(foreign.end(), {"--listen", listen});
  RunResult refused = Vellum(foreign);
  EXPECT_EQ(refused.status, 1) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr(absl::StrCat("the witness state was made for cosigner key ",
                                                  id_of(0), ", got key ", id_of(1))));
}

TEST_F(WitnessNetworkTest, KeysAndFlagsAreCheckedAtStart) {
  // A witness key cannot sign a log, and a log key cannot be a witness's.
  RunResult log_with_cosigner = subprocess::Run(
      "tools/vellumd", {"--data-dir", dir_ + "/x", "--signer-key", dir_ + "/w0.key"});
  EXPECT_EQ(log_with_cosigner.status, 1);
  EXPECT_THAT(log_with_cosigner.err, HasSubstr("is a witness's cosigner key (type 0x04)"));
  RunResult witness_with_log_key =
      Vellum({"witness", "--data-dir", dir_ + "/y", "--signer-key", dir_ + "/log.key", "--log",
              absl::StrCat(kOrigin, "=", log_vkey_)});
  EXPECT_EQ(witness_with_log_key.status, 1);
  EXPECT_THAT(witness_with_log_key.err, HasSubstr("must be a cosigner key"));
  // A cosigner key others may read, and a state directory others may enter, are refused with
  // the chmod that fixes them.
  const std::string readable_key = dir_ + "/w0-readable.key";
  ASSERT_TRUE(std::filesystem::copy_file(dir_ + "/w0.key", readable_key));
  ASSERT_EQ(chmod(readable_key.c_str(), 0644), 0);
  RunResult readable = Vellum({"witness", "--data-dir", dir_ + "/y", "--signer-key",
                               readable_key, "--log", absl::StrCat(kOrigin, "=", log_vkey_),
                               "--init"});
  EXPECT_EQ(readable.status, 1);
  EXPECT_THAT(readable.err, HasSubstr(absl::StrCat("cosigner key ", readable_key)));
  EXPECT_THAT(readable.err, HasSubstr(absl::StrCat("chmod 600 ", readable_key)));
  const std::string open_dir = dir_ + "/w-open-state";
  ASSERT_EQ(mkdir(open_dir.c_str(), 0755), 0);
  RunResult open_state = Vellum({"witness", "--data-dir", open_dir, "--signer-key",
                                 dir_ + "/w0.key", "--log", absl::StrCat(kOrigin, "=", log_vkey_),
                                 "--init"});
  EXPECT_EQ(open_state.status, 1);
  EXPECT_THAT(open_state.err, HasSubstr(absl::StrCat("chmod 700 ", open_dir)));
  // Only one process per witness state directory (witness 0 runs on it).
  RunResult second = Vellum({"witness", "--data-dir", dir_ + "/w0-data", "--signer-key",
                             dir_ + "/w0.key", "--log", absl::StrCat(kOrigin, "=", log_vkey_)});
  EXPECT_EQ(second.status, 1);
  EXPECT_THAT(second.err, HasSubstr("in use by another process"));
  // Usage errors.
  EXPECT_EQ(Vellum({"witness", "--data-dir", dir_ + "/z", "--signer-key", dir_ + "/w0.key"}).status,
            2);
  RunResult bad_log = Vellum({"witness", "--data-dir", dir_ + "/z", "--signer-key",
                              dir_ + "/w0.key", "--log", "no-equals-sign"});
  EXPECT_EQ(bad_log.status, 2);
  EXPECT_THAT(bad_log.err, HasSubstr("want ORIGIN=VKEY"));
  for (const std::vector<std::string>& flags : std::vector<std::vector<std::string>>{
           {"--witness", "http://127.0.0.1:1"},
           {"--witness", "http://127.0.0.1:1=" + log_vkey_},
           {"--witness", "http://127.0.0.1:1=" + witness_keys_[0], "--witness-quorum", "2"},
           {"--witness", "ftp://127.0.0.1:1=" + witness_keys_[0]},
           {"--witness", "http://127.0.0.1:1=" + witness_keys_[0], "--witness",
            "http://127.0.0.1:2=" + witness_keys_[0]},
           {"--witness-quorum", "1"}}) {
    std::vector<std::string> args = {"--data-dir", dir_ + "/log-bad", "--signer-key",
                                     dir_ + "/log.key", "--listen", "127.0.0.1:0"};
    args.insert(args.end(), flags.begin(), flags.end());
    RunResult r = subprocess::Run("tools/vellumd", args);
    EXPECT_EQ(r.status, 1) << absl::StrJoin(flags, " ") << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("witness")) << absl::StrJoin(flags, " ");
  }
  // Each was refused before anything was created.
  struct stat st;
  EXPECT_NE(stat((dir_ + "/log-bad").c_str(), &st), 0) << "a refused start created its directory";
}

}  // namespace
}  // namespace vellum
