#ifndef VELLUM_API_TLS_TLS_STREAM_H_
#define VELLUM_API_TLS_TLS_STREAM_H_

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "absl/strings/string_view.h"
#include "api/tls/context.h"

namespace vellum {
namespace api {
namespace tls {

using Executor = boost::asio::io_context::executor_type;
// The TCP socket under a TlsStream, and the one Vellum's servers and clients use without TLS.
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor>;

// A TLS connection over a TCP socket, with the TLS library hidden behind a pointer. It is an
// AsyncReadStream and AsyncWriteStream, so Boost.Beast's HTTP reads and writes work on it as on
// the socket. Completion handlers run on the stream's executor, which must be an io_context run
// by one thread (as every Vellum server and client runs them); at most one read and one write
// may be in flight. Thread-compatible.
class TlsStream {
 public:
  using executor_type = Executor;
  using Handler = std::function<void(boost::system::error_code)>;
  using IoHandler = std::function<void(boost::system::error_code, size_t)>;

  // The server's side of `socket`, with the certificate `context` holds now (a later Reload()
  // does not change this connection's).
  TlsStream(Socket socket, const ServerContext& context);
  // The client's side of `socket`: the handshake sends `host` as the server name (SNI) when it
  // is a DNS name, and fails unless the server's certificate names `host` (a DNS name or IP
  // address SAN).
  TlsStream(Socket socket, const ClientContext& context, absl::string_view host);
  ~TlsStream();
  TlsStream(TlsStream&&) noexcept;
  TlsStream& operator=(TlsStream&&) noexcept;

  executor_type get_executor() { return executor_; }
  // The TCP socket: close it to abort every operation in flight.
  Socket& socket();

  void async_handshake(Handler handler);
  // Sends close_notify and waits for the peer's; bound it by closing the socket.
  void async_shutdown(Handler handler);

  // After a successful handshake: the verified peer certificate's identity, the one URI SAN that
  // starts with "spiffe://" or, when there is none, the subject's one common name; "" without a
  // verified certificate, and when the certificate names its identity ambiguously (two SPIFFE
  // IDs, two CNs) or with control characters.
  const std::string& peer_identity() const;
  // After a failed handshake: why the peer's certificate was refused, e.g. "certificate has
  // expired"; "" if it was not (or none was verified).
  std::string verify_error() const;

  // Reads into the first non-empty buffer of `buffers`.
  template <typename MutableBuffers, typename ReadHandler>
  auto async_read_some(const MutableBuffers& buffers, ReadHandler&& handler) {
    return boost::asio::async_initiate<ReadHandler, void(boost::system::error_code, size_t)>(
        [this](auto handler, const MutableBuffers& buffers) {
          boost::asio::mutable_buffer first;
          for (auto it = boost::asio::buffer_sequence_begin(buffers);
               it != boost::asio::buffer_sequence_end(buffers); ++it) {
            first = boost::asio::mutable_buffer(*it);
            if (first.size() > 0) break;
          }
          ReadSome(first, Wrap(std::move(handler)));
        },
        handler, buffers);
  }

  // Writes from `buffers`: when it holds several (a Beast header and body), up to one TLS
  // record's worth of them copied together, so that they go out in one record and one system
  // call rather than one each.
  template <typename ConstBuffers, typename WriteHandler>
  auto async_write_some(const ConstBuffers& buffers, WriteHandler&& handler) {
    return boost::asio::async_initiate<WriteHandler, void(boost::system::error_code, size_t)>(
        [this](auto handler, const ConstBuffers& buffers) {
          boost::asio::const_buffer first;
          size_t gathered = 0;
          for (auto it = boost::asio::buffer_sequence_begin(buffers);
               it != boost::asio::buffer_sequence_end(buffers); ++it) {
            boost::asio::const_buffer buffer(*it);
            if (buffer.size() == 0) continue;
            if (first.size() == 0) {
              first = buffer;
              continue;
            }
            if (gathered == 0) gathered = Gather(0, first);
            if (gathered == kRecordBytes) break;
            gathered = Gather(gathered, buffer);
          }
          WriteSome(gathered > 0 ? boost::asio::const_buffer(gather_.get(), gathered) : first,
                    Wrap(std::move(handler)));
        },
        handler, buffers);
  }

 private:
  struct Impl;
  // The largest TLS record's plaintext.
  static constexpr size_t kRecordBytes = 16384;

  // Copies as much of `buffer` as fits into gather_ at `offset`; returns the new length.
  size_t Gather(size_t offset, boost::asio::const_buffer buffer) {
    if (gather_ == nullptr) gather_.reset(new char[kRecordBytes]);
    const size_t n = std::min(buffer.size(), kRecordBytes - offset);
    std::memcpy(gather_.get() + offset, buffer.data(), n);
    return offset + n;
  }

  // An IoHandler that hands the result to `handler` through its associated executor (the
  // stream's, unless it says otherwise). std::function needs a copyable target, and Beast's
  // handlers are move-only, so the handler is held by a shared pointer.
  template <typename H>
  IoHandler Wrap(H handler) {
    auto held = std::make_shared<H>(std::move(handler));
    return [held, executor = executor_](boost::system::error_code ec, size_t n) {
      auto target = boost::asio::get_associated_executor(*held, executor);
      boost::asio::dispatch(target, [held, ec, n] {
        H handler = std::move(*held);
        handler(ec, n);
      });
    };
  }

  void ReadSome(boost::asio::mutable_buffer buffer, IoHandler handler);
  void WriteSome(boost::asio::const_buffer buffer, IoHandler handler);

  Executor executor_;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<char[]> gather_;  // Where a write gathers its buffers; made on first use.
};

}  // namespace tls
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_TLS_TLS_STREAM_H_
