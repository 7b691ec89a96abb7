// Fuzzes every ingestion adapter's Parse (api/ingest/): the untrusted headers and body of a
// delivery.
//
// Input: one byte choosing the adapter, one flags byte, then "Name: value" header lines up to a
// blank line, then the body. With flag bit 0 set, the fuzzer signs the delivery with the test
// secret the way the adapter's source would, so that the parsing behind the signature check is
// reached. Invariants: the result is events or an InvalidArgument / Unauthenticated error; every
// event passes ValidateEvent and survives EncodeEntry / DecodeEntry unchanged; an unsigned
// delivery to a signing adapter never yields events; and neither the secret nor the computed
// signature appears in an event or an error, unless the input itself holds it.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "api/http.h"
#include "api/ingest/adapter.h"
#include "api/ingest/cloudevents.h"
#include "api/ingest/databricks.h"
#include "api/ingest/github.h"
#include "api/ingest/k8s_audit.h"
#include "api/ingest/mlflow.h"
#include "api/ingest/sagemaker.h"
#include "google/protobuf/util/message_differencer.h"
#include "ledger/events/event_codec.h"
#include "proof/crypto.h"

namespace {

using vellum::api::HttpRequest;
using vellum::api::ingest::Adapter;
using vellum::ledger::AuditEvent;

constexpr absl::string_view kSecret = "fuzz-secret-5e1d4c";
// The receive time that matches the MLflow seed's X-MLflow-Timestamp.
const absl::Time kReceived = absl::FromUnixSeconds(1792030663);

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "ingest_adapter_fuzzer: %s\n", what);
  __builtin_trap();
}

std::vector<std::unique_ptr<Adapter>> MakeAdapters() {
  std::vector<std::unique_ptr<Adapter>> adapters;
  adapters.push_back(*vellum::api::ingest::NewMlflowAdapter({{std::string(kSecret)}, "mlflow"}));
  adapters.push_back(*vellum::api::ingest::NewDatabricksAdapter({{std::string(kSecret)}, "ws"}));
  adapters.push_back(*vellum::api::ingest::NewGithubAdapter({{std::string(kSecret)}, {}}));
  adapters.push_back(*vellum::api::ingest::NewK8sAuditAdapter(
      {"cluster", vellum::api::ingest::DefaultK8sResourceRules(), 100}));
  adapters.push_back(vellum::api::ingest::NewCloudEventsAdapter());
  adapters.push_back(vellum::api::ingest::NewSageMakerAdapter());
  return adapters;
}

std::string Mac(absl::string_view data) {
  const vellum::crypto::Sha256Digest mac = vellum::crypto::HmacSha256(kSecret, data);
  return std::string(mac.begin(), mac.end());
}

// Signs `request` as the adapter's source would; returns the signature as sent.
std::string Sign(absl::string_view adapter, HttpRequest* request) {
  std::string signature;
  if (adapter == "mlflow") {
    signature = absl::StrCat(
        "v1,", absl::Base64Escape(Mac(absl::StrCat(request->Header("x-mlflow-delivery-id"), ".",
                                                   request->Header("x-mlflow-timestamp"), ".",
                                                   request->body))));
    request->headers["x-mlflow-signature"] = signature;
  } else if (adapter == "databricks") {
    signature = absl::BytesToHexString(Mac(request->body));
    request->headers["x-databricks-signature"] = signature;
  } else if (adapter == "github") {
    signature = absl::StrCat("sha256=", absl::BytesToHexString(Mac(request->body)));
    request->headers["x-hub-signature-256"] = signature;
  }
  return signature;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::unique_ptr<Adapter>>* adapters =
      new std::vector<std::unique_ptr<Adapter>>(MakeAdapters());
  if (size < 2) return 0;
  const Adapter& adapter = *(*adapters)[data[0] % adapters->size()];
  const bool sign = (data[1] & 1) != 0;
  const absl::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);

  HttpRequest request;
  request.method = "POST";
  const size_t blank = input.find("\n\n");
  const absl::string_view head = blank == absl::string_view::npos ? "" : input.substr(0, blank);
  request.body = std::string(blank == absl::string_view::npos ? input : input.substr(blank + 2));
  for (absl::string_view line : absl::StrSplit(head, '\n')) {
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    request.headers[absl::AsciiStrToLower(line.substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  const std::string signature = sign ? Sign(adapter.name(), &request) : "";
  // Text the input carries may rightly reach an event; the secret and signature must not
  // otherwise.
  const bool secret_in_input = absl::StrContains(input, kSecret);
  const bool signature_checkable = signature.size() >= 16 && !absl::StrContains(input, signature);

  absl::StatusOr<std::vector<AuditEvent>> result = adapter.Parse(request, kReceived);
  if (!result.ok()) {
    const absl::StatusCode code = result.status().code();
    Check(code == absl::StatusCode::kInvalidArgument || code == absl::StatusCode::kUnauthenticated,
          "errors must be InvalidArgument or Unauthenticated");
    Check(secret_in_input || !absl::StrContains(result.status().message(), kSecret),
          "the secret is in an error");
    Check(!signature_checkable || !absl::StrContains(result.status().message(), signature),
          "the signature is in an error");
    return 0;
  }
  Check(!adapter.verifies_signature() || sign || result->empty(),
        "a delivery without a valid signature was accepted");
  for (const AuditEvent& event : *result) {
    Check(vellum::ledger::ValidateEvent(event).ok(), "an adapter produced an invalid event");
    absl::StatusOr<std::string> entry = vellum::ledger::EncodeEntry(event);
    Check(entry.ok(), "a valid event did not encode");
    Check(secret_in_input || !absl::StrContains(*entry, kSecret), "the secret is in an event");
    Check(!signature_checkable || !absl::StrContains(*entry, signature),
          "the signature is in an event");
    absl::StatusOr<AuditEvent> decoded = vellum::ledger::DecodeEntry(*entry);
    Check(decoded.ok(), "an encoded event did not decode");
    Check(google::protobuf::util::MessageDifferencer::Equals(*decoded, event),
          "an event changed through EncodeEntry / DecodeEntry");
  }
  return 0;
}
