#ifndef VELLUM_TOOLS_STORAGE_FETCHER_H_
#define VELLUM_TOOLS_STORAGE_FETCHER_H_

#include "ledger/storage.h"
#include "tools/log_client.h"

namespace vellum {
namespace cli {

// A LogFetcher that answers from a store on disk what vellumd would serve over HTTP: the
// checkpoint, tiles and entry bundles. It lets `vellum fsck` run the monitor's audit (AuditLog)
// on a stopped log. Thread-compatible.
class StorageLogFetcher : public LogFetcher {
 public:
  // `storage` must outlive the fetcher.
  explicit StorageLogFetcher(const ledger::LogReader& storage) : storage_(storage) {}

  // Answers "/checkpoint", "/tile/<L>/<N>[.p/<W>]" and "/tile/entries/<N>[.p/<W>]"; NotFound
  // for anything else or anything not stored, InvalidArgument for a malformed path, and
  // Unavailable for a storage error.
  absl::StatusOr<std::string> Get(absl::string_view target) override;

 private:
  const ledger::LogReader& storage_;
};

}  // namespace cli
}  // namespace vellum

#endif  // VELLUM_TOOLS_STORAGE_FETCHER_H_
