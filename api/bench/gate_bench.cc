#include "api/bench/gate_bench.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "api/bench/bench.h"
#include "api/bench/events_bench.h"
#include "api/gate/gate_api.pb.h"
#include "google/protobuf/util/json_util.h"

namespace vellum {
namespace api {
namespace bench {

absl::StatusOr<GateBenchResult> RunGateBench(const GateBenchOptions& options) {
  if (absl::Status s = CheckClients(options.clients, options.requests); !s.ok()) return s;
  LoadOptions load =
      ClosedLoop(options.url, options.tls, options.clients, options.requests, options.max_time);
  load.method = "POST";
  load.headers = ProtobufHeaders(options.token);
  load.headers.emplace_back("Content-Type", "application/json");
  const uint64_t nonce = RunNonce();
  std::vector<GateBenchResult> per_client(options.clients);
  auto fill = [&](int, uint64_t number, LoadRequest* request) {
    if (request->target.empty()) request->target = "/v1/gate/check";
    GateCheckRequest check;
    check.set_action("deploy");
    check.set_model(BenchModel(static_cast<uint32_t>(number % kBenchModels)));
    check.set_version("1");
    check.set_digest("sha256:0123456789abcdef");
    check.set_environment(options.environment);
    check.set_request_id(absl::StrCat("bench-", nonce, "-", number));
    request->body.clear();
    (void)google::protobuf::util::MessageToJsonString(check, &request->body);
  };
  auto check = [&](int connection, const LoadRequest&, const std::string& body) -> absl::Status {
    GateCheckResponse answer;
    if (!answer.ParseFromString(body) || answer.receipt().empty() || answer.duplicate()) {
      return absl::InvalidArgumentError("malformed GateCheckResponse, or one without a receipt");
    }
    GateBenchResult& mine = per_client[connection];
    if (answer.allowed()) ++mine.allowed;
    mine.first_index = std::min<uint64_t>(mine.first_index, answer.index());
    mine.last_index = std::max<uint64_t>(mine.last_index, answer.index());
    return absl::OkStatus();
  };
  absl::StatusOr<BenchResult> bench = RunLoad(load, fill, check);
  if (!bench.ok()) return bench.status();
  GateBenchResult result;
  result.bench = *std::move(bench);
  for (const GateBenchResult& mine : per_client) {
    result.allowed += mine.allowed;
    result.first_index = std::min(result.first_index, mine.first_index);
    result.last_index = std::max(result.last_index, mine.last_index);
  }
  return result;
}

std::string GateBenchJson(const GateBenchOptions& options, GateBenchResult& result) {
  JsonObject json;
  json.Add("benchmark", "gate")
      .Add("decisions", result.bench.operations)
      .Add("allowed", result.allowed)
      .Add("clients", static_cast<uint64_t>(options.clients))
      .Add("environment", options.environment)
      .Add("decisions_per_second", PerSecond(result.bench.operations, result.bench.seconds));
  AddCommonFields(result.bench, json);
  return json.ToString();
}

}  // namespace bench
}  // namespace api
}  // namespace vellum
