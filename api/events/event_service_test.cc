// EventService's provenance: POST /v1/events and token-authenticated adapters stamp the request's
// principal, which a caller cannot set; signature-verified adapters do not; GET /v1/events
// filters on it. The requests go straight to Handle() with the principal an authorization layer
// would have set.

#include "api/events/event_service.h"

#include <sys/stat.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "api/events/events_api.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "ledger/events/event_codec.h"
#include "ledger/events/event_fields.h"
#include "ledger/local_log.h"
#include "ledger/prover.h"
#include "ledger/testing/test_log.h"
#include "ledger/testing/wait_until.h"

namespace vellum {
namespace api {
namespace {

constexpr absl::Duration kWait = absl::Seconds(30);

// One event per delivery, its source id the body. A body "refuse" is refused; a body "wait"
// notifies `entered` and waits for `release`, holding its worker.
class FakeAdapter : public ingest::Adapter {
 public:
  FakeAdapter(std::string name, bool verifies) : name_(std::move(name)), verifies_(verifies) {}
  absl::string_view name() const override { return name_; }
  bool verifies_signature() const override { return verifies_; }
  absl::StatusOr<std::vector<ledger::AuditEvent>> Parse(const HttpRequest& request,
                                                        absl::Time received) const override {
    if (request.body == "refuse") return absl::InvalidArgumentError("refused by the fake");
    if (request.body == "wait") {
      entered.Notify();
      release.WaitForNotification();
    }
    ledger::AuditEvent event;
    event.mutable_id()->set_source(name_);
    event.mutable_id()->set_source_id(request.body);
    *event.mutable_event_time() = ledger::ToProtoTime(received);
    event.mutable_observer()->set_adapter(name_);
    event.set_action(ledger::ACTION_DEPLOY);
    event.mutable_target()->set_model_name("fraud-scorer");
    event.mutable_outcome()->set_result(ledger::Outcome::RESULT_SUCCESS);
    return std::vector<ledger::AuditEvent>{event};
  }

  mutable absl::Notification entered, release;

 private:
  const std::string name_;
  const bool verifies_;
};

class EventServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = absl::StrCat(
        std::getenv("TEST_TMPDIR"), "/",
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
    signer_ = ledger::NewTestSigner("example.com/event-service");
    ledger::LocalLog::Options log_options;
    log_options.event_fields = ledger::EventFieldsOn({});
    log_options.signer = signer_.get();
    auto log = ledger::LocalLog::Open(dir, log_options);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    Start(EventService::Options());
  }

  // (Re)creates the service with `options` and the test's adapters.
  void Start(EventService::Options options) {
    if (service_ != nullptr) service_->Drain();
    service_.reset();
    options.adapters = {&tokened_, &signed_};
    auto service = EventService::Create(
        log_->sequencer(), &log_->storage(), log_->event_index(), &log_->follower(),
        [](HttpRequest, HttpServer::Respond respond) { respond(ErrorResponse(404, "next")); },
        options);
    ASSERT_TRUE(service.ok()) << service.status();
    service_ = *std::move(service);
  }

  void TearDown() override {
    service_->Drain();
    service_.reset();
    log_.reset();
  }

  HttpResponse Call(std::string method, std::string target, std::string body,
                    std::string principal, std::string type = "application/json") {
    return Send(Request(std::move(method), std::move(target), std::move(body),
                        std::move(principal), std::move(type)));
  }

  static HttpRequest Request(std::string method, std::string target, std::string body,
                             std::string principal, std::string type = "application/json") {
    HttpRequest request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.body = std::move(body);
    request.headers["content-type"] = std::move(type);
    request.headers["accept"] = "application/x-protobuf";
    request.remote_address = "127.0.0.1";
    if (!principal.empty()) {
      auto caller = std::make_shared<ledger::identity::Principal>();
      caller->name = std::move(principal);
      caller->authenticated_by = "token";
      request.caller = std::move(caller);
    }
    return request;
  }

  HttpResponse Send(HttpRequest request) {
    absl::Notification done;
    HttpResponse response;
    service_->Handle(std::move(request), [&](HttpResponse r) {
      response = std::move(r);
      done.Notify();
    });
    EXPECT_TRUE(done.WaitForNotificationWithTimeout(kWait));
    return response;
  }

  // The event logged at `index`.
  ledger::AuditEvent Logged(uint64_t index) {
    auto entry = ledger::Prover(log_->storage()).Entry(index, log_->sequencer()->Head()->size);
    EXPECT_TRUE(entry.ok()) << entry.status();
    auto event = ledger::DecodeEntry(entry.ok() ? *entry : "");
    EXPECT_TRUE(event.ok()) << event.status();
    return event.ok() ? *event : ledger::AuditEvent();
  }

  static std::string NativeJson(absl::string_view id, absl::string_view extra = "") {
    return absl::StrCat(R"({"id":{"source":"ci","sourceId":")", id,
                        R"("},"eventTime":"2026-10-14T02:21:05Z","observer":{"adapter":"native"},)",
                        R"("action":"ACTION_DEPLOY","target":{"modelName":"fraud-scorer"},)",
                        R"("outcome":{"result":"RESULT_SUCCESS"})", extra, "}");
  }

  uint64_t Size() { return log_->sequencer()->Head()->size; }

  const FakeAdapter tokened_{"tokened", false};
  const FakeAdapter signed_{"signed", true};
  std::unique_ptr<NoteSigner> signer_;
  std::unique_ptr<ledger::LocalLog> log_;
  std::unique_ptr<EventService> service_;
};

TEST_F(EventServiceTest, PostedEventsCarryTheCallersPrincipal) {
  HttpResponse response = Call("POST", "/v1/events", NativeJson("1"), "ci-deployer");
  ASSERT_EQ(response.status, 200) << response.body;
  EventAppended appended;
  ASSERT_TRUE(appended.ParseFromString(response.body));
  const ledger::AuditEvent logged = Logged(appended.index());
  EXPECT_EQ(logged.provenance().principal(), "ci-deployer");
  EXPECT_EQ(logged.provenance().authenticated_by(), "token");

  // Unauthenticated (no authorization layer): no provenance at all.
  response = Call("POST", "/v1/events", NativeJson("2"), "");
  ASSERT_EQ(response.status, 200) << response.body;
  ASSERT_TRUE(appended.ParseFromString(response.body));
  EXPECT_FALSE(Logged(appended.index()).has_provenance());
}

TEST_F(EventServiceTest, ABatchIsAppendedInOneCommitOrNotAtAll) {
  ASSERT_EQ(Call("POST", "/v1/events", NativeJson("before"), "ci-deployer").status, 200);
  const uint64_t size = Size();
  // One bad event refuses them all: here one that claims a server-only action.
  const std::string bad = absl::StrCat(
      R"({"events":[)", NativeJson("b1"), ",",
      R"({"id":{"source":"ci","sourceId":"b2"},"eventTime":"2026-10-14T02:21:05Z",)"
      R"("observer":{"adapter":"native"},"action":"ACTION_CONFIG_APPLIED",)"
      R"("outcome":{"result":"RESULT_SUCCESS"},"configApplied":{}})",
      "]}");
  HttpResponse refused = Call("POST", "/v1/events:batch", bad, "ci-deployer");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_THAT(refused.body, ::testing::HasSubstr("events[1]: "));
  EXPECT_EQ(Size(), size);

  // A good one: every event in order, one checkpoint covering them all, the caller's principal
  // on each; a repeated id within the batch and one logged before are duplicates.
  const std::string good = absl::StrCat(R"({"events":[)", NativeJson("g1"), ",",
                                        NativeJson("g2"), ",", NativeJson("g1"), ",",
                                        NativeJson("before"), "]}");
  HttpResponse response = Call("POST", "/v1/events:batch", good, "ci-deployer");
  ASSERT_EQ(response.status, 200) << response.body;
  IngestResponse appended;
  ASSERT_TRUE(appended.ParseFromString(response.body));
  ASSERT_EQ(appended.events_size(), 4);
  EXPECT_EQ(appended.events(0).index(), size);
  EXPECT_EQ(appended.events(1).index(), size + 1);
  EXPECT_FALSE(appended.events(0).duplicate() || appended.events(1).duplicate());
  EXPECT_TRUE(appended.events(2).duplicate());
  EXPECT_EQ(appended.events(2).index(), size);
  EXPECT_TRUE(appended.events(3).duplicate());
  EXPECT_EQ(appended.events(3).index(), size - 1);
  EXPECT_EQ(appended.events(0).tree_size(), size + 2);
  EXPECT_EQ(appended.events(1).tree_size(), size + 2);
  EXPECT_EQ(Size(), size + 2);
  EXPECT_EQ(Logged(size + 1).id().source_id(), "g2");
  EXPECT_EQ(Logged(size + 1).provenance().principal(), "ci-deployer");

  // Protobuf bodies too; other media types and methods are refused.
  EventBatchRequest batch;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  absl::StrCat(R"({"events":[)", NativeJson("p1"), "]}"), &batch)
                  .ok());
  response = Call("POST", "/v1/events:batch", batch.SerializeAsString(), "ci-deployer",
                  "application/x-protobuf");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Size(), size + 3);
  EXPECT_EQ(Call("POST", "/v1/events:batch", good, "ci-deployer", "text/plain").status, 415);
  EXPECT_EQ(Call("GET", "/v1/events:batch", "", "ci-deployer").status, 405);
  EXPECT_EQ(Size(), size + 3);
}

TEST_F(EventServiceTest, ACallerCannotSetProvenanceOrWriteTheServersEvents) {
  const uint64_t size = log_->sequencer()->Head()->size;
  HttpResponse response = Call(
      "POST", "/v1/events", NativeJson("1", R"(,"provenance":{"principal":"someone-else"})"),
      "ci-deployer");
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_NE(response.body.find("provenance is set by the server"), std::string::npos)
      << response.body;
  std::string config = NativeJson("2");
  config.replace(config.find("ACTION_DEPLOY"), 13, "ACTION_ACCESS_DENIED_BY_LEDGER");
  response = Call("POST", "/v1/events", config, "ci-deployer");
  EXPECT_EQ(response.status, 400) << response.body;
  std::string server_source = NativeJson("3");
  server_source.replace(server_source.find("\"ci\""), 4, "\"vellum\"");
  response = Call("POST", "/v1/events", server_source, "ci-deployer");
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_EQ(log_->sequencer()->Head()->size, size);
}

TEST_F(EventServiceTest, TokenAuthenticatedAdaptersStampThePrincipalSignedOnesDoNot) {
  HttpResponse response = Call("POST", "/v1/ingest/tokened", "d-1", "k8s-forwarder");
  ASSERT_EQ(response.status, 200) << response.body;
  IngestResponse ingested;
  ASSERT_TRUE(ingested.ParseFromString(response.body));
  ASSERT_EQ(ingested.events_size(), 1);
  ledger::AuditEvent logged = Logged(ingested.events(0).index());
  EXPECT_EQ(logged.provenance().principal(), "k8s-forwarder");
  EXPECT_EQ(logged.observer().adapter(), "tokened");

  response = Call("POST", "/v1/ingest/signed", "d-2", "k8s-forwarder");
  ASSERT_EQ(response.status, 200) << response.body;
  ASSERT_TRUE(ingested.ParseFromString(response.body));
  logged = Logged(ingested.events(0).index());
  EXPECT_FALSE(logged.has_provenance());
  EXPECT_EQ(logged.observer().adapter(), "signed");
}

TEST_F(EventServiceTest, SearchFiltersOnThePrincipal) {
  ASSERT_EQ(Call("POST", "/v1/events", NativeJson("a"), "alice").status, 200);
  ASSERT_EQ(Call("POST", "/v1/events", NativeJson("b"), "bob").status, 200);
  ASSERT_EQ(Call("POST", "/v1/ingest/tokened", "c", "alice").status, 200);
  HttpResponse response = Call("GET", "/v1/events?principal=alice&order=oldest", "", "");
  ASSERT_EQ(response.status, 200) << response.body;
  EventSearchResponse found;
  ASSERT_TRUE(found.ParseFromString(response.body));
  ASSERT_EQ(found.events_size(), 2);
  EXPECT_EQ(found.events(0).event().id().source_id(), "a");
  EXPECT_EQ(found.events(1).event().id().source_id(), "c");
  for (const EventMatch& match : found.events()) {
    EXPECT_EQ(match.event().provenance().principal(), "alice");
  }
  response = Call("GET", "/v1/events?principal=", "", "");
  EXPECT_EQ(response.status, 400) << response.body;
}

TEST_F(EventServiceTest, RejectedDeliveriesAreRecordedWithTheUserAgentAsADigest) {
  HttpRequest request = Request("POST", "/v1/ingest/tokened", "refuse", "k8s-forwarder");
  request.headers["user-agent"] = "GitHub-Hookshot/abc123";
  EXPECT_EQ(Send(std::move(request)).status, 400);
  ASSERT_EQ(Size(), 1u);
  const ledger::AuditEvent logged = Logged(0);
  EXPECT_EQ(logged.action(), ledger::ACTION_INGEST_REJECTED);
  EXPECT_EQ(logged.context().source_ip(), "127.0.0.1");
  EXPECT_EQ(logged.context().user_agent().substr(0, 7), "sha256:");
  EXPECT_EQ(logged.context().user_agent().size(), 7u + 64u);
  EXPECT_EQ(logged.context().user_agent().find("Hookshot"), std::string::npos);

  std::string metrics;
  service_->RenderMetrics(&metrics);
  for (const char* want :
       {"vellum_ingest_rejected_total 1\n",
        "vellum_ingest_rejected_recorded_total 1\n", "vellum_logged_time_clamped_total 0\n",
        "vellum_ingest_shed_total{reason=\"queue_full\"} 0\n",
        "vellum_event_requests_refused_total 0\n"}) {
    EXPECT_NE(metrics.find(want), std::string::npos) << want << " in " << metrics;
  }
}

TEST_F(EventServiceTest, AFullQueueIsAnswered503AndShedDeliveriesAreOnRecord) {
  EventService::Options options;
  options.write_threads = 1;
  options.max_queued = 1;
  Start(options);
  // The one write worker holds the first delivery; the second waits in the queue, which it
  // fills.
  absl::Notification first_done, second_done;
  HttpResponse first, second;
  service_->Handle(Request("POST", "/v1/ingest/tokened", "wait", "k8s-forwarder"),
                   [&](HttpResponse r) {
                     first = std::move(r);
                     first_done.Notify();
                   });
  ASSERT_TRUE(tokened_.entered.WaitForNotificationWithTimeout(kWait));
  service_->Handle(Request("POST", "/v1/ingest/tokened", "d-2", "k8s-forwarder"),
                   [&](HttpResponse r) {
                     second = std::move(r);
                     second_done.Notify();
                   });
  HttpResponse busy = Call("POST", "/v1/ingest/tokened", "d-3", "k8s-forwarder");
  EXPECT_EQ(busy.status, 503) << busy.body;
  EXPECT_NE(busy.body.find("the work queue holds 1 requests, its bound"), std::string::npos)
      << busy.body;
  ASSERT_EQ(busy.headers.size(), 1u);
  EXPECT_EQ(busy.headers[0].first, "Retry-After");
  // Searches have workers of their own: served while every write worker is busy.
  EXPECT_EQ(Call("GET", "/v1/events", "", "").status, 200);
  tokened_.release.Notify();
  ASSERT_TRUE(first_done.WaitForNotificationWithTimeout(kWait));
  ASSERT_TRUE(second_done.WaitForNotificationWithTimeout(kWait));
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(second.status, 200) << second.body;
  std::string metrics;
  service_->RenderMetrics(&metrics);
  EXPECT_NE(metrics.find("vellum_event_requests_refused_total 1\n"), std::string::npos)
      << metrics;
  // With the queue empty again, the refused delivery goes through when it is sent again.
  EXPECT_EQ(Call("POST", "/v1/ingest/tokened", "d-3", "k8s-forwarder").status, 200);
  ASSERT_EQ(Size(), 3u);
  // Draining writes the window's summary.
  service_->Drain();
  ASSERT_EQ(Size(), 4u);
  const ledger::AuditEvent shed = Logged(3);
  EXPECT_EQ(shed.action(), ledger::ACTION_INGEST_SHED);
  EXPECT_EQ(shed.context().labels().at("vellum.adapter"), "tokened");
  EXPECT_EQ(shed.context().labels().at("vellum.shed.queue_full"), "1");
}

}  // namespace
}  // namespace api
}  // namespace vellum
