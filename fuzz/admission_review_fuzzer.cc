// Fuzzes api::ParseAdmissionReview and api::PlanAdmission, the gate's Kubernetes admission
// webhook (POST /v1/admission), whose body comes from the API server.
//
// Input: the AdmissionReview JSON. Invariants: neither crashes; parsing fails only with
// InvalidArgument and a message; a parsed request's operation is one of the four; a plan that
// checks the gate names a deploy with a model and version and a request id from the request's
// uid, and a plan that does not has a message; the answer for it is an AdmissionReview of the
// same uid.

#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "api/gate/admission.h"

namespace {

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "admission_review_fuzzer: %s\n", what);
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using vellum::api::AdmissionPlan;
  static const vellum::api::AdmissionConfig* const config = [] {
    auto* c = new vellum::api::AdmissionConfig();
    c->namespaces = {{"ml-prod", "production"}, {"ml-*", "staging"}};
    c->exempt_namespaces = {"vellum-system"};
    return c;
  }();
  const absl::string_view json(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<vellum::api::AdmissionRequest> request =
      vellum::api::ParseAdmissionReview(json, *config);
  if (!request.ok()) {
    Check(request.status().code() == absl::StatusCode::kInvalidArgument, "unexpected error code");
    Check(!request.status().message().empty(), "empty error message");
    return 0;
  }
  Check(request->operation == "CREATE" || request->operation == "UPDATE" ||
            request->operation == "DELETE" || request->operation == "CONNECT",
        "unknown operation accepted");
  Check(!request->uid.empty(), "request without uid accepted");
  const AdmissionPlan plan = vellum::api::PlanAdmission(*config, *request);
  if (plan.kind == AdmissionPlan::Kind::kCheck) {
    Check(plan.check.request.action == vellum::ledger::ACTION_DEPLOY, "check is not a deploy");
    Check(!plan.check.request.model.empty() && !plan.check.request.version.empty(),
          "check without model or version");
    Check(plan.check.request_id == "admission/" + request->uid, "request id is not the uid's");
  } else {
    Check(!plan.message.empty(), "plan without a message");
  }
  const std::string answer = vellum::api::AdmissionReviewAnswer(
      request->uid, plan.kind == AdmissionPlan::Kind::kAllow, 403, plan.message, {});
  Check(absl::StrContains(answer, "\"kind\":\"AdmissionReview\""), "answer is no AdmissionReview");
  return 0;
}
