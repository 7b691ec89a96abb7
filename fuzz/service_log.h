#ifndef VELLUM_FUZZ_SERVICE_LOG_H_
#define VELLUM_FUZZ_SERVICE_LOG_H_

// The log behind the fuzz targets of the HTTP service: a real api::LogService over a real
// ledger::Sequencer and ledger::MemoryStorage with a fixed test key, pre-filled, created once per
// process and never destroyed (the fuzzer exits with it running).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "api/authorizer.h"
#include "api/http.h"
#include "api/log_service.h"
#include "ledger/memory_storage.h"
#include "ledger/sequencer.h"
#include "proof/hash.h"
#include "proof/note.h"

namespace vellum {
namespace fuzz {

struct ServiceLogOptions {
  // When set, an api::Authorizer with the rules of a token file holding this one token
  // (api::TokenFileRules) stands in front of the service: appends need
  // `Authorization: Bearer <token>`, reads are open. Without, nothing checks the caller.
  const char* token = nullptr;
  // The log is pre-filled with this many entries, in batches of 1, 2, 3, ... entries so that
  // many sizes (and partial tiles) were checkpointed; entry i is initial_entry(i).
  uint64_t initial_entries = 0;
  std::function<std::string(uint64_t)> initial_entry;
};

// Used from the fuzzing thread only.
class ServiceLog {
 public:
  explicit ServiceLog(const ServiceLogOptions& options);

  ServiceLog(const ServiceLog&) = delete;
  ServiceLog& operator=(const ServiceLog&) = delete;

  // Handles `request` and waits for its response; checks that `respond` is called exactly once
  // and the response's shape (CheckResponseShape), and records the root of the current size.
  api::HttpResponse Call(api::HttpRequest request);
  api::HttpResponse Get(std::string target);

  // The entry at `index` of the tree, read through the service.
  std::string Entry(uint64_t index);

  uint64_t size() const { return sequencer_->Head()->size; }
  const NoteVerifier& verifier() const { return *verifier_; }
  const std::string& verifier_key() const { return verifier_key_; }
  // The root of the tree of `size` leaves, if this process saw that size committed.
  const Hash* RootAt(uint64_t size) const;

 private:
  void Record();

  ledger::MemoryStorage storage_;
  std::unique_ptr<NoteSigner> signer_;
  std::string verifier_key_;
  std::unique_ptr<NoteVerifier> verifier_;
  std::unique_ptr<ledger::Sequencer> sequencer_;
  std::unique_ptr<api::LogService> service_;
  std::unique_ptr<api::Authorizer> authorizer_;
  std::map<uint64_t, Hash> roots_;
};

// Called from LLVMFuzzerInitialize. The log keeps what each append adds, so under libFuzzer
// every successful append looks like a leak and triggers a full LeakSanitizer scan of the heap,
// which makes appends crawl. Turns per-input leak checks off unless the command
// line sets -detect_leaks itself; the check at exit stays.
void DisablePerInputLeakChecks(int* argc, char*** argv);

}  // namespace fuzz
}  // namespace vellum

#endif  // VELLUM_FUZZ_SERVICE_LOG_H_
