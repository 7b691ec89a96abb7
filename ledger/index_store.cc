#include "ledger/index_store.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "proof/big_endian.h"

namespace vellum {
namespace ledger {

void IndexRecords::Put(absl::string_view key, absl::string_view value) {
  AppendBigEndian(key.size(), 4, &buffer_);
  buffer_.append(key.data(), key.size());
  AppendBigEndian(value.size(), 4, &buffer_);
  buffer_.append(value.data(), value.size());
  ++count_;
}

void IndexRecords::ForEach(
    absl::FunctionRef<void(absl::string_view key, absl::string_view value)> visit) const {
  absl::string_view rest = buffer_;
  const auto take = [&rest]() {
    const size_t size = ReadBigEndian(rest.substr(0, 4));
    const absl::string_view field = rest.substr(4, size);
    rest.remove_prefix(4 + size);
    return field;
  };
  while (!rest.empty()) {
    const absl::string_view key = take();
    const absl::string_view value = take();
    visit(key, value);
  }
}

absl::StatusOr<absl::optional<std::string>> IndexStore::FirstKey(
    absl::string_view prefix) const {
  std::unique_ptr<IndexIterator> it = NewIterator();
  it->Seek(prefix);
  if (it->Valid() && absl::StartsWith(it->key(), prefix)) {
    return absl::optional<std::string>(std::string(it->key()));
  }
  if (absl::Status status = it->status(); !status.ok()) {
    return absl::Status(status.code(), absl::StrCat("cannot search the index: ", status.message()));
  }
  return absl::optional<std::string>();
}

}  // namespace ledger
}  // namespace vellum
