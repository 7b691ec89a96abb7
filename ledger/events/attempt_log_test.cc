#include "ledger/events/attempt_log.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/events/event_codec.h"
#include "ledger/events/test_event_log.h"
#include "ledger/events/server_event.h"
#include "proof/crypto.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::HasSubstr;

constexpr char kCountLabel[] = "test.not_recorded";

class AttemptLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = TestEventLog::Open("example.com/attempts");
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    options_.burst = 2;
    options_.per_second = 0;  // No refill: what is recorded depends on the count alone.
    options_.summary_interval = absl::Hours(1);
    options_.clock = [this] {
      absl::MutexLock lock(&mu_);
      return now_;
    };
    options_.summary_action = ACTION_INGEST_REJECTED;
    options_.count_label = kCountLabel;
    options_.what = "test attempts";
    options_.metric = "test_attempts";
  }

  // Records an attempt from `source` and waits for its answer.
  void Record(const std::string& source, const std::string& text = "") {
    absl::Notification answered;
    attempts_->Record(
        source,
        [&](absl::Time now) {
          AuditEvent event = NewServerEvent(ACTION_INGEST_REJECTED, now);
          event.mutable_outcome()->set_result(Outcome::RESULT_DENIED);
          event.mutable_context()->set_source_ip(source);
          if (!text.empty()) {
            event.mutable_outcome()->set_reason(text);
            event.mutable_context()->set_user_agent(text);
            event.mutable_actor()->set_subject(text);
            event.mutable_actor()->add_groups(text);
            (*event.mutable_context()->mutable_labels())["test.path"] = text;
          }
          return event;
        },
        [&] { answered.Notify(); });
    ASSERT_TRUE(answered.WaitForNotificationWithTimeout(absl::Seconds(30)));
  }

  // The detailed records in the log from `source`.
  size_t RecordsFrom(const std::string& source) {
    size_t n = 0;
    for (const AuditEvent& e : log_->Logged()) {
      if (e.context().source_ip() == source && !e.context().labels().contains(kCountLabel)) n++;
    }
    return n;
  }

  std::string Metrics() {
    std::string out;
    attempts_->RenderMetrics(&out);
    return out;
  }

  absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_) = absl::FromUnixSeconds(1767225600);
  std::unique_ptr<TestEventLog> log_;
  AttemptLog::Options options_;
  std::unique_ptr<AttemptLog> attempts_;
};

TEST_F(AttemptLogTest, OneSourceDrainingItsBucketDoesNotSuppressAnother) {
  attempts_ = std::make_unique<AttemptLog>(&log_->events(), options_);
  for (int i = 0; i < 50; ++i) Record("203.0.113.66");
  Record("10.0.0.1");
  EXPECT_EQ(RecordsFrom("203.0.113.66"), 2u);
  EXPECT_EQ(RecordsFrom("10.0.0.1"), 1u);
  EXPECT_EQ(attempts_->not_recorded(), 48u);
}

TEST_F(AttemptLogTest, SummaryCountsAddUpAndNameTheMostCountedSources) {
  options_.summary_sources = 2;
  attempts_ = std::make_unique<AttemptLog>(&log_->events(), options_);
  const std::vector<std::pair<std::string, int>> sent = {
      {"10.0.0.1", 9}, {"10.0.0.2", 6}, {"10.0.0.3", 4}, {"10.0.0.4", 1}};
  int total = 0;
  for (const auto& [source, n] : sent) {
    for (int i = 0; i < n; ++i) Record(source);
    total += n;
  }
  attempts_->Summarize();
  std::vector<AuditEvent> logged = log_->Logged();
  ASSERT_FALSE(logged.empty());
  const AuditEvent& summary = logged.back();
  EXPECT_EQ(summary.action(), ACTION_INGEST_REJECTED);
  EXPECT_EQ(summary.id().source(), kServerSource);
  const auto& labels = summary.context().labels();
  EXPECT_EQ(labels.at(kCountLabel), "13");  // 7 + 4 + 2 + 0 over the burst of 2.
  EXPECT_EQ(labels.at("vellum.not_recorded_from.10.0.0.1"), "7");
  EXPECT_EQ(labels.at("vellum.not_recorded_from.10.0.0.2"), "4");
  EXPECT_EQ(labels.at(std::string(kNotRecordedFromOtherLabel)), "2");  // 10.0.0.3's.
  EXPECT_FALSE(labels.contains("vellum.not_recorded_from.10.0.0.3"));
  EXPECT_THAT(summary.outcome().reason(), HasSubstr("13 test attempts since"));
  // Records in detail plus the count are the attempts.
  EXPECT_EQ(static_cast<int>(logged.size() - 1) + 13, total);
  const std::string metrics = Metrics();
  EXPECT_THAT(metrics, HasSubstr(absl::StrCat("test_attempts_total ", total, "\n")));
  EXPECT_THAT(metrics, HasSubstr("test_attempts_recorded_total 7\n"));
  EXPECT_THAT(metrics, HasSubstr("test_attempts_not_recorded_total 13\n"));
  EXPECT_THAT(metrics, HasSubstr("test_attempts_summaries_total 1\n"));
  // Nothing new: no summary. The last count is written when the log is destroyed.
  attempts_->Summarize();
  EXPECT_EQ(log_->Logged().size(), logged.size());
  Record("10.0.0.1");
  attempts_.reset();
  logged = log_->Logged();
  EXPECT_EQ(logged.back().context().labels().at(kCountLabel), "1");
  EXPECT_EQ(logged.back().context().labels().at("vellum.not_recorded_from.10.0.0.1"), "1");
}

TEST_F(AttemptLogTest, ASummaryNamesSourcesAsSourceNameSays) {
  options_.source_name = [](absl::string_view source) { return absl::StrCat("named-", source); };
  attempts_ = std::make_unique<AttemptLog>(&log_->events(), options_);
  for (int i = 0; i < 3; ++i) Record("192.0.2.7");
  attempts_->Summarize();
  const std::vector<AuditEvent> logged = log_->Logged();
  ASSERT_FALSE(logged.empty());
  const auto& labels = logged.back().context().labels();
  ASSERT_TRUE(labels.contains("vellum.not_recorded_from.named-192.0.2.7"))
      << logged.back().DebugString();
  EXPECT_EQ(labels.at("vellum.not_recorded_from.named-192.0.2.7"), "1");
  EXPECT_FALSE(labels.contains("vellum.not_recorded_from.192.0.2.7"));
}

TEST_F(AttemptLogTest, TheSourceTablesAreBoundedAndWhatFallsOutsideIsCountedAsOther) {
  options_.burst = 1;
  options_.max_sources = 2;
  attempts_ = std::make_unique<AttemptLog>(&log_->events(), options_);
  Record("10.0.0.1");  // Tracked, and its token spent.
  // An attacker with many addresses: one takes the last place, the rest share one bucket.
  for (int i = 0; i < 20; ++i) Record(absl::StrCat("198.51.100.", i));
  EXPECT_EQ(RecordsFrom("198.51.100.0"), 1u);
  EXPECT_EQ(RecordsFrom("198.51.100.1"), 1u);  // The shared bucket's one token.
  for (int i = 2; i < 20; ++i) EXPECT_EQ(RecordsFrom(absl::StrCat("198.51.100.", i)), 0u);
  EXPECT_THAT(Metrics(), HasSubstr("test_attempts_sources 2\n"));
  attempts_->Summarize();
  const AuditEvent summary = log_->Logged().back();
  const auto& labels = summary.context().labels();
  EXPECT_EQ(labels.at(kCountLabel), "18");
  // Two sources counted apart, the other 16 as one.
  EXPECT_EQ(labels.at("vellum.not_recorded_from.198.51.100.2"), "1");
  EXPECT_EQ(labels.at("vellum.not_recorded_from.198.51.100.3"), "1");
  EXPECT_EQ(labels.at(std::string(kNotRecordedFromOtherLabel)), "16");
  // With refill, a full bucket is forgotten to make room.
  options_.per_second = 1;
  attempts_ = std::make_unique<AttemptLog>(&log_->events(), options_);
  Record("a");
  Record("b");
  {
    absl::MutexLock lock(&mu_);
    now_ += absl::Seconds(10);
  }
  Record("c");
  Record("d");
  EXPECT_EQ(attempts_->not_recorded(), 0u);
}

TEST_F(AttemptLogTest, AttackerTextIsBoundedAndTheUserAgentKeptAsADigest) {
  attempts_ = std::make_unique<AttemptLog>(&log_->events(), options_);
  const std::string text = "\xff\xfe" + std::string(5000, 'x');
  Record(std::string(2000, '1'), text);
  std::vector<AuditEvent> logged = log_->Logged();
  ASSERT_EQ(logged.size(), 1u);
  const AuditEvent& e = logged[0];
  const std::string marker = absl::StrCat(kTruncatedMarker, "5002 bytes]");
  EXPECT_EQ(e.context().source_ip().size(), kMaxAttemptTextBytes);
  EXPECT_THAT(e.context().source_ip(), ::testing::EndsWith("...[truncated from 2000 bytes]"));
  EXPECT_EQ(e.actor().subject().size(), kMaxAttemptTextBytes);
  EXPECT_EQ(e.actor().subject().substr(0, 3), "??x");
  EXPECT_THAT(e.actor().subject(), ::testing::EndsWith(marker));
  EXPECT_THAT(e.actor().groups(0), ::testing::EndsWith(marker));
  EXPECT_THAT(e.context().labels().at("test.path"), ::testing::EndsWith(marker));
  EXPECT_EQ(e.outcome().reason().size(), kMaxAttemptReasonBytes);
  EXPECT_THAT(e.outcome().reason(), ::testing::EndsWith(marker));
  const crypto::Sha256Digest digest = crypto::Sha256({text});
  EXPECT_EQ(e.context().user_agent(),
            absl::StrCat("sha256:", absl::BytesToHexString(absl::string_view(
                                        reinterpret_cast<const char*>(digest.data()), 32))));
  // Short text stays as it was.
  Record("10.0.0.1", "short");
  EXPECT_EQ(log_->Logged()[1].actor().subject(), "short");
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
