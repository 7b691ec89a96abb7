#include "proof/add_checkpoint.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proof/hash.h"

namespace vellum {
namespace {

using ::testing::ElementsAre;

constexpr absl::string_view kNote = "example.com/log\n2\nroot\n\n\xE2\x80\x94 example.com/log sig\n";

std::vector<Hash> Hashes(int n) {
  std::vector<Hash> out;
  for (int i = 0; i < n; ++i) out.push_back(HashLeaf(absl::StrCat("leaf ", i)));
  return out;
}

void ExpectRefused(absl::string_view body, absl::string_view message) {
  absl::StatusOr<AddCheckpointRequest> parsed = ParseAddCheckpoint(body);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
      << absl::CHexEscape(body.substr(0, 80));
  EXPECT_EQ(std::string(parsed.status().message()), std::string(message)) << absl::CHexEscape(body.substr(0, 80));
}

TEST(AddCheckpointTest, FormatsTheSpecLayout) {
  std::vector<Hash> proof = Hashes(2);
  EXPECT_EQ(FormatAddCheckpoint(5, proof, kNote),
            absl::StrCat("old 5\n", HashToBase64(proof[0]), "\n", HashToBase64(proof[1]), "\n\n",
                         kNote));
  EXPECT_EQ(FormatAddCheckpoint(0, {}, kNote), absl::StrCat("old 0\n\n", kNote));
}

TEST(AddCheckpointTest, RoundTrips) {
  for (int lines : {0, 1, 17, 63}) {
    std::vector<Hash> proof = Hashes(lines);
    std::string body = FormatAddCheckpoint(1000 + lines, proof, kNote);
    absl::StatusOr<AddCheckpointRequest> parsed = ParseAddCheckpoint(body);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->old_size, 1000u + lines);
    EXPECT_EQ(parsed->proof, proof);
    EXPECT_EQ(parsed->checkpoint, kNote);
    EXPECT_EQ(FormatAddCheckpoint(parsed->old_size, parsed->proof, parsed->checkpoint), body);
  }
}

TEST(AddCheckpointTest, KeepsTheCheckpointAsItIs) {
  // The parser does not read the note: that is the witness's job, after it picks the keys.
  absl::StatusOr<AddCheckpointRequest> empty = ParseAddCheckpoint("old 0\n\n");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->checkpoint, "");
  absl::StatusOr<AddCheckpointRequest> odd = ParseAddCheckpoint("old 7\n\n\n\nnot a note");
  ASSERT_TRUE(odd.ok()) << odd.status();
  EXPECT_EQ(odd->old_size, 7u);
  EXPECT_THAT(odd->proof, ElementsAre());
  EXPECT_EQ(odd->checkpoint, "\n\nnot a note");
}

TEST(AddCheckpointTest, RefusesABadOldSizeLine) {
  ExpectRefused("", "no old size line");
  ExpectRefused("old 0", "no old size line");
  ExpectRefused(absl::StrCat("new 0\n\n", kNote), "the first line is not \"old <size>\"");
  ExpectRefused(absl::StrCat("old0\n\n", kNote), "the first line is not \"old <size>\"");
  ExpectRefused(absl::StrCat("old \n\n", kNote),
                "old size \"\" is empty, want a decimal number");
  ExpectRefused(absl::StrCat("old 00\n\n", kNote), "old size \"00\" has a leading zero");
  ExpectRefused(absl::StrCat("old -1\n\n", kNote), "old size \"-1\" is not a decimal number");
  ExpectRefused(absl::StrCat("old 1\r\n\n", kNote), "old size \"1\\r\" is not a decimal number");
  ExpectRefused(absl::StrCat("old  1\n\n", kNote), "old size \" 1\" is not a decimal number");
}

TEST(AddCheckpointTest, OldSizeUpToUint64Max) {
  absl::StatusOr<AddCheckpointRequest> max =
      ParseAddCheckpoint(absl::StrCat("old 18446744073709551615\n\n", kNote));
  ASSERT_TRUE(max.ok()) << max.status();
  EXPECT_EQ(max->old_size, UINT64_MAX);
  ExpectRefused(absl::StrCat("old 18446744073709551616\n\n", kNote),
                "old size \"18446744073709551616\" overflows 64 bits");
}

TEST(AddCheckpointTest, RefusesBadProofLines) {
  std::string good = absl::StrCat(HashToBase64(HashLeaf("a")), "\n");
  // Without the empty line, the note's first line is read as a proof line.
  ExpectRefused(absl::StrCat("old 1\n", kNote),
                "consistency proof line 1: invalid base64 (15 characters)");
  ExpectRefused(absl::StrCat("old 1\n", good),
                "no empty line between the proof and the checkpoint");
  ExpectRefused(absl::StrCat("old 1\nnot base64!\n\n", kNote),
                "consistency proof line 1: invalid base64 (11 characters)");
  // 31 bytes, strictly encoded.
  ExpectRefused(absl::StrCat("old 1\n", good, absl::Base64Escape(std::string(31, 'h')), "\n\n",
                             kNote),
                "consistency proof line 2: hash is 31 bytes, want 32");
  // The right length, but not the canonical encoding of its bytes: an unused low bit is set.
  constexpr absl::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string loose = HashToBase64(HashLeaf("a"));
  ASSERT_EQ(loose.size(), 44u);
  loose[42] = kAlphabet[kAlphabet.find(loose[42]) ^ 1];
  ExpectRefused(absl::StrCat("old 1\n", good, good, loose, "\n\n", kNote),
                "consistency proof line 3: invalid base64 (44 characters)");
  ExpectRefused(absl::StrCat("old 1\n", good, " \n\n", kNote),
                "consistency proof line 2: invalid base64 (1 characters)");
}

TEST(AddCheckpointTest, ProofLinesUpTo63) {
  std::string lines;
  for (const Hash& hash : Hashes(63)) absl::StrAppend(&lines, HashToBase64(hash), "\n");
  absl::StatusOr<AddCheckpointRequest> most =
      ParseAddCheckpoint(absl::StrCat("old 1\n", lines, "\n", kNote));
  ASSERT_TRUE(most.ok()) << most.status();
  EXPECT_EQ(most->proof.size(), kMaxAddCheckpointProofLines);
  ExpectRefused(absl::StrCat("old 1\n", lines, HashToBase64(HashLeaf("64")), "\n\n", kNote),
                "more than 63 consistency proof lines");
  // The count is checked before the 64th line is decoded.
  ExpectRefused(absl::StrCat("old 1\n", lines, "junk\n\n", kNote),
                "more than 63 consistency proof lines");
}

TEST(AddCheckpointTest, BodiesUpToTheLimit) {
  const std::string head = "old 0\n\n";
  std::string largest = head + std::string(kMaxAddCheckpointBytes - head.size(), 'x');
  absl::StatusOr<AddCheckpointRequest> parsed = ParseAddCheckpoint(largest);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->checkpoint.size(), kMaxAddCheckpointBytes - head.size());
  ExpectRefused(largest + "x", absl::StrCat("body is ", kMaxAddCheckpointBytes + 1,
                                            " bytes, want at most ", kMaxAddCheckpointBytes));
  // The largest body the spec allows fits: 63 proof lines of 45 bytes and a note of the largest
  // size, after an old size of 20 digits.
  EXPECT_GE(kMaxAddCheckpointBytes,
            std::string("old 18446744073709551615\n").size() + 63 * 45 + 1 + kMaxNoteSize);
}

TEST(TlogSizeTest, RoundTrips) {
  for (uint64_t size : {uint64_t{0}, uint64_t{20}, UINT64_MAX}) {
    EXPECT_EQ(FormatTlogSize(size), absl::StrCat(size, "\n"));
    EXPECT_EQ(ParseTlogSize(FormatTlogSize(size)).value(), size);
  }
  EXPECT_EQ(ParseTlogSize("20").value(), 20u);  // The newline is optional.
}

TEST(TlogSizeTest, RefusesWhatIsNotASize) {
  EXPECT_EQ(ParseTlogSize("").status(),
            absl::InvalidArgumentError("witness size \"\" is empty, want a decimal number"));
  EXPECT_EQ(ParseTlogSize("\n").status(),
            absl::InvalidArgumentError("witness size \"\" is empty, want a decimal number"));
  EXPECT_EQ(ParseTlogSize("20\n\n").status(),
            absl::InvalidArgumentError("witness size \"20\\n\" is not a decimal number"));
  EXPECT_EQ(ParseTlogSize("020\n").status(),
            absl::InvalidArgumentError("witness size \"020\" has a leading zero"));
  EXPECT_EQ(ParseTlogSize("size 20\n").status(),
            absl::InvalidArgumentError("witness size \"size 20\" is not a decimal number"));
}

}  // namespace
}  // namespace vellum
