// Drives api::EventService (POST /v1/events, POST /v1/ingest/<adapter>, GET /v1/events), the
// query parsing of GET /v1/events and the client's reading of its answers directly, without HTTP.
// The first byte picks what: 0 parses the rest as a /v1/events query string and as an answer to
// one (ParseEventSearchResponse, VerifyEventSearchResponse); 1 searches with it; 2 and 3 post it as an event in JSON and
// protobuf; 4..9 deliver it to an adapter, signed with the fuzzer's secret when the second byte
// is odd. The service runs over a real Sequencer, an in-memory log and an EventIndex on an
// in-memory LevelDB, created once; appends stop when the log holds kMaxLogSize entries.
//
// Invariants: `respond` is called exactly once; answers have the service's shape and are never
// 5xx (storage cannot fail); parsed queries are within their limits; search answers are JSON
// EventSearchResponses whose events match the query, and with proof=1 they verify; answers that
// are not the server's are refused with InvalidArgument; and no answer holds the fuzzer's secret
// or bearer token.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "api/events/event_query.h"
#include "api/events/event_search_client.h"
#include "api/events/event_service.h"
#include "api/events/events_api.pb.h"
#include "api/http.h"
#include "api/ingest/cloudevents.h"
#include "api/ingest/databricks.h"
#include "api/ingest/github.h"
#include "api/ingest/k8s_audit.h"
#include "api/ingest/mlflow.h"
#include "api/ingest/sagemaker.h"
#include "fuzz/fuzz_checks.h"
#include "ledger/events/event_fields.h"
#include "ledger/events/event_index.h"
#include "ledger/events/event_query.h"
#include "ledger/index_follower.h"
#include "ledger/memory_index_store.h"
#include "ledger/memory_storage.h"
#include "ledger/sequencer.h"
#include "proof/crypto.h"
#include "proof/note.h"

namespace vellum {
namespace {

using fuzz::Check;
using fuzz::CheckResponseShape;

constexpr char kToken[] = "fuzz-events-token-31c8a7";
constexpr char kSecret[] = "fuzz-events-secret-90b1e4";
constexpr uint64_t kMaxLogSize = 4000;
const char* const kAdapters[] = {"mlflow",      "databricks", "github",
                                 "k8s-audit", "cloudevents", "sagemaker"};

std::string HexHmac(absl::string_view data) {
  const crypto::Sha256Digest mac = crypto::HmacSha256(kSecret, data);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

struct World {
  World() {
    const GeneratedKey key = GenerateNoteKey("fuzz.example/events").value();
    signer = *NoteSigner::Create(key.signer_key);
    verifier = *NoteVerifier::Create(key.verifier_key);
    store = std::make_unique<ledger::MemoryIndexStore>();
    index = std::make_unique<ledger::EventIndex>(store.get(), 0, ledger::EventFieldsOn({}));
    follower = *ledger::IndexFollower::Start(&storage, store.get(), {index.get()}, {});
    ledger::SequencerOptions options;
    options.on_commit = [f = follower.get()](uint64_t size) { f->Notify(size); };
    sequencer = *ledger::Sequencer::Create(&storage, signer.get(), options);
    adapters.push_back(*api::ingest::NewMlflowAdapter({{kSecret}, ""}));
    adapters.push_back(*api::ingest::NewDatabricksAdapter({{kSecret}, ""}));
    adapters.push_back(*api::ingest::NewGithubAdapter({{kSecret}, {}}));
    adapters.push_back(*api::ingest::NewK8sAuditAdapter({"fuzz", api::ingest::DefaultK8sResourceRules()}));
    adapters.push_back(api::ingest::NewCloudEventsAdapter());
    adapters.push_back(api::ingest::NewSageMakerAdapter());
    api::EventService::Options service_options;
    for (const auto& adapter : adapters) service_options.adapters.push_back(adapter.get());
    service_options.index_wait = absl::Seconds(2);
    service_options.rejected_burst = 1e9;  // Every refusal is recorded (and checked).
    service = *api::EventService::Create(
        sequencer.get(), &storage, index.get(), follower.get(),
        [](api::HttpRequest, api::HttpServer::Respond respond) {
          respond(api::ErrorResponse(404, "no such endpoint"));
        },
        service_options);
  }

  ledger::MemoryStorage storage;
  std::unique_ptr<NoteSigner> signer;
  std::unique_ptr<NoteVerifier> verifier;
  std::unique_ptr<ledger::IndexStore> store;
  std::unique_ptr<ledger::EventIndex> index;
  std::unique_ptr<ledger::IndexFollower> follower;
  std::unique_ptr<ledger::Sequencer> sequencer;
  std::vector<std::unique_ptr<api::ingest::Adapter>> adapters;
  std::unique_ptr<api::EventService> service;
};

api::HttpResponse Call(World& world, api::HttpRequest request) {
  absl::Notification done;
  api::HttpResponse response;
  int calls = 0;
  world.service->Handle(std::move(request), [&](api::HttpResponse r) {
    ++calls;
    response = std::move(r);
    done.Notify();
  });
  Check(done.WaitForNotificationWithTimeout(absl::Seconds(30)), "respond is called");
  Check(calls == 1, "respond is called once");
  CheckResponseShape(response);
  Check(!absl::StrContains(response.body, kSecret) && !absl::StrContains(response.body, kToken),
        "no answer holds the secret or the token");
  return response;
}

void CheckQuery(absl::string_view query) {
  absl::StatusOr<ledger::EventSearchRequest> request = api::ParseEventSearch(query);
  if (!request.ok()) {
    Check(absl::IsInvalidArgument(request.status()), "query errors are InvalidArgument");
    return;
  }
  const ledger::EventQuery& q = request->query;
  Check(q.limit >= 1 && q.limit <= api::kMaxEventSearchLimit, "limit in 1..1000");
  Check(!q.version.has_value() || q.model.has_value(), "version needs model");
  Check(!q.since_micros || !q.until_micros || *q.since_micros < *q.until_micros, "since < until");
}

void CheckAnswer(const World& world, absl::string_view answer) {
  absl::StatusOr<api::EventSearchResponse> page = api::ParseEventSearchResponse(answer);
  if (!page.ok()) {
    Check(absl::IsInvalidArgument(page.status()), "answer errors are InvalidArgument");
    return;
  }
  const absl::Status verified = api::VerifyEventSearchResponse(*page, *world.verifier);
  Check(verified.ok() || absl::IsInvalidArgument(verified), "proof errors are InvalidArgument");
}

}  // namespace
}  // namespace vellum

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vellum;
  static World* world = new World();
  if (size < 2) return 0;
  const uint8_t mode = data[0] % 10;
  const bool sign = data[1] & 1;
  const std::string rest(reinterpret_cast<const char*>(data + 2), size - 2);
  if (mode == 0) {
    CheckQuery(rest);
    CheckAnswer(*world, rest);
    return 0;
  }
  api::HttpRequest request;
  request.remote_address = "127.0.0.1";
  request.headers["authorization"] = absl::StrCat("Bearer ", kToken);
  if (mode == 1) {
    request.method = "GET";
    request.target = absl::StrCat("/v1/events?", rest);
    api::HttpResponse response = Call(*world, request);
    if (response.status != 200) return 0;
    absl::StatusOr<api::EventSearchResponse> answer =
        api::ParseEventSearchResponse(response.body);
    Check(answer.ok(), "search answers are EventSearchResponses");
    const auto parsed = api::ParseEventSearch(rest);
    Check(parsed.ok(), "answered queries parse");
    for (const api::EventMatch& match : answer->events()) {
      Check(ledger::EventMatchesQuery(match.event(), parsed->query), "results match the query");
    }
    if (parsed->proof) {
      Check(api::VerifyEventSearchResponse(*answer, *world->verifier).ok(),
            "search proofs verify");
    }
    return 0;
  }
  if (world->sequencer->Head()->size >= kMaxLogSize) return 0;
  request.method = "POST";
  request.body = rest;
  if (mode <= 3) {
    request.target = "/v1/events";
    request.headers["content-type"] = mode == 2 ? "application/json" : "application/x-protobuf";
  } else {
    const std::string adapter = kAdapters[mode - 4];
    request.target = absl::StrCat("/v1/ingest/", adapter);
    request.headers["content-type"] = "application/json";
    if (adapter == "mlflow") {
      const std::string timestamp = absl::StrCat(absl::ToUnixSeconds(absl::Now()));
      request.headers["x-mlflow-delivery-id"] = "fuzz-delivery";
      request.headers["x-mlflow-timestamp"] = timestamp;
      if (sign) {
        const crypto::Sha256Digest mac =
            crypto::HmacSha256(kSecret, absl::StrCat("fuzz-delivery.", timestamp, ".", rest));
        request.headers["x-mlflow-signature"] = absl::StrCat(
            "v1,", absl::Base64Escape(absl::string_view(
                       reinterpret_cast<const char*>(mac.data()), mac.size())));
      }
    } else if (adapter == "databricks" && sign) {
      request.headers["x-databricks-signature"] = HexHmac(rest);
    } else if (adapter == "github") {
      request.headers["x-github-event"] = (data[1] & 2) ? "deployment_status" : "deployment";
      if (sign) request.headers["x-hub-signature-256"] = absl::StrCat("sha256=", HexHmac(rest));
    }
  }
  Call(*world, request);
  return 0;
}
