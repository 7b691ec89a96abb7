#ifndef VELLUM_LEDGER_EVENTS_EVENT_CODEC_H_
#define VELLUM_LEDGER_EVENTS_EVENT_CODEC_H_

// Encoding, decoding and validation of AuditEvents (ledger/events/audit_event.proto,
// docs/events.md).
//
// A log entry that holds an event is exactly EncodeEntry(event): kEventEntryTag followed by the
// event's deterministic protobuf serialization
// (google::protobuf::io::CodedOutputStream::SetSerializationDeterministic), which writes fields in
// field-number order and map entries sorted by key. DecodeEntry accepts exactly those bytes, so
// each valid event has one entry and each entry one event. The tag starts with 0x00, which no
// protobuf message starts with (it would be field number 0), and raw appends may not carry it
// (CheckRawEntry), so a raw entry can never pass for an event. Entries of a log below its
// typed_from (logged before events were tagged) are never events, whatever bytes they hold
// (DecodeLogEntry).
//
// Every function here is a pure function of its arguments and thread-safe; all of them are safe on
// untrusted input.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "ledger/events/audit_event.pb.h"

namespace vellum {
namespace ledger {

// Limits that ValidateEvent enforces, so that an event always fits in one log entry.
inline constexpr size_t kMaxEventJsonBytes = 256 * 1024;
inline constexpr size_t kMaxEventStringBytes = 1024;  // Any single string field...
inline constexpr size_t kMaxEventReasonBytes = 4096;  // ...except outcome.reason, hold.reason.
inline constexpr size_t kMaxEventGroups = 64;
// Sealed items (docs/privacy.md): more than an event's personal fields can number.
inline constexpr size_t kMaxEventSealed = 256;
inline constexpr size_t kMaxEventLabels = 64;
// Each list of a hold's scope and of an erasure (pseudonyms, holds).
inline constexpr size_t kMaxEventListItems = 64;
inline constexpr size_t kMaxEventLabelKeyBytes = 128;
inline constexpr size_t kMaxProvenanceMethodBytes = 32;  // provenance.authenticated_by.
// config_applied.canonical_text and policy_applied.canonical_text.
inline constexpr size_t kMaxConfigTextBytes = 48 * 1024;
inline constexpr size_t kMaxConfigFiles = 64;             // config_applied.files.
inline constexpr size_t kMaxConfigPrincipals = 256;       // config_applied.principals.

// The prefix of every event entry: 0x00 'e' 'v' '1' (docs/formats.md, "Entries").
inline constexpr absl::string_view kEventEntryTag("\0ev1", 4);

// Whether only the server writes events with `action` (EventLog::AppendServerEvents): its
// configuration, denial, clock, shedding, hold, erasure, retention, pruning, unsealed-read,
// policy and gate-decision records. Natively posted events may not use them
// (EventLog::CheckNative).
bool IsServerOnlyAction(Action action);

// ACTION_REQUEST_APPROVAL, ACTION_APPROVE or ACTION_REJECT: the actions an `approval` goes with.
bool IsApprovalAction(Action action);

// Whether the deployment gate decides from `event` or records with it (docs/gate.md): its own
// policies, approval events and decisions (observer.adapter "vellum"), and the other systems'
// records a policy may name (SageMaker, MLflow and Databricks approvals and stage changes,
// GitHub reviews). The gate and `vellum policy replay` read them from the start of the log, so
// none is ever pruned.
bool IsGateRecord(const AuditEvent& event);

// An action or a result as people type it: the enum's name (ACTION_DEPLOY, RESULT_DENIED), or
// without its prefix, in any case, with dots or dashes for underscores (deploy, config.applied,
// access-denied-by-ledger, denied). Nothing for an unknown name or the UNSPECIFIED value.
absl::optional<Action> ParseActionName(absl::string_view typed);
absl::optional<Outcome::Result> ParseResultName(absl::string_view typed);
// The name ParseActionName reads back, as docs and policies write it: ACTION_CONFIG_APPLIED is
// "config.applied".
std::string ActionName(Action action);

// Checks that `event` is complete and within limits: id.source and id.source_id, event_time and
// observer.adapter are set, and target.model_name unless the action is ACTION_INGEST_REJECTED or
// IsServerOnlyAction; action and outcome.result are set and are values of their enums (as is
// actor.kind); timestamps are valid (years 1..9999, nanos below 1e9); strings are valid UTF-8
// (protobuf refuses to parse anything else); source_payload_digest is empty or 32 bytes; strings,
// groups and labels are within the limits above, label keys are non-empty; config_applied is
// present exactly when the action is ACTION_CONFIG_APPLIED, with a canonical_text of at most
// kMaxConfigTextBytes whose SHA-256 is its sha256, at most kMaxConfigPrincipals principals, and
// at most kMaxConfigFiles files, each with a 32-byte digest; policy_applied exactly for
// ACTION_POLICY_APPLIED (its sha256 that of its text), gate exactly for ACTION_GATE_DECISION,
// approval only for IsApprovalAction, their lists within kMaxEventListItems; the event's entry fits in
// kMaxEntrySize (proof/tile.h); and the event has no unknown fields. Fails with InvalidArgument
// naming the field and its got/want values (never the field's contents).
absl::Status ValidateEvent(const AuditEvent& event);

// The check on an entry appended raw (POST /v1/entries and :batch): fails with InvalidArgument if
// it starts with kEventEntryTag, which only EncodeEntry may write. Raw entries are otherwise
// opaque and kept as they are.
absl::Status CheckRawEntry(absl::string_view entry);

// Conversions between absl::Time and the events' google.protobuf.Timestamp (nanos count forward
// from the second, also before 1970).
google::protobuf::Timestamp ToProtoTime(absl::Time time);
absl::Time FromProtoTime(const google::protobuf::Timestamp& timestamp);

// Returns the log entry for `event`: kEventEntryTag and its deterministic protobuf encoding.
// Fails with InvalidArgument if ValidateEvent fails.
absl::StatusOr<std::string> EncodeEntry(const AuditEvent& event);

// Parses an event entry. Fails with InvalidArgument if `entry` is longer than kMaxEntrySize
// (proof/tile.h), does not start with kEventEntryTag, does not continue with a protobuf
// AuditEvent, fails ValidateEvent, or is not the canonical encoding (EncodeEntry of the result is
// not `entry`).
absl::StatusOr<AuditEvent> DecodeEntry(absl::string_view entry);

// Parses entry `index` of a log whose entries are typed from `typed_from` on (docs/formats.md):
// fails with InvalidArgument, saying so, for an entry below typed_from, which was logged before
// event entries were tagged and so may be a forgery; otherwise as DecodeEntry. Every reader of a
// log's entries as events goes through this.
absl::StatusOr<AuditEvent> DecodeLogEntry(uint64_t typed_from, uint64_t index,
                                          absl::string_view entry);

// Parses an event posted as binary protobuf (POST /v1/events with Content-Type
// application/x-protobuf). Unlike DecodeEntry it accepts any valid encoding of a valid event,
// since producers need not serialize deterministically; the log stores EncodeEntry of the result.
absl::StatusOr<AuditEvent> ParseEventProto(absl::string_view bytes);

// Parses an event in proto3 JSON (POST /v1/events). Strict: unknown fields are rejected, and the
// result must pass ValidateEvent. Fails with InvalidArgument; inputs over kMaxEventJsonBytes are
// refused before parsing.
absl::StatusOr<AuditEvent> ParseEventJson(absl::string_view json);

// Returns `event` as proto3 JSON on one line, with field names in lowerCamelCase and enums by
// name; fields with default values are left out. Fails with InvalidArgument only for a timestamp
// outside the years 1..9999, which ValidateEvent rejects too.
absl::StatusOr<std::string> EventToJson(const AuditEvent& event);

// Returns a DecodedEntry for log entry `index` of a log typed from `typed_from` as JSON:
// {"index": "<n>", "event": {...}} for an event, or {"index": "<n>", "raw": "<base64>",
// "error": "..."} for an entry that is not one (DecodeLogEntry's reason; untyped entries below
// typed_from say so). An entry that does not decode is shown as raw bytes with the reason, not
// as an error: the log may hold opaque entries as well as events.
absl::StatusOr<std::string> EntryToJson(uint64_t typed_from, uint64_t index,
                                        absl::string_view entry);

// Returns a DecodedBundle for a c2sp.org/tlog-tiles entry bundle whose first entry is log entry
// `first_index` of a log typed from `typed_from`, as JSON {"entries": [...]} with each entry as
// EntryToJson describes. Fails with InvalidArgument if `bundle` is not a well-formed entry bundle.
absl::StatusOr<std::string> EntryBundleToJson(uint64_t typed_from, uint64_t first_index,
                                              absl::string_view bundle);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_EVENTS_EVENT_CODEC_H_
