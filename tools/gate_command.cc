#include "tools/gate_command.h"

#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/events/event_search_client.h"
#include "api/gate/gate_api.pb.h"
#include "api/http.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/events/event_codec.h"
#include "ledger/policy/replay.h"
#include "tools/command_support.h"
#include "tools/server_client.h"

namespace vellum {
namespace cli {

const char kGateCheckUsage[] =
    "vellum gate check --server URL [--token-file FILE] --model NAME --version V\n"
    "                  --environment ENV [--action deploy|promote] [--digest D]\n"
    "                  [--label KEY=VALUE]... [--on-behalf-of PRINCIPAL] [--request-id ID]\n"
    "  Asks the server's deployment gate (POST /v1/gate/check) whether the deploy may go ahead,\n"
    "  for a CI/CD pipeline: the decision is on the log before the answer comes. Prints the\n"
    "  answer (JSON, with the decision's index and receipt) on standard output. Exit 0 allowed,\n"
    "  1 denied (the reasons on standard error), 2 on errors (the gate could not decide: do not\n"
    "  deploy). With --request-id, a retry gets the same decision back.\n";

const FlagSpec kGateCheckFlags[10] = {
    {"server"},     {"token-file"},           {"action"},       {"model"},
    {"version"},    {"digest"},               {"environment"},  {"label", true},
    {"on-behalf-of"}, {"request-id"},
};

const char kPolicyReplayUsage[] =
    "vellum policy replay --server URL --verifier-key KEY [--token-file FILE] [--from I]\n"
    "                     [--to J]\n"
    "  Reads the gate's events from the log (GET /v1/events with proofs, as a caller with\n"
    "  events.read): the policies applied, the approval requests and decisions, other systems'\n"
    "  approvals and stage changes, and the gate's decisions, checks each against a checkpoint signed by KEY, and evaluates every decision at\n"
    "  indices [I, J) again with its recorded policy, horizon and time. Exit 0 only if every\n"
    "  recorded decision is exactly what its policy and approvals give; 1 with one line per\n"
    "  decision that is not (or a proof that fails); 2 on errors.\n";

const FlagSpec kPolicyReplayFlags[5] = {
    {"server"}, {"token-file"}, {"verifier-key"}, {"from"}, {"to"}};

namespace {

int Fail(absl::string_view command, absl::string_view message, int status = kUsage) {
  std::cerr << "vellum " << command << ": " << message << "\n";
  return status;
}

}  // namespace

int RunGateCheck(const CommandLine& line) {
  constexpr absl::string_view kCommand = "gate check";
  if (!line.positional().empty()) return Fail(kCommand, "takes no positional arguments");
  api::GateCheckRequest request;
  request.set_action(line.Get("action").value_or("deploy"));
  for (const char* flag : {"model", "version", "environment"}) {
    if (!line.Has(flag)) return UsageError(absl::StrCat("--", flag, " is required"));
  }
  request.set_model(*line.Get("model"));
  request.set_version(*line.Get("version"));
  request.set_environment(*line.Get("environment"));
  request.set_digest(line.Get("digest").value_or(""));
  request.set_on_behalf_of(line.Get("on-behalf-of").value_or(""));
  request.set_request_id(line.Get("request-id").value_or(""));
  for (const std::string& label : line.GetAll("label")) {
    const size_t eq = label.find('=');
    if (eq == std::string::npos || eq == 0) {
      return UsageError(absl::StrCat("--label ", label, ": want KEY=VALUE"));
    }
    (*request.mutable_labels())[label.substr(0, eq)] = label.substr(eq + 1);
  }
  absl::StatusOr<ServerClient> server = ServerClient::Open(line);
  if (!server.ok()) return Fail(kCommand, server.status().message());
  std::string body;
  (void)google::protobuf::util::MessageToJsonString(request, &body);
  absl::StatusOr<api::HttpResponse> response =
      server->Send("POST", "/v1/gate/check", body, "application/json");
  if (!response.ok()) return Fail(kCommand, response.status().message());
  if (response->status != 200) {
    return Fail(kCommand, absl::StrCat("the gate could not decide, so do not deploy: ",
                                       api::StatusFromResponse(*response).message()));
  }
  api::GateCheckResponse answer;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (!google::protobuf::util::JsonStringToMessage(response->body, &answer, options).ok()) {
    return Fail(kCommand, "the server's answer is not a GateCheckResponse, so do not deploy");
  }
  std::cout << response->body;
  if (answer.allowed()) {
    std::cerr << "vellum gate check: allowed by rule " << answer.rule() << " (decision "
              << answer.index() << ")\n";
    return kValid;
  }
  std::cerr << "vellum gate check: denied (decision " << answer.index() << ")\n";
  for (const std::string& reason : answer.reasons()) std::cerr << "  " << reason << "\n";
  return kInvalid;
}

int RunPolicyReplay(const CommandLine& line) {
  constexpr absl::string_view kCommand = "policy replay";
  if (!line.positional().empty()) return Fail(kCommand, "takes no positional arguments");
  absl::StatusOr<std::unique_ptr<NoteVerifier>> verifier = VerifierKeyFlag(line);
  if (!verifier.ok()) return UsageError(verifier.status().message());
  absl::StatusOr<uint64_t> from = NumberFlagOr(line, "from", 0, 0, UINT64_MAX);
  if (!from.ok()) return UsageError(from.status().message());
  absl::StatusOr<uint64_t> to = NumberFlagOr(line, "to", UINT64_MAX, 0, UINT64_MAX);
  if (!to.ok()) return UsageError(to.status().message());
  if (*from > *to) return UsageError("--from is past --to");
  absl::StatusOr<ServerClient> server = ServerClient::Open(line);
  if (!server.ok()) return Fail(kCommand, server.status().message());

  // Every event of the gate below --to and below the first answer's tree size (so that every
  // search reads the same log, however it grows meanwhile), by index, each proved in a signed
  // checkpoint.
  std::map<uint64_t, ledger::AuditEvent> events;
  uint64_t end = *to;
  bool pinned = false;
  for (const char* action :
       {"policy.applied", "request.approval", "approve", "reject", "promote", "demote",
        "gate.decision"}) {
    std::string token;
    do {
      std::string target =
          absl::StrCat("/v1/events?action=", action, "&order=oldest&limit=1000&proof=1");
      if (!token.empty()) absl::StrAppend(&target, "&page_token=", PercentEncode(token));
      absl::StatusOr<api::EventSearchResponse> page = server->SearchPage(target);
      if (!page.ok()) return FailSearch(kCommand, page.status());
      if (absl::Status s = api::VerifyEventSearchResponse(*page, **verifier); !s.ok()) {
        return Fail(kCommand, s.message(), kInvalid);
      }
      if (!pinned) {
        end = std::min(end, page->tree_size());
        pinned = true;
      }
      for (const api::EventMatch& match : page->events()) {
        if (match.index() < end) events[match.index()] = match.event();
      }
      token = page->next_page_token();
    } while (!token.empty());
  }
  ledger::policy::Replayer replayer;
  for (const auto& [index, event] : events) {
    // Decisions outside the range are not evaluated; everything else builds the state.
    if (event.action() == ledger::ACTION_GATE_DECISION && index < *from) continue;
    if (absl::Status s = replayer.Add(index, event); !s.ok()) {
      return Fail(kCommand, s.message(), kInvalid);
    }
  }
  const ledger::policy::Replayer::Summary& summary = replayer.summary();
  for (const std::string& mismatch : summary.mismatches) std::cout << mismatch << "\n";
  std::cerr << "vellum policy replay: " << summary.policies << " policies, "
            << summary.approval_events << " approval events, " << summary.source_records
            << " records of other systems, " << summary.decisions
            << " decisions replayed, " << summary.overrides << " overrides, "
            << summary.mismatches.size() << " mismatches\n";
  return summary.mismatches.empty() ? kValid : kInvalid;
}

}  // namespace cli
}  // namespace vellum
