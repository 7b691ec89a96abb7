#ifndef VELLUM_LEDGER_PRIVACY_CUSTODIAN_H_
#define VELLUM_LEDGER_PRIVACY_CUSTODIAN_H_

// The personal data of a running log (docs/privacy.md): the sealed store and the rules that fill
// it, the legal holds in force, erasure, and the opening of sealed fields for readers. Every
// change it makes is an event in the log: holds placed and released, erasures requested and
// completed, unsealed reads.
//
// Erasure. A request names subjects (ids or pseudonyms). It is appended as
// ACTION_ERASURE_REQUESTED (pseudonyms only) and durable before anything is deleted; then each
// subject's sealed values are deleted and the store rewritten (SealedStore), and
// ACTION_ERASURE_COMPLETED is appended with the counts. A value that a hold covers (the event's
// model and logged time, the subject's pseudonym: HoldCovers) is kept, with the subject's key;
// the completion names the holds. A request on the log without its completion (a crash in
// between) is redone by Attach. So data is never gone without its request on record, and a
// request is never left half done.
//
// Holds. Placing or releasing one is appended (ACTION_HOLD_PLACED, ACTION_HOLD_RELEASED) and
// durable before it takes effect or is answered; Attach rebuilds the set in force from the log.
//
// Thread-safe. The operations that change state are serialized among themselves.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "ledger/events/attempt_log.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_log.h"
#include "ledger/identity/principal.h"
#include "ledger/privacy/event_sealer.h"
#include "ledger/privacy/hold_scope.h"
#include "ledger/privacy/retention.h"
#include "ledger/privacy/sealed_store.h"

namespace vellum {
namespace ledger {

class Custodian {
 public:
  struct Options {
    // The rules by observer.adapter: an adapter's name, "native" (POST /v1/events) or "vellum"
    // (the server's own events). An adapter not named gets default_rules; "vellum", when not
    // named, PrivacyRules::ForServerEvents(default_rules).
    std::map<std::string, PrivacyRules> rules;
    PrivacyRules default_rules = PrivacyRules::Default();
    // Unsealed reads are recorded as a token bucket per reader allows; the others are counted
    // into a summary every summary_interval (ledger::AttemptLog).
    double read_burst = 20;
    double read_per_second = 1;
    absl::Duration summary_interval = absl::Seconds(60);
    std::function<absl::Time()> clock = absl::Now;
    // The configured retention rules (docs/privacy.md, "Retention"), checked at Attach against
    // those in force on the log, and how often the purge job runs (zero: only when RunRetention
    // is called).
    RetentionRules retention;
    absl::Duration retention_interval = absl::Hours(1);
  };

  // Opens the sealed store in `dir` with K_lookup `lookup_key` (SealedStore::Open).
  static absl::StatusOr<std::unique_ptr<Custodian>> Open(const std::string& dir,
                                                         absl::string_view lookup_key,
                                                         Options options);

  ~Custodian();
  Custodian(const Custodian&) = delete;
  Custodian& operator=(const Custodian&) = delete;

  // EventLog::Options::seal: seals each event's personal fields under its adapter's rules.
  absl::Status Seal(std::vector<AuditEvent>& events, absl::Time now);

  // The PseudonymFn of the log's event index (ledger/events/event_fields.h): the pseudonym of an
  // identity an entry holds in clear, creating its key if it has none (SealedStore::PseudonymFor).
  // An identity whose key went (erased, or its last value purged) gets a new key and pseudonym:
  // the index records under the old one link to nobody.
  absl::StatusOr<std::string> PseudonymOf(absl::string_view identity);

  // How the events of `adapter` keep the personal field at `path` (PrivacyRules::RuleFor): what
  // the gate needs to know which key its events give a person (policy::Gate::Options).
  FieldRule FieldRuleFor(absl::string_view adapter, absl::string_view path) const {
    return RulesFor(adapter).RuleFor(path);
  }

  // Once the event log that seals through Seal exists (it must outlive the custodian, or
  // Detach() be called first): rebuilds the holds in force from the log's hold events, learns
  // the erasures on record, erases again every key an erasure completed without holds took but
  // the store still has (a store restored from a backup), and finishes every erasure requested
  // but not completed. Then the retention rules: the first configured ones are put on record
  // (ACTION_RETENTION_CHANGED); later, configured rules that differ from those in force are put
  // on record only if they lengthen retention (CheckLengthensOnly), and are FailedPrecondition
  // otherwise. Starts the purge job.
  absl::Status Attach(EventLog* events);

  // Deletes the sealed values no entry refers to: those a crash between sealing and appending
  // left (sealed no earlier than the log's latest logged time, to the second, and referred to by
  // no event logged since). Call with the event log before anything is appended to it at start.
  // Returns how many went; they were never on the log, so no event records them.
  absl::StatusOr<size_t> CollectUnreferenced(EventLog& events);

  // Stops the purge job and stops using the event log: appends the last summary of unsealed
  // reads. Idempotent.
  void Detach();

  // Who asks, as the events record it: the principal (sealed as the actor's subject) and how it
  // authenticated.
  struct Requester {
    std::string principal;
    std::string authenticated_by;
    // The requester an authenticated caller is (nullptr: anonymous, both empty).
    static Requester Of(const identity::Principal* caller) {
      if (caller == nullptr) return Requester();
      return Requester{caller->name, caller->authenticated_by};
    }
  };

  // Places `hold` (as ParseHoldRequest returns it): gives it an id, maps its subject ids to
  // pseudonyms (creating keys for subjects not yet known), appends ACTION_HOLD_PLACED and waits
  // until it is durable. Returns the hold as the log holds it, with its reason.
  absl::StatusOr<Hold> PlaceHold(Hold hold, const Requester& by);
  // Appends ACTION_HOLD_RELEASED and drops the hold. NotFound when no hold has the id.
  absl::Status ReleaseHold(absl::string_view id, const Requester& by);
  // The holds in force, in id order; their reasons are not kept in memory (they are sealed on
  // the log) and are empty.
  std::vector<Hold> Holds() const;

  struct ErasureResult {
    std::string request_id;
    uint64_t requested_index = 0;
    uint64_t completed_index = 0;
    std::vector<std::string> pseudonyms;
    uint64_t values = 0;
    uint64_t events = 0;
    // The holds that kept values (which remain); empty when everything went.
    std::vector<std::string> held_by;
  };
  // Erases the subjects named by ids (`subjects`) or pseudonyms (as the header describes).
  // InvalidArgument, with nothing appended, for names CheckErasureNames refuses. A subject id
  // with no key is erased already or never had data: it adds no pseudonym.
  absl::StatusOr<ErasureResult> Erase(const std::vector<std::string>& subjects,
                                      const std::vector<std::string>& pseudonyms,
                                      const Requester& by);

  // One run of the purge job at `now`: for each rule in force, the sealed values of the events
  // it governs whose logged time is more than keep_days before `now` and that no hold covers
  // are purged (a subject's key goes with its last value), after one ACTION_RETENTION_PURGED,
  // durable first, records the rule, the count and the index range [first_index, end_index) it
  // covers (Attach purges each rule's last range again, for a crash in between). Held values
  // stay; the rule's next run starts at the first event that has one (resume_index), so they
  // are looked at again once released. Returns the values purged.
  absl::StatusOr<uint64_t> RunRetention(absl::Time now);

  // The rules in force from now on, by a retention.admin principal (`rules` as
  // ParseRetentionRequest returns them, with the reason): appended as ACTION_RETENTION_CHANGED
  // with admin_override, then in force.
  absl::Status ChangeRetention(RetentionRules rules, const Requester& by);
  // The rules in force, without a reason.
  RetentionRules Retention() const;
  // Configured rules (at start, or a reloaded configuration's): put on record as Attach
  // describes when they differ from those in force, FailedPrecondition when they would shorten
  // retention (nothing changes then).
  absl::Status ConfigureRetention(const RetentionRules& configured);

  // Prunes the log's prefix below `below` (c2sp.org/tlog-tiles, "Pruning"): refused
  // (FailedPrecondition, naming the first entry in the way) unless `below` is a multiple of 256
  // within the tree and above the minimum index, and every entry from the minimum index to it is
  // an event that a retention rule governs, that has expired, that no hold covers and whose
  // sealed values are gone. Then restates the governance state in force above it (the latest
  // configuration, the retention rules, every open hold: copies labelled "vellum.restated"), and
  // appends ACTION_LOG_PRUNED. Returns the new minimum index's record.
  struct Pruned {
    uint64_t minimum_index = 0;
    uint64_t pruned_index = 0;
    std::vector<uint64_t> restated;
  };
  absl::StatusOr<Pruned> Prune(uint64_t below, const Requester& by);
  // The log's minimum index: entries below it are not served.
  uint64_t minimum_index() const { return minimum_index_.load(); }

  // Opens the sealed items of an event (UnsealEvent).
  absl::StatusOr<UnsealedEvent> Unseal(const AuditEvent& event) const;
  // The index of the ACTION_ERASURE_COMPLETED that erased values of this pseudonym, if any.
  absl::optional<uint64_t> ErasedAt(absl::string_view pseudonym) const;
  // The pseudonym of a subject id (SealedStore::FindPseudonym).
  absl::StatusOr<std::string> FindPseudonym(absl::string_view subject) const;

  // Puts on record that `reader` opened `count` events' sealed fields with the search `query`
  // (already free of subject ids), rate-limited per reader; calls `done` once the record is
  // durable, or at once when it is only counted. Calls `done` at once before Attach.
  void RecordUnsealedRead(const Requester& reader, absl::string_view query, size_t count,
                          std::function<void()> done);

  // How a summary of refused attempts names a source address: the pseudonym the address's own
  // values are sealed under ("address:<ip>", event_sealer.h), or "unknown" if the store fails.
  std::string AddressName(absl::string_view address);

  SealedStore& store() { return *store_; }

 private:
  Custodian(std::unique_ptr<SealedStore> store, Options options);

  const PrivacyRules& RulesFor(absl::string_view adapter) const;
  // Appends `event` (a server event) and waits; returns its index.
  absl::StatusOr<uint64_t> AppendAndWait(AuditEvent event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(ops_mu_);
  // Deletes the values of `pseudonyms` that no hold covers and appends the completion.
  absl::StatusOr<ErasureResult> Complete(ErasureResult request)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(ops_mu_);
  // The sealed values of the events `rule` governs from index `first` (to `end_bound`, if
  // given) whose logged time is keep_days before `now` and that no hold covers.
  struct Expired {
    std::vector<crypto::Sha256Digest> commitments;
    std::set<uint64_t> events;  // The events those values belong to.
    uint64_t end = 0;     // Past the last event looked at.
    uint64_t resume = 0;  // The first event with a held value, or `end`.
    size_t present = 0;  // The commitments' count: only values the store still holds.
  };
  absl::StatusOr<Expired> FindExpired(const RetentionRules& rules, const RetentionRule& rule,
                                      uint64_t first, absl::optional<uint64_t> end_bound,
                                      absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(ops_mu_);
  absl::Status ConfigureRetentionLocked(const RetentionRules& configured)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(ops_mu_);
  // The holds in force that cover the values `pseudonym` owns in `event`.
  std::vector<std::string> HoldsCovering(const AuditEvent& event,
                                         absl::string_view pseudonym) const;

  std::atomic<uint64_t> minimum_index_{0};
  const std::unique_ptr<SealedStore> store_;
  const Options options_;

  absl::Mutex ops_mu_;  // Serializes the operations that change holds, erase or purge.
  EventLog* events_ ABSL_GUARDED_BY(ops_mu_) = nullptr;
  // Where each rule's next run starts (the end_index of its last ACTION_RETENTION_PURGED).
  std::map<std::string, uint64_t> watermarks_ ABSL_GUARDED_BY(ops_mu_);

  // The purge job.
  absl::Mutex job_mu_;
  bool stopping_ ABSL_GUARDED_BY(job_mu_) = false;
  std::thread job_;

  mutable absl::Mutex mu_;
  HoldSet holds_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, uint64_t, std::less<>> erased_at_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<AttemptLog> reads_ ABSL_GUARDED_BY(mu_);
  RetentionRules in_force_ ABSL_GUARDED_BY(mu_);
  bool retention_recorded_ ABSL_GUARDED_BY(mu_) = false;  // Rules are on the log.
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_PRIVACY_CUSTODIAN_H_
