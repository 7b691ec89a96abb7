#include "tools/events_command.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "api/events/event_search_client.h"
#include "api/events/events_api.pb.h"
#include "api/client/http_client.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/events/event_codec.h"
#include "ledger/events/event_fields.h"
#include "ledger/local_log.h"
#include "ledger/privacy/hold_audit.h"
#include "ledger/privacy/key_file.h"
#include "ledger/privacy/sealed_store.h"
#include "proof/decimal.h"
#include "ledger/file_io.h"
#include "proof/tile.h"
#include "tools/command_support.h"
#include "tools/server_client.h"

namespace vellum {
namespace cli {

const char kEventsUsage[] =
    "vellum events --server URL [--token-file FILE] [--actor SUBJECT] [--model NAME\n"
    "              [--version V]] [--action ACTION] [--outcome RESULT] [--since TIME]\n"
    "              [--until TIME] [--order newest|oldest] [--limit N] [--page-token T] [--all]\n"
    "              [--json] [--verify --verifier-key KEY]\n"
    "  Searches the log's audit events (GET /v1/events) and prints them as a table, or with\n"
    "  --json one JSON object per line. ACTION is an action name (deploy, ACTION_DEPLOY), RESULT\n"
    "  an outcome (denied, RESULT_DENIED), TIME RFC 3339. One page of --limit events (default\n"
    "  100) unless --all; the next page's token goes to standard error. --verify asks for\n"
    "  inclusion proofs and checks each event against the checkpoint signed by KEY, and each\n"
    "  sealed value the server opened (for a caller with events.unseal) against its commitment\n"
    "  in the signed entry. The ACTOR column shows the subject where it may be read, erased@N\n"
    "  where erasure N took it, and the pseudonym otherwise.\n";

const FlagSpec kEventsFlags[16] = {
    {"server"}, {"token-file"}, {"actor"},      {"model"},          {"version"},
    {"action"}, {"outcome"},    {"since"},      {"until"},          {"order"},
    {"limit"},  {"page-token"}, {"all", false, true}, {"json", false, true},
    {"verify", false, true},    {"verifier-key"},
};

const char kHoldsVerifyUsage[] =
    "vellum holds verify --server URL [--token-file FILE]\n"
    "  Reads every event of the log (GET /v1/events, as a caller with events.read and\n"
    "  events.unseal, so that erased and purged values show as gone) and checks, from the log\n"
    "  alone, that no sealed value went while a legal hold covered it and that none went\n"
    "  without an erasure or retention record that took it. Exit 0 when every gone value is\n"
    "  accounted for, 1 with one line per violation, 2 on errors.\n";

const FlagSpec kHoldsVerifyFlags[2] = {{"server"}, {"token-file"}};

const char kDecodeUsage[] =
    "vellum decode [FILE|-] [--index N | --bundle [--first-index N]] [--typed-from N]\n"
    "  Prints a log entry (at index N, default 0) as a JSON DecodedEntry, or with --bundle a\n"
    "  tlog-tiles entry bundle whose first entry is at --first-index (default 0) as a\n"
    "  DecodedBundle. Entries that are not audit events are shown as base64 with the reason.\n"
    "  --typed-from is the log's typed_from (GET /v1/log, default 0): entries below it are\n"
    "  never events.\n";

const FlagSpec kDecodeFlags[4] = {
    {"index"}, {"bundle", false, true}, {"first-index"}, {"typed-from"}};

const char kReindexUsage[] =
    "vellum reindex --data-dir DIR [--lookup-key-file FILE]\n"
    "  Deletes the derived indexes of the log in DIR (leaf hashes and audit events) and rebuilds\n"
    "  them from the log, recording identities held in clear by their pseudonyms in the sealed\n"
    "  store when there is a lookup key (FILE, by default DIR/privacy-lookup.key). vellumd must\n"
    "  not be running on DIR.\n";

const FlagSpec kReindexFlags[2] = {{"data-dir"}, {"lookup-key-file"}};

namespace {

int Fail(absl::string_view command, absl::string_view message, int status = kUsage) {
  std::cerr << "vellum " << command << ": " << message << "\n";
  return status;
}

// Who acted, as far as this reader may see: the subject (opened, or in clear in an entry from
// before sealing), else "erased@<index>" when an erasure took it, else the pseudonym.
std::string ActorCell(const api::EventMatch& match) {
  const ledger::AuditEvent& e = match.has_unsealed() ? match.unsealed() : match.event();
  if (!e.actor().subject().empty()) return e.actor().subject();
  for (const api::GoneField& gone : match.gone()) {
    if (gone.path() == "actor.subject" && gone.has_erased_at()) {
      return absl::StrCat("erased@", gone.erased_at());
    }
  }
  return e.actor().pseudonym();
}

std::string TableRow(const api::EventMatch& match) {
  const ledger::AuditEvent& e = match.event();
  std::string logged = "-";
  if (e.has_logged_time()) {
    logged = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ",
                              absl::FromUnixMicros(ledger::TimestampMicros(e.logged_time())),
                              absl::UTCTimeZone());
  }
  auto cell = [](absl::string_view text) { return text.empty() ? std::string("-") : std::string(text); };
  std::string model = cell(e.target().model_name());
  if (!e.target().model_version().empty()) absl::StrAppend(&model, "@", e.target().model_version());
  return absl::StrFormat("%-8d %-24s %-24s %-16s %-28s %-24s %s:%s", match.index(), logged,
                         ledger::Action_Name(e.action()),
                         ledger::Outcome::Result_Name(e.outcome().result()),
                         cell(ActorCell(match)), model, e.id().source(), e.id().source_id());
}

}  // namespace

int RunEvents(const CommandLine& line) {
  constexpr absl::string_view kCommand = "events";
  std::unique_ptr<NoteVerifier> verifier;
  if (line.Has("verify")) {
    absl::StatusOr<std::unique_ptr<NoteVerifier>> key = VerifierKeyFlag(line);
    if (!key.ok()) return UsageError(key.status().message());
    verifier = *std::move(key);
  }
  if (!line.positional().empty()) return Fail(kCommand, "takes no positional arguments");
  absl::StatusOr<ServerClient> search = ServerClient::Open(line);
  if (!search.ok()) return Fail(kCommand, search.status().message());
  std::string query;
  auto add = [&query](absl::string_view name, absl::string_view value) {
    absl::StrAppend(&query, query.empty() ? "?" : "&", name, "=", PercentEncode(value));
  };
  // As typed: the server takes actions and outcomes as people write them (docs/api.md).
  for (const char* name : {"actor", "model", "version", "action", "outcome", "since", "until",
                           "order", "limit"}) {
    if (absl::optional<std::string> value = line.Get(name); value.has_value()) add(name, *value);
  }
  if (verifier != nullptr) add("proof", "1");

  const bool json = line.Has("json");
  if (!json) {
    std::cout << absl::StrFormat("%-8s %-24s %-24s %-16s %-28s %-24s %s\n", "INDEX",
                                 "LOGGED_TIME", "ACTION", "OUTCOME", "ACTOR", "MODEL", "ID");
  }
  absl::optional<std::string> page_token = line.Get("page-token");
  uint64_t shown = 0;
  uint64_t opened = 0;
  for (;;) {
    std::string target = absl::StrCat("/v1/events", query);
    if (page_token.has_value()) {
      absl::StrAppend(&target, query.empty() ? "?" : "&", "page_token=",
                      PercentEncode(*page_token));
    }
    absl::StatusOr<api::EventSearchResponse> parsed = search->SearchPage(target);
    if (!parsed.ok()) return FailSearch(kCommand, parsed.status());
    const api::EventSearchResponse& page = *parsed;
    if (verifier != nullptr) {
      if (absl::Status s = api::VerifyEventSearchResponse(page, *verifier); !s.ok()) {
        return Fail(kCommand, absl::StrCat("invalid: ", s.message()), kInvalid);
      }
    }
    for (const api::EventMatch& match : page.events()) {
      if (json) {
        std::string text;
        google::protobuf::util::JsonPrintOptions print_options;
        print_options.always_print_primitive_fields = true;  // "index":"0" too.
        if (!google::protobuf::util::MessageToJsonString(match, &text, print_options).ok()) {
          return Fail(kCommand, "cannot print an event as JSON");
        }
        std::cout << text << "\n";
      } else {
        std::cout << TableRow(match) << "\n";
      }
    }
    shown += page.events_size();
    for (const api::EventMatch& match : page.events()) opened += match.opened_size();
    if (page.next_page_token().empty()) break;
    if (!line.Has("all")) {
      std::cerr << "vellum events: more events: --page-token " << page.next_page_token() << "\n";
      break;
    }
    page_token = page.next_page_token();
  }
  if (verifier != nullptr) {
    std::cerr << "vellum events: verified " << shown
              << " events against checkpoints signed by " << verifier->name() << ", and "
              << opened << " sealed values against their commitments\n";
  }
  return kValid;
}

int RunDecode(const CommandLine& line) {
  constexpr absl::string_view kCommand = "decode";
  if (line.positional().size() > 1) return Fail(kCommand, "takes at most one input file");
  const std::string input = line.positional().empty() ? "-" : line.positional()[0];
  const bool bundle = line.Has("bundle");
  if (bundle ? line.Has("index") : line.Has("first-index")) {
    return Fail(kCommand, "--index goes with an entry, --first-index with --bundle");
  }
  uint64_t index = 0;
  if (auto value = line.Get(bundle ? "first-index" : "index"); value.has_value()) {
    absl::StatusOr<uint64_t> n = ParseDecimal(*value, bundle ? "--first-index" : "--index");
    if (!n.ok()) return Fail(kCommand, n.status().message());
    index = *n;
  }
  uint64_t typed_from = 0;
  if (auto value = line.Get("typed-from"); value.has_value()) {
    absl::StatusOr<uint64_t> n = ParseDecimal(*value, "--typed-from");
    if (!n.ok()) return Fail(kCommand, n.status().message());
    typed_from = *n;
  }
  // A bundle holds at most 256 entries of at most 65,535 bytes, each with a 2-byte length.
  absl::StatusOr<std::string> data =
      ledger::ReadInput(input, bundle ? kTileWidth * (kMaxEntrySize + 2) : kMaxEntrySize);
  if (!data.ok()) return Fail(kCommand, data.status().message());
  absl::StatusOr<std::string> json =
      bundle ? ledger::EntryBundleToJson(typed_from, index, *data)
             : ledger::EntryToJson(typed_from, index, *data);
  if (!json.ok()) return Fail(kCommand, absl::StrCat("invalid: ", json.status().message()), kInvalid);
  std::cout << *json << "\n";
  return kValid;
}

int RunReindex(const CommandLine& line) {
  constexpr absl::string_view kCommand = "reindex";
  absl::StatusOr<std::string> dir = line.Require("data-dir");
  if (!dir.ok()) return Fail(kCommand, dir.status().message());
  if (!line.positional().empty()) return Fail(kCommand, "takes no positional arguments");
  const absl::Time start = absl::Now();
  ledger::LocalLog::Options options;
  // As vellumd indexes: identities in clear by their pseudonyms when the log has a lookup key.
  const absl::optional<std::string> named = line.Get("lookup-key-file");
  const std::string key_file = named.value_or(ledger::DefaultLookupKeyFile(*dir));
  const bool has_key = access(key_file.c_str(), F_OK) == 0;
  if (named.has_value() && !has_key) {
    return Fail(kCommand, absl::StrCat("lookup key ", key_file, ": no such file"));
  }
  // Outlives the log, whose index uses it.
  std::unique_ptr<ledger::SealedStore> sealed;
  if (has_key) {
    absl::StatusOr<std::string> key =
        ledger::LoadOrCreateKeyFile("lookup key", key_file, ledger::kLookupKeySize);
    if (!key.ok()) return Fail(kCommand, key.status().message());
    absl::StatusOr<std::unique_ptr<ledger::SealedStore>> store =
        ledger::SealedStore::Open(ledger::SealedStore::DirIn(*dir), *key);
    if (!store.ok()) return Fail(kCommand, store.status().message());
    sealed = *std::move(store);
    ledger::SealedStore* store_ptr = sealed.get();
    options.event_fields = ledger::EventFieldsOn([store_ptr](absl::string_view identity) {
      return store_ptr->PseudonymFor(identity, absl::Now());
    });
    options.event_indexes = std::string(ledger::kLeafAndEventIndexes);
  } else {
    options.event_fields = ledger::EventFieldsOn({});
  }
  options.rebuild_indexes = true;
  absl::StatusOr<std::unique_ptr<ledger::LocalLog>> log = ledger::LocalLog::Open(*dir, options);
  if (!log.ok()) return Fail(kCommand, log.status().message());
  absl::StatusOr<std::pair<uint64_t, std::string>> checkpoint =
      (*log)->storage().ReadCheckpoint();
  if (!checkpoint.ok()) return Fail(kCommand, checkpoint.status().message());
  const uint64_t size = checkpoint->first;
  (*log)->follower().Notify(size);
  while (!(*log)->follower().WaitFor(size, absl::Seconds(10))) {
    if (absl::Status health = (*log)->follower().Health(); !health.ok()) {
      return Fail(kCommand, health.message());
    }
    std::cerr << "vellum reindex: " << (*log)->event_index()->covered() << " of " << size
              << " entries indexed\n";
  }
  std::cout << "vellum reindex: indexed " << size << " entries in "
            << absl::FormatDuration(absl::Trunc(absl::Now() - start, absl::Milliseconds(1)))
            << (sealed != nullptr ? ", identities in clear by their pseudonyms" : "") << "\n";
  return kValid;
}

int RunHoldsVerify(const CommandLine& line) {
  constexpr absl::string_view kCommand = "holds verify";
  if (!line.positional().empty()) return Fail(kCommand, "takes no positional arguments");
  absl::StatusOr<ServerClient> search = ServerClient::Open(line);
  if (!search.ok()) return Fail(kCommand, search.status().message());

  std::vector<ledger::AuditedEvent> events;
  size_t gone = 0;
  std::string page_token;
  for (;;) {
    std::string target = "/v1/events?order=oldest&limit=1000";
    if (!page_token.empty()) absl::StrAppend(&target, "&page_token=", PercentEncode(page_token));
    absl::StatusOr<api::EventSearchResponse> page = search->SearchPage(target);
    if (!page.ok()) return FailSearch(kCommand, page.status());
    for (const api::EventMatch& match : page->events()) {
      ledger::AuditedEvent audited;
      audited.index = match.index();
      audited.event = match.event();
      for (const api::GoneField& field : match.gone()) {
        ledger::SealedField item;
        item.set_path(field.path());
        item.set_pseudonym(field.pseudonym());
        audited.gone.push_back(std::move(item));
      }
      gone += audited.gone.size();
      events.push_back(std::move(audited));
    }
    if (page->next_page_token().empty()) break;
    page_token = page->next_page_token();
  }
  const std::vector<ledger::HoldViolation> violations = ledger::VerifyHolds(events);
  for (const ledger::HoldViolation& v : violations) {
    std::cout << "event " << v.index << " " << v.path << " (" << v.pseudonym << "): " << v.what
              << "\n";
  }
  std::cerr << "vellum holds verify: " << events.size() << " events, " << gone
            << " gone values, " << violations.size() << " violations\n";
  return violations.empty() ? kValid : kInvalid;
}

}  // namespace cli
}  // namespace vellum
