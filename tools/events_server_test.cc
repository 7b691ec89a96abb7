// Starts a real vellumd with a token file and ingestion secrets on a loopback port and delivers
// every sample source event of testdata/events to it, signed with this test's own secrets:
// each becomes exactly the events its adapter maps it to; redeliveries (also concurrent ones,
// and after a restart with a rebuilt index) return the original index; tampered or unsigned
// deliveries get 401 and are recorded as ingest rejected events; search (through `vellum
// events --verify`) returns exactly the matching events with proofs that verify; logged time
// never decreases along the log; and no secret, signature, token or inference payload appears
// in any entry, answer or line vellumd prints. Personal values are sealed (docs/privacy.md): no
// entry or bundle holds one in clear; the privacy officer (events.unseal) reads them opened, and
// `vellum events --verify` checks each against its commitment.

#include <signal.h>
#include <sys/stat.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "ledger/identity/token_file.h"
#include "api/events/events_api.pb.h"
#include "api/client/http_client.h"
#include "api/log.pb.h"
#include "api/ingest/adapter.h"
#include "api/ingest/cloudevents.h"
#include "api/ingest/databricks.h"
#include "api/ingest/github.h"
#include "api/ingest/internal/test_samples.h"
#include "api/ingest/k8s_audit.h"
#include "api/ingest/mlflow.h"
#include "api/ingest/sagemaker.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_codec.h"
#include "tools/testing/process.h"

namespace vellum {
namespace {

using ledger::AuditEvent;
using api::HttpRequest;
using api::HttpResponse;
using api::ingest::HmacBase64;
using api::ingest::HmacHex;
using api::ingest::ReadSample;
using api::ingest::SampleRequest;
using subprocess::ChildProcess;
using subprocess::TempDir;
using subprocess::WriteFile;
using ::testing::HasSubstr;

constexpr char kToken[] = "events-test-token-7d2e91";
// The privacy officer's: governance (events.unseal among it) and auditor.
constexpr char kOfficerToken[] = "events-test-officer-token-c41b07";
constexpr char kMlflowSecret[] = "mlflow-e2e-secret-41a7-c93f0e6d2b5a8174";
constexpr char kDatabricksSecret[] = "databricks-e2e-secret-93c2-6e1b0a4f8d27";
constexpr char kGithubSecret[] = "github-e2e-secret-5be0-a2d94c17e3f6b805";
constexpr char kCluster[] = "prod-east";

// A delivery: the endpoint's adapter and the request.
struct Delivery {
  std::string adapter;
  HttpRequest request;
};

void SignMlflow(HttpRequest* r) {
  r->headers["x-mlflow-signature"] = absl::StrCat(
      "v1,", HmacBase64(kMlflowSecret, absl::StrCat(r->headers["x-mlflow-delivery-id"], ".",
                                                    r->headers["x-mlflow-timestamp"], ".",
                                                    r->body)));
}

Delivery Mlflow(absl::string_view body_file, absl::string_view delivery_id) {
  HttpRequest r = SampleRequest("mlflow-model-version-alias-created.headers", body_file);
  r.headers["x-mlflow-delivery-id"] = std::string(delivery_id);
  r.headers["x-mlflow-timestamp"] = absl::StrCat(absl::ToUnixSeconds(absl::Now()));
  SignMlflow(&r);
  return {"mlflow", r};
}

Delivery Databricks(absl::string_view body_file) {
  HttpRequest r = SampleRequest("", body_file);
  r.headers["content-type"] = "application/json";
  r.headers["x-databricks-signature"] = HmacHex(kDatabricksSecret, r.body);
  return {"databricks", r};
}

Delivery Github(absl::string_view name) {
  HttpRequest r = SampleRequest(absl::StrCat(name, ".headers"), absl::StrCat(name, ".json"));
  r.headers["x-hub-signature-256"] = absl::StrCat("sha256=", HmacHex(kGithubSecret, r.body));
  return {"github", r};
}

Delivery WithToken(absl::string_view adapter, HttpRequest r) {
  r.headers["authorization"] = absl::StrCat("Bearer ", kToken);
  if (r.headers["content-type"].empty()) r.headers["content-type"] = "application/json";
  return {std::string(adapter), r};
}

std::vector<Delivery> SampleDeliveries() {
  return {
      Mlflow("mlflow-model-version-alias-created.json", "6f1c7c2e-8a4b-4a51-9d6e-2b7b0c1f9e33"),
      Mlflow("mlflow-model-version-created.json", "0d4e1a77-52c1-4f0e-a1b9-6a0c3e2d9f10"),
      Databricks("databricks-transition-request-created.json"),
      Databricks("databricks-model-version-transitioned-stage.json"),
      Github("github-deployment-status"),
      Github("github-deployment-review"),
      WithToken("k8s-audit", SampleRequest("", "k8s-audit-eventlist-inferenceservice.json")),
      WithToken("cloudevents", SampleRequest("kserve-inference-request.cloudevent.headers",
                                             "kserve-inference-request.cloudevent.json")),
      [] {
        Delivery d = WithToken("cloudevents",
                               SampleRequest("", "kserve-inference-request.structured.json"));
        d.request.headers["content-type"] = "application/cloudevents+json";
        return d;
      }(),
      WithToken("sagemaker", SampleRequest("", "sagemaker-model-package-state-change.json")),
  };
}

// The adapters as the server runs them, to compute what each delivery must become.
std::map<std::string, std::unique_ptr<api::ingest::Adapter>> Adapters() {
  std::map<std::string, std::unique_ptr<api::ingest::Adapter>> adapters;
  adapters["mlflow"] = *api::ingest::NewMlflowAdapter({{kMlflowSecret}, ""});
  adapters["databricks"] = *api::ingest::NewDatabricksAdapter({{kDatabricksSecret}, ""});
  adapters["github"] = *api::ingest::NewGithubAdapter({{kGithubSecret}, {}});
  api::ingest::K8sAuditConfig k8s;
  k8s.cluster = kCluster;
  k8s.rules = api::ingest::DefaultK8sResourceRules();
  adapters["k8s-audit"] = *api::ingest::NewK8sAuditAdapter(k8s);
  adapters["cloudevents"] = api::ingest::NewCloudEventsAdapter();
  adapters["sagemaker"] = api::ingest::NewSageMakerAdapter();
  return adapters;
}

template <typename Message>
Message ParseJson(const std::string& json) {
  Message message;
  auto status = google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(status.ok()) << status << ": " << json;
  return message;
}

// Checks the answer to a redelivery: 200, and each of its events a duplicate at the index it
// was first logged at, `indices` in order.
void ExpectRedelivered(const HttpResponse& response, const std::vector<uint64_t>& indices) {
  ASSERT_EQ(response.status, 200) << response.body;
  auto answer = ParseJson<api::IngestResponse>(response.body);
  ASSERT_EQ(answer.events_size(), static_cast<int>(indices.size()));
  for (int j = 0; j < answer.events_size(); ++j) {
    EXPECT_TRUE(answer.events(j).duplicate());
    EXPECT_EQ(answer.events(j).index(), indices[j]);
  }
}

class EventsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(TempDir(), "/",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    const std::string secrets = TempDir() + "/ingest-secrets";
    mkdir(secrets.c_str(), 0700);
    WriteFile(secrets + "/mlflow", std::string(kMlflowSecret) + "\n");
    WriteFile(secrets + "/databricks", kDatabricksSecret);
    WriteFile(secrets + "/github", kGithubSecret);
    for (const char* name : {"mlflow", "databricks", "github"}) {
      chmod((secrets + "/" + name).c_str(), 0600);
    }
    WriteFile(TempDir() + "/event-tokens",
              absl::StrCat(ledger::identity::TokenSet::Line(kToken, "ingest-bot"), "\n",
                           ledger::identity::TokenSet::Line(kOfficerToken, "privacy-officer"),
                           "\n"));
    WriteFile(TempDir() + "/event-token", std::string(kToken) + "\n");
    WriteFile(TempDir() + "/officer-token", std::string(kOfficerToken) + "\n");
    WriteFile(TempDir() + "/events-vellumd.yaml",
              absl::StrCat("auth: {token_file: ", TempDir(), "/event-tokens}\n",
                           "bindings:\n",
                           "  - {principal: ingest-bot, roles: [appender, auditor]}\n",
                           "  - {principal: privacy-officer, roles: [governance, auditor]}\n",
                           "anonymous: [log.read, entries.read]\n"));
    args_ = {"--config",         TempDir() + "/events-vellumd.yaml",
             "--data-dir",       dir_,
             "--listen",         "127.0.0.1:0",
             "--ingest-secrets", secrets,
             "--k8s-cluster",    kCluster};
    Start();
  }

  void TearDown() override {
    Stop();
    // Nothing secret in anything vellumd printed over the whole test.
    for (const std::string& text : printed_) ExpectNoSecrets(text, "vellumd's output");
  }

  void Start() {
    server_ = ChildProcess::Spawn("tools/vellumd", args_, absl::StrCat("events-vellumd-", ++runs_));
    ASSERT_NE(server_, nullptr);
    const uint16_t port = server_->WaitUntilServing(absl::Seconds(60));
    ASSERT_NE(port, 0) << "vellumd exited: " << server_->err();
    url_ = absl::StrCat("http://127.0.0.1:", port);
    auto client = api::HttpClient::Create(url_, api::HttpClient::Options());
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  void Stop() {
    if (server_ == nullptr) return;
    EXPECT_TRUE(server_->Stop(SIGTERM, absl::Seconds(30)));
    EXPECT_EQ(server_->status(), 0) << server_->err();
    printed_.push_back(server_->out());
    printed_.push_back(server_->err());
    server_.reset();
  }

  HttpResponse Post(const Delivery& d, api::HttpClient* client = nullptr) {
    std::vector<std::pair<std::string, std::string>> headers(d.request.headers.begin(),
                                                             d.request.headers.end());
    auto response = (client ? client : client_.get())
                        ->Send("POST", absl::StrCat("/v1/ingest/", d.adapter), d.request.body,
                               headers);
    EXPECT_TRUE(response.ok()) << response.status();
    if (!response.ok()) return {};
    answers_.push_back(response->body);
    return *response;
  }

  HttpResponse PostEvent(const std::string& json, api::HttpClient* client) {
    auto response = client->Send("POST", "/v1/events", json,
                                 {{"Content-Type", "application/json"},
                                  {"Authorization", absl::StrCat("Bearer ", kToken)}});
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : HttpResponse{};
  }

  api::EventSearchResponse Search(const std::string& query, const char* token = kToken) {
    auto response = client_->Send("GET", absl::StrCat("/v1/events?", query), "",
                                  {{"Authorization", absl::StrCat("Bearer ", token)}});
    EXPECT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 200) << response->body;
    answers_.push_back(response->body);
    return ParseJson<api::EventSearchResponse>(response->body);
  }

  api::EventSearchResponse GetEvent(uint64_t index, const char* token) {
    auto response = client_->Send("GET", absl::StrCat("/v1/events/", index), "",
                                  {{"Authorization", absl::StrCat("Bearer ", token)}});
    EXPECT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 200) << response->body;
    return ParseJson<api::EventSearchResponse>(response->body);
  }

  uint64_t TreeSize() {
    auto body = client_->Get("/v1/log");
    EXPECT_TRUE(body.ok()) << body.status();
    return body.ok() ? ParseJson<api::LogInfo>(*body).size() : 0;
  }

  // Every entry of the log, read through the server.
  std::vector<std::string> Entries() {
    std::vector<std::string> entries;
    const uint64_t size = TreeSize();
    for (uint64_t i = 0; i < size; ++i) {
      auto entry = client_->Get(absl::StrCat("/v1/entries/", i));
      EXPECT_TRUE(entry.ok()) << entry.status();
      entries.push_back(entry.ok() ? *entry : "");
    }
    return entries;
  }

  void ExpectNoSecrets(absl::string_view text, absl::string_view where) {
    std::vector<std::string> secrets = {kToken, kMlflowSecret, kDatabricksSecret, kGithubSecret};
    for (const Delivery& d : SampleDeliveries()) {
      for (const char* header : {"x-mlflow-signature", "x-databricks-signature",
                                 "x-hub-signature-256"}) {
        auto it = d.request.headers.find(header);
        if (it != d.request.headers.end()) {
          secrets.push_back(std::string(absl::StripPrefix(
              absl::StripPrefix(it->second, "v1,"), "sha256=")));
        }
      }
    }
    // The model input of the inference logger's delivery.
    secrets.push_back(ReadSample("kserve-inference-request.cloudevent.json"));
    secrets.push_back("0.12, 3.4, 1, 0, 250.0, 17");
    for (const std::string& secret : secrets) {
      EXPECT_FALSE(absl::StrContains(text, secret)) << where << " holds a secret: " << text;
    }
  }

  std::string dir_;
  std::vector<std::string> args_;
  std::unique_ptr<ChildProcess> server_;
  int runs_ = 0;
  std::string url_;
  std::unique_ptr<api::HttpClient> client_;
  std::vector<std::string> printed_;
  std::vector<std::string> answers_;
};

api::EventAppended SingleAnswer(const HttpResponse& response) {
  return ParseJson<api::EventAppended>(response.body);
}

uint64_t ReadLoggedMicros(const AuditEvent& event) {
  return event.logged_time().seconds() * 1000000 + event.logged_time().nanos() / 1000;
}

TEST_F(EventsServerTest, SamplesBecomeTheirEventsOnceAndSearchProvesThem) {
  auto adapters = Adapters();
  std::vector<Delivery> deliveries = SampleDeliveries();
  // Where each delivery's events went, by delivery.
  std::vector<std::vector<uint64_t>> indices;
  // The personal values the deliveries held (actor subjects and groups, addresses, user agents).
  std::set<std::string> personal;
  for (const Delivery& d : deliveries) {
    SCOPED_TRACE(d.adapter);
    HttpResponse response = Post(d);
    ASSERT_EQ(response.status, 200) << response.body;
    auto answer = ParseJson<api::IngestResponse>(response.body);
    auto want = adapters.at(d.adapter)->Parse(d.request, absl::Now());
    ASSERT_TRUE(want.ok()) << want.status();
    ASSERT_EQ(answer.events_size(), static_cast<int>(want->size()));
    ASSERT_GE(answer.events_size(), 1);
    indices.emplace_back();
    for (int i = 0; i < answer.events_size(); ++i) {
      const api::EventAppended& appended = answer.events(i);
      EXPECT_FALSE(appended.duplicate());
      auto entry = client_->Get(absl::StrCat("/v1/entries/", appended.index()));
      ASSERT_TRUE(entry.ok()) << entry.status();
      auto logged = ledger::DecodeEntry(*entry);
      ASSERT_TRUE(logged.ok()) << logged.status();
      EXPECT_TRUE(logged->has_logged_time());
      // The privacy officer (events.unseal) reads the event with its sealed fields opened; the
      // entry holds them sealed.
      api::EventSearchResponse one = GetEvent(appended.index(), kOfficerToken);
      ASSERT_EQ(one.events_size(), 1);
      const api::EventMatch& match = one.events(0);
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(match.event(), *logged));
      AuditEvent opened = match.event().sealed_size() == 0 ? match.event() : match.unsealed();
      opened.clear_sealed();
      if (opened.has_actor()) opened.mutable_actor()->clear_pseudonym();
      for (const api::OpenedField& field : match.opened()) {
        personal.insert(field.value());
      }
      // Exactly the adapter's mapping (docs/events.md), plus the logged time.
      AuditEvent expected = (*want)[i];
      *expected.mutable_logged_time() = logged->logged_time();
      if (d.adapter == "cloudevents" && !d.request.headers.count("ce-time")) {
        // Without a time attribute the event time is the receive time.
        *expected.mutable_event_time() = logged->event_time();
      }
      if (d.request.headers.count("authorization")) {
        // A token adapter's events also name the principal whose token delivered them.
        expected.mutable_provenance()->set_principal("ingest-bot");
        expected.mutable_provenance()->set_authenticated_by("token");
      }
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(expected, opened))
          << expected.DebugString() << "\nopened:\n" << opened.DebugString();
      indices.back().push_back(appended.index());
    }
  }
  const uint64_t size = TreeSize();
  // None of them is in clear in any entry or entry bundle the log serves, nor are the principals
  // the configuration binds, which its config.applied event holds sealed (loopback is in the
  // configuration text, as the listen address, so it is left out).
  personal.erase("127.0.0.1");
  EXPECT_EQ(personal.count("ingest-bot"), 1u);
  personal.insert("privacy-officer");
  ASSERT_GE(personal.size(), 5u);
  std::vector<std::string> served = Entries();
  auto bundle = client_->Get(absl::StrCat("/tile/entries/000.p/", size));
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  served.push_back(*bundle);
  for (const std::string& bytes : served) {
    for (const std::string& value : personal) {
      EXPECT_FALSE(absl::StrContains(bytes, value)) << value << " is in clear";
    }
  }

  // Redeliveries: the original indices, nothing appended.
  for (size_t i = 0; i < deliveries.size(); ++i) {
    HttpResponse response = Post(deliveries[i]);
    ASSERT_NO_FATAL_FAILURE(ExpectRedelivered(response, indices[i]));
  }
  EXPECT_EQ(TreeSize(), size);

  // Tampered bodies, bad signatures and missing tokens: 401, nothing appended but the attempt.
  Delivery tampered = deliveries[4];
  absl::StrReplaceAll({{"\"success\"", "\"failure\""}}, &tampered.request.body);
  Delivery forged = deliveries[0];
  forged.request.headers["x-mlflow-signature"] = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  Delivery unsigned_databricks = deliveries[2];
  unsigned_databricks.request.headers.erase("x-databricks-signature");
  Delivery no_token = deliveries[6];
  no_token.request.headers.erase("authorization");
  Delivery wrong_token = deliveries[9];
  wrong_token.request.headers["authorization"] = "Bearer not-the-token";
  for (const Delivery& d : {tampered, forged, unsigned_databricks, no_token, wrong_token}) {
    HttpResponse response = Post(d);
    EXPECT_EQ(response.status, 401) << d.adapter << ": " << response.body;
    ExpectNoSecrets(response.body, "a 401 answer");
  }
  // An adapter that does not exist is no endpoint: fail-closed, only an administrator would
  // learn that it is not found.
  EXPECT_EQ(Post({"nope", deliveries[0].request}).status, 401);
  // The adapters' own refusals (signatures) are ingest.rejected events; the token adapters'
  // refusals are made before any adapter runs, by the authorizer, as access.denied events.
  auto rejected = Search("action=ACTION_INGEST_REJECTED&order=oldest");
  ASSERT_EQ(rejected.events_size(), 3);
  std::set<std::string> rejected_adapters;
  for (const api::EventMatch& match : rejected.events()) {
    EXPECT_EQ(match.event().outcome().result(), ledger::Outcome::RESULT_DENIED);
    // The address is sealed, and this reader may not unseal it.
    EXPECT_EQ(match.event().context().source_ip(), "");
    EXPECT_EQ(match.event().sealed(0).path(), "context.source_ip");
    EXPECT_EQ(match.opened_size(), 0);
    rejected_adapters.insert(match.event().observer().adapter());
  }
  EXPECT_EQ(rejected_adapters, (std::set<std::string>{"github", "mlflow", "databricks"}));
  auto refused = Search("action=ACTION_ACCESS_DENIED_BY_LEDGER&order=oldest");
  ASSERT_EQ(refused.events_size(), 3);
  std::vector<std::string> refused_paths;
  for (const api::EventMatch& match : refused.events()) {
    EXPECT_EQ(match.event().outcome().result(), ledger::Outcome::RESULT_DENIED);
    EXPECT_EQ(match.event().context().source_ip(), "");
    refused_paths.push_back(match.event().context().labels().at("vellum.path"));
  }
  EXPECT_EQ(refused_paths,
            (std::vector<std::string>{"/v1/ingest/" + no_token.adapter,
                                      "/v1/ingest/" + wrong_token.adapter, "/v1/ingest/nope"}));
  EXPECT_EQ(TreeSize(), size + 6);

  // The Kubernetes 403: recorded, with outcome denied.
  auto denied = Search("outcome=RESULT_DENIED&action=ACTION_UNDEPLOY");
  ASSERT_EQ(denied.events_size(), 1);
  EXPECT_EQ(denied.events(0).event().observer().adapter(), "k8s-audit");
  EXPECT_EQ(denied.events(0).event().target().environment(), kCluster);

  // Search returns exactly the matching events, and vellum events --verify checks their proofs.
  std::vector<std::string> entries = Entries();
  std::vector<AuditEvent> events;
  for (const std::string& entry : entries) {
    auto event = ledger::DecodeEntry(entry);
    ASSERT_TRUE(event.ok()) << event.status();
    events.push_back(*event);
    ExpectNoSecrets(entry, "a log entry");
    ExpectNoSecrets(ledger::EventToJson(*event).value_or(""), "an event's JSON");
  }
  for (size_t i = 1; i < events.size(); ++i) {
    EXPECT_GE(ReadLoggedMicros(events[i]), ReadLoggedMicros(events[i - 1])) << i;
  }
  const std::string model = "fraud-scorer";
  std::vector<uint64_t> want;
  for (uint64_t i = events.size(); i-- > 0;) {
    if (events[i].target().model_name() == model) want.push_back(i);
  }
  ASSERT_GE(want.size(), 5u);
  auto result = subprocess::Run(
      "tools/vellum", {"events", "--server", url_, "--token-file", TempDir() + "/event-token",
                       "--model", model, "--limit", "2", "--all", "--json", "--verify",
                       "--verifier-key", dir_ + "/log.pub"});
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr(absl::StrCat("verified ", want.size(), " events")));
  std::vector<uint64_t> got;
  for (absl::string_view line : absl::StrSplit(result.out, '\n', absl::SkipEmpty())) {
    got.push_back(ParseJson<api::EventMatch>(std::string(line)).index());
  }
  EXPECT_EQ(got, want);
  // A proof against another key does not verify.
  auto stranger = subprocess::Run("tools/vellum", {"keygen", "--origin", "localhost/vellum",
                                                   "--out", TempDir() + "/stranger-key"});
  ASSERT_EQ(stranger.status, 0) << stranger.err;
  result = subprocess::Run(
      "tools/vellum", {"events", "--server", url_, "--token-file", TempDir() + "/event-token",
                       "--model", model, "--verify", "--verifier-key",
                       TempDir() + "/stranger-key.pub"});
  EXPECT_EQ(result.status, 1) << result.err;
  // Search needs the token too.
  auto open = client_->Send("GET", "/v1/events", "", {});
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->status, 401);
  EXPECT_EQ(TreeSize(), size + 7) << "the refused search is not on record";

  // After a restart with the indexes rebuilt from the log, redeliveries still find the originals.
  Stop();
  result = subprocess::Run("tools/vellum", {"reindex", "--data-dir", dir_});
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("identities in clear by their pseudonyms"));
  Start();
  for (size_t i = 0; i < deliveries.size(); ++i) {
    if (deliveries[i].adapter == "mlflow") {  // Its signed timestamp must be recent.
      deliveries[i].request.headers["x-mlflow-timestamp"] =
          absl::StrCat(absl::ToUnixSeconds(absl::Now()));
      SignMlflow(&deliveries[i].request);
    }
    HttpResponse response = Post(deliveries[i]);
    ASSERT_NO_FATAL_FAILURE(ExpectRedelivered(response, indices[i]));
  }
  // One more: the restart's config.applied.
  EXPECT_EQ(TreeSize(), size + 8);

  // The officer sees the configuration's principals, by the positions its text names them at.
  api::EventSearchResponse configs = Search("action=ACTION_CONFIG_APPLIED", kOfficerToken);
  ASSERT_EQ(configs.events_size(), 2);  // At the first start and at the restart.
  const AuditEvent& config_event = configs.events(0).unsealed();
  EXPECT_THAT(config_event.config_applied().principals(),
              testing::ElementsAre("ingest-bot", "privacy-officer"));
  EXPECT_THAT(config_event.config_applied().canonical_text(),
              HasSubstr("{\"principal\":\"$1\",\"roles\":[\"governance\",\"auditor\"]}"));
  EXPECT_EQ(configs.events(0).event().config_applied().principals_size(), 0);

  // The officer's search opens the fields, and vellum events --verify checks each opened value
  // against its commitment in the signed entry.
  result = subprocess::Run(
      "tools/vellum", {"events", "--server", url_, "--token-file", TempDir() + "/officer-token",
                       "--model", model, "--all", "--json", "--verify", "--verifier-key",
                       dir_ + "/log.pub"});
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr(absl::StrCat("verified ", want.size(), " events")));
  EXPECT_THAT(result.err, HasSubstr("sealed values against their commitments"));
  size_t opened = 0;
  for (absl::string_view line : absl::StrSplit(result.out, '\n', absl::SkipEmpty())) {
    opened += ParseJson<api::EventMatch>(std::string(line)).opened_size();
  }
  EXPECT_GE(opened, want.size());
  // The read is on record, without the officer's name.
  api::EventSearchResponse reads = Search("action=ACTION_EVENTS_UNSEALED");
  ASSERT_GE(reads.events_size(), 1);
  EXPECT_EQ(reads.events(0).event().actor().subject(), "");
  EXPECT_THAT(reads.events(0).event().context().labels().at("vellum.query"),
              HasSubstr("model=fraud-scorer"));
  for (const std::string& answer : answers_) ExpectNoSecrets(answer, "an answer");
  // Nor is any personal value in a line vellumd printed.
  Stop();
  for (const std::string& text : printed_) {
    for (const std::string& value : personal) {
      EXPECT_FALSE(absl::StrContains(text, value)) << value << " in vellumd's output";
    }
  }
}

TEST_F(EventsServerTest, ConcurrentIngestionKeepsLoggedTimeOrderAndDeduplicates) {
  constexpr int kThreads = 8;
  constexpr int kEvents = 40;
  auto event = [](int thread, int i) {
    return absl::StrCat(
        R"({"id":{"source":"registry","sourceId":")", thread, "-", i,
        R"("},"eventTime":"2024-05-01T12:00:00Z","observer":{"adapter":"native"},)",
        R"("action":"ACTION_DEPLOY","target":{"modelName":"m)", thread,
        R"("},"outcome":{"result":"RESULT_SUCCESS"}})");
  };
  std::vector<std::thread> threads;
  std::vector<std::vector<uint64_t>> same(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto client = api::HttpClient::Create(url_, api::HttpClient::Options());
      ASSERT_TRUE(client.ok());
      for (int i = 0; i < kEvents; ++i) {
        EXPECT_EQ(PostEvent(event(t, i), client->get()).status, 200);
        // Every thread also delivers the same events, at about the same time.
        HttpResponse r = PostEvent(event(99, i), client->get());
        EXPECT_EQ(r.status, 200) << r.body;
        same[t].push_back(SingleAnswer(r).index());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 1; t < kThreads; ++t) EXPECT_EQ(same[t], same[0]);
  std::vector<std::string> entries = Entries();
  // The events, and the configuration's config.applied at start.
  ASSERT_EQ(entries.size(), static_cast<size_t>(kThreads * kEvents + kEvents + 1));
  std::set<std::string> ids;
  uint64_t last = 0;
  for (const std::string& entry : entries) {
    auto decoded = ledger::DecodeEntry(entry);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_TRUE(ids.insert(decoded->id().source_id()).second) << decoded->id().source_id();
    EXPECT_GE(ReadLoggedMicros(*decoded), last);
    last = ReadLoggedMicros(*decoded);
  }
  // A native event may not claim an adapter's source, nor set its logged time.
  HttpResponse claimed = PostEvent(absl::StrReplaceAll(event(1, 1), {{"registry", "github"}}),
                                   client_.get());
  EXPECT_EQ(claimed.status, 400);
  EXPECT_THAT(claimed.body, HasSubstr("reserved"));
}

}  // namespace
}  // namespace vellum
