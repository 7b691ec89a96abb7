#ifndef VELLUM_API_CLIENT_HTTP_LOG_READER_H_
#define VELLUM_API_CLIENT_HTTP_LOG_READER_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "api/client/log_client.h"
#include "ledger/storage.h"
#include "proof/tile.h"

namespace vellum {
namespace api {

// A log server's static resources (c2sp.org/tlog-tiles: /checkpoint, /tile/<L>/<N>[.p/<W>],
// /tile/entries/<N>[.p/<W>]) as a ledger::LogReader, so that the audit, the monitor's mirror and
// `vellum fsck` read a log over HTTP as the server's own tile reader reads its store. Errors are
// the fetcher's (LogFetcher::Get): NotFound for a 404, Unavailable for a failed exchange.
// Thread-safe: calls to the fetcher are serialized.
class HttpLogReader : public ledger::LogReader {
 public:
  // `fetcher` must outlive the reader, and must not be used by others while the reader is.
  explicit HttpLogReader(LogFetcher& fetcher) : fetcher_(fetcher) {}

  // The served checkpoint note and the size parsed from its text. NOTHING IS VERIFIED: the note
  // is whatever the server sent, so callers open it with the log's key (OpenCheckpoint) before
  // trusting the size or anything read for it. InvalidArgument when the note's text is not a
  // checkpoint.
  absl::StatusOr<std::pair<uint64_t, std::string>> ReadCheckpoint() const override;
  absl::StatusOr<std::string> ReadTile(const TileId& tile) const override;
  absl::StatusOr<std::string> ReadEntryBundle(const EntryBundleId& bundle) const override;

 private:
  absl::StatusOr<std::string> Get(const std::string& target) const;

  mutable absl::Mutex mu_;
  LogFetcher& fetcher_ ABSL_GUARDED_BY(mu_);
};

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_CLIENT_HTTP_LOG_READER_H_
