#ifndef VELLUM_LEDGER_CANONICAL_JSON_H_
#define VELLUM_LEDGER_CANONICAL_JSON_H_

// The canonical text of a governance record (a configuration, a policy set): the message as
// proto3 JSON with the proto's own field names, fields in field-number order and map entries
// sorted by key, so that equal messages have equal text, and its SHA-256 names it.

#include <string>

#include "google/protobuf/message.h"

namespace vellum {
namespace ledger {

// `message`'s canonical text. Thread-safe.
std::string CanonicalJson(const google::protobuf::Message& message);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_CANONICAL_JSON_H_
