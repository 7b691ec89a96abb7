#ifndef VELLUM_LEDGER_EVENTS_TEST_EVENT_LOG_H_
#define VELLUM_LEDGER_EVENTS_TEST_EVENT_LOG_H_

// For tests of what writes to the event log: a log directory (LocalLog, with its event index)
// and an EventLog over it, and every event it holds.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_log.h"
#include "ledger/local_log.h"
#include "proof/note.h"

namespace vellum {
namespace ledger {

class TestEventLog {
 public:
  // Opens a log named `origin` in a new directory, named after the running test, under the
  // test's temporary directory.
  static absl::StatusOr<std::unique_ptr<TestEventLog>> Open(absl::string_view origin,
                                                            EventLog::Options options = {});

  EventLog& events() { return *events_; }
  LocalLog& local() { return *log_; }
  const std::string& dir() const { return dir_; }

  // Appends `events` (EventLog::Append) and waits for the answer.
  absl::Status Append(std::vector<AuditEvent> events);

  // Every event in the log, in index order; an entry that is not an event fails the test.
  std::vector<AuditEvent> Logged() const;
  // Every entry in the log, in index order.
  std::vector<std::string> Entries() const;

 private:
  TestEventLog() = default;

  std::string dir_;
  std::unique_ptr<NoteSigner> signer_;
  std::unique_ptr<LocalLog> log_;
  std::unique_ptr<EventLog> events_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_EVENTS_TEST_EVENT_LOG_H_
