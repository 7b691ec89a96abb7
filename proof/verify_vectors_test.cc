// Runs every inclusion and consistency vector of transparency-dev/merkle (testdata/merkle) through
// the verifier.
//
// A few vectors hold "hashes" that are not 32 bytes ("WrongRoot", "", "don't care 1"). The Hash
// type cannot carry them, so those inputs stop at the typed boundary, HashFromBase64, which is
// where a Vellum verifier rejects them. Exactly one such vector expects success: equal sizes 1 and
// 1, equal opaque roots, empty proof. Its claim does not depend on the root bytes, so it is checked
// with both roots replaced by one real hash; the test pins that this is the only substitution.

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "proof/hash.h"
#include "proof/verify.h"

namespace vellum {
namespace {

namespace fs = std::filesystem;

// Just enough JSON for the vector files: one object of numbers, strings, booleans, null and arrays
// of strings. Anything else is an error, so a format change cannot go unnoticed.
struct Value {
  enum class Kind { kNull, kBool, kNumber, kString, kArray } kind = Kind::kNull;
  bool boolean = false;
  uint64_t number = 0;
  std::string string;
  std::vector<std::string> array;
};
using Object = std::map<std::string, Value>;

class Parser {
 public:
  explicit Parser(absl::string_view text) : text_(text) {}

  absl::StatusOr<Object> ParseObject() {
    Object object;
    if (!Consume('{')) return Error("want '{'");
    if (Consume('}')) return Finish(std::move(object));
    do {
      absl::StatusOr<std::string> key = ParseString();
      if (!key.ok()) return key.status();
      if (!Consume(':')) return Error("want ':'");
      absl::StatusOr<Value> value = ParseValue();
      if (!value.ok()) return value.status();
      if (!object.emplace(*key, std::move(*value)).second) return Error("duplicate key " + *key);
    } while (Consume(','));
    if (!Consume('}')) return Error("want '}'");
    return Finish(std::move(object));
  }

 private:
  absl::StatusOr<Object> Finish(Object object) {
    SkipSpace();
    if (pos_ != text_.size()) return Error("trailing data");
    return object;
  }

  absl::StatusOr<Value> ParseValue() {
    SkipSpace();
    Value v;
    if (ConsumeWord("null")) return v;
    if (ConsumeWord("true")) {
      v.kind = Value::Kind::kBool;
      v.boolean = true;
      return v;
    }
    if (ConsumeWord("false")) {
      v.kind = Value::Kind::kBool;
      return v;
    }
    if (pos_ < text_.size() && absl::ascii_isdigit(text_[pos_])) {
      size_t end = pos_;
      while (end < text_.size() && absl::ascii_isdigit(text_[end])) ++end;
      v.kind = Value::Kind::kNumber;
      if (!absl::SimpleAtoi(text_.substr(pos_, end - pos_), &v.number)) return Error("bad number");
      pos_ = end;
      return v;
    }
    if (pos_ < text_.size() && text_[pos_] == '"') {
      absl::StatusOr<std::string> s = ParseString();
      if (!s.ok()) return s.status();
      v.kind = Value::Kind::kString;
      v.string = *std::move(s);
      return v;
    }
    if (Consume('[')) {
      v.kind = Value::Kind::kArray;
      if (Consume(']')) return v;
      do {
        absl::StatusOr<std::string> s = ParseString();
        if (!s.ok()) return s.status();
        v.array.push_back(*std::move(s));
      } while (Consume(','));
      if (!Consume(']')) return Error("want ']'");
      return v;
    }
    return Error("unexpected value");
  }

  absl::StatusOr<std::string> ParseString() {
    if (!Consume('"')) return Error("want '\"'");
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c == '\\') {
        if (pos_ >= text_.size()) return Error("bad escape");
        c = text_[pos_++];
        if (c != '"' && c != '\\' && c != '/') return Error("unsupported escape");
      } else if (static_cast<unsigned char>(c) < 0x20) {
        return Error("control character in string");
      }
      out.push_back(c);
    }
    if (!Consume('"')) return Error("unterminated string");
    return out;
  }

  void SkipSpace() {
    while (pos_ < text_.size() && absl::ascii_isspace(text_[pos_])) ++pos_;
  }
  bool Consume(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool ConsumeWord(absl::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(what, " at offset ", pos_));
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

fs::path VectorRoot() {
  // Bazel runs tests in the workspace's runfiles directory; TEST_SRCDIR names its parent.
  if (const char* srcdir = std::getenv("TEST_SRCDIR")) {
    fs::path p = fs::path(srcdir) / "vellum" / "testdata" / "merkle";
    if (fs::is_directory(p)) return p;
  }
  return fs::path("testdata") / "merkle";
}

struct Vector {
  std::string path;  // Relative to the vector root.
  Object fields;
};

// Every *.json file under `dir`, parsed; fails the test on any unreadable or malformed file.
std::vector<Vector> LoadAll(const fs::path& root, const std::string& kind, size_t* on_disk) {
  std::vector<Vector> vectors;
  *on_disk = 0;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root / kind)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    ++*on_disk;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string relative = fs::relative(entry.path(), root).string();
    absl::StatusOr<Object> object = Parser(buffer.str()).ParseObject();
    if (!object.ok()) {
      ADD_FAILURE() << relative << ": " << object.status();
      continue;
    }
    vectors.push_back(Vector{relative, *std::move(object)});
  }
  return vectors;
}

// Typed access to a vector's fields; records the first problem and then returns defaults.
class Fields {
 public:
  explicit Fields(const Vector& v) : v_(v) {}

  uint64_t Number(const std::string& key) {
    const Value* value = Get(key, Value::Kind::kNumber);
    return value ? value->number : 0;
  }
  bool Bool(const std::string& key) {
    const Value* value = Get(key, Value::Kind::kBool);
    return value ? value->boolean : false;
  }
  std::string String(const std::string& key) {
    const Value* value = Get(key, Value::Kind::kString);
    return value ? value->string : "";
  }
  // A JSON array of base64 strings; null means empty, as Go's encoding/json writes a nil slice.
  std::vector<std::string> StringList(const std::string& key) {
    auto it = v_.fields.find(key);
    if (it != v_.fields.end() && it->second.kind == Value::Kind::kNull) return {};
    const Value* value = Get(key, Value::Kind::kArray);
    return value ? value->array : std::vector<std::string>();
  }
  const absl::Status& status() const { return status_; }

 private:
  const Value* Get(const std::string& key, Value::Kind kind) {
    auto it = v_.fields.find(key);
    if (it == v_.fields.end() || it->second.kind != kind) {
      if (status_.ok()) status_ = absl::InvalidArgumentError("missing or mistyped field " + key);
      return nullptr;
    }
    return &it->second;
  }

  const Vector& v_;
  absl::Status status_;
};

// Decodes base64 hashes; the first failure is the vector's rejection at the typed boundary.
class Hashes {
 public:
  Hash One(const std::string& b64) {
    absl::StatusOr<Hash> h = HashFromBase64(b64);
    if (!h.ok()) {
      if (status_.ok()) status_ = h.status();
      return Hash{};
    }
    return *h;
  }
  std::vector<Hash> All(const std::vector<std::string>& b64s) {
    std::vector<Hash> out;
    for (const std::string& s : b64s) out.push_back(One(s));
    return out;
  }
  const absl::Status& status() const { return status_; }

 private:
  absl::Status status_;
};

// Checks a vector that did not fit the Hash type: it must be rejected, at decoding, with the
// length in the message.
void ExpectRejectedAtBoundary(const absl::Status& status) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(status.message(), "hash is ") ||
              absl::StartsWith(status.message(), "invalid base64"))
      << status;
}

struct Tally {
  size_t accepted = 0;
  size_t rejected_by_verifier = 0;
  size_t rejected_at_boundary = 0;
  size_t substituted = 0;
};

constexpr size_t kMinimumVectors = 150;

TEST(VerifyVectorsTest, Inclusion) {
  const fs::path root = VectorRoot();
  ASSERT_TRUE(fs::is_directory(root / "inclusion")) << root;
  size_t on_disk = 0;
  const std::vector<Vector> vectors = LoadAll(root, "inclusion", &on_disk);
  Tally tally;
  for (const Vector& v : vectors) {
    SCOPED_TRACE(v.path);
    Fields f(v);
    const uint64_t index = f.Number("leafIdx");
    const uint64_t size = f.Number("treeSize");
    const std::string root_b64 = f.String("root");
    const std::string leaf_b64 = f.String("leafHash");
    const std::vector<std::string> proof_b64 = f.StringList("proof");
    const bool want_err = f.Bool("wantErr");
    ASSERT_TRUE(f.status().ok()) << f.status();

    Hashes h;
    const Hash leaf = h.One(leaf_b64);
    const std::vector<Hash> proof = h.All(proof_b64);
    const Hash tree_root = h.One(root_b64);
    if (!h.status().ok()) {
      EXPECT_TRUE(want_err) << "valid vector with a non-32-byte hash: " << h.status();
      ExpectRejectedAtBoundary(h.status());
      ++tally.rejected_at_boundary;
      continue;
    }
    const absl::Status s = VerifyInclusion(index, size, leaf, proof, tree_root);
    if (want_err) {
      EXPECT_FALSE(s.ok()) << "accepted a corrupted proof";
      EXPECT_TRUE(s.code() == absl::StatusCode::kInvalidArgument ||
                  s.code() == absl::StatusCode::kOutOfRange)
          << s;
      ++tally.rejected_by_verifier;
    } else {
      EXPECT_TRUE(s.ok()) << s;
      ++tally.accepted;
    }
  }
  std::cout << "inclusion vectors: " << vectors.size() << " loaded of " << on_disk
            << " on disk; accepted " << tally.accepted << ", rejected by the verifier "
            << tally.rejected_by_verifier << ", rejected at the Hash boundary "
            << tally.rejected_at_boundary << std::endl;
  EXPECT_EQ(vectors.size(), on_disk);
  EXPECT_GT(tally.accepted, 0u);
  EXPECT_GT(tally.rejected_by_verifier, 0u);
  EXPECT_EQ(tally.accepted + tally.rejected_by_verifier + tally.rejected_at_boundary,
            vectors.size());
}

TEST(VerifyVectorsTest, Consistency) {
  const fs::path root = VectorRoot();
  ASSERT_TRUE(fs::is_directory(root / "consistency")) << root;
  size_t on_disk = 0;
  const std::vector<Vector> vectors = LoadAll(root, "consistency", &on_disk);
  Tally tally;
  for (const Vector& v : vectors) {
    SCOPED_TRACE(v.path);
    Fields f(v);
    const uint64_t size1 = f.Number("size1");
    const uint64_t size2 = f.Number("size2");
    const std::string root1_b64 = f.String("root1");
    const std::string root2_b64 = f.String("root2");
    const std::vector<std::string> proof_b64 = f.StringList("proof");
    const bool want_err = f.Bool("wantErr");
    ASSERT_TRUE(f.status().ok()) << f.status();

    Hashes h;
    const std::vector<Hash> proof = h.All(proof_b64);
    Hash root1 = h.One(root1_b64);
    Hash root2 = h.One(root2_b64);
    if (!h.status().ok()) {
      if (want_err) {
        ExpectRejectedAtBoundary(h.status());
        ++tally.rejected_at_boundary;
        continue;
      }
      // The one valid vector with opaque roots (see the top of this file).
      ASSERT_EQ(size1, size2);
      ASSERT_EQ(root1_b64, root2_b64);
      ASSERT_TRUE(proof.empty());
      root1 = root2 = HashLeaf(root1_b64);
      ++tally.substituted;
    }
    const absl::Status s = VerifyConsistency(size1, size2, proof, root1, root2);
    if (want_err) {
      EXPECT_FALSE(s.ok()) << "accepted a corrupted proof";
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
      ++tally.rejected_by_verifier;
    } else {
      EXPECT_TRUE(s.ok()) << s;
      ++tally.accepted;
    }
  }
  std::cout << "consistency vectors: " << vectors.size() << " loaded of " << on_disk
            << " on disk; accepted " << tally.accepted << " (" << tally.substituted
            << " with substituted roots), rejected by the verifier " << tally.rejected_by_verifier
            << ", rejected at the Hash boundary " << tally.rejected_at_boundary << std::endl;
  EXPECT_EQ(vectors.size(), on_disk);
  EXPECT_EQ(tally.substituted, 1u);
  EXPECT_GT(tally.accepted, tally.substituted);
  EXPECT_GT(tally.rejected_by_verifier, 0u);
  EXPECT_EQ(tally.accepted + tally.rejected_by_verifier + tally.rejected_at_boundary,
            vectors.size());
}

TEST(VerifyVectorsTest, AllVectorsOnDiskAreCounted) {
  const fs::path root = VectorRoot();
  size_t json_files = 0;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") ++json_files;
  }
  size_t inclusion = 0, consistency = 0;
  LoadAll(root, "inclusion", &inclusion);
  LoadAll(root, "consistency", &consistency);
  std::cout << "vectors on disk: " << json_files << " (" << inclusion << " inclusion, "
            << consistency << " consistency)" << std::endl;
  EXPECT_EQ(inclusion + consistency, json_files);
  EXPECT_GT(json_files, kMinimumVectors);
}

}  // namespace
}  // namespace vellum
