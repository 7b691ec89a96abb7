#include "fuzz/service_log.h"

#include <atomic>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "fuzz/fuzz_checks.h"

namespace vellum {
namespace fuzz {
namespace {

// A test key (example.com/fuzz), not used anywhere else.
constexpr char kSignerKey[] =
    "PRIVATE+KEY+example.com/fuzz+01fd5c43+AcMrUpcXzvN4cOjWa/AtTZp0uF/0UH159WMOkOP9V8KB";

}  // namespace

ServiceLog::ServiceLog(const ServiceLogOptions& options) {
  absl::StatusOr<std::unique_ptr<NoteSigner>> signer = NoteSigner::Create(kSignerKey);
  CheckOk(signer.status(), "test key");
  signer_ = *std::move(signer);
  verifier_key_ = signer_->VerifierKey();
  absl::StatusOr<std::unique_ptr<NoteVerifier>> verifier = NoteVerifier::Create(verifier_key_);
  CheckOk(verifier.status(), "test verifier key");
  verifier_ = *std::move(verifier);
  api::LogService::Options service_options;
  absl::StatusOr<std::unique_ptr<ledger::Sequencer>> sequencer =
      ledger::Sequencer::Create(&storage_, signer_.get(), ledger::SequencerOptions());
  CheckOk(sequencer.status(), "sequencer");
  sequencer_ = *std::move(sequencer);
  service_options.worker_threads = 1;
  service_ = std::make_unique<api::LogService>(sequencer_.get(), &storage_, verifier_key_,
                                               service_options);
  if (options.token != nullptr) {
    absl::StatusOr<std::unique_ptr<ledger::identity::TokenSet>> tokens =
        ledger::identity::TokenSet::Parse(ledger::identity::TokenSet::Line(options.token));
    CheckOk(tokens.status(), "token file");
    absl::StatusOr<std::shared_ptr<const api::AccessRules>> rules =
        api::TokenFileRules(*std::move(tokens));
    CheckOk(rules.status(), "access rules");
    authorizer_ = std::make_unique<api::Authorizer>(*std::move(rules), api::Authorizer::Options());
  }
  Record();
  uint64_t next = 0;
  for (uint64_t batch = 1; next < options.initial_entries; ++batch) {
    std::vector<std::string> entries;
    for (; entries.size() < batch && next < options.initial_entries; ++next) {
      entries.push_back(options.initial_entry(next));
    }
    CheckOk(sequencer_->Append(std::move(entries)).status(), "pre-filling the log");
    Record();
  }
}

api::HttpResponse ServiceLog::Call(api::HttpRequest request) {
  struct Slot {
    std::atomic<int> calls{0};
    api::HttpResponse response;
    absl::Notification done;
  };
  auto slot = std::make_shared<Slot>();
  api::HttpServer::Respond respond = [slot](api::HttpResponse response) {
    Check(slot->calls.fetch_add(1) == 0, "respond called twice");
    slot->response = std::move(response);
    slot->done.Notify();
  };
  if (authorizer_ != nullptr) {
    // As the HTTP server does: admitted from the header, then handled with its caller.
    api::LogService* service = service_.get();
    authorizer_->Admit(request, [&request, service, respond](
                                    api::HttpServer::Admission admission) {
      if (admission.answer.has_value()) return respond(*std::move(admission.answer));
      request.caller = std::move(admission.caller);
      service->Handle(std::move(request), respond);
    });
  } else {
    service_->Handle(std::move(request), std::move(respond));
  }
  slot->done.WaitForNotification();
  Record();
  CheckResponseShape(slot->response);
  return std::move(slot->response);
}

api::HttpResponse ServiceLog::Get(std::string target) {
  api::HttpRequest request;
  request.method = "GET";
  request.target = std::move(target);
  return Call(std::move(request));
}

std::string ServiceLog::Entry(uint64_t index) {
  api::HttpResponse response = Get(absl::StrCat("/v1/entries/", index));
  Check(response.status == 200, "cannot read back an entry of the tree");
  return response.body;
}

const Hash* ServiceLog::RootAt(uint64_t size) const {
  auto it = roots_.find(size);
  return it == roots_.end() ? nullptr : &it->second;
}

void ServiceLog::Record() {
  std::shared_ptr<const ledger::LogHead> head = sequencer_->Head();
  roots_.emplace(head->size, head->root);
}

void DisablePerInputLeakChecks(int* argc, char*** argv) {
  static std::vector<char*>* args = new std::vector<char*>((*argv), (*argv) + *argc);
  for (char* arg : *args) {
    if (absl::StartsWith(arg, "-detect_leaks=")) return;
  }
  static char kNoLeakChecks[] = "-detect_leaks=0";
  args->push_back(kNoLeakChecks);
  args->push_back(nullptr);
  *argc = static_cast<int>(args->size()) - 1;
  *argv = args->data();
}

}  // namespace fuzz
}  // namespace vellum
