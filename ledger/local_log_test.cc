// LocalLog's typed_from: a new log is typed from 0; a data directory written before event
// entries were tagged keeps working, with its entries untyped, its event index rebuilt without
// them, and their receipts still valid.

#include "ledger/local_log.h"

#include <sys/stat.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_codec.h"
#include "ledger/events/event_fields.h"
#include "ledger/events/event_log.h"
#include "ledger/leveldb_index_store.h"
#include "ledger/leveldb_storage.h"
#include "ledger/prover.h"
#include "ledger/sequencer.h"
#include "ledger/testing/test_log.h"
#include "proof/verify.h"

namespace vellum {
namespace ledger {
namespace {

constexpr absl::Duration kWait = absl::Seconds(30);

std::string NewDir(absl::string_view name) {
  const std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
  EXPECT_EQ(mkdir(dir.c_str(), 0700), 0) << dir;
  return dir;
}

AuditEvent Event(absl::string_view source_id, absl::Time logged) {
  AuditEvent event;
  event.mutable_id()->set_source("sagemaker");
  event.mutable_id()->set_source_id(std::string(source_id));
  *event.mutable_event_time() = ToProtoTime(absl::FromUnixSeconds(1790000000));
  *event.mutable_logged_time() = ToProtoTime(logged);
  event.mutable_observer()->set_adapter("sagemaker");
  event.set_action(ACTION_APPROVE);
  event.mutable_target()->set_model_name("fraud-scorer");
  event.mutable_outcome()->set_result(Outcome::RESULT_SUCCESS);
  return event;
}

const absl::Time kYear9999 = absl::FromUnixSeconds(253402300000);

LocalLog::Options EventOptions(const NoteSigner* signer) {
  LocalLog::Options options;
  options.event_fields = EventFieldsOn({});
  options.signer = signer;
  return options;
}

TEST(LocalLogTest, NewLogIsTypedFromZero) {
  std::unique_ptr<NoteSigner> signer = NewTestSigner("example.com/local-log");
  const std::string dir = NewDir("new");
  auto log = LocalLog::Open(dir, EventOptions(signer.get()));
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->typed_from(), 0u);
  ASSERT_TRUE((*log)->sequencer()->Append({"opaque"}).ok());
  log->reset();
  log = LocalLog::Open(dir, EventOptions(signer.get()));
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->typed_from(), 0u);
}

// A directory as the code before the tag wrote it: events as their bare encoding, raw appends of
// anything (here one that forges the tag), no typed_from record, and an event index of the
// older set that indexed every entry that parsed.
TEST(LocalLogTest, OlderDirectoryIsTypedFromItsSizeAndItsEventIndexRebuilt) {
  std::unique_ptr<NoteSigner> signer = NewTestSigner("example.com/local-log");
  const std::string dir = NewDir("old");
  const std::string untagged =
      EncodeEntry(Event("future-1", kYear9999))->substr(kEventEntryTag.size());
  const std::string forged = *EncodeEntry(Event("forged", kYear9999));
  const std::vector<std::string> old_entries = {untagged, forged, "opaque"};
  {
    auto storage = LevelDbStorage::Open(dir + "/db", {});
    ASSERT_TRUE(storage.ok()) << storage.status();
    auto sequencer = Sequencer::Create(storage->get(), signer.get(), {});
    ASSERT_TRUE(sequencer.ok()) << sequencer.status();
    ASSERT_TRUE((*sequencer)->Append(old_entries).ok());
    sequencer->reset();
    auto typed_from = (*storage)->ReadTypedFrom();
    ASSERT_TRUE(typed_from.ok()) << typed_from.status();
    EXPECT_FALSE(typed_from->has_value());

    LevelDbIndexStore::Options store_options;
    store_options.indexes = "leaf event/1";
    auto store = LevelDbIndexStore::Open(dir + "/index", 3, store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    EventIndex old_index(store->get(), 0, [](uint64_t, uint64_t, absl::string_view entry) {
      absl::StatusOr<AuditEvent> event = DecodeEntry(entry);
      if (!event.ok()) event = ParseEventProto(entry);
      if (!event.ok()) return absl::StatusOr<absl::optional<EventFields>>(absl::nullopt);
      return EventFieldsOn({})(0, 0, *EncodeEntry(*event));
    });
    auto follower = IndexFollower::Start(storage->get(), store->get(), {&old_index}, {});
    ASSERT_TRUE(follower.ok()) << follower.status();
    ASSERT_TRUE((*follower)->WaitFor(3, kWait));
    EXPECT_EQ(old_index.Search(EventQuery())->indices.size(), 2u);
  }

  auto log = LocalLog::Open(dir, EventOptions(signer.get()));
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->typed_from(), 3u);
  ASSERT_TRUE((*log)->follower().WaitFor(3, kWait));
  const EventIndex& index = *(*log)->event_index();
  EXPECT_EQ(index.typed_from(), 3u);
  EXPECT_TRUE(index.Search(EventQuery())->indices.empty());
  EXPECT_FALSE(index.FindId("sagemaker", "future-1")->index.has_value());
  EXPECT_FALSE(index.LastLoggedTime()->has_value());

  // Events appended now are indexed, and the entries below typed_from say why they are not.
  ASSERT_TRUE((*log)->sequencer()->Append({*EncodeEntry(Event("new", absl::UnixEpoch()))}).ok());
  ASSERT_TRUE((*log)->follower().WaitFor(4, kWait));
  auto matches = index.Search(EventQuery());
  ASSERT_TRUE(matches.ok()) << matches.status();
  EXPECT_EQ(matches->indices, std::vector<uint64_t>({3}));
  const std::string json = *EntryToJson(index.typed_from(), 1, forged);
  EXPECT_NE(json.find("below the log's typed_from 3"), std::string::npos) << json;

  // The old entries kept their bytes: their inclusion proofs (receipts) still verify.
  const std::shared_ptr<const LogHead> head = (*log)->sequencer()->Head();
  const Prover prover((*log)->storage());
  for (uint64_t i = 0; i < old_entries.size(); ++i) {
    EXPECT_EQ(*prover.Entry(i, head->size), old_entries[i]);
    auto proof = prover.InclusionProof(i, head->size, head->size);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_TRUE(
        VerifyInclusion(i, head->size, HashLeaf(old_entries[i]), *proof, head->root).ok());
  }
  log->reset();

  // The record stays: a reopen does not move typed_from to the new size. A logged time of 9999
  // below it is not continued by the event log after the restart.
  log = LocalLog::Open(dir, EventOptions(signer.get()));
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->typed_from(), 3u);
  EventLog::Options event_options;
  const absl::Time now = absl::FromUnixSeconds(1800000000);
  event_options.clock.wall = [now] { return now; };
  auto events = EventLog::Create((*log)->sequencer(), &(*log)->storage(), (*log)->event_index(),
                                 &(*log)->follower(), event_options);
  ASSERT_TRUE(events.ok()) << events.status();
  AuditEvent later = Event("later", now);
  later.clear_logged_time();
  absl::StatusOr<std::vector<EventLog::Appended>> appended;
  absl::Notification done;
  (*events)->Append({later}, [&](absl::StatusOr<std::vector<EventLog::Appended>> result) {
    appended = std::move(result);
    done.Notify();
  });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(kWait));
  ASSERT_TRUE(appended.ok()) << appended.status();
  auto entry = Prover((*log)->storage())
                   .Entry(appended->front().index, (*log)->sequencer()->Head()->size);
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(FromProtoTime(DecodeEntry(*entry)->logged_time()), now);
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
