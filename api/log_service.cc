#include "api/log_service.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "api/message_codec.h"
#include "api/append_quota.h"
#include "api/log.pb.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/events/event_codec.h"
#include "proof/base64.h"
#include "proof/decimal.h"
#include "proof/receipt.h"
#include "proof/tile.h"

namespace vellum {
namespace api {
namespace {

constexpr char kImmutable[] = "public, max-age=31536000, immutable";
// How long POST /v1/entries?receipt=1&witnessed=1 waits for a witnessed checkpoint by default,
// and at most (timeout_ms).
constexpr absl::Duration kDefaultWitnessedReceiptTimeout = absl::Seconds(10);
constexpr absl::Duration kMaxWitnessedReceiptTimeout = absl::Seconds(60);

HttpResponse Bytes(std::string body, const char* cache_control) {
  HttpResponse response;
  response.content_type = "application/octet-stream";
  response.headers.emplace_back("Cache-Control", cache_control);
  response.body = std::move(body);
  return response;
}

absl::StatusOr<uint64_t> NumberParam(const QueryParams& params, absl::string_view name) {
  absl::optional<std::string> value = params.Get(name);
  if (!value.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("missing query parameter \"", name, "\""));
  }
  return ParseDecimal(*value, name);
}

// A tree size parameter: the current size when absent.
absl::StatusOr<uint64_t> SizeParam(const QueryParams& params, absl::string_view name,
                                   uint64_t current) {
  if (!params.Get(name).has_value()) return current;
  return NumberParam(params, name);
}

// The Idempotency-Key header of an append (draft-ietf-httpapi-idempotency-key-header): absent, or
// a key that ledger::CheckIdempotencyKey accepts, bare or as a quoted structured-field string.
absl::StatusOr<ledger::Sequencer::AppendOptions> AppendOptionsOf(const HttpRequest& request) {
  ledger::Sequencer::AppendOptions options;
  auto it = request.headers.find("idempotency-key");
  if (it == request.headers.end()) return options;
  absl::string_view key = it->second;
  if (key.size() >= 2 && key.front() == '"' && key.back() == '"') {
    key = key.substr(1, key.size() - 2);
  }
  if (absl::Status s = ledger::CheckIdempotencyKey(key); !s.ok()) return s;
  options.idempotency_key = std::string(key);
  return options;
}

// Appends each hash's 32 bytes, reusing the field's cleared strings (ThreadMessage).
void AddHashes(const std::vector<Hash>& hashes,
               google::protobuf::RepeatedPtrField<std::string>* field) {
  for (const Hash& h : hashes) field->Add()->assign(HashBytes(h).data(), kHashSize);
}

}  // namespace

LogService::LogService(ledger::Sequencer* sequencer, const ledger::LogReader* storage,
                       std::string verifier_key, const Options& options)
    : sequencer_(sequencer),
      storage_(storage),
      prover_(*storage, ledger::ProverOptions{options.tile_cache, options.leaf_index}),
      verifier_key_(std::move(verifier_key)),
      options_(options),
      receipts_(storage, ledger::ProverOptions{options.tile_cache, options.leaf_index},
                options.worker_threads) {}

void LogService::Handle(HttpRequest request, HttpServer::Respond respond) {
  requests_++;
  const absl::Time start = absl::Now();
  HttpServer::Respond timed = [this, start, respond = std::move(respond)](HttpResponse response) {
    request_seconds_.Observe(absl::ToDoubleSeconds(absl::Now() - start));
    if (response.status >= 500) {
      server_errors_++;
    } else if (response.status >= 400) {
      client_errors_++;
    }
    respond(std::move(response));
  };
  auto [path, query] = SplitTarget(request.target);
  Route(request, path, query, timed);
}

void LogService::Route(const HttpRequest& request, absl::string_view path,
                       absl::string_view query,
                       const HttpServer::Respond& respond) {
  const bool get = request.method == "GET";
  const bool post = request.method == "POST";
  auto only = [&](bool allowed, const char* methods) {
    if (allowed) return true;
    respond(MethodNotAllowedResponse(request.method, methods));
    return false;
  };
  if (path == "/checkpoint") {
    if (only(get, "GET")) respond(GetCheckpoint());
  } else if (absl::StartsWith(path, "/tile/entries/")) {
    if (only(get, "GET")) respond(GetEntryBundle(path.substr(1)));
  } else if (absl::StartsWith(path, "/tile/")) {
    if (only(get, "GET")) respond(GetTile(path.substr(1)));
  } else if (path == "/v1/entries") {
    if (only(post, "POST")) PostEntry(request, query, respond);
  } else if (path == "/v1/entries:batch") {
    if (only(post, "POST")) PostEntries(request, respond);
  } else if (absl::StartsWith(path, "/v1/entries/")) {
    if (only(get, "GET")) respond(GetEntry(path.substr(strlen("/v1/entries/"))));
  } else if (path == "/v1/proof/inclusion") {
    if (only(get, "GET")) respond(GetInclusionProof(request, query));
  } else if (path == "/v1/proof/consistency") {
    if (only(get, "GET")) respond(GetConsistencyProof(request, query));
  } else if (path == "/v1/log") {
    if (only(get, "GET")) respond(GetLogInfo(request));
  } else if (path == "/healthz") {
    if (only(get, "GET")) {
      absl::Status health = sequencer_->Health();
      if (!health.ok()) {
        respond(ErrorResponse(503, absl::StrCat("the log takes no appends: ", health.message())));
      } else {
        HttpResponse response;
        response.body = "ok\n";
        respond(std::move(response));
      }
    }
  } else if (path == "/metrics") {
    if (only(get, "GET")) respond(GetMetrics());
  } else {
    respond(ErrorResponse(404, "no such endpoint"));
  }
}

HttpResponse LogService::GetCheckpoint() const {
  std::shared_ptr<const ledger::LogHead> head = sequencer_->Head();
  if (options_.witnesses != nullptr) {
    head = options_.witnesses->Published();
    if (head == nullptr) {
      return ErrorResponse(503, absl::StrCat("no checkpoint has met the witness policy yet (",
                                             options_.witnesses->quorum(), " of ",
                                             options_.witnesses->Status().size(),
                                             " witnesses); see /v1/log"));
    }
  }
  HttpResponse response;
  response.headers.emplace_back("Cache-Control", "public, max-age=2");
  response.body = head->checkpoint;
  return response;
}

HttpResponse LogService::GetTile(absl::string_view path) const {
  absl::StatusOr<TileId> tile = ParseTilePath(path);
  if (!tile.ok()) return ErrorResponse(tile.status());
  uint64_t size = sequencer_->Head()->size;
  if (TileWidth(tile->level, tile->index, size) < tile->width) {
    return ErrorResponse(404, absl::StrCat(path, " is not in the tree of size ", size));
  }
  absl::StatusOr<std::string> data = storage_->ReadTile(*tile);
  if (!data.ok()) return ErrorResponse(data.status());
  return Bytes(*std::move(data), kImmutable);
}

HttpResponse LogService::GetEntryBundle(absl::string_view path) const {
  absl::StatusOr<EntryBundleId> bundle = ParseEntryBundlePath(path);
  if (!bundle.ok()) return ErrorResponse(bundle.status());
  uint64_t size = sequencer_->Head()->size;
  if (TileWidth(0, bundle->index, size) < bundle->width) {
    return ErrorResponse(404, absl::StrCat(path, " is not in the tree of size ", size));
  }
  if (const uint64_t minimum = MinimumIndex(); bundle->index * kTileWidth < minimum) {
    return ErrorResponse(404, absl::StrCat(path, " is pruned: the log's minimum index is ",
                                           minimum));
  }
  absl::StatusOr<std::string> data = storage_->ReadEntryBundle(*bundle);
  if (!data.ok()) return ErrorResponse(data.status());
  return Bytes(*std::move(data), kImmutable);
}

void LogService::PostEntry(const HttpRequest& request, absl::string_view query,
                           const HttpServer::Respond& respond) {
  absl::StatusOr<QueryParams> params = QueryParams::Parse(query);
  if (!params.ok()) return respond(ErrorResponse(params.status()));
  if (absl::Status s = params->CheckAllowed({"receipt", "witnessed", "timeout_ms"}); !s.ok()) {
    return respond(ErrorResponse(s));
  }
  absl::StatusOr<bool> want_receipt = params->GetFlag("receipt");
  if (!want_receipt.ok()) return respond(ErrorResponse(want_receipt.status()));
  absl::StatusOr<bool> witnessed = params->GetFlag("witnessed");
  if (!witnessed.ok()) return respond(ErrorResponse(witnessed.status()));
  absl::optional<std::string> timeout_text = params->Get("timeout_ms");
  absl::Duration timeout = kDefaultWitnessedReceiptTimeout;
  if (*witnessed || timeout_text.has_value()) {
    if (!*want_receipt || !*witnessed) {
      return respond(ErrorResponse(
          400, "witnessed=1 needs receipt=1, and timeout_ms needs witnessed=1"));
    }
    if (options_.witnesses == nullptr) {
      return respond(ErrorResponse(400, "this log has no witnesses configured"));
    }
    if (timeout_text.has_value()) {
      absl::StatusOr<uint64_t> ms = ParseDecimal(*timeout_text, "timeout_ms");
      if (!ms.ok()) return respond(ErrorResponse(ms.status()));
      if (*ms == 0 || absl::Milliseconds(*ms) > kMaxWitnessedReceiptTimeout) {
        return respond(ErrorResponse(
            400, absl::StrCat("timeout_ms is ", *ms, ", want 1 to ",
                              absl::ToInt64Milliseconds(kMaxWitnessedReceiptTimeout))));
      }
      timeout = absl::Milliseconds(*ms);
    }
  }
  // The body is the entry, opaque bytes, whatever its declared content type.
  if (request.body.empty()) return respond(ErrorResponse(400, "the entry is empty"));
  if (request.body.size() > kMaxEntrySize) {
    return respond(ErrorResponse(413, absl::StrCat("the entry is ", request.body.size(),
                                                   " bytes, want at most ",
                                                   kMaxEntrySize)));
  }
  if (absl::Status s = ledger::CheckRawEntry(request.body); !s.ok()) {
    return respond(ErrorResponse(s));
  }
  absl::StatusOr<ledger::Sequencer::AppendOptions> append_options = AppendOptionsOf(request);
  if (!append_options.ok()) return respond(ErrorResponse(append_options.status()));
  if (auto refused = ChargeAppendQuota(options_.quotas, request, 1, request.body.size())) {
    return respond(*std::move(refused));
  }
  const bool protobuf = WantsProtobuf(request);
  Hash leaf_hash = HashLeaf(request.body);
  const absl::Time deadline = absl::Now() + timeout;
  sequencer_->AppendAsync(
      {request.body},
      [this, respond, protobuf, leaf_hash, want_receipt = *want_receipt, witnessed = *witnessed,
       deadline](absl::StatusOr<ledger::Sequencer::Appended> appended) {
        if (!appended.ok()) return respond(ErrorResponse(appended.status()));
        if (witnessed) {
          const uint64_t index = appended->first_index;
          const bool duplicate = appended->duplicate;
          return options_.witnesses->WhenCovered(
              index + 1, deadline,
              [this, index, leaf_hash, duplicate, protobuf,
               respond](absl::StatusOr<std::shared_ptr<const ledger::LogHead>> head) {
                if (!head.ok()) {
                  return respond(ErrorResponse(absl::Status(
                      head.status().code(),
                      absl::StrCat("entry ", index, " is in the log, but ", head.status().message(),
                                   "; ask again with GET /v1/proof/inclusion?index=", index,
                                   "&size= the size of a later /checkpoint"))));
                }
                AddReceipt(index, leaf_hash, *std::move(head), duplicate, protobuf, respond);
              });
        }
        if (want_receipt) {
          // Proofs read storage: keep that work off the sequencer's writer thread.
          return AddReceipt(appended->first_index, leaf_hash, appended->head,
                            appended->duplicate, protobuf, respond);
        }
        AppendResponse message;
        message.set_index(appended->first_index);
        message.set_leaf_hash(std::string(HashBytes(leaf_hash)));
        message.set_tree_size(appended->head->size);
        message.set_duplicate(appended->duplicate);
        respond(EncodeMessage(protobuf, message));
      },
      *std::move(append_options));
}

void LogService::AddReceipt(uint64_t index, const Hash& leaf_hash,
                            std::shared_ptr<const ledger::LogHead> head, bool duplicate,
                            bool protobuf, HttpServer::Respond respond) {
  const uint64_t size = head->size;
  receipts_.Prove(index, std::move(head),
                  [index, leaf_hash, size, duplicate, protobuf,
                   respond = std::move(respond)](absl::StatusOr<Receipt> receipt) {
                    if (!receipt.ok()) return respond(ErrorResponse(receipt.status()));
                    AppendResponse message;
                    message.set_index(index);
                    message.set_leaf_hash(std::string(HashBytes(leaf_hash)));
                    message.set_tree_size(size);
                    message.set_duplicate(duplicate);
                    message.set_receipt(FormatReceipt(*receipt));
                    respond(EncodeMessage(protobuf, message));
                  });
}

void LogService::PostEntries(const HttpRequest& request, const HttpServer::Respond& respond) {
  AppendBatchRequest batch;
  const std::string type = MediaType(request.Header("content-type"));
  if (type == kProtobufType) {
    if (!batch.ParseFromString(request.body)) {
      return respond(ErrorResponse(400, "body is not a valid AppendBatchRequest protobuf"));
    }
  } else if (type == "application/json") {
    google::protobuf::util::JsonParseOptions options;
    auto status = google::protobuf::util::JsonStringToMessage(request.body, &batch, options);
    if (!status.ok()) {
      return respond(ErrorResponse(400, absl::StrCat("body is not a valid AppendBatchRequest: ",
                                                     status.message().as_string())));
    }
  } else {
    return respond(ErrorResponse(
        415, "content type must be application/x-protobuf or application/json"));
  }
  if (static_cast<size_t>(batch.entries_size()) > options_.max_batch_request_entries) {
    return respond(ErrorResponse(413, absl::StrCat("the batch has ", batch.entries_size(),
                                                   " entries, want at most ",
                                                   options_.max_batch_request_entries)));
  }
  std::vector<std::string> entries(std::make_move_iterator(batch.mutable_entries()->begin()),
                                   std::make_move_iterator(batch.mutable_entries()->end()));
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].size() > kMaxEntrySize) {
      return respond(ErrorResponse(413, absl::StrCat("entry ", i, " is ", entries[i].size(),
                                                     " bytes, want at most ",
                                                     kMaxEntrySize)));
    }
    if (absl::Status s = ledger::CheckRawEntry(entries[i]); !s.ok()) {
      return respond(ErrorResponse(400, absl::StrCat("entry ", i, ": ", s.message())));
    }
  }
  absl::StatusOr<ledger::Sequencer::AppendOptions> append_options = AppendOptionsOf(request);
  if (!append_options.ok()) return respond(ErrorResponse(append_options.status()));
  if (auto refused =
          ChargeAppendQuota(options_.quotas, request, entries.size(), request.body.size())) {
    return respond(*std::move(refused));
  }
  const bool protobuf = WantsProtobuf(request);
  const size_t count = entries.size();
  sequencer_->AppendAsync(
      std::move(entries),
      [respond, protobuf, count](absl::StatusOr<ledger::Sequencer::Appended> appended) {
        if (!appended.ok()) return respond(ErrorResponse(appended.status()));
        AppendBatchResponse message;
        message.set_first_index(appended->first_index);
        message.set_count(count);
        message.set_tree_size(appended->head->size);
        message.set_duplicate(appended->duplicate);
        respond(EncodeMessage(protobuf, message));
      },
      *std::move(append_options));
}

HttpResponse LogService::GetInclusionProof(const HttpRequest& request,
                                           absl::string_view query) const {
  absl::StatusOr<QueryParams> params = QueryParams::Parse(query);
  if (!params.ok()) return ErrorResponse(params.status());
  if (absl::Status s = params->CheckAllowed({"index", "leaf_hash", "size"}); !s.ok()) {
    return ErrorResponse(s);
  }
  const uint64_t committed = sequencer_->Head()->size;
  absl::StatusOr<uint64_t> size = SizeParam(*params, "size", committed);
  if (!size.ok()) return ErrorResponse(size.status());
  absl::StatusOr<uint64_t> index;
  absl::optional<std::string> leaf_hash_param = params->Get("leaf_hash");
  if (leaf_hash_param.has_value() == params->Get("index").has_value()) {
    return ErrorResponse(400, "give exactly one of the query parameters index and leaf_hash");
  }
  if (leaf_hash_param.has_value()) {
    absl::StatusOr<std::string> bytes = Base64UrlDecodeStrict(*leaf_hash_param);
    if (!bytes.ok()) return ErrorResponse(400, "leaf_hash: want base64url of 32 bytes");
    absl::StatusOr<Hash> leaf_hash = HashFromBytes(*bytes);
    if (!leaf_hash.ok()) return ErrorResponse(400, absl::StrCat("leaf_hash: ",
                                                                leaf_hash.status().message()));
    index = prover_.FindLeaf(*leaf_hash, *size, committed);
  } else {
    index = NumberParam(*params, "index");
  }
  if (!index.ok()) return ErrorResponse(index.status());
  absl::StatusOr<std::vector<Hash>> proof = prover_.InclusionProof(*index, *size, committed);
  if (!proof.ok()) return ErrorResponse(proof.status());
  InclusionProof& message = ThreadMessage<InclusionProof>();
  message.set_index(*index);
  message.set_tree_size(*size);
  if (leaf_hash_param.has_value()) {
    message.set_leaf_hash(*Base64UrlDecodeStrict(*leaf_hash_param));
  }
  AddHashes(*proof, message.mutable_proof());
  return EncodeMessage(request, message);
}

HttpResponse LogService::GetConsistencyProof(const HttpRequest& request,
                                             absl::string_view query) const {
  absl::StatusOr<QueryParams> params = QueryParams::Parse(query);
  if (!params.ok()) return ErrorResponse(params.status());
  if (absl::Status s = params->CheckAllowed({"from", "to"}); !s.ok()) return ErrorResponse(s);
  const uint64_t committed = sequencer_->Head()->size;
  absl::StatusOr<uint64_t> from = NumberParam(*params, "from");
  if (!from.ok()) return ErrorResponse(from.status());
  absl::StatusOr<uint64_t> to = SizeParam(*params, "to", committed);
  if (!to.ok()) return ErrorResponse(to.status());
  absl::StatusOr<std::vector<Hash>> proof = prover_.ConsistencyProof(*from, *to, committed);
  if (!proof.ok()) return ErrorResponse(proof.status());
  ConsistencyProof& message = ThreadMessage<ConsistencyProof>();
  message.set_from(*from);
  message.set_to(*to);
  AddHashes(*proof, message.mutable_proof());
  return EncodeMessage(request, message);
}

HttpResponse LogService::GetEntry(absl::string_view index_text) const {
  absl::StatusOr<uint64_t> index = ParseDecimal(index_text, "entry index");
  if (!index.ok()) return ErrorResponse(index.status());
  if (const uint64_t minimum = MinimumIndex(); *index < minimum) {
    return ErrorResponse(404, absl::StrCat("entry ", *index,
                                           " is pruned: the log's minimum index is ", minimum));
  }
  absl::StatusOr<std::string> entry = prover_.Entry(*index, sequencer_->Head()->size);
  if (!entry.ok()) {
    if (absl::IsOutOfRange(entry.status())) return ErrorResponse(404, entry.status().message());
    return ErrorResponse(entry.status());
  }
  return Bytes(*std::move(entry), kImmutable);
}

HttpResponse LogService::GetLogInfo(const HttpRequest& request) const {
  std::shared_ptr<const ledger::LogHead> head = sequencer_->Head();
  LogInfo message;
  message.set_origin(sequencer_->origin());
  message.set_verifier_key(verifier_key_);
  message.set_size(head->size);
  message.set_root_hash(std::string(HashBytes(head->root)));
  message.set_typed_from(options_.typed_from);
  message.set_minimum_index(MinimumIndex());
  if (options_.witnesses != nullptr) {
    std::shared_ptr<const ledger::LogHead> witnessed = options_.witnesses->Published();
    message.set_witnessed_size(witnessed == nullptr ? 0 : witnessed->size);
    message.set_witness_quorum(options_.witnesses->quorum());
    for (const WitnessStatus& status : options_.witnesses->Status()) {
      LogInfo::Witness* w = message.add_witnesses();
      w->set_name(status.name);
      w->set_url(status.url);
      w->set_cosigned_size(status.cosigned_size);
      w->set_healthy(status.healthy);
      w->set_last_error(status.last_error);
      w->set_cosignatures(status.cosignatures);
      w->set_failures(status.failures);
    }
  }
  return EncodeMessage(request, message);
}

HttpResponse LogService::GetMetrics() const {
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4";
  std::string& out = response.body;
  ledger::RenderMetric("vellum_http_requests_total", "counter", "HTTP requests received.",
                       requests_.load(), &out);
  ledger::RenderMetric("vellum_http_client_errors_total", "counter",
                       "HTTP requests answered with a 4xx status.", client_errors_.load(), &out);
  ledger::RenderMetric("vellum_http_server_errors_total", "counter",
                       "HTTP requests answered with a 5xx status.", server_errors_.load(), &out);
  request_seconds_.Render("vellum_http_request_seconds",
                          "Time from reading a request to handing over its response.", &out);
  sequencer_->RenderMetrics(&out);
  if (options_.tile_cache != nullptr) options_.tile_cache->RenderMetrics(&out);
  if (options_.index_follower != nullptr) options_.index_follower->RenderMetrics(&out);
  if (options_.witnesses != nullptr) options_.witnesses->RenderMetrics(&out);
  if (options_.more_metrics) options_.more_metrics(&out);
  return response;
}

}  // namespace api
}  // namespace vellum
