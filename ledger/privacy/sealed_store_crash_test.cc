// Kill -9 during erasure: an erasure that was acknowledged leaves no copy of the subject's
// records in any file after the store is reopened, whatever instant the process died at
// (between the synced deletion and the rewrite, inside the rewrite, in the middle of the swap).

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "ledger/file_io.h"
#include "ledger/privacy/sealed_store.h"
#include "ledger/testing/file_bytes.h"

namespace vellum {
namespace ledger {
namespace {

const std::string kLookupKey(32, 'K');
constexpr int kSubjects = 40;



// In a child: erases every pseudonym in order, writing each one's index to `ack_fd` once Erase
// has returned OK. Never returns.
[[noreturn]] void EraseAll(const std::string& dir, const std::vector<std::string>& pseudonyms,
                           int ack_fd) {
  auto store = SealedStore::Open(dir, kLookupKey);
  if (!store.ok()) _exit(2);
  for (size_t i = 0; i < pseudonyms.size(); ++i) {
    if (!(*store)->Erase(pseudonyms[i]).ok()) _exit(3);
    unsigned char index = static_cast<unsigned char>(i);
    if (write(ack_fd, &index, 1) != 1) _exit(4);
  }
  _exit(0);
}

TEST(SealedStoreCrashTest, AnAcknowledgedErasureSurvivesKill9AtAnyPoint) {
  // Each round kills the child after a different number of acknowledged erasures, so the kill
  // falls at a different point of the next erasure.
  for (int round = 0; round < 8; ++round) {
    const std::string dir = absl::StrCat(::testing::TempDir(), "/crash-", round);
    std::vector<std::string> pseudonyms;
    {
      auto store = SealedStore::Open(dir, kLookupKey);
      ASSERT_TRUE(store.ok()) << store.status();
      for (int s = 0; s < kSubjects; ++s) {
        const std::string subject = absl::StrCat("subject-", s, "@example.com");
        auto refs = (*store)->Seal({SealRequest{"actor.subject", subject, subject},
                                    SealRequest{"context.source_ip", subject, "192.0.2.1"}},
                                   absl::Now());
        ASSERT_TRUE(refs.ok()) << refs.status();
        pseudonyms.push_back((*refs)[0].pseudonym);
      }
    }
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      EraseAll(dir, pseudonyms, fds[1]);
    }
    close(fds[1]);
    // Wait for `round * 3 + 1` acknowledgements (a state, not a time), then kill.
    const int want_acks = round * 3 + 1;
    int acked = 0;
    unsigned char index;
    while (acked < want_acks && read(fds[0], &index, 1) == 1) ++acked;
    kill(child, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    // Acknowledgements written before the kill and not read yet count too.
    while (read(fds[0], &index, 1) == 1) ++acked;
    close(fds[0]);
    ASSERT_GE(acked, want_acks) << "the child died before it was killed: status " << status;

    auto store = SealedStore::Open(dir, kLookupKey);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_FALSE(PathExists(dir + ".rewrite"));
    EXPECT_FALSE(PathExists(dir + ".old"));
    int erased = 0;
    for (int s = 0; s < kSubjects; ++s) {
      const std::string subject = absl::StrCat("subject-", s, "@example.com");
      auto found = (*store)->FindPseudonym(subject);
      if (s < acked) {
        EXPECT_EQ(found.status().code(), absl::StatusCode::kNotFound) << "round " << round << s;
      }
      if (!found.ok()) {
        ++erased;
        continue;
      }
      // Not erased: still whole.
      EXPECT_EQ(*found, pseudonyms[s]);
      auto count = (*store)->CountValues(pseudonyms[s]);
      ASSERT_TRUE(count.ok());
      EXPECT_EQ(*count, 2u);
    }
    // At most the one erasure in flight went through without its acknowledgement.
    EXPECT_LE(erased, acked + 1);
    store->reset();
    const std::string files = AllFileBytes(dir);
    for (int s = 0; s < kSubjects; ++s) {
      // Erasures go in order, so the first `erased` subjects are the erased ones; the others'
      // records are there to show that the search would find a pseudonym if it were kept.
      EXPECT_EQ(files.find(pseudonyms[s]) == std::string::npos, s < erased)
          << "round " << round << " subject " << s;
    }
  }
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
