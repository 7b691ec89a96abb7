// Feeds raw bytes to Boost.Beast's request parser, set up as api::HttpServer sets it up for each
// request on a connection, and hands every request that parses (several, when pipelined on a
// keep-alive connection) to a real api::LogService, converted to api::HttpRequest as the server
// converts it. Parse errors get the response the server would send. Every response is then
// serialized as the server writes it.
//
// The service runs over a real ledger::Sequencer and an in-memory ledger::LogStorage with a
// fixed test key, created once, pre-filled with kInitialEntries entries, and without a token
// file (as vellumd runs on loopback). POSTs are dropped once the log holds kMaxLogSize entries,
// to bound memory.
//
// Invariants: nothing crashes or throws; `respond` is called exactly once; every status is in
// 200..599, and none is 5xx (the storage cannot fail); every error (>= 400) is application/json
// with the one-line body {"error":"..."}\n holding a well-formed JSON string: valid escapes, no
// raw control characters or newlines, valid UTF-8.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/optional.hpp>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/types/optional.h"
#include "api/beast_codec.h"
#include "api/http.h"
#include "api/http_server.h"
#include "api/log_service.h"
#include "fuzz/fuzz_checks.h"
#include "fuzz/service_log.h"
#include "ledger/memory_storage.h"
#include "ledger/sequencer.h"
#include "ledger/storage.h"
#include "proof/hash.h"
#include "proof/note.h"
#include "proof/tile.h"

namespace vellum {
namespace {

using fuzz::Check;
using fuzz::CheckResponseShape;

namespace beast = boost::beast;
namespace http = boost::beast::http;

constexpr uint64_t kInitialEntries = 300;
constexpr uint64_t kMaxLogSize = 4000;
constexpr int kMaxRequestsPerInput = 8;

// The parser limits of vellumd's server: HttpServer::Options' defaults, which vellumd keeps.
// The set-up below mirrors HttpServer's Session::Read() and OnRead(); keep them in step.
const api::HttpServer::Options& ServerOptions() {
  static const api::HttpServer::Options* options = new api::HttpServer::Options();
  return *options;
}

// Serializes `response` as the server writes it.
void Serialize(const api::HttpResponse& response, unsigned version, bool keep_alive) {
  std::ostringstream out;
  out << api::ToBeastResponse(response, version, keep_alive);
  const std::string wire = out.str();
  Check(absl::StartsWith(wire, absl::StrCat("HTTP/", version / 10, ".", version % 10, " ",
                                             response.status, " ")),
        "a serialized response with the wrong status line");
  Check(absl::EndsWith(wire, response.body), "a serialized response without its body");
}

// The log and its service, created once, without a token file (as vellumd runs on loopback).
fuzz::ServiceLog& Log() {
  static fuzz::ServiceLog* log = new fuzz::ServiceLog(
      {nullptr, kInitialEntries, [](uint64_t i) { return absl::StrCat("entry ", i); }});
  return *log;
}

// Parses one request from the front of `*input`, consuming what the parser used. Returns the
// request, or nullopt with `*ec` set to the read error (http::error::end_of_stream when the
// input held nothing: the server then closes quietly), as the server's reads would report at
// the end of the stream.
boost::optional<http::request<http::string_body>> ParseOne(absl::string_view* input,
                                                           beast::error_code* ec) {
  api::BeastRequestParser parser;
  api::LimitRequestParser(ServerOptions().max_header_bytes, ServerOptions().max_body_bytes,
                          &parser);
  *ec = {};
  while (!parser.is_done()) {
    // Like the server's reads, hand the parser bytes only while there are some; at the end of
    // the input, end the stream.
    size_t used = 0;
    if (!input->empty()) {
      used = parser.put(boost::asio::buffer(input->data(), input->size()), *ec);
      input->remove_prefix(used);
      if (*ec == http::error::need_more) *ec = {};
      if (*ec) return boost::none;
    }
    if (used > 0 || parser.is_done()) continue;
    if (!parser.got_some()) {
      *ec = http::error::end_of_stream;
      return boost::none;
    }
    parser.put_eof(*ec);
    if (!*ec && !parser.is_done()) *ec = http::error::partial_message;
    if (*ec) return boost::none;
  }
  return parser.release();
}

}  // namespace
}  // namespace vellum

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  vellum::fuzz::DisablePerInputLeakChecks(argc, argv);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vellum;  // NOLINT: a fuzz target's entry point.
  fuzz::ServiceLog& log = Log();
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < kMaxRequestsPerInput; ++i) {
    beast::error_code ec;
    boost::optional<http::request<http::string_body>> message = ParseOne(&input, &ec);
    if (!message.has_value()) {
      absl::optional<api::HttpResponse> error =
          api::ReadErrorResponse(ec, ServerOptions().max_body_bytes);
      if (error.has_value()) {
        if (std::getenv("FUZZ_VERBOSE") != nullptr) {
          std::fprintf(stderr, "read error -> %d %s", error->status, error->body.c_str());
        }
        CheckResponseShape(*error);
        Serialize(*error, 11, false);
      }
      break;  // The server closes the connection after a read error.
    }
    const bool keep_alive = message->keep_alive();
    const unsigned version = message->version();
    api::HttpRequest request = api::ToHttpRequest(*std::move(message), "127.0.0.1");
    if (request.method == "POST" && log.size() >= kMaxLogSize) break;
    const std::string method = request.method;
    const std::string target = request.target;
    const api::HttpResponse response = log.Call(std::move(request));
    if (std::getenv("FUZZ_VERBOSE") != nullptr) {
      std::fprintf(stderr, "%s %s -> %d %s\n", absl::CHexEscape(method).c_str(),
                   absl::CHexEscape(target).c_str(), response.status,
                   absl::CHexEscape(response.body.substr(0, 300)).c_str());
    }
    Serialize(response, version, keep_alive);
    if (!keep_alive) break;
  }
  return 0;
}
