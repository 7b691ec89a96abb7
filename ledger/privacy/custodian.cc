#include "ledger/privacy/custodian.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/util/message_differencer.h"
#include "ledger/events/event_codec.h"
#include "ledger/events/event_fields.h"
#include "ledger/events/server_event.h"
#include "ledger/privacy/commitment.h"
#include "ledger/privacy/erasure_request.h"
#include "ledger/privacy/sealed_record.h"
#include "proof/crypto.h"

namespace vellum {
namespace ledger {
namespace {

constexpr char kRestatedLabel[] = "vellum.restated";

AuditEvent EventBy(Action action, const Custodian::Requester& by, absl::Time now) {
  return NewServerEventBy(action, by.principal, by.authenticated_by, now);
}

Custodian::Options WithServerRules(Custodian::Options options) {
  const std::string server(kServerSource);
  if (options.rules.count(server) == 0) {
    options.rules[server] = PrivacyRules::ForServerEvents(options.default_rules);
  }
  return options;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Custodian>> Custodian::Open(const std::string& dir,
                                                           absl::string_view lookup_key,
                                                           Options options) {
  absl::StatusOr<std::unique_ptr<SealedStore>> store = SealedStore::Open(dir, lookup_key);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Custodian>(new Custodian(*std::move(store), std::move(options)));
}

Custodian::Custodian(std::unique_ptr<SealedStore> store, Options options)
    : store_(std::move(store)), options_(WithServerRules(std::move(options))) {}

Custodian::~Custodian() { Detach(); }

void Custodian::Detach() {
  {
    absl::MutexLock lock(&job_mu_);
    stopping_ = true;
  }
  if (job_.joinable()) job_.join();
  std::shared_ptr<AttemptLog> reads;
  {
    absl::MutexLock lock(&mu_);
    reads = std::move(reads_);
  }
  // Its destructor appends the last summary; nothing else holds it once requests have stopped.
  reads.reset();
  absl::MutexLock lock(&ops_mu_);
  events_ = nullptr;
}

const PrivacyRules& Custodian::RulesFor(absl::string_view adapter) const {
  auto it = options_.rules.find(std::string(adapter));
  return it == options_.rules.end() ? options_.default_rules : it->second;
}

absl::Status Custodian::Seal(std::vector<AuditEvent>& events, absl::Time now) {
  // Events of one batch may come from different adapters; each group is sealed under its rules,
  // and the store is written once per group.
  std::map<std::string, std::vector<size_t>> by_adapter;
  for (size_t i = 0; i < events.size(); ++i) {
    by_adapter[events[i].observer().adapter()].push_back(i);
  }
  if (by_adapter.size() == 1) {
    return SealEvents(*store_, RulesFor(by_adapter.begin()->first), events, now);
  }
  std::vector<AuditEvent> sealed(events);
  for (auto& [adapter, indices] : by_adapter) {
    std::vector<AuditEvent> group;
    for (size_t i : indices) group.push_back(sealed[i]);
    if (absl::Status s = SealEvents(*store_, RulesFor(adapter), group, now); !s.ok()) return s;
    for (size_t k = 0; k < indices.size(); ++k) sealed[indices[k]] = std::move(group[k]);
  }
  events = std::move(sealed);
  return absl::OkStatus();
}

std::vector<std::string> Custodian::HoldsCovering(const AuditEvent& event,
                                                  absl::string_view pseudonym) const {
  absl::MutexLock lock(&mu_);
  return holds_.Covering(
      HeldItem{event.target().model_name(), pseudonym, FromProtoTime(event.logged_time())});
}

absl::Status Custodian::Attach(EventLog* events) {
  absl::MutexLock ops(&ops_mu_);
  events_ = events;
  {
    AttemptLog::Options reads;
    reads.burst = options_.read_burst;
    reads.per_second = options_.read_per_second;
    reads.summary_interval = options_.summary_interval;
    reads.clock = options_.clock;
    reads.summary_action = ACTION_EVENTS_UNSEALED;
    reads.count_label = "vellum.unsealed_not_recorded";
    reads.what = "unsealed reads";
    reads.metric = "vellum_unsealed_reads";
    absl::MutexLock lock(&mu_);
    reads_ = std::make_shared<AttemptLog>(events, std::move(reads));
  }

  // The holds in force: every placement less every release.
  std::vector<Hold> placed;
  std::set<std::string> released;
  std::set<std::string> restated_holds;
  EventQuery query;
  query.action = ACTION_HOLD_PLACED;
  absl::Status s = ForEachEvent(*events, query, [&](const EventLog::Match& m) {
    placed.push_back(m.event.hold());
    if (m.event.context().labels().count(kRestatedLabel) != 0) {
      restated_holds.insert(m.event.hold().id());
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  query.action = ACTION_HOLD_RELEASED;
  s = ForEachEvent(*events, query, [&](const EventLog::Match& m) {
    released.insert(m.event.hold().id());
    return absl::OkStatus();
  });
  if (!s.ok()) return s;

  // The erasures: those completed, and those requested whose completion is missing.
  std::map<std::string, ErasureResult> requested;
  std::map<std::string, uint64_t> erased_at;
  query.action = ACTION_ERASURE_REQUESTED;
  s = ForEachEvent(*events, query, [&](const EventLog::Match& m) {
    ErasureResult& r = requested[m.event.erasure().request_id()];
    r.request_id = m.event.erasure().request_id();
    r.requested_index = m.index;
    r.pseudonyms.assign(m.event.erasure().pseudonyms().begin(),
                        m.event.erasure().pseudonyms().end());
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  query.action = ACTION_ERASURE_COMPLETED;
  std::set<std::string> keyless;  // Erased with nothing held: their keys are gone.
  s = ForEachEvent(*events, query, [&](const EventLog::Match& m) {
    requested.erase(m.event.erasure().request_id());
    for (const std::string& p : m.event.erasure().pseudonyms()) {
      erased_at[p] = m.index;
      if (m.event.erasure().held_by_size() == 0) keyless.insert(p);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  // A store older than the log (a restored backup) may still hold keys the log says were
  // erased: they go again, before anything is served.
  for (const std::string& pseudonym : keyless) {
    absl::StatusOr<bool> present = store_->HasPseudonym(pseudonym);
    if (!present.ok()) return present.status();
    if (!*present) continue;
    absl::StatusOr<size_t> erased = store_->Erase(pseudonym);
    if (!erased.ok() && !absl::IsNotFound(erased.status())) return erased.status();
  }
  {
    absl::MutexLock lock(&mu_);
    holds_ = HoldSet();
    for (Hold& hold : placed) {
      if (released.count(hold.id()) != 0) continue;
      // A hold's id is unique on the log, but for its restatements above a pruned prefix.
      const std::string id = hold.id();
      if (absl::Status placed_ok = holds_.Place(std::move(hold));
          !placed_ok.ok() && restated_holds.count(id) == 0) {
        return absl::DataLossError(absl::StrCat("holds on the log: ", placed_ok.message()));
      }
    }
    erased_at_.insert(erased_at.begin(), erased_at.end());
  }
  for (auto& [id, request] : requested) {
    absl::StatusOr<ErasureResult> done = Complete(std::move(request));
    if (!done.ok()) {
      return absl::Status(done.status().code(),
                          absl::StrCat("finishing erasure ", id, ": ", done.status().message()));
    }
  }

  // Retention: the rules in force are the latest on record; each rule's next run starts where
  // its last one ended.
  absl::optional<RetentionRules> recorded;
  query.action = ACTION_RETENTION_CHANGED;
  s = ForEachEvent(*events, query, [&](const EventLog::Match& m) {
    recorded = m.event.retention();
    recorded->clear_reason();
    recorded->clear_admin_override();
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  query.action = ACTION_LOG_PRUNED;
  s = ForEachEvent(*events, query, [&](const EventLog::Match& m) {
    minimum_index_ = m.event.minimum_index();
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  query.action = ACTION_RETENTION_PURGED;
  std::map<std::string, AuditEvent> last_purges;
  s = ForEachEvent(*events, query, [&](const EventLog::Match& m) {
    last_purges[m.event.erasure().rule()] = m.event;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  for (const auto& [rule, record] : last_purges) {
    watermarks_[rule] = record.erasure().resume_index();
  }
  {
    absl::MutexLock lock(&mu_);
    in_force_ = recorded.value_or(RetentionRules());
    retention_recorded_ = recorded.has_value();
  }
  if (absl::Status configured = ConfigureRetentionLocked(options_.retention); !configured.ok()) {
    return configured;
  }
  // Each rule's last purge again: a crash between its record and the deletion leaves values
  // the record says went (those already gone are skipped).
  const RetentionRules rules = Retention();
  for (const auto& [name, record] : last_purges) {
    for (const RetentionRule& rule : rules.rules()) {
      if (rule.name() != name) continue;
      absl::StatusOr<Expired> found = FindExpired(rules, rule, record.erasure().first_index(),
                                                  record.erasure().end_index(),
                                                  FromProtoTime(record.logged_time()));
      if (!found.ok()) return found.status();
      absl::StatusOr<size_t> purged = store_->Purge(found->commitments);
      if (!purged.ok()) return purged.status();
    }
  }
  if (options_.retention_interval > absl::ZeroDuration()) {
    job_ = std::thread([this] {
      absl::MutexLock lock(&job_mu_);
      while (true) {
        const bool stop = job_mu_.AwaitWithTimeout(absl::Condition(&stopping_),
                                                   options_.retention_interval);
        if (stop) return;
        job_mu_.Unlock();
        // A failed run leaves the watermarks where they were: the next run retries.
        (void)RunRetention(options_.clock());
        job_mu_.Lock();
      }
    });
  }
  return absl::OkStatus();
}

absl::StatusOr<Custodian::Expired> Custodian::FindExpired(const RetentionRules& rules,
                                                         const RetentionRule& rule,
                                                         uint64_t first,
                                                         absl::optional<uint64_t> end_bound,
                                                         absl::Time now) {
  Expired found;
  found.end = first;
  EventQuery query;
  if (rule.actions_size() == 1) query.action = rule.actions(0);
  query.until_micros =
      absl::ToUnixMicros(now - absl::Hours(24) * static_cast<int64_t>(rule.keep_days()));
  absl::optional<uint64_t> first_held;
  absl::Status s = ForEachEvent(
      *events_, query, first, end_bound.value_or(UINT64_MAX),
      [&](const EventLog::Match& m) -> absl::Status {
        found.end = m.index + 1;
        if (GoverningRule(rules, m.event) != &rule) return absl::OkStatus();
        for (const SealedField& item : m.event.sealed()) {
          absl::optional<crypto::Sha256Digest> commitment = CommitmentFromBytes(item.commitment());
          if (!commitment.has_value()) continue;
          if (!HoldsCovering(m.event, item.pseudonym()).empty()) {
            if (!first_held.has_value()) first_held = m.index;
            continue;
          }
          // Only what the store still holds: a rescan from a held event meets values that
          // went already.
          absl::StatusOr<size_t> present = store_->CountPresent({*commitment});
          if (!present.ok()) return present.status();
          if (*present == 0) continue;
          found.commitments.push_back(*commitment);
          found.events.insert(m.index);
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  // The next run starts at the first held event, whose kept values it looks at again (what
  // went already is skipped then).
  found.resume = first_held.value_or(found.end);
  found.present = found.commitments.size();
  return found;
}

absl::StatusOr<uint64_t> Custodian::RunRetention(absl::Time now) {
  absl::MutexLock ops(&ops_mu_);
  if (events_ == nullptr) return absl::FailedPreconditionError("no event log is attached");
  const RetentionRules rules = Retention();
  uint64_t total = 0;
  for (const RetentionRule& rule : rules.rules()) {
    const uint64_t first = watermarks_[rule.name()];
    absl::StatusOr<Expired> found = FindExpired(rules, rule, first, absl::nullopt, now);
    if (!found.ok()) return found.status();
    if (found->present == 0 && found->resume == first) continue;  // Nothing new, nothing gone.
    // On record before the values go: a crash in between leaves the record, and the next
    // Attach purges its range again.
    AuditEvent event = EventBy(ACTION_RETENTION_PURGED, Requester{}, now);
    Erasure& record = *event.mutable_erasure();
    record.set_rule(rule.name());
    record.set_values(found->present);
    record.set_events(found->events.size());
    record.set_first_index(first);
    record.set_end_index(found->end);
    record.set_resume_index(found->resume);
    absl::StatusOr<uint64_t> index = AppendAndWait(std::move(event));
    if (!index.ok()) return index.status();
    absl::StatusOr<size_t> purged = store_->Purge(found->commitments);
    if (!purged.ok()) return purged.status();
    watermarks_[rule.name()] = found->resume;
    total += *purged;
  }
  return total;
}

absl::Status Custodian::ChangeRetention(RetentionRules rules, const Requester& by) {
  if (absl::Status s = CheckRetentionRules(rules, "rules"); !s.ok()) return s;
  absl::MutexLock ops(&ops_mu_);
  AuditEvent event = EventBy(ACTION_RETENTION_CHANGED, by, options_.clock());
  rules.set_admin_override(true);
  *event.mutable_retention() = rules;
  absl::StatusOr<uint64_t> index = AppendAndWait(std::move(event));
  if (!index.ok()) return index.status();
  rules.clear_reason();
  rules.clear_admin_override();
  absl::MutexLock lock(&mu_);
  in_force_ = std::move(rules);
  retention_recorded_ = true;
  return absl::OkStatus();
}

absl::Status Custodian::ConfigureRetention(const RetentionRules& configured) {
  absl::MutexLock ops(&ops_mu_);
  return ConfigureRetentionLocked(configured);
}

absl::Status Custodian::ConfigureRetentionLocked(const RetentionRules& configured) {
  if (absl::Status checked = CheckRetentionRules(configured, "privacy.retention"); !checked.ok()) {
    return checked;
  }
  bool recorded;
  RetentionRules in_force;
  {
    absl::MutexLock lock(&mu_);
    recorded = retention_recorded_;
    in_force = in_force_;
  }
  if (recorded && google::protobuf::util::MessageDifferencer::Equals(in_force, configured)) {
    return absl::OkStatus();
  }
  // The first rules are taken as configured; later ones only if they lengthen retention.
  if (!recorded && configured.rules_size() == 0) return absl::OkStatus();
  if (recorded) {
    if (absl::Status longer = CheckLengthensOnly(in_force, configured); !longer.ok()) {
      return longer;
    }
  }
  AuditEvent event = EventBy(ACTION_RETENTION_CHANGED, Requester{}, options_.clock());
  *event.mutable_retention() = configured;
  absl::StatusOr<uint64_t> index = AppendAndWait(std::move(event));
  if (!index.ok()) return index.status();
  absl::MutexLock lock(&mu_);
  in_force_ = configured;
  retention_recorded_ = true;
  return absl::OkStatus();
}

absl::StatusOr<Custodian::Pruned> Custodian::Prune(uint64_t below, const Requester& by) {
  absl::MutexLock ops(&ops_mu_);
  if (events_ == nullptr) return absl::FailedPreconditionError("no event log is attached");
  const uint64_t minimum = minimum_index_.load();
  EventSearchRequest newest;
  newest.query.limit = 1;
  absl::StatusOr<EventLog::SearchResult> head = events_->Search(newest);
  if (!head.ok()) return head.status();
  const uint64_t tree_size = head->tree_size;
  if (below % 256 != 0 || below <= minimum || below > tree_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "prune below ", below, ": want a multiple of 256 above the minimum index ", minimum,
        " and within the tree of ", tree_size));
  }
  const absl::Time now = options_.clock();
  const RetentionRules rules = Retention();
  uint64_t expected = minimum;
  auto refuse = [](uint64_t index, absl::string_view why) {
    return absl::FailedPreconditionError(absl::StrCat("entry ", index, " ", why));
  };
  absl::Status s = ForEachEvent(
      *events_, EventQuery(), minimum, below, [&](const EventLog::Match& m) -> absl::Status {
        if (m.index != expected) {
          return refuse(expected, "is not an audit event (a raw entry): it has no retention");
        }
        ++expected;
        // The deployment gate decides from its policies and approvals on the log, and a replay
        // re-evaluates its decisions from them: none of its events goes.
        if (IsGateRecord(m.event)) {
          return refuse(m.index, "is one the deployment gate reads (a policy, an approval, a "
                                 "decision, another system's approval or stage change), which "
                                 "a replay needs: it is never pruned");
        }
        const RetentionRule* rule = GoverningRule(rules, m.event);
        if (rule == nullptr) return refuse(m.index, "is governed by no retention rule");
        const absl::Time until = FromProtoTime(m.event.logged_time()) +
                                 absl::Hours(24) * static_cast<int64_t>(rule->keep_days());
        if (until > now) {
          return refuse(m.index, absl::StrCat("is kept by rule ", rule->name(), " until ",
                                              absl::FormatTime(until)));
        }
        absl::StatusOr<EventFields> fields = FieldsOfEvent(
            m.event, [this](absl::string_view identity) { return PseudonymOf(identity); });
        if (!fields.ok()) return fields.status();
        std::vector<std::string> subjects = {fields->actor};
        std::vector<crypto::Sha256Digest> commitments;
        for (const SealedField& item : m.event.sealed()) {
          subjects.push_back(item.pseudonym());
          if (auto c = CommitmentFromBytes(item.commitment())) commitments.push_back(*c);
        }
        for (const std::string& subject : subjects) {
          std::vector<std::string> covering = HoldsCovering(m.event, subject);
          if (!covering.empty()) return refuse(m.index, absl::StrCat("is held by ", covering[0]));
        }
        absl::StatusOr<size_t> present = store_->CountPresent(commitments);
        if (!present.ok()) return present.status();
        if (*present != 0) {
          return refuse(m.index, absl::StrCat("still has ", *present,
                                              " sealed values: the retention job has not "
                                              "purged them yet"));
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  if (expected != below) {
    return refuse(expected, "is not an audit event (a raw entry): it has no retention");
  }

  // The governance state in force, restated above the prefix so that a replay of what is
  // served still finds it.
  Pruned result;
  std::vector<AuditEvent> restate;
  EventSearchRequest latest;
  latest.query.action = ACTION_CONFIG_APPLIED;
  latest.query.limit = 1;
  absl::StatusOr<EventLog::SearchResult> config = events_->Search(latest);
  if (!config.ok()) return config.status();
  if (!config->matches.empty() && config->matches.front().index < below) {
    absl::StatusOr<UnsealedEvent> opened = UnsealEvent(*store_, config->matches.front().event);
    if (!opened.ok()) return opened.status();
    AuditEvent copy = EventBy(ACTION_CONFIG_APPLIED, Requester{}, now);
    *copy.mutable_config_applied() = opened->event.config_applied();
    (*copy.mutable_context()->mutable_labels())[kRestatedLabel] =
        absl::StrCat(config->matches.front().index);
    restate.push_back(std::move(copy));
  }
  if (rules.rules_size() != 0) {
    AuditEvent copy = EventBy(ACTION_RETENTION_CHANGED, Requester{}, now);
    *copy.mutable_retention() = rules;
    (*copy.mutable_context()->mutable_labels())[kRestatedLabel] = "retention";
    restate.push_back(std::move(copy));
  }
  for (const Hold& hold : Holds()) {
    AuditEvent copy = EventBy(ACTION_HOLD_PLACED, Requester{}, now);
    *copy.mutable_hold() = hold;
    (*copy.mutable_context()->mutable_labels())[kRestatedLabel] = hold.id();
    restate.push_back(std::move(copy));
  }
  for (AuditEvent& event : restate) {
    absl::StatusOr<uint64_t> index = AppendAndWait(std::move(event));
    if (!index.ok()) return index.status();
    result.restated.push_back(*index);
  }
  AuditEvent record = EventBy(ACTION_LOG_PRUNED, by, now);
  record.set_minimum_index(below);
  absl::StatusOr<uint64_t> index = AppendAndWait(std::move(record));
  if (!index.ok()) return index.status();
  minimum_index_ = below;
  result.minimum_index = below;
  result.pruned_index = *index;
  return result;
}

RetentionRules Custodian::Retention() const {
  absl::MutexLock lock(&mu_);
  return in_force_;
}

absl::StatusOr<size_t> Custodian::CollectUnreferenced(EventLog& events) {
  EventSearchRequest latest;
  latest.query.limit = 1;
  absl::StatusOr<EventLog::SearchResult> last = events.Search(latest);
  if (!last.ok()) return last.status();
  absl::Time since = absl::InfinitePast();
  if (!last->matches.empty()) {
    since = absl::FromUnixSeconds(
        absl::ToUnixSeconds(FromProtoTime(last->matches.front().event.logged_time())));
  }
  absl::StatusOr<std::vector<crypto::Sha256Digest>> candidates = store_->ValuesSealedSince(since);
  if (!candidates.ok()) return candidates.status();
  if (candidates->empty()) return 0;
  std::set<crypto::Sha256Digest> referenced;
  EventQuery query;
  if (since != absl::InfinitePast()) query.since_micros = absl::ToUnixMicros(since);
  absl::Status s = ForEachEvent(events, query, [&](const EventLog::Match& m) {
    for (const SealedField& item : m.event.sealed()) {
      if (auto c = CommitmentFromBytes(item.commitment())) referenced.insert(*c);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  std::vector<crypto::Sha256Digest> unreferenced;
  for (const crypto::Sha256Digest& c : *candidates) {
    if (referenced.count(c) == 0) unreferenced.push_back(c);
  }
  if (unreferenced.empty()) return 0;
  return store_->Purge(unreferenced);
}

absl::StatusOr<uint64_t> Custodian::AppendAndWait(AuditEvent event) {
  if (events_ == nullptr) return absl::FailedPreconditionError("no event log is attached");
  absl::StatusOr<EventLog::Appended> appended = events_->AppendServerEventAndWait(std::move(event));
  if (!appended.ok()) return appended.status();
  return appended->index;
}

absl::StatusOr<Hold> Custodian::PlaceHold(Hold hold, const Requester& by) {
  absl::MutexLock ops(&ops_mu_);
  const absl::Time now = options_.clock();
  absl::StatusOr<std::string> id = NewRandomId();
  if (!id.ok()) return id.status();
  hold.set_id(*id);
  for (std::string& subject : *hold.mutable_scope()->mutable_subjects()) {
    if (IsPseudonym(subject)) continue;
    absl::StatusOr<std::string> pseudonym = store_->PseudonymFor(subject, now);
    if (!pseudonym.ok()) return pseudonym.status();
    subject = *std::move(pseudonym);
  }
  AuditEvent event = EventBy(ACTION_HOLD_PLACED, by, now);
  *event.mutable_hold() = hold;
  absl::StatusOr<uint64_t> index = AppendAndWait(std::move(event));
  if (!index.ok()) return index.status();
  Hold kept = hold;
  kept.clear_reason();
  absl::MutexLock lock(&mu_);
  if (absl::Status s = holds_.Place(std::move(kept)); !s.ok()) return s;
  return hold;
}

absl::Status Custodian::ReleaseHold(absl::string_view id, const Requester& by) {
  absl::MutexLock ops(&ops_mu_);
  {
    absl::MutexLock lock(&mu_);
    std::vector<Hold> holds = holds_.List();
    if (std::none_of(holds.begin(), holds.end(), [&](const Hold& h) { return h.id() == id; })) {
      return absl::NotFoundError("no hold has this id");
    }
  }
  AuditEvent event = EventBy(ACTION_HOLD_RELEASED, by, options_.clock());
  event.mutable_hold()->set_id(std::string(id));
  absl::StatusOr<uint64_t> index = AppendAndWait(std::move(event));
  if (!index.ok()) return index.status();
  absl::MutexLock lock(&mu_);
  return holds_.Release(id);
}

std::vector<Hold> Custodian::Holds() const {
  absl::MutexLock lock(&mu_);
  return holds_.List();
}

absl::StatusOr<Custodian::ErasureResult> Custodian::Erase(
    const std::vector<std::string>& subjects, const std::vector<std::string>& pseudonyms,
    const Requester& by) {
  if (absl::Status s = CheckErasureNames(subjects, pseudonyms); !s.ok()) return s;
  ErasureResult request;
  std::set<std::string> unique(pseudonyms.begin(), pseudonyms.end());
  for (const std::string& subject : subjects) {
    absl::StatusOr<std::string> pseudonym = store_->FindPseudonym(subject);
    if (absl::IsNotFound(pseudonym.status())) continue;
    if (!pseudonym.ok()) return pseudonym.status();
    unique.insert(*std::move(pseudonym));
  }
  request.pseudonyms.assign(unique.begin(), unique.end());

  absl::MutexLock ops(&ops_mu_);
  absl::StatusOr<std::string> id = NewRandomId();
  if (!id.ok()) return id.status();
  request.request_id = *id;
  AuditEvent event = EventBy(ACTION_ERASURE_REQUESTED, by, options_.clock());
  event.mutable_erasure()->set_request_id(request.request_id);
  for (const std::string& p : request.pseudonyms) event.mutable_erasure()->add_pseudonyms(p);
  absl::StatusOr<uint64_t> index = AppendAndWait(std::move(event));
  if (!index.ok()) return index.status();
  request.requested_index = *index;
  return Complete(std::move(request));
}

absl::StatusOr<Custodian::ErasureResult> Custodian::Complete(ErasureResult request) {
  std::set<std::string> held_by;
  for (const std::string& pseudonym : request.pseudonyms) {
    // The values of this subject that the log refers to, and whether a hold covers each.
    std::vector<crypto::Sha256Digest> free;
    std::set<uint64_t> free_events;
    size_t held = 0;
    std::set<uint64_t> seen;
    auto visit = [&](const EventLog::Match& m) -> absl::Status {
      if (!seen.insert(m.index).second) return absl::OkStatus();
      bool event_has_free = false;
      for (const SealedField& item : m.event.sealed()) {
        if (item.pseudonym() != pseudonym) continue;
        absl::optional<crypto::Sha256Digest> commitment = CommitmentFromBytes(item.commitment());
        if (!commitment.has_value()) continue;
        std::vector<std::string> covering = HoldsCovering(m.event, pseudonym);
        if (covering.empty()) {
          free.push_back(*commitment);
          event_has_free = true;
          continue;
        }
        // A hold keeps only what is still there (a value purged before it was placed is not).
        absl::StatusOr<size_t> present = store_->CountPresent({*commitment});
        if (!present.ok()) return present.status();
        if (*present == 0) continue;
        ++held;
        held_by.insert(covering.begin(), covering.end());
      }
      if (event_has_free) free_events.insert(m.index);
      return absl::OkStatus();
    };
    EventQuery query;
    query.actor = pseudonym;
    if (absl::Status s = ForEachEvent(*events_, query, visit); !s.ok()) return s;
    query.actor.reset();
    query.principal = pseudonym;
    if (absl::Status s = ForEachEvent(*events_, query, visit); !s.ok()) return s;

    if (held == 0) {
      // Nothing of theirs is held: the key goes, and with it every value it sealed.
      absl::StatusOr<size_t> erased = store_->Erase(pseudonym);
      if (absl::IsNotFound(erased.status())) continue;  // Erased already (a redo).
      if (!erased.ok()) return erased.status();
      request.values += *erased;
    } else {
      absl::StatusOr<size_t> purged = store_->Purge(free);
      if (!purged.ok()) return purged.status();
      request.values += *purged;
    }
    request.events += free_events.size();
  }
  request.held_by.assign(held_by.begin(), held_by.end());
  AuditEvent event = EventBy(ACTION_ERASURE_COMPLETED, Requester{}, options_.clock());
  Erasure& erasure = *event.mutable_erasure();
  erasure.set_request_id(request.request_id);
  for (const std::string& p : request.pseudonyms) erasure.add_pseudonyms(p);
  erasure.set_values(request.values);
  erasure.set_events(request.events);
  for (const std::string& h : request.held_by) erasure.add_held_by(h);
  if (!request.held_by.empty()) {
    event.mutable_outcome()->set_result(Outcome::RESULT_DENIED);
    event.mutable_outcome()->set_reason(
        absl::StrCat("values under legal hold were kept: ", absl::StrJoin(request.held_by, ", ")));
  }
  absl::StatusOr<uint64_t> index = AppendAndWait(std::move(event));
  if (!index.ok()) return index.status();
  request.completed_index = *index;
  absl::MutexLock lock(&mu_);
  for (const std::string& p : request.pseudonyms) erased_at_[p] = *index;
  return request;
}

absl::StatusOr<UnsealedEvent> Custodian::Unseal(const AuditEvent& event) const {
  return UnsealEvent(*store_, event);
}

absl::optional<uint64_t> Custodian::ErasedAt(absl::string_view pseudonym) const {
  absl::MutexLock lock(&mu_);
  auto it = erased_at_.find(pseudonym);
  if (it == erased_at_.end()) return absl::nullopt;
  return it->second;
}

absl::StatusOr<std::string> Custodian::PseudonymOf(absl::string_view identity) {
  return store_->PseudonymFor(identity, options_.clock());
}

absl::StatusOr<std::string> Custodian::FindPseudonym(absl::string_view subject) const {
  return store_->FindPseudonym(subject);
}

std::string Custodian::AddressName(absl::string_view address) {
  absl::StatusOr<std::string> pseudonym =
      store_->PseudonymFor(absl::StrCat("address:", address), options_.clock());
  return pseudonym.ok() ? *std::move(pseudonym) : std::string("unknown");
}

void Custodian::RecordUnsealedRead(const Requester& reader, absl::string_view query,
                                   size_t count, std::function<void()> done) {
  std::shared_ptr<AttemptLog> reads;
  {
    absl::MutexLock lock(&mu_);
    reads = reads_;
  }
  if (reads == nullptr) return done();
  // The bucket is the reader's pseudonym: a summary names its sources, and names are personal.
  absl::StatusOr<std::string> source = store_->PseudonymFor(
      reader.principal.empty() ? std::string("anonymous") : reader.principal, options_.clock());
  reads->Record(
      source.ok() ? *source : std::string("unknown"),
      [&](absl::Time now) {
        AuditEvent event = EventBy(ACTION_EVENTS_UNSEALED, reader, now);
        auto& labels = *event.mutable_context()->mutable_labels();
        labels["vellum.query"] = std::string(query);
        labels["vellum.count"] = absl::StrCat(count);
        return event;
      },
      std::move(done));
}

}  // namespace ledger
}  // namespace vellum
