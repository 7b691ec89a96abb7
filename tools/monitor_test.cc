// Multi-process test of `vellum monitor` on loopback: a log (vellumd) and a fork of it (a second
// vellumd with the same signer key and different entries), two long-running monitors each
// following one of them and peering with each other, and one-shot monitors for exit statuses.
// Covers a consistent log, a fork at the same size, a fork that is larger and one that is
// smaller, resuming from the state directory, and offline verification of the evidence.

#include <dirent.h>
#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
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
using subprocess::WriteFile;

RunResult Vellum(const std::vector<std::string>& args) {
  return subprocess::Run("tools/vellum", args);
}

std::string Url(uint16_t port) { return absl::StrCat("http://127.0.0.1:", port); }

// The evidence files in `dir`.
std::vector<std::string> EvidenceFiles(const std::string& dir) {
  std::vector<std::string> files;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return files;
  while (dirent* e = readdir(d)) {
    if (absl::StartsWith(e->d_name, "evidence-")) files.push_back(dir + "/" + e->d_name);
  }
  closedir(d);
  return files;
}

class MonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir() + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ASSERT_EQ(subprocess::Run("/bin/mkdir", {"-p", dir_}).status, 0);
    RunResult key = Vellum({"keygen", "--origin", "monitor.test/log", "--out", dir_ + "/log"});
    ASSERT_EQ(key.status, 0) << key.err;
    key_ = dir_ + "/log.pub";
    log_a_ = StartLog("a");
    log_b_ = StartLog("b");
    ASSERT_NE(log_a_, 0);
    ASSERT_NE(log_b_, 0);
  }

  uint16_t StartLog(const std::string& name) {
    servers_.push_back(ChildProcess::Spawn(
        "tools/vellumd",
        {"--data-dir", dir_ + "/log-" + name, "--listen", "127.0.0.1:0", "--signer-key",
         dir_ + "/log.key"},
        "vellumd-" + name));
    if (servers_.back() == nullptr) return 0;
    return servers_.back()->WaitUntilServing(absl::Seconds(60));
  }

  void Append(uint16_t log, const std::string& entry) {
    RunResult r = subprocess::Run("tools/vellum", {"append", "--server", Url(log)}, entry);
    ASSERT_EQ(r.status, 0) << r.err;
  }

  // Starts a long-running monitor of `log`; returns its port.
  uint16_t StartMonitor(const std::string& name, uint16_t log, const std::vector<uint16_t>& peers,
                        uint16_t port = 0) {
    std::vector<std::string> args = {"monitor",       "--server",    Url(log),
                                     "--verifier-key", key_,         "--state-dir",
                                     dir_ + "/" + name, "--listen",  absl::StrCat("127.0.0.1:", port),
                                     "--interval-ms", "50"};
    for (uint16_t peer : peers) {
      args.push_back("--peer");
      args.push_back(Url(peer));
    }
    monitors_[name] = ChildProcess::Spawn("tools/vellum", args, "monitor-" + name);
    if (monitors_[name] == nullptr) return 0;
    return monitors_[name]->WaitUntilServing(absl::Seconds(30));
  }

  // The rounds the monitor at `port` has run, from its /metrics; 0 if it does not answer.
  uint64_t Rounds(uint16_t port) {
    std::string body;
    if (HttpGet(Url(port), "/metrics", &body) != 200) return 0;
    uint64_t rounds = 0;
    for (absl::string_view line : absl::StrSplit(body, '\n')) {
      if (absl::ConsumePrefix(&line, "vellum_monitor_rounds_total ") &&
          absl::SimpleAtoi(line, &rounds)) {
        break;
      }
    }
    return rounds;
  }

  // Waits until the monitor at `port` serves a checkpoint of `size`.
  void WaitForSize(uint16_t port, uint64_t size) {
    std::string body;
    if (ledger::WaitUntil(
            [&] {
              if (HttpGet(Url(port), "/checkpoint", &body) != 200) return false;
              std::vector<std::string> lines = absl::StrSplit(body, '\n');
              return lines.size() > 1 && lines[1] == absl::StrCat(size);
            },
            absl::Seconds(30))) {
      return;
    }
    ADD_FAILURE() << "monitor on port " << port << " did not reach size " << size
                  << "; it serves: " << body;
  }

  // Waits until `dir` holds an evidence file containing `marker`, and returns it.
  std::string WaitForEvidence(const std::string& dir, const std::string& marker) {
    std::string found;
    if (ledger::WaitUntil(
            [&] {
              for (const std::string& file : EvidenceFiles(dir)) {
                if (absl::StrContains(ReadFile(file), marker)) found = file;
              }
              return !found.empty();
            },
            absl::Seconds(30))) {
      return found;
    }
    ADD_FAILURE() << "no evidence with \"" << marker << "\" in " << dir;
    return "";
  }

  RunResult Once(const std::string& state, uint16_t log, uint16_t peer) {
    return Vellum({"monitor", "--server", Url(log), "--verifier-key", key_, "--state-dir",
                   dir_ + "/" + state, "--peer", Url(peer), "--once"});
  }

  void ExpectProvesSplitView(const std::string& evidence) {
    RunResult r = Vellum({"verify", "evidence", "--verifier-key", key_, evidence});
    EXPECT_EQ(r.status, 0) << evidence << ": " << r.err << "\n" << ReadFile(evidence);
    EXPECT_THAT(r.out, HasSubstr("valid: split view of monitor.test/log: "));
  }

  std::string dir_;
  std::string key_;
  uint16_t log_a_ = 0;
  uint16_t log_b_ = 0;
  std::vector<std::unique_ptr<ChildProcess>> servers_;
  std::map<std::string, std::unique_ptr<ChildProcess>> monitors_;
};

TEST_F(MonitorTest, ForkedLogIsDetectedByBothMonitorsWithEvidence) {
  for (int i = 0; i < 5; ++i) {
    Append(log_a_, absl::StrCat("entry ", i));
    Append(log_b_, absl::StrCat("entry ", i));
  }
  // Monitor A starts alone to learn its port, monitor B peers with it, then A restarts on the
  // same port peering with B and resumes from its state directory.
  uint16_t port_a = StartMonitor("ma", log_a_, {});
  ASSERT_NE(port_a, 0);
  WaitForSize(port_a, 5);
  uint16_t port_b = StartMonitor("mb", log_b_, {port_a});
  ASSERT_NE(port_b, 0);
  WaitForSize(port_b, 5);
  ASSERT_TRUE(monitors_["ma"]->Stop(SIGTERM, absl::Seconds(10)));
  EXPECT_EQ(monitors_["ma"]->status(), 0) << monitors_["ma"]->err();
  ASSERT_EQ(StartMonitor("ma", log_a_, {port_b}, port_a), port_a);
  EXPECT_THAT(monitors_["ma"]->out(), HasSubstr("mirror of monitor.test/log at tree size 5"));

  // Consistent: the same five entries on both sides.
  RunResult consistent = Once("mc", log_a_, port_b);
  EXPECT_EQ(consistent.status, 0) << consistent.err;
  EXPECT_THAT(consistent.out, HasSubstr("\nverified: tree size 5\n"));
  // Two more rounds of each monitor, each comparing its view with its peer's, still find nothing.
  const uint64_t rounds_a = Rounds(port_a), rounds_b = Rounds(port_b);
  EXPECT_TRUE(ledger::WaitUntil(
      [&] { return Rounds(port_a) >= rounds_a + 2 && Rounds(port_b) >= rounds_b + 2; },
      absl::Seconds(30)));
  EXPECT_EQ(HttpGet(Url(port_a), "/healthz"), 200) << monitors_["ma"]->err();
  EXPECT_EQ(HttpGet(Url(port_b), "/healthz"), 200) << monitors_["mb"]->err();
  EXPECT_TRUE(EvidenceFiles(dir_ + "/ma").empty());

  // The fork at the same size.
  Append(log_a_, "only in a");
  Append(log_b_, "only in b");
  WaitForSize(port_a, 6);
  WaitForSize(port_b, 6);
  const std::string same_a = WaitForEvidence(dir_ + "/ma", "note ");
  const std::string same_b = WaitForEvidence(dir_ + "/mb", "note ");
  ExpectProvesSplitView(same_a);
  ExpectProvesSplitView(same_b);
  EXPECT_THAT(ReadFile(same_a), Not(HasSubstr("prefix-root")));
  // A round writes its evidence first, then records the finding and prints the alert.
  const std::string alert = "ALERT SPLIT VIEW: peer " + Url(port_b);
  EXPECT_TRUE(ledger::WaitUntil(
      [&] {
        std::string metrics_b;
        return HttpGet(Url(port_a), "/healthz") == 503 &&
               absl::StrContains(monitors_["ma"]->err(), alert) &&
               HttpGet(Url(port_b), "/metrics", &metrics_b) == 200 &&
               absl::StrContains(metrics_b, "vellum_monitor_evidence_files_total 1");
      },
      absl::Seconds(30)));
  std::string health;
  EXPECT_EQ(HttpGet(Url(port_a), "/healthz", &health), 503);
  EXPECT_THAT(health, HasSubstr("SPLIT VIEW"));
  EXPECT_EQ(HttpGet(Url(port_b), "/metrics", &health), 200);
  EXPECT_THAT(health, HasSubstr("vellum_monitor_evidence_files_total 1"));
  EXPECT_THAT(monitors_["ma"]->err(), HasSubstr(alert));

  RunResult forked = Once("mc", log_a_, port_b);
  EXPECT_EQ(forked.status, 1) << forked.err;
  EXPECT_THAT(forked.err, HasSubstr("vellum monitor: invalid: SPLIT VIEW: peer " + Url(port_b) +
                                    " and the mirror disagree: two checkpoints of size 6"));
  EXPECT_THAT(forked.err, HasSubstr("; evidence: " + dir_ + "/mc/evidence-"));

  // B grows past A: B's monitor proves from its mirror that A's size-6 tree is not its prefix;
  // A's monitor cannot decide until A grows past B.
  for (int i = 0; i < 3; ++i) Append(log_b_, absl::StrCat("b ", i));
  WaitForSize(port_b, 9);
  const std::string larger_b = WaitForEvidence(dir_ + "/mb", "prefix-root");
  ExpectProvesSplitView(larger_b);
  RunResult undecided = Once("mc", log_a_, port_b);
  EXPECT_THAT(undecided.err, HasSubstr("has tree size 9, past the mirror's 6"));
  EXPECT_THAT(undecided.err, HasSubstr("undecided until the mirror reaches that size"));

  for (int i = 0; i < 5; ++i) Append(log_a_, absl::StrCat("a ", i));
  WaitForSize(port_a, 11);
  const std::string larger_a = WaitForEvidence(dir_ + "/ma", "prefix-root");
  ExpectProvesSplitView(larger_a);
  RunResult smaller_peer = Once("mc", log_a_, port_b);
  EXPECT_EQ(smaller_peer.status, 1) << smaller_peer.err;
  EXPECT_THAT(smaller_peer.err,
              HasSubstr("the checkpoint of size 9 has root"));

  // Evidence checked with another key, or altered, proves nothing.
  RunResult stranger = Vellum({"keygen", "--origin", "monitor.test/log", "--out", dir_ + "/other"});
  ASSERT_EQ(stranger.status, 0);
  RunResult wrong_key =
      Vellum({"verify", "evidence", "--verifier-key", dir_ + "/other.pub", larger_a});
  EXPECT_EQ(wrong_key.status, 1);
  EXPECT_THAT(wrong_key.err, HasSubstr("evidence first note: "));
  std::string text = ReadFile(larger_a);
  const size_t at = text.find("prefix-root ") + 12;
  text[at] = text[at] == 'A' ? 'B' : 'A';
  WriteFile(dir_ + "/altered", text);
  RunResult altered = Vellum({"verify", "evidence", "--verifier-key", key_, dir_ + "/altered"});
  EXPECT_EQ(altered.status, 1) << altered.out;
  EXPECT_THAT(altered.err, HasSubstr("root mismatch"));
  EXPECT_EQ(Vellum({"verify", "evidence", "--verifier-key", key_, dir_ + "/missing"}).status, 2);

  for (auto& [name, monitor] : monitors_) {
    EXPECT_TRUE(monitor->Stop(SIGTERM, absl::Seconds(10)));
    EXPECT_EQ(monitor->status(), 0) << name << ": " << monitor->err();
  }
}

TEST_F(MonitorTest, OnceExitStatuses) {
  Append(log_a_, "x");
  RunResult ok = Vellum({"monitor", "--server", Url(log_a_), "--verifier-key", key_,
                         "--state-dir", dir_ + "/s", "--once"});
  EXPECT_EQ(ok.status, 0) << ok.err;
  // Resumes: the second round starts from size 1 and extends to 2.
  Append(log_a_, "y");
  ok = Vellum({"monitor", "--server", Url(log_a_), "--verifier-key", key_, "--state-dir",
               dir_ + "/s", "--once"});
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("mirror of monitor.test/log at tree size 1"));
  EXPECT_THAT(ok.out, HasSubstr("verified: tree size 2"));
  // The fork, seen directly: B's tree of size 2 is another tree.
  Append(log_b_, "x");
  Append(log_b_, "z");
  RunResult fork = Vellum({"monitor", "--server", Url(log_b_), "--verifier-key", key_,
                           "--state-dir", dir_ + "/s", "--once"});
  EXPECT_EQ(fork.status, 1) << fork.err;
  EXPECT_THAT(fork.err, HasSubstr("SPLIT VIEW: the log's checkpoint"));
  // A witness policy the log's checkpoint cannot meet.
  RunResult witness = Vellum({"keygen", "--origin", "w.test", "--cosigner", "--out", dir_ + "/w"});
  ASSERT_EQ(witness.status, 0) << witness.err;
  RunResult policy = Vellum({"monitor", "--server", Url(log_a_), "--verifier-key", key_,
                             "--state-dir", dir_ + "/s", "--witness-key", dir_ + "/w.pub",
                             "--once"});
  EXPECT_EQ(policy.status, 1);
  EXPECT_THAT(policy.err, HasSubstr("from 0 configured witnesses, want at least 1"));
  // An unreachable peer is an exchange error.
  RunResult unreachable = Vellum({"monitor", "--server", Url(log_a_), "--verifier-key", key_,
                                  "--state-dir", dir_ + "/s", "--peer", "http://127.0.0.1:1",
                                  "--once"});
  EXPECT_EQ(unreachable.status, 2) << unreachable.err;
  EXPECT_THAT(unreachable.err, HasSubstr("peer http://127.0.0.1:1"));
}

}  // namespace
}  // namespace vellum
