#include "ledger/events/event_log.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/testing/wait_until.h"
#include "ledger/events/event_codec.h"
#include "ledger/events/event_fields.h"
#include "ledger/index_follower.h"
#include "ledger/leveldb_index_store.h"
#include "ledger/memory_storage.h"
#include "ledger/sequencer.h"
#include "ledger/testing/fault_storage.h"
#include "ledger/testing/test_log.h"
#include "ledger/tile_reader.h"
#include "leveldb/env.h"
#include "leveldb/helpers/memenv.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"
#include "proof/note.h"
#include "proof/tile.h"
#include "proof/verify.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::HasSubstr;

constexpr absl::Duration kWait = absl::Seconds(30);
const absl::Time kStart = absl::FromUnixSeconds(1790000000);

AuditEvent Event(absl::string_view source, absl::string_view source_id,
                 absl::string_view actor = "alice", absl::string_view model = "fraud") {
  AuditEvent event;
  event.mutable_id()->set_source(std::string(source));
  event.mutable_id()->set_source_id(std::string(source_id));
  *event.mutable_event_time() = ToProtoTime(kStart);
  event.mutable_observer()->set_adapter(std::string(kNativeAdapter));
  event.mutable_actor()->set_subject(std::string(actor));
  event.set_action(ACTION_DEPLOY);
  event.mutable_target()->set_model_name(std::string(model));
  event.mutable_outcome()->set_result(Outcome::RESULT_SUCCESS);
  return event;
}

// A view of a log whose entry bundles can be made unreadable, so that an IndexFollower reading
// through it stops where the test wants the index to lag.
class GatedReader : public LogReader {
 public:
  explicit GatedReader(const LogReader* base) : base_(base) {}

  void SetOpen(bool open) {
    absl::MutexLock lock(&mu_);
    open_ = open;
  }

  absl::StatusOr<std::pair<uint64_t, std::string>> ReadCheckpoint() const override {
    return base_->ReadCheckpoint();
  }
  absl::StatusOr<std::string> ReadTile(const TileId& tile) const override {
    return base_->ReadTile(tile);
  }
  absl::StatusOr<std::string> ReadEntryBundle(const EntryBundleId& bundle) const override {
    {
      absl::MutexLock lock(&mu_);
      if (!open_) return absl::UnavailableError("gated");
    }
    return base_->ReadEntryBundle(bundle);
  }

 private:
  const LogReader* const base_;
  mutable absl::Mutex mu_;
  bool open_ ABSL_GUARDED_BY(mu_) = true;
};

class EventLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.reset(leveldb::NewMemEnv(leveldb::Env::Default()));
    signer_ = NewTestSigner("example.com/event-log");
    auto verifier = NoteVerifier::Create(signer_->VerifierKey());
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = *std::move(verifier);
    options_.reserved_sources = {"ingest", "mlflow"};
    options_.clock.wall = [this] {
      absl::MutexLock lock(&clock_mu_);
      return now_;
    };
    options_.clock.monotonic = [this] {
      absl::MutexLock lock(&clock_mu_);
      return monotonic_;
    };
    options_.clock.max_forward_jump = absl::Hours(1);
    options_.clock.log = [this](absl::string_view line) {
      absl::MutexLock lock(&clock_mu_);
      log_lines_.emplace_back(line);
    };
    Open();
  }
  void TearDown() override { Close(); }

  void Open() {
    LevelDbIndexStore::Options store_options;
    store_options.env = env_.get();
    store_options.indexes = std::string(kLeafAndClearEventIndexes);
    auto store = LevelDbIndexStore::Open("/index", storage_.ReadCheckpoint()->first, store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    index_ = std::make_unique<EventIndex>(store_.get(), 0, EventFieldsOn({}));
    IndexFollower::Options follower_options;
    follower_options.retry_delay = absl::Milliseconds(10);
    auto follower = IndexFollower::Start(&gated_, store_.get(), {index_.get()}, follower_options);
    ASSERT_TRUE(follower.ok()) << follower.status();
    follower_ = *std::move(follower);
    SequencerOptions sequencer_options;
    sequencer_options.retry_initial_delay = absl::Milliseconds(1);
    sequencer_options.retry_max_delay = absl::Milliseconds(10);
    sequencer_options.on_commit = [follower = follower_.get()](uint64_t size) {
      follower->Notify(size);
    };
    auto sequencer = Sequencer::Create(&faults_, signer_.get(), sequencer_options);
    ASSERT_TRUE(sequencer.ok()) << sequencer.status();
    sequencer_ = *std::move(sequencer);
    auto log =
        EventLog::Create(sequencer_.get(), &storage_, index_.get(), follower_.get(), options_);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }

  void Close() {
    sequencer_.reset();
    log_.reset();
    follower_.reset();
    index_.reset();
    store_.reset();
  }

  void Restart() {
    Close();
    Open();
  }

  void SetNow(absl::Time now) {
    absl::MutexLock lock(&clock_mu_);
    now_ = now;
  }

  // Both clocks move on by `d`.
  void Pass(absl::Duration d) {
    absl::MutexLock lock(&clock_mu_);
    now_ += d;
    monotonic_ += d;
  }

  size_t LogLines() {
    absl::MutexLock lock(&clock_mu_);
    return log_lines_.size();
  }

  std::string Metrics() {
    std::string out;
    log_->RenderMetrics(&out);
    return out;
  }

  // Starts appending `events`; the answer arrives through the returned notification.
  struct Pending {
    absl::Notification done;
    absl::StatusOr<std::vector<EventLog::Appended>> result;
  };
  std::unique_ptr<Pending> Start(std::vector<AuditEvent> events) {
    auto pending = std::make_unique<Pending>();
    log_->Append(std::move(events),
                 [p = pending.get()](absl::StatusOr<std::vector<EventLog::Appended>> result) {
                   p->result = std::move(result);
                   p->done.Notify();
                 });
    return pending;
  }

  absl::StatusOr<std::vector<EventLog::Appended>> Append(std::vector<AuditEvent> events) {
    std::unique_ptr<Pending> pending = Start(std::move(events));
    EXPECT_TRUE(pending->done.WaitForNotificationWithTimeout(kWait));
    return std::move(pending->result);
  }

  EventLog::Appended AppendOne(AuditEvent event) {
    std::vector<AuditEvent> events;
    events.push_back(std::move(event));
    absl::StatusOr<std::vector<EventLog::Appended>> appended = Append(std::move(events));
    EXPECT_TRUE(appended.ok()) << appended.status();
    if (!appended.ok() || appended->size() != 1) return {};
    return appended->front();
  }

  // The event logged at `index`.
  AuditEvent Logged(uint64_t index) {
    auto entries = ReadBundleEntries(storage_, index / kTileWidth, sequencer_->Head()->size);
    EXPECT_TRUE(entries.ok()) << entries.status();
    if (!entries.ok()) return {};
    auto event = DecodeEntry((*entries)[index % kTileWidth]);
    EXPECT_TRUE(event.ok()) << event.status();
    return event.ok() ? *event : AuditEvent();
  }

  uint64_t Size() { return sequencer_->Head()->size; }

  std::unique_ptr<leveldb::Env> env_;
  std::unique_ptr<NoteSigner> signer_;
  std::unique_ptr<NoteVerifier> verifier_;
  MemoryStorage storage_;
  FaultStorage faults_{&storage_};
  GatedReader gated_{&storage_};
  EventLog::Options options_;
  absl::Mutex clock_mu_;
  absl::Time now_ ABSL_GUARDED_BY(clock_mu_) = kStart;
  absl::Duration monotonic_ ABSL_GUARDED_BY(clock_mu_) = absl::Hours(1);
  std::vector<std::string> log_lines_ ABSL_GUARDED_BY(clock_mu_);
  std::unique_ptr<IndexStore> store_;
  std::unique_ptr<EventIndex> index_;
  std::unique_ptr<IndexFollower> follower_;
  std::unique_ptr<Sequencer> sequencer_;
  std::unique_ptr<EventLog> log_;
};

// The observer sees every event in index order as logged, those of a commit that failed after
// reaching the disk included (a redelivery of them is answered as a duplicate, so they would
// otherwise never reach it).
TEST_F(EventLogTest, TheObserverSeesEveryLoggedEventInOrderEvenAfterAFailedCommit) {
  absl::Mutex mu;
  std::vector<std::pair<uint64_t, std::string>> seen;
  log_->SetObserver([&](uint64_t index, const AuditEvent& event) {
    absl::MutexLock lock(&mu);
    seen.emplace_back(index, event.id().source_id());
    EXPECT_TRUE(event.has_logged_time());
  });
  ASSERT_TRUE(Append({Event("ci", "a"), Event("ci", "b")}).ok());
  faults_.FailNextCommits(1, absl::UnavailableError("failed after writing"),
                          /*after_writing=*/true);
  EXPECT_FALSE(Append({Event("ci", "c")}).ok());
  ASSERT_TRUE(WaitUntil([&] { return sequencer_->Health().ok(); }, absl::Seconds(30)));
  absl::StatusOr<std::vector<EventLog::Appended>> again = Append({Event("ci", "c")});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->front().duplicate);
  ASSERT_TRUE(Append({Event("ci", "d")}).ok());
  log_->SetObserver(nullptr);
  ASSERT_TRUE(Append({Event("ci", "e")}).ok());
  absl::MutexLock lock(&mu);
  EXPECT_EQ(seen, (std::vector<std::pair<uint64_t, std::string>>{
                      {0, "a"}, {1, "b"}, {2, "c"}, {3, "d"}}));
}

TEST_F(EventLogTest, AppendStampsEachEventAndSaysWhereItIs) {
  std::vector<AuditEvent> events = {Event("svc", "a"), Event("svc", "b")};
  auto appended = Append(events);
  ASSERT_TRUE(appended.ok()) << appended.status();
  ASSERT_EQ(appended->size(), 2u);
  for (uint64_t i = 0; i < 2; ++i) {
    const EventLog::Appended& a = (*appended)[i];
    EXPECT_EQ(a.index, i);
    EXPECT_EQ(a.tree_size, 2u);
    EXPECT_FALSE(a.duplicate);
    AuditEvent want = events[i];
    *want.mutable_logged_time() = ToProtoTime(kStart);
    EXPECT_EQ(Logged(i).SerializeAsString(), want.SerializeAsString());
    auto entry = EncodeEntry(want);
    ASSERT_TRUE(entry.ok()) << entry.status();
    EXPECT_EQ(a.leaf_hash, HashLeaf(*entry));
  }
  auto none = Append({});
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
}

TEST_F(EventLogTest, ARedeliveryInFlightWaitsForTheFirstAndAppendsNothing) {
  absl::Notification committing, release;
  faults_.SetBeforeCommit([&] {
    if (!committing.HasBeenNotified()) committing.Notify();
    release.WaitForNotification();
  });
  std::unique_ptr<Pending> first = Start({Event("svc", "a")});
  ASSERT_TRUE(committing.WaitForNotificationWithTimeout(kWait));
  AuditEvent again = Event("svc", "a", "someone-else");
  std::unique_ptr<Pending> second = Start({again, Event("svc", "b")});
  EXPECT_FALSE(first->done.HasBeenNotified());
  EXPECT_FALSE(second->done.HasBeenNotified());
  release.Notify();
  ASSERT_TRUE(first->done.WaitForNotificationWithTimeout(kWait));
  ASSERT_TRUE(second->done.WaitForNotificationWithTimeout(kWait));
  ASSERT_TRUE(first->result.ok()) << first->result.status();
  ASSERT_TRUE(second->result.ok()) << second->result.status();
  EXPECT_EQ((*first->result)[0].index, 0u);
  EXPECT_FALSE((*first->result)[0].duplicate);
  EXPECT_EQ((*second->result)[0].index, 0u);
  EXPECT_TRUE((*second->result)[0].duplicate);
  EXPECT_EQ((*second->result)[0].leaf_hash, (*first->result)[0].leaf_hash);
  EXPECT_EQ((*second->result)[1].index, 1u);
  EXPECT_FALSE((*second->result)[1].duplicate);
  EXPECT_EQ(Size(), 2u);
  EXPECT_EQ(Logged(0).actor().subject(), "alice");
}

TEST_F(EventLogTest, ARecentEventIsFoundBeforeTheIndexCoversIt) {
  gated_.SetOpen(false);
  const EventLog::Appended first = AppendOne(Event("svc", "a"));
  AppendOne(Event("svc", "b"));
  ASSERT_EQ(index_->covered(), 0u);
  const EventLog::Appended again = AppendOne(Event("svc", "a"));
  EXPECT_EQ(index_->covered(), 0u);
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.index, first.index);
  EXPECT_EQ(again.leaf_hash, first.leaf_hash);
  EXPECT_EQ(again.tree_size, 2u);
  EXPECT_EQ(Size(), 2u);
}

TEST_F(EventLogTest, AnIndexedEventIsFoundThroughTheIndex) {
  const EventLog::Appended first = AppendOne(Event("svc", "a"));
  AppendOne(Event("svc", "b"));
  ASSERT_TRUE(follower_->WaitFor(2, kWait));
  const EventLog::Appended again = AppendOne(Event("svc", "a"));
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.index, first.index);
  EXPECT_EQ(again.leaf_hash, first.leaf_hash);
  EXPECT_EQ(again.tree_size, 2u);
  EXPECT_EQ(Size(), 2u);
}

TEST_F(EventLogTest, ARedeliveryAfterARestartIsFoundThroughTheIndex) {
  AppendOne(Event("svc", "a"));
  const EventLog::Appended second = AppendOne(Event("svc", "b"));
  Restart();
  const EventLog::Appended again = AppendOne(Event("svc", "b"));
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.index, second.index);
  EXPECT_EQ(again.leaf_hash, second.leaf_hash);
  EXPECT_EQ(Size(), 2u);
}

TEST_F(EventLogTest, AfterARestartALookupWaitsForTheIndexThenIsUnavailable) {
  gated_.SetOpen(false);
  AppendOne(Event("svc", "a"));
  options_.index_wait = absl::Milliseconds(50);
  Restart();
  std::vector<AuditEvent> events = {Event("svc", "a")};
  EXPECT_EQ(Append(events).status(),
            absl::UnavailableError("the event index covers 0 of the 1 entries logged before the "
                                   "server started; retry shortly"));
  EXPECT_EQ(Size(), 1u);
  gated_.SetOpen(true);
  ASSERT_TRUE(follower_->WaitFor(1, kWait));
  auto again = Append(events);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE((*again)[0].duplicate);
  EXPECT_EQ((*again)[0].index, 0u);
  EXPECT_EQ(Size(), 1u);
}

TEST_F(EventLogTest, LoggedTimeNeverDecreasesWhenTheClockGoesBack) {
  SetNow(kStart + absl::Seconds(100));
  AppendOne(Event("svc", "a"));
  SetNow(kStart + absl::Seconds(50));
  AppendOne(Event("svc", "b"));
  AppendOne(Event("svc", "c"));
  SetNow(kStart + absl::Seconds(200));
  AppendOne(Event("svc", "d"));
  ASSERT_EQ(Size(), 5u);
  EXPECT_EQ(FromProtoTime(Logged(0).logged_time()), kStart + absl::Seconds(100));
  EXPECT_EQ(FromProtoTime(Logged(1).logged_time()), kStart + absl::Seconds(100));
  // The episode is on record once, after the first event it held back.
  const AuditEvent anomaly = Logged(2);
  EXPECT_EQ(anomaly.action(), ACTION_CLOCK_ANOMALY);
  EXPECT_EQ(anomaly.id().source(), kServerSource);
  EXPECT_EQ(anomaly.observer().adapter(), kServerSource);
  EXPECT_EQ(FromProtoTime(anomaly.logged_time()), kStart + absl::Seconds(100));
  EXPECT_THAT(anomaly.outcome().reason(), HasSubstr("50s behind the last logged time"));
  EXPECT_EQ(Logged(3).id().source_id(), "c");
  EXPECT_EQ(FromProtoTime(Logged(3).logged_time()), kStart + absl::Seconds(100));
  EXPECT_EQ(FromProtoTime(Logged(4).logged_time()), kStart + absl::Seconds(200));
  EXPECT_EQ(LogLines(), 1u);
  EXPECT_THAT(Metrics(), HasSubstr("vellum_logged_time_clamped_total 2\n"));
  EXPECT_THAT(Metrics(), HasSubstr("vellum_clock_anomalies_total{direction=\"back\"} 1\n"));
}

TEST_F(EventLogTest, StampsContinueAfterARestartFromTheIndexAndFromTheUnindexedTail) {
  SetNow(kStart + absl::Seconds(100));
  AppendOne(Event("svc", "a"));
  ASSERT_TRUE(follower_->WaitFor(1, kWait));
  // The latest logged time is the index's: a clock behind it is held to it, and reported.
  SetNow(kStart);
  Restart();
  AppendOne(Event("svc", "b"));
  EXPECT_EQ(FromProtoTime(Logged(1).logged_time()), kStart + absl::Seconds(100));
  EXPECT_EQ(Logged(2).action(), ACTION_CLOCK_ANOMALY);
  EXPECT_EQ(FromProtoTime(Logged(2).logged_time()), kStart + absl::Seconds(100));
  ASSERT_TRUE(follower_->WaitFor(3, kWait));
  // Later events the index does not cover yet: the tail of the log has the latest.
  gated_.SetOpen(false);
  SetNow(kStart + absl::Seconds(300));
  AppendOne(Event("svc", "c"));
  SetNow(kStart);
  Restart();
  ASSERT_EQ(index_->covered(), 3u);
  gated_.SetOpen(true);
  AppendOne(Event("svc", "d"));
  EXPECT_EQ(FromProtoTime(Logged(4).logged_time()), kStart + absl::Seconds(300));
  for (uint64_t i = 1; i < Size(); ++i) {
    EXPECT_GE(FromProtoTime(Logged(i).logged_time()), FromProtoTime(Logged(i - 1).logged_time()))
        << i;
  }
}

TEST_F(EventLogTest, AClockThatJumpsAheadIsRefusedUntilItIsSetRight) {
  AppendOne(Event("svc", "a"));
  Pass(absl::Seconds(10));
  SetNow(kStart + absl::Hours(30));
  auto refused = Append({Event("svc", "b")});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("ahead of 2026-09-21T14:13:30+00:00 where the monotonic clock puts it"));
  // The episode is on record, stamped where the monotonic clock puts the time; nothing else.
  // Its record is appended on its own and the refusal does not wait for it.
  ASSERT_TRUE(WaitUntil([&] { return Size() >= 2; }, kWait));
  ASSERT_EQ(Size(), 2u);
  EXPECT_EQ(Logged(1).action(), ACTION_CLOCK_ANOMALY);
  EXPECT_EQ(FromProtoTime(Logged(1).logged_time()), kStart + absl::Seconds(10));
  EXPECT_THAT(Logged(1).outcome().reason(), HasSubstr("jumped ahead"));
  // Refused again, and not recorded again; a redelivery of the refused event is refused too
  // (its claim was released).
  EXPECT_EQ(Append({Event("svc", "b")}).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Size(), 2u);
  EXPECT_EQ(LogLines(), 1u);
  EXPECT_THAT(Metrics(), HasSubstr("vellum_logged_time_refused_total 2\n"));

  // Set right: the event is logged, and the end of the episode is on record after it.
  SetNow(kStart + absl::Seconds(20));
  EventLog::Appended b = AppendOne(Event("svc", "b"));
  EXPECT_EQ(b.index, 2u);
  EXPECT_FALSE(b.duplicate);
  EXPECT_EQ(FromProtoTime(Logged(2).logged_time()), kStart + absl::Seconds(20));
  EXPECT_EQ(Logged(3).action(), ACTION_CLOCK_ANOMALY);
  EXPECT_THAT(Logged(3).outcome().reason(), HasSubstr("2 appends were refused"));
}

TEST_F(EventLogTest, ARestartAcceptsAClockThatJumpedAhead) {
  AppendOne(Event("svc", "a"));
  SetNow(kStart + absl::Hours(30));
  EXPECT_EQ(Append({Event("svc", "b")}).status().code(), absl::StatusCode::kUnavailable);
  Restart();
  EXPECT_EQ(AppendOne(Event("svc", "b")).index, 2u);
  EXPECT_EQ(FromProtoTime(Logged(2).logged_time()), kStart + absl::Hours(30));
}

TEST_F(EventLogTest, NativeEventsMustBeNativeUnstampedAndNotReserved) {
  EXPECT_TRUE(log_->CheckNative(Event("svc", "a")).ok());
  AuditEvent adapter = Event("svc", "a");
  adapter.mutable_observer()->set_adapter("github");
  EXPECT_EQ(log_->CheckNative(adapter),
            absl::InvalidArgumentError("observer.adapter must be \"native\" for POST /v1/events"));
  AuditEvent stamped = Event("svc", "a");
  *stamped.mutable_logged_time() = ToProtoTime(kStart);
  EXPECT_EQ(log_->CheckNative(stamped),
            absl::InvalidArgumentError("logged_time is set by the log: leave it unset"));
  for (const char* source : {"ingest", "mlflow"}) {
    EXPECT_EQ(log_->CheckNative(Event(source, "a")),
              absl::InvalidArgumentError(
                  absl::StrCat("id.source \"", source, "\" is reserved for Vellum's adapters")));
  }
}

TEST_F(EventLogTest, NativeEventsCarryNoProvenanceConfigOrServerAction) {
  AuditEvent event = Event("svc", "a");
  event.mutable_provenance()->set_principal("someone-else");
  EXPECT_EQ(log_->CheckNative(event),
            absl::InvalidArgumentError(
                "provenance is set by the server from the caller's credentials: leave it unset"));
  const absl::Status sealed_by_server = absl::InvalidArgumentError(
      "sealed and actor.pseudonym are set by the server when it seals personal fields: "
      "leave them unset");
  event = Event("svc", "a");
  event.add_sealed()->set_path("actor.subject");
  EXPECT_EQ(log_->CheckNative(event), sealed_by_server);
  event = Event("svc", "a");
  event.mutable_actor()->set_pseudonym("ps1_0123456789abcdef0123456789abcdef");
  EXPECT_EQ(log_->CheckNative(event), sealed_by_server);
  // An approval of the gate's own is written by the server only; a producer's ACTION_APPROVE
  // without one is an ordinary event.
  event = Event("svc", "a");
  event.set_action(ACTION_APPROVE);
  EXPECT_TRUE(log_->CheckNative(event).ok()) << log_->CheckNative(event);
  event.mutable_approval()->set_id("apr_0");
  EXPECT_EQ(log_->CheckNative(event).code(), absl::StatusCode::kInvalidArgument);
  for (Action action : {ACTION_CONFIG_APPLIED, ACTION_ACCESS_DENIED_BY_LEDGER,
                        ACTION_POLICY_APPLIED, ACTION_GATE_DECISION}) {
    event = Event("svc", "a");
    event.set_action(action);
    EXPECT_EQ(log_->CheckNative(event),
              absl::InvalidArgumentError(absl::StrCat(
                  "action ", Action_Name(action),
                  " and config_applied are written by the server only, want another action")));
  }
  event = Event("svc", "a");
  event.mutable_config_applied()->set_applied_by("api");
  EXPECT_EQ(log_->CheckNative(event).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->CheckNative(Event(kServerSource, "a")),
            absl::InvalidArgumentError(
                "id.source \"vellum\" is reserved for the server's own events"));
}

TEST_F(EventLogTest, ServerEventsAreStampedAndDeduplicated) {
  AuditEvent denied = Event("anything", "denied-1");
  denied.set_action(ACTION_ACCESS_DENIED_BY_LEDGER);
  denied.mutable_target()->clear_model_name();
  denied.mutable_outcome()->set_result(Outcome::RESULT_DENIED);
  denied.mutable_provenance()->set_principal("not-the-server");
  SetNow(kStart + absl::Seconds(7));
  std::unique_ptr<Pending> first = std::make_unique<Pending>();
  log_->AppendServerEvents({denied}, [p = first.get()](auto result) {
    p->result = std::move(result);
    p->done.Notify();
  });
  ASSERT_TRUE(first->done.WaitForNotificationWithTimeout(kWait));
  ASSERT_TRUE(first->result.ok()) << first->result.status();
  const AuditEvent logged = Logged(first->result->front().index);
  EXPECT_EQ(logged.id().source(), kServerSource);
  EXPECT_EQ(logged.observer().adapter(), kServerSource);
  EXPECT_FALSE(logged.has_provenance());
  EXPECT_EQ(FromProtoTime(logged.logged_time()), kStart + absl::Seconds(7));

  std::unique_ptr<Pending> again = std::make_unique<Pending>();
  log_->AppendServerEvents({denied}, [p = again.get()](auto result) {
    p->result = std::move(result);
    p->done.Notify();
  });
  ASSERT_TRUE(again->done.WaitForNotificationWithTimeout(kWait));
  ASSERT_TRUE(again->result.ok()) << again->result.status();
  EXPECT_TRUE(again->result->front().duplicate);
  EXPECT_EQ(again->result->front().index, first->result->front().index);
  EXPECT_EQ(Size(), 1u);
}

TEST_F(EventLogTest, SearchFiltersOnThePrincipal) {
  std::vector<AuditEvent> events;
  for (int i = 0; i < 6; ++i) {
    events.push_back(Event("svc", absl::StrCat(i)));
    if (i % 2 == 0) {
      events.back().mutable_provenance()->set_principal("ci-deployer");
      events.back().mutable_provenance()->set_authenticated_by("token");
    }
  }
  ASSERT_TRUE(Append(events).ok());
  EventSearchRequest request;
  request.query.principal = "ci-deployer";
  request.query.newest_first = false;
  auto result = log_->Search(request);
  ASSERT_TRUE(result.ok()) << result.status();
  std::vector<uint64_t> found;
  for (const EventLog::Match& match : result->matches) found.push_back(match.index);
  EXPECT_EQ(found, std::vector<uint64_t>({0, 2, 4}));
  request.query.principal = "nobody";
  EXPECT_TRUE(log_->Search(request)->matches.empty());
}

TEST_F(EventLogTest, SearchReturnsTheMatchesWithProofsThatVerify) {
  // Across a bundle boundary: alice's events are every third one.
  std::vector<AuditEvent> events;
  for (int i = 0; i < 300; ++i) {
    events.push_back(Event("svc", absl::StrCat(i), i % 3 == 0 ? "alice" : "bob"));
  }
  auto appended = Append(events);
  ASSERT_TRUE(appended.ok()) << appended.status();
  EventSearchRequest request;
  request.query.actor = "alice";
  request.query.limit = 40;
  request.query.newest_first = false;
  request.proof = true;
  std::vector<uint64_t> found;
  for (int page = 0; page < 10; ++page) {
    auto result = log_->Search(request);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->tree_size, 300u);
    auto checkpoint = OpenCheckpoint(result->checkpoint, *verifier_);
    ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
    EXPECT_EQ(checkpoint->size, 300u);
    EXPECT_LE(result->matches.size(), 40u);
    for (const EventLog::Match& match : result->matches) {
      found.push_back(match.index);
      EXPECT_EQ(match.event.actor().subject(), "alice");
      EXPECT_EQ(match.event.id().source_id(), absl::StrCat(match.index));
      auto entry = EncodeEntry(match.event);
      ASSERT_TRUE(entry.ok()) << entry.status();
      EXPECT_EQ(match.leaf_hash, HashLeaf(*entry));
      EXPECT_EQ(match.leaf_hash, (*appended)[match.index].leaf_hash);
      EXPECT_TRUE(VerifyInclusion(match.index, checkpoint->size, match.leaf_hash, match.proof,
                                  checkpoint->root)
                      .ok())
          << match.index;
    }
    if (!result->next_cursor.has_value()) break;
    request.cursor = result->next_cursor;
  }
  std::vector<uint64_t> want;
  for (uint64_t i = 0; i < 300; i += 3) want.push_back(i);
  EXPECT_EQ(found, want);

  // Without proofs: no checkpoint and no proof; newest first.
  EventSearchRequest plain;
  plain.query.model = "fraud";
  plain.query.limit = 2;
  auto result = log_->Search(plain);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->checkpoint.empty());
  ASSERT_EQ(result->matches.size(), 2u);
  EXPECT_EQ(result->matches[0].index, 299u);
  EXPECT_EQ(result->matches[1].index, 298u);
  EXPECT_TRUE(result->matches[0].proof.empty());
  EXPECT_EQ(result->next_cursor, 298u);
}

TEST_F(EventLogTest, SearchRefusesWhatTheIndexRefuses) {
  EventSearchRequest request;
  request.query.version = "1";
  EXPECT_EQ(log_->Search(request).status(),
            absl::InvalidArgumentError("a version filter needs a model filter"));
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
