#include "http/accepted_ssl.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <memory>
#include <thread>

namespace idgate {
namespace {

using CtxPtr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;
using SslPtr = std::unique_ptr<SSL, decltype(&SSL_free)>;

TEST(AcceptedSslTest, FindsTheObjectCreatedOnThisThreadOnce) {
  tls::watchSslCreation();
  tls::watchSslCreation();  // idempotent: one callback, not two
  CtxPtr ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
  ASSERT_NE(ctx, nullptr);
  tls::takeCreatedSsl();  // whatever came before
  SslPtr first(SSL_new(ctx.get()), SSL_free);
  SslPtr second(SSL_new(ctx.get()), SSL_free);
  EXPECT_EQ(tls::takeCreatedSsl(), second.get()) << "the last one created";
  EXPECT_EQ(tls::takeCreatedSsl(), nullptr) << "taken: cleared";
}

TEST(AcceptedSslTest, AnObjectCreatedOnAnotherThreadIsNotSeenHere) {
  tls::watchSslCreation();
  CtxPtr ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  ASSERT_NE(ctx, nullptr);
  tls::takeCreatedSsl();
  SSL* seen_there = nullptr;
  SslPtr other(nullptr, SSL_free);
  std::thread t([&] {
    other.reset(SSL_new(ctx.get()));
    seen_there = tls::takeCreatedSsl();
  });
  t.join();
  EXPECT_EQ(seen_there, other.get());
  EXPECT_EQ(tls::takeCreatedSsl(), nullptr);
}

}  // namespace
}  // namespace idgate
