// Issue 11's refusals end to end, against a LogServer as vellumd runs it (the access rules built
// from a configuration with a token file) over HTTP: every endpoint tried with no credential, a
// wrong one, and a principal lacking the permission is refused with 401 or 403 and a one-line
// reason, changes nothing, and adds exactly one access.denied event to the log; past the rate
// limit the refusals are counted in summary events, so that the log's denials add up.

#include <sys/stat.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "api/client/http_client.h"
#include "api/config/config.pb.h"
#include "api/events/events_api.pb.h"
#include "api/http.h"
#include "api/ingest/cloudevents.h"
#include "api/log.pb.h"
#include "api/server/access_rules.h"
#include "api/raw_connection.h"
#include "api/server/http_limits.h"
#include "api/server/log_server.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_codec.h"
#include "ledger/file_io.h"
#include "ledger/identity/denial_log.h"
#include "ledger/identity/token_file.h"
#include "ledger/testing/test_log.h"
#include "ledger/testing/wait_until.h"
#include "proof/note.h"

namespace vellum {
namespace api {
namespace {

namespace identity = ledger::identity;
using ::testing::HasSubstr;
using ::testing::Not;

// The credentials. None may ever show in an answer or in the log.
constexpr char kSetupToken[] = "setup-token-5d0c9e27b1a84f36";
constexpr char kLackingToken[] = "lacking-token-8e41f0b6c2d97a53";
constexpr char kWrongToken[] = "wrong-token-2b7fa61d09c3e845";

// One request to an endpoint, and the permission it needs.
struct Endpoint {
  std::string method;
  std::string target;
  std::string permission;
  std::string body;
  std::string content_type;
};

ledger::AuditEvent NativeEvent(const std::string& source_id = "refused-approval-1") {
  ledger::AuditEvent event;
  event.mutable_id()->set_source("ci");
  event.mutable_id()->set_source_id(source_id);
  *event.mutable_event_time() = ledger::ToProtoTime(absl::FromUnixSeconds(1790000000));
  event.mutable_observer()->set_adapter("native");
  event.set_action(ledger::ACTION_APPROVE);
  event.mutable_target()->set_model_name("fraud-scorer");
  event.mutable_outcome()->set_result(ledger::Outcome::RESULT_SUCCESS);
  return event;
}

// Every endpoint the server serves with a permission (api::RequiredPermission), with a request
// that the setup principal's credential gets through (the log holds one entry), and a path that
// is no endpoint.
std::vector<Endpoint> Endpoints() {
  AppendBatchRequest batch;
  batch.add_entries("refused batch entry 1");
  batch.add_entries("refused batch entry 2");
  return {
      {"GET", "/checkpoint", "log.read", "", ""},
      {"GET", "/tile/0/000.p/1", "log.read", "", ""},
      {"GET", "/tile/entries/000.p/1", "entries.read", "", ""},
      {"GET", "/v1/log", "log.read", "", ""},
      {"GET", "/v1/proof/inclusion?index=0&size=1", "log.read", "", ""},
      {"GET", "/v1/proof/consistency?from=1&to=2", "log.read", "", ""},
      {"POST", "/v1/entries", "entries.append", "refused raw entry", "application/octet-stream"},
      {"POST", "/v1/entries:batch", "entries.append", batch.SerializeAsString(),
       "application/x-protobuf"},
      {"GET", "/v1/entries/0", "entries.read", "", ""},
      {"POST", "/v1/events", "events.write", *ledger::EventToJson(NativeEvent()),
       "application/json"},
      {"GET", "/v1/events?model=fraud-scorer", "events.read", "", ""},
      {"POST", "/v1/events:batch", "events.write",
       absl::StrCat("{\"events\": [", *ledger::EventToJson(NativeEvent("batched-1")), "]}"),
       "application/json"},
      {"GET", "/metrics", "metrics.read", "", ""},
      {"POST", "/v1/ingest/cloudevents", "ingest.cloudevents",
       R"({"specversion": "1.0", "id": "refused-inference-1", "source": "http://localhost:9081/",)"
       R"( "type": "io.seldon.serving.inference.request", "time": "2026-10-14T09:16:02.004Z",)"
       R"( "datacontenttype": "application/json", "modelid": "fraud-scorer",)"
       R"( "namespace": "risk-prod", "data": {"instances": [[0.12, 3.4]]}})",
       "application/cloudevents+json"},
      {"GET", "/no/such/endpoint", "admin", "", ""},
  };
}

// The three ways to be refused: no credential, a wrong one, and a principal lacking the
// permission.
struct Caller {
  absl::string_view name;
  absl::string_view token;
  absl::string_view principal;
  int status;
};
constexpr Caller kCallers[] = {
    {"no credential", "", "", 401},
    {"a wrong token", kWrongToken, "", 401},
    {"a principal lacking the permission", kLackingToken, "lacking", 403},
};

// The reason a caller is refused `permission` with.
std::string ReasonFor(const Caller& caller, absl::string_view permission) {
  if (caller.token.empty()) {
    return absl::StrCat("permission ", permission, " needs an authenticated caller");
  }
  if (caller.principal.empty()) return "unknown bearer token";  // The event names the permission.
  return absl::StrCat(caller.principal, " lacks permission ", permission);
}

// Fails the test if any of the credentials shows in `response`.
void ExpectNoCredential(const HttpResponse& response) {
  for (const char* token : {kSetupToken, kLackingToken, kWrongToken}) {
    EXPECT_THAT(response.body, Not(HasSubstr(token)));
    for (const auto& [name, value] : response.headers) {
      EXPECT_THAT(value, Not(HasSubstr(token))) << name;
    }
  }
}

// The "error" of a one-line JSON error answer; fails the test if the answer is not one.
std::string ErrorOf(const HttpResponse& response) {
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_TRUE(absl::EndsWith(response.body, "\n")) << response.body;
  EXPECT_EQ(response.body.find('\n'), response.body.size() - 1) << response.body;
  google::protobuf::Struct answer;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(response.body, &answer).ok())
      << response.body;
  EXPECT_EQ(answer.fields_size(), 1) << response.body;
  auto error = answer.fields().find("error");
  if (error == answer.fields().end()) {
    ADD_FAILURE() << "no error in " << response.body;
    return "";
  }
  return error->second.string_value();
}

class LogServerAccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signer_ = ledger::NewTestSigner("example.com/log-server-access");
    dir_ = absl::StrCat(std::getenv("TEST_TMPDIR"), "/",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_EQ(mkdir(dir_.c_str(), 0700), 0) << dir_;
    adapter_ = ingest::NewCloudEventsAdapter();
  }

  // Starts the server with a configuration of a token file (the setup principal may do
  // everything but govern; "lacking" holds nothing) and no anonymous permissions.
  // `configure` adds to the configuration (quotas, http limits), applied as vellumd does.
  void Start(identity::DenialLog::Options denials,
             const std::function<void(config::Config*)>& configure = nullptr) {
    const std::string token_file = absl::StrCat(dir_, "/tokens");
    const std::string tokens =
        absl::StrCat(identity::TokenSet::Line(kSetupToken, "setup"), "\n",
                     identity::TokenSet::Line(kLackingToken, "lacking"), "\n");
    ASSERT_TRUE(ledger::WriteNewFile(token_file, tokens, 0600).ok());
    config::Config config;
    config.mutable_auth()->set_token_file(token_file);
    config::Binding* setup = config.add_bindings();
    setup->set_principal("setup");
    setup->add_roles("appender");
    setup->add_roles("admin");
    if (configure) configure(&config);
    absl::StatusOr<std::shared_ptr<const AccessRules>> access = BuildAccessRules(config);
    ASSERT_TRUE(access.ok()) << access.status();
    absl::StatusOr<std::shared_ptr<identity::Quotas>> quotas = QuotasOf(config);
    ASSERT_TRUE(quotas.ok()) << quotas.status();

    const std::string data_dir = absl::StrCat(dir_, "/log");
    ASSERT_EQ(mkdir(data_dir.c_str(), 0700), 0) << data_dir;
    LogServerOptions options;
    options.data_dir = data_dir;
    options.signer = signer_.get();
    options.http.port = 0;
    options.access = *std::move(access);
    options.quotas = *std::move(quotas);
    ASSERT_TRUE(ApplyHttpLimits(config.http(), &options.http, &options.body_limits).ok());
    options.denials = std::move(denials);
    options.adapters = {adapter_.get()};
    absl::StatusOr<std::unique_ptr<LogServer>> server = LogServer::Open(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    absl::StatusOr<std::unique_ptr<HttpClient>> client =
        HttpClient::Create(absl::StrCat("http://127.0.0.1:", server_->port()), {});
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  HttpResponse Send(const Endpoint& e, absl::string_view token) {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Accept", "application/x-protobuf"}};
    if (!e.content_type.empty()) headers.emplace_back("Content-Type", e.content_type);
    if (!token.empty()) headers.emplace_back("Authorization", absl::StrCat("Bearer ", token));
    absl::StatusOr<HttpResponse> response = client_->Send(e.method, e.target, e.body, headers);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *std::move(response) : HttpResponse();
  }

  uint64_t Size() { return server_->sequencer().Head()->size; }

  // Entry `index`, read over HTTP with the setup principal's credential.
  std::string Entry(uint64_t index) {
    HttpResponse response =
        Send({"GET", absl::StrCat("/v1/entries/", index), "", "", ""}, kSetupToken);
    EXPECT_EQ(response.status, 200) << response.body;
    return response.body;
  }

  // The entry as an access.denied event; fails the test if it is not one.
  ledger::AuditEvent DenialAt(uint64_t index) {
    const std::string entry = Entry(index);
    for (const char* token : {kSetupToken, kLackingToken, kWrongToken}) {
      EXPECT_THAT(entry, Not(HasSubstr(token))) << "entry " << index;
    }
    absl::StatusOr<ledger::AuditEvent> event = ledger::DecodeEntry(entry);
    EXPECT_TRUE(event.ok()) << "entry " << index << ": " << event.status();
    if (!event.ok()) return ledger::AuditEvent();
    EXPECT_EQ(event->action(), ledger::ACTION_ACCESS_DENIED_BY_LEDGER) << "entry " << index;
    EXPECT_EQ(event->outcome().result(), ledger::Outcome::RESULT_DENIED) << "entry " << index;
    EXPECT_EQ(event->observer().adapter(), "vellum") << "entry " << index;
    return *std::move(event);
  }

  std::unique_ptr<NoteSigner> signer_;
  std::string dir_;
  std::unique_ptr<ingest::Adapter> adapter_;
  std::unique_ptr<LogServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(LogServerAccessTest, EveryEndpointWithoutWrongAndLackingCredentials) {
  identity::DenialLog::Options denials;
  denials.burst = 1000;  // Every refusal in detail.
  Start(denials);
  const Endpoint setup_entry = {"POST", "/v1/entries", "", "setup entry",
                                "application/octet-stream"};
  ASSERT_EQ(Send(setup_entry, kSetupToken).status, 200);
  ASSERT_EQ(Size(), 1u);

  const std::vector<Endpoint> endpoints = Endpoints();
  for (const Endpoint& e : endpoints) {
    for (const Caller& caller : kCallers) {
      SCOPED_TRACE(absl::StrCat(e.method, " ", e.target, " with ", caller.name));
      const uint64_t size = Size();
      const HttpResponse response = Send(e, caller.token);
      EXPECT_EQ(response.status, caller.status);
      const std::string error = ErrorOf(response);
      EXPECT_EQ(error, ReasonFor(caller, e.permission));
      ExpectNoCredential(response);
      std::string www_authenticate;
      for (const auto& [name, value] : response.headers) {
        if (absl::EqualsIgnoreCase(name, "WWW-Authenticate")) www_authenticate = value;
      }
      EXPECT_EQ(www_authenticate, caller.status == 401 ? "Bearer" : "");

      // The refusal is on record before it is answered, and it is all that was appended.
      ASSERT_EQ(Size(), size + 1);
      const ledger::AuditEvent denial = DenialAt(size);
      EXPECT_EQ(denial.outcome().reason(), error);
      EXPECT_EQ(denial.context().source_ip(), "127.0.0.1");
      const auto& labels = denial.context().labels();
      EXPECT_EQ(labels.count(identity::kNotRecordedLabel), 0u);
      // The path without its query.
      EXPECT_EQ(labels.at("vellum.path"), std::string(SplitTarget(e.target).first));
      EXPECT_EQ(labels.at("vellum.method"), e.method);
      EXPECT_EQ(labels.at("vellum.permission"), e.permission);
      EXPECT_EQ(labels.at("vellum.http_status"), absl::StrCat(response.status));
      if (!caller.principal.empty()) {
        EXPECT_EQ(denial.actor().subject(), caller.principal);
        EXPECT_EQ(labels.at("vellum.authenticated_by"), "token");
      } else {
        EXPECT_FALSE(denial.has_actor());
        EXPECT_EQ(labels.count("vellum.authenticated_by"), 0u);
      }
    }
  }
  ASSERT_EQ(Size(), 1 + 3 * endpoints.size());

  // The same requests with the setup principal's credential get through: what was refused would
  // have been served or appended, and nothing of it was (the event and the delivery are new).
  for (const Endpoint& e : endpoints) {
    SCOPED_TRACE(absl::StrCat(e.method, " ", e.target));
    const uint64_t size = Size();
    const HttpResponse response = Send(e, kSetupToken);
    if (e.permission == "admin") {
      EXPECT_EQ(response.status, 404) << response.body;
      EXPECT_EQ(ErrorOf(response), "no such endpoint");
      continue;
    }
    ASSERT_EQ(response.status, 200) << response.body;
    if (e.target == "/v1/entries") {
      AppendResponse appended;
      ASSERT_TRUE(appended.ParseFromString(response.body));
      EXPECT_EQ(appended.index(), size);
      EXPECT_EQ(Entry(size), e.body);
    } else if (e.target == "/v1/entries:batch") {
      AppendBatchResponse appended;
      ASSERT_TRUE(appended.ParseFromString(response.body));
      EXPECT_EQ(appended.first_index(), size);
    } else if (e.target == "/v1/events") {
      EventAppended appended;
      ASSERT_TRUE(appended.ParseFromString(response.body));
      EXPECT_FALSE(appended.duplicate());
      EXPECT_EQ(appended.index(), size);
    } else if (e.target == "/v1/events:batch") {
      IngestResponse batched;
      ASSERT_TRUE(batched.ParseFromString(response.body));
      ASSERT_EQ(batched.events_size(), 1);
      EXPECT_FALSE(batched.events(0).duplicate());
      EXPECT_EQ(batched.events(0).index(), size);
    } else if (e.target == "/v1/ingest/cloudevents") {
      IngestResponse ingested;
      ASSERT_TRUE(ingested.ParseFromString(response.body));
      ASSERT_EQ(ingested.events_size(), 1);
      EXPECT_FALSE(ingested.events(0).duplicate());
      EXPECT_EQ(ingested.events(0).index(), size);
    } else {
      EXPECT_EQ(Size(), size) << "a read appended";
    }
  }
}

TEST_F(LogServerAccessTest, RefusalsPastTheRateLimitAreCountedInSummaries) {
  identity::DenialLog::Options denials;
  denials.burst = 3;
  denials.per_second = 0;
  denials.summary_interval = absl::Milliseconds(20);
  Start(denials);

  const std::vector<Endpoint> endpoints = Endpoints();
  constexpr int kRefusals = 30;
  for (int i = 0; i < kRefusals; ++i) {
    const Endpoint& e = endpoints[i % endpoints.size()];
    const Caller& caller = kCallers[i % 3];
    SCOPED_TRACE(absl::StrCat(i, ": ", e.method, " ", e.target, " with ", caller.name));
    const HttpResponse response = Send(e, caller.token);
    EXPECT_EQ(response.status, caller.status) << response.body;
    // Counted or recorded, the answer is the same.
    EXPECT_EQ(ErrorOf(response), ReasonFor(caller, e.permission));
    ExpectNoCredential(response);
  }

  // Every entry is a denial: one in detail, or a summary of those counted since the previous.
  uint64_t detailed = 0;
  uint64_t counted = 0;
  uint64_t read = 0;
  auto tally = [&] {
    for (const uint64_t size = Size(); read < size; ++read) {
      const ledger::AuditEvent denial = DenialAt(read);
      auto it = denial.context().labels().find(identity::kNotRecordedLabel);
      if (it == denial.context().labels().end()) {
        detailed++;
        continue;
      }
      uint64_t n = 0;
      EXPECT_TRUE(absl::SimpleAtoi(it->second, &n)) << it->second;
      EXPECT_GT(n, 0u);
      EXPECT_FALSE(denial.has_actor());
      EXPECT_THAT(denial.outcome().reason(), HasSubstr(absl::StrCat(n, " denied requests since ")));
      counted += n;
    }
    return detailed + counted >= kRefusals;
  };
  ASSERT_TRUE(ledger::WaitUntil(tally, absl::Seconds(60)))
      << detailed << " recorded and " << counted << " counted of " << kRefusals;
  EXPECT_EQ(detailed, 3u);
  EXPECT_EQ(counted, kRefusals - 3u);
}

TEST_F(LogServerAccessTest, ACredentialIsDecidedBeforeTheBodyIsRead) {
  Start(identity::DenialLog::Options());
  const uint64_t size = Size();
  RawConnection connection(server_->port());
  // The header announces an entry that never comes; the refusal must not wait for it.
  ASSERT_TRUE(connection.Send("POST /v1/entries HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Authorization: Bearer not-a-token\r\nContent-Length: 60000\r\n\r\n"));
  bool closed = false;
  const std::string answer = connection.ReadUntilClosed(&closed);
  EXPECT_THAT(answer, ::testing::StartsWith("HTTP/1.1 401"));
  EXPECT_THAT(answer, HasSubstr("unknown bearer token"));
  EXPECT_TRUE(closed);
  // On record, and nothing else appended.
  ASSERT_EQ(Size(), size + 1);
  EXPECT_EQ(DenialAt(size).outcome().reason(), "unknown bearer token");
}

TEST_F(LogServerAccessTest, EachEndpointRefusesABodyPastItsLimitBeforeReadingIt) {
  Start(identity::DenialLog::Options(), [](config::Config* config) {
    config->mutable_http()->mutable_body_limits()->set_event(1000);
  });
  const uint64_t size = Size();
  const struct {
    const char* target;
    size_t limit;
    const char* method = "POST";
  } cases[] = {{"/v1/entries", 65535},
               {"/v1/events", 1000},
               {"/v1/events:batch", 8 << 20},
               {"/v1/entries:batch", 8 << 20},
               {"/v1/ingest/cloudevents", 8 << 20},
               {"/checkpoint", 4096, "GET"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.target);
    RawConnection connection(server_->port());
    ASSERT_TRUE(connection.Send(absl::StrCat(
        c.method, " ", c.target, " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ",
        kSetupToken, "\r\nContent-Length: ", c.limit + 1, "\r\n\r\n")));
    bool closed = false;
    const std::string answer = connection.ReadUntilClosed(&closed);
    EXPECT_THAT(answer, ::testing::StartsWith("HTTP/1.1 413"));
    EXPECT_THAT(answer, HasSubstr(absl::StrCat("want at most ", c.limit, " for ", c.method, " ",
                                               c.target)));
  }
  EXPECT_EQ(Size(), size);
  absl::StatusOr<std::string> metrics = client_->Get("/metrics");
  ASSERT_FALSE(metrics.ok());  // Anonymous callers hold nothing here; ask as the administrator.
  const HttpResponse page = Send({"GET", "/metrics", "", "", ""}, kSetupToken);
  EXPECT_THAT(page.body,
              HasSubstr("vellum_http_requests_refused_total{reason=\"body_too_large\"} 6"));
}

TEST_F(LogServerAccessTest, APrincipalOverItsQuotaGets429AndOthersAreServed) {
  Start(identity::DenialLog::Options(), [](config::Config* config) {
    config::Quota* quota = config->add_quotas();
    quota->set_principal("setup");
    quota->set_entries_per_second(0.001);
    quota->set_entry_burst(2);
  });
  const Endpoint append = {"POST", "/v1/entries", "", "an entry", "application/octet-stream"};
  EXPECT_EQ(Send(append, kSetupToken).status, 200);
  EXPECT_EQ(Send(append, kSetupToken).status, 200);
  const uint64_t size = Size();
  const HttpResponse over = Send(append, kSetupToken);
  EXPECT_EQ(over.status, 429);
  EXPECT_THAT(ErrorOf(over), HasSubstr("quota of setup (the rule for principal setup): at most "
                                       "0.001 entries a second in bursts of 2"));
  std::string retry_after;
  for (const auto& [name, value] : over.headers) {
    if (absl::EqualsIgnoreCase(name, "Retry-After")) retry_after = value;
  }
  EXPECT_EQ(retry_after, "1000");
  EXPECT_EQ(Size(), size);
  const HttpResponse page = Send({"GET", "/metrics", "", "", ""}, kSetupToken);
  EXPECT_THAT(page.body, HasSubstr("vellum_quota_refused_total{limit=\"entries\"} 1\n"));
}

}  // namespace
}  // namespace api
}  // namespace vellum
