#include "ledger/events/test_event_log.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "ledger/events/event_codec.h"
#include "ledger/events/event_fields.h"
#include "ledger/testing/test_log.h"
#include "ledger/tile_reader.h"

namespace vellum {
namespace ledger {

absl::StatusOr<std::unique_ptr<TestEventLog>> TestEventLog::Open(absl::string_view origin,
                                                                 EventLog::Options options) {
  std::unique_ptr<TestEventLog> test(new TestEventLog());
  test->dir_ = absl::StrCat(::testing::TempDir(), "/",
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
  if (mkdir(test->dir_.c_str(), 0700) != 0) {
    return absl::InternalError(absl::StrCat("mkdir ", test->dir_, ": ", std::strerror(errno)));
  }
  test->signer_ = NewTestSigner(origin);
  LocalLog::Options log_options;
  log_options.event_fields = EventFieldsOn({});
  log_options.signer = test->signer_.get();
  auto log = LocalLog::Open(test->dir_, log_options);
  if (!log.ok()) return log.status();
  test->log_ = *std::move(log);
  auto events = EventLog::Create(test->log_->sequencer(), &test->log_->storage(),
                                 test->log_->event_index(), &test->log_->follower(),
                                 std::move(options));
  if (!events.ok()) return events.status();
  test->events_ = *std::move(events);
  return test;
}

std::vector<std::string> TestEventLog::Entries() const {
  std::vector<std::string> out;
  const uint64_t size = log_->sequencer()->Head()->size;
  for (uint64_t bundle = 0; bundle * kTileWidth < size; ++bundle) {
    auto entries = ReadBundleEntries(log_->storage(), bundle, size);
    EXPECT_TRUE(entries.ok()) << entries.status();
    if (!entries.ok()) return out;
    for (std::string& entry : *entries) out.push_back(std::move(entry));
  }
  return out;
}

absl::Status TestEventLog::Append(std::vector<AuditEvent> events) {
  absl::Notification done;
  absl::Status status;
  events_->Append(std::move(events), [&](absl::StatusOr<std::vector<EventLog::Appended>> r) {
    status = r.status();
    done.Notify();
  });
  done.WaitForNotification();
  return status;
}

std::vector<AuditEvent> TestEventLog::Logged() const {
  std::vector<AuditEvent> out;
  for (const std::string& entry : Entries()) {
    auto event = DecodeEntry(entry);
    EXPECT_TRUE(event.ok()) << event.status();
    if (event.ok()) out.push_back(*std::move(event));
  }
  return out;
}

}  // namespace ledger
}  // namespace vellum
