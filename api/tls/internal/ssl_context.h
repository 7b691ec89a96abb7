#ifndef VELLUM_API_TLS_INTERNAL_SSL_CONTEXT_H_
#define VELLUM_API_TLS_INTERNAL_SSL_CONTEXT_H_

#include <boost/asio/ssl/context.hpp>

namespace vellum {
namespace api {
namespace tls {
namespace internal {

// One configured SSL_CTX, shared by the connections made with it: a ServerContext swaps in a
// new one on Reload() while connections opened earlier keep theirs.
struct SslContext {
  explicit SslContext(boost::asio::ssl::context::method method) : context(method) {}
  boost::asio::ssl::context context;
};

}  // namespace internal
}  // namespace tls
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_TLS_INTERNAL_SSL_CONTEXT_H_
