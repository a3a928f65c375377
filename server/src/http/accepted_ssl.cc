#include "http/accepted_ssl.h"

#include <openssl/crypto.h>

namespace idgate::tls {
namespace {

thread_local SSL* t_created = nullptr;

void onNew(void* parent, void*, CRYPTO_EX_DATA*, int, long, void*) {
  t_created = static_cast<SSL*>(parent);
}

}  // namespace

void watchSslCreation() {
  static const int index =
      CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL, 0, nullptr, onNew, nullptr, nullptr);
  (void)index;
}

SSL* takeCreatedSsl() {
  SSL* ssl = t_created;
  t_created = nullptr;
  return ssl;
}

}  // namespace idgate::tls
