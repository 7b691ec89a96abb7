#ifndef VELLUM_LEDGER_TESTING_GROWING_LOG_H_
#define VELLUM_LEDGER_TESTING_GROWING_LOG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ledger/memory_storage.h"
#include "ledger/sequencer.h"
#include "proof/note.h"

namespace vellum {
namespace ledger {

// A log grown by the real sequencer over a MemoryStorage (which deletes superseded partial tiles,
// as LevelDbStorage does), with a fresh key named "example.com/test-log", remembering the head
// after every GrowTo(). Entry i is Entry(i) with the constructor's prefix. For tests of what
// reads a log; thread-compatible.
class GrowingLog {
 public:
  explicit GrowingLog(std::string entry_prefix = "");

  // A log grown, one GrowTo() each, to the sizes around tile and bundle edges up to a level-2
  // tile: 1, 2, 255, 256, 257, 511, 512, 513, 65535, 65536, 65537, 65536 + 256 * 3 + 7 and
  // 131072 + 1.
  static std::unique_ptr<GrowingLog> AtEdgeSizes();

  static std::string Entry(uint64_t i);

  // Appends entries until the tree has `size` leaves, in one call.
  void GrowTo(uint64_t size);

  // The head of size `size` among heads(); fails the test if there is none.
  const LogHead& HeadOfSize(uint64_t size) const;

  const MemoryStorage& storage() const { return storage_; }
  const NoteVerifier& verifier() const { return *verifier_; }
  const GeneratedKey& key() const { return key_; }
  const std::vector<std::shared_ptr<const LogHead>>& heads() const { return heads_; }
  std::shared_ptr<const LogHead> head() const { return sequencer_->Head(); }

 private:
  GeneratedKey key_;
  std::unique_ptr<NoteSigner> signer_;
  std::unique_ptr<NoteVerifier> verifier_;
  MemoryStorage storage_;
  std::unique_ptr<Sequencer> sequencer_;
  const std::string prefix_;
  std::vector<std::shared_ptr<const LogHead>> heads_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_TESTING_GROWING_LOG_H_
