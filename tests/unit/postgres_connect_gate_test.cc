#include "store/postgres_connect_gate.h"

#include <gtest/gtest.h>

namespace idgate {
namespace {

using namespace std::chrono_literals;

struct Fake {
  std::chrono::steady_clock::time_point now{};
  int attempts = 0;
  std::optional<std::string> result;
};

PostgresConnectGate gateOver(Fake& f) {
  return PostgresConnectGate(
      "host=db", [&f] { return f.now; },
      [&f](const std::string& conninfo) {
        EXPECT_EQ(conninfo, "host=db");
        ++f.attempts;
        return f.result;
      });
}

TEST(PostgresConnectGateTest, OnlyANewConnectionIsTriedFirst) {
  Fake f;
  auto gate = gateOver(f);
  EXPECT_EQ(gate.check(false), std::nullopt);
  EXPECT_EQ(f.attempts, 0) << "a pooled session needs no attempt";
  EXPECT_EQ(gate.check(true), std::nullopt);
  EXPECT_EQ(f.attempts, 1);
}

TEST(PostgresConnectGateTest, AFailureRefusesEveryConnectionForASecondWithoutTrying) {
  Fake f;
  auto gate = gateOver(f);
  f.result = "connection refused";
  EXPECT_EQ(gate.check(true), "database unavailable: connection refused");
  f.now += 999ms;
  const std::string closed =
      "database unavailable: connection refused (next connection attempt within 1 s)";
  EXPECT_EQ(gate.check(true), closed);
  EXPECT_EQ(gate.check(false), closed) << "pooled sessions are refused too while it is closed";
  EXPECT_EQ(f.attempts, 1);
  f.now += 1ms;
  f.result.reset();
  EXPECT_EQ(gate.check(true), std::nullopt) << "after a second, the next attempt";
  EXPECT_EQ(f.attempts, 2);
}

TEST(PostgresConnectGateTest, AFailureElsewhereClosesItToo) {
  Fake f;
  auto gate = gateOver(f);
  gate.failed("server closed the connection unexpectedly");
  EXPECT_EQ(gate.check(false),
            "database unavailable: server closed the connection unexpectedly (next connection "
            "attempt within 1 s)");
  EXPECT_EQ(f.attempts, 0);
}

TEST(PostgresConnectGateTest, TheReasonIsKeptOnOneLine) {
  Fake f;
  auto gate = gateOver(f);
  f.result =
      "connection to server at \"10.0.0.1\" failed\nconnection to server at \"10.0.0.2\" failed\n";
  EXPECT_EQ(gate.check(true),
            "database unavailable: connection to server at \"10.0.0.1\" failed "
            "connection to server at \"10.0.0.2\" failed");
}

TEST(PostgresConnectGateTest, LibpqAttemptGivesTheServersError) {
  auto error =
      PostgresConnectGate::libpqAttempt("host=127.0.0.1 port=1 dbname=x connect_timeout=2");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("127.0.0.1"), std::string::npos) << *error;
}

}  // namespace
}  // namespace idgate
