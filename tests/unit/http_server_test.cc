// The event-loop server with a scripted RequestHandler, over real loopback sockets: where
// requests run, pipelining and fairness, held responses, worker-queue refusal, the drain, and
// a taken port.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "config/config_error.h"
#include "http/http_server.h"
#include "http/worker_pool.h"

namespace idgate {
namespace {

using namespace std::chrono_literals;

/// /loop answers on the loop; /block waits on a worker until released; /hold answers with a
/// response held until release() is called; everything else answers on a worker.
class ScriptedHandler : public RequestHandler {
 public:
  Placement placement(const HttpRequestData& r, const std::string&) const override {
    return r.path == "/loop" ? Placement::kLoop : Placement::kWorker;
  }
  HttpResponseData handle(const HttpRequestData& r, Placement) override {
    HttpResponseData res;
    res.content_type = "text/plain";
    res.body = r.path + ":" + r.body;
    if (r.path == "/block") {
      std::unique_lock<std::mutex> lock(mutex);
      ++blocked;
      changed.notify_all();
      changed.wait(lock, [this] { return released; });
    }
    if (r.path == "/hold") {
      res.hold = [this, held = res](HttpResponseData::Release release) {
        std::lock_guard<std::mutex> lock(mutex);
        pending_release = [release, held] { release(held); };
        changed.notify_all();
      };
    }
    return res;
  }
  int stream(ServerExchange&, HttpRequestData&, boost::asio::io_context&, std::string*) override {
    return 500;
  }
  HttpResponseData refusal(Refusal refusal, const std::string& description) const override {
    HttpResponseData r;
    r.status = refusal == Refusal::kOverloaded     ? 503
               : refusal == Refusal::kBodyTooLarge ? 413
                                                   : 400;
    r.body = description;
    return r;
  }
  void release() {
    std::lock_guard<std::mutex> lock(mutex);
    released = true;
    changed.notify_all();
  }
  std::mutex mutex;
  std::condition_variable changed;
  int blocked = 0;
  bool released = false;
  std::function<void()> pending_release;
};

ServerConfig oneListener() {
  ServerConfig c;
  c.file = "server.xml";
  ListenerConfig l;
  l.host = "127.0.0.1";
  l.port = 0;
  c.listeners.push_back(l);
  return c;
}

/// A blocking test client on a raw socket.
class Client {
 public:
  explicit Client(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~Client() { ::close(fd_); }
  void send(const std::string& s) {
    EXPECT_EQ(::send(fd_, s.data(), s.size(), 0), (ssize_t)s.size());
  }
  /// Reads until `count` whole responses (Content-Length framed) arrived; their bodies.
  std::vector<std::string> bodies(size_t count) {
    std::vector<std::string> out;
    while (out.size() < count) {
      size_t head_end = in_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        size_t cl = in_.find("Content-Length: ");
        size_t len = cl < head_end ? std::stoul(in_.substr(cl + 16)) : 0;
        if (in_.size() >= head_end + 4 + len) {
          statuses.push_back(std::stoi(in_.substr(9, 3)));
          out.push_back(in_.substr(head_end + 4, len));
          in_.erase(0, head_end + 4 + len);
          continue;
        }
      }
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) break;
      in_.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  /// True when the server closed the connection (within the receive timeout).
  bool closed() {
    char c;
    return ::recv(fd_, &c, 1, 0) == 0;
  }
  std::vector<int> statuses;

 private:
  int fd_;
  std::string in_;
};

struct Fixture {
  ScriptedHandler handler;
  IoLoops loops{2};
  std::unique_ptr<HttpServer> server;
  int port = 0;
  explicit Fixture(int workers = 4, size_t max_queued = 4096) {
    ServerConfig config = oneListener();
    Keystore none;
    auto listeners = bindListeners(config, none, loops);
    port = listeners.front().acceptor->local_endpoint().port();
    HttpServerOptions o;
    o.workers = workers;
    o.stream_workers = 1;
    o.max_request_bytes = 1024;
    o.max_queued = max_queued;
    server = std::make_unique<HttpServer>(handler, loops, std::move(listeners), o);
    loops.start();
    server->start();
  }
  ~Fixture() {
    handler.release();
    server->stop();
    loops.stop();
  }
};

TEST(HttpServerTest, LoopRequestsAreAnsweredWhileEveryWorkerIsBlocked) {
  Fixture f(2);
  Client b1(f.port), b2(f.port);
  b1.send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
  b2.send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
  {
    std::unique_lock<std::mutex> lock(f.handler.mutex);
    ASSERT_TRUE(f.handler.changed.wait_for(lock, 10s, [&] { return f.handler.blocked == 2; }));
  }
  Client c(f.port);
  c.send("GET /loop HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.bodies(1), std::vector<std::string>{"/loop:"});
  f.handler.release();
  EXPECT_EQ(b1.bodies(1), std::vector<std::string>{"/block:"});
  EXPECT_EQ(b2.bodies(1), std::vector<std::string>{"/block:"});
}

TEST(HttpServerTest, AFullWorkerQueueIs503AtOnceAndTheConnectionGoesOn) {
  Fixture f(1, 1);
  Client busy(f.port), queued(f.port), refused(f.port);
  busy.send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
  {
    std::unique_lock<std::mutex> lock(f.handler.mutex);
    ASSERT_TRUE(f.handler.changed.wait_for(lock, 10s, [&] { return f.handler.blocked == 1; }));
  }
  queued.send("GET /q HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(100ms);  // in the queue now
  refused.send("GET /r HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(refused.bodies(1),
            std::vector<std::string>{
                "the server has more requests waiting than it takes: retry shortly"});
  EXPECT_EQ(refused.statuses, std::vector<int>{503});
  refused.send("GET /loop HTTP/1.1\r\nHost: x\r\n\r\n");  // same connection, still served
  EXPECT_EQ(refused.bodies(1), std::vector<std::string>{"/loop:"});
  f.handler.release();
  EXPECT_EQ(busy.bodies(1), std::vector<std::string>{"/block:"});
  EXPECT_EQ(queued.bodies(1), std::vector<std::string>{"/q:"});
}

TEST(HttpServerTest, PipelinedRequestsAreAnsweredInOrderWithTheirBodies) {
  Fixture f;
  Client c(f.port);
  c.send(
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "GET /loop HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
      "chunked\r\n\r\n2\r\nde\r\n1\r\nf\r\n0\r\n\r\n");
  EXPECT_EQ(c.bodies(3), (std::vector<std::string>{"/a:abc", "/loop:", "/b:def"}));
}

TEST(HttpServerTest, BodyLimitsAndMalformedHeads) {
  Fixture f;
  {
    Client c(f.port);
    c.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n");
    EXPECT_EQ(c.bodies(1), std::vector<std::string>{"request body exceeds 1024 bytes"});
    EXPECT_EQ(c.statuses, std::vector<int>{413});
    EXPECT_TRUE(c.closed());
  }
  {
    Client c(f.port);
    c.send("GET / HTTP/1.1\r\n\r\n");
    EXPECT_EQ(c.bodies(1), std::vector<std::string>{"missing Host header"});
    EXPECT_TRUE(c.closed());
  }
  {
    Client c(f.port);  // a body arriving in pieces, with 100-continue
    c.send("POST /p HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    EXPECT_EQ(c.bodies(1), std::vector<std::string>{""});  // "100 Continue" before the body
    EXPECT_EQ(c.statuses, std::vector<int>{100});
    c.send("ab");
    std::this_thread::sleep_for(50ms);
    c.send("cd");
    auto bodies = c.bodies(1);
    ASSERT_EQ(bodies.size(), 1u);
    bodies.insert(bodies.begin(), "");
    EXPECT_EQ(bodies[1], "/p:abcd");
  }
}

TEST(HttpServerTest, AHeldResponseLeavesWhenReleasedWithoutHoldingAThread) {
  Fixture f(1);  // one worker: the held response must not keep it
  Client h(f.port);
  h.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
  {
    std::unique_lock<std::mutex> lock(f.handler.mutex);
    ASSERT_TRUE(f.handler.changed.wait_for(lock, 10s, [&] { return !!f.handler.pending_release; }));
  }
  Client c(f.port);
  c.send("GET /w HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.bodies(1), std::vector<std::string>{"/w:"});  // the worker was free
  std::function<void()> release;
  {
    std::lock_guard<std::mutex> lock(f.handler.mutex);
    release = std::move(f.handler.pending_release);
    f.handler.pending_release = nullptr;
  }
  std::thread([release] { release(); }).join();  // from another thread, like the committer
  EXPECT_EQ(h.bodies(1), std::vector<std::string>{"/hold:"});
}

TEST(HttpServerTest, StopFinishesRequestsInProgressAndClosesIdleConnections) {
  auto f = std::make_unique<Fixture>(2);
  Client idle(f->port);
  idle.send("GET /loop HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(idle.bodies(1).size(), 1u);
  Client busy(f->port);
  busy.send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
  {
    std::unique_lock<std::mutex> lock(f->handler.mutex);
    ASSERT_TRUE(f->handler.changed.wait_for(lock, 10s, [&] { return f->handler.blocked == 1; }));
  }
  std::thread stopper([&] { f->server->stop(); });
  EXPECT_TRUE(idle.closed());
  f->handler.release();
  EXPECT_EQ(busy.bodies(1), std::vector<std::string>{"/block:"});
  EXPECT_TRUE(busy.closed());  // "Connection: close" after the drain began
  stopper.join();
}

TEST(HttpServerTest, ATakenPortStopsStartup) {
  IoLoops loops(1);
  Keystore none;
  auto first = bindListeners(oneListener(), none, loops);
  ServerConfig again = oneListener();
  again.listeners[0].port = first.front().acceptor->local_endpoint().port();
  try {
    bindListeners(again, none, loops);
    FAIL() << "bound a port that is taken";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("attribute 'port': cannot listen on 127.0.0.1:"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("another process holds the port"), std::string::npos);
  }
}

TEST(WorkerPoolTest, RefusesWorkBeyondTheQueueBoundAndDropsTheQueueOnStop) {
  WorkerPool pool("test", 1, 2);
  std::mutex m;
  std::condition_variable cv;
  bool go = false;
  std::atomic<int> ran{0};
  auto work = [&] {
    std::unique_lock<std::mutex> lock(m);
    cv.wait(lock, [&] { return go; });
    ++ran;
  };
  EXPECT_TRUE(pool.submit(work));  // taken by the thread (or queued)
  std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(pool.submit(work));
  EXPECT_TRUE(pool.submit(work));
  EXPECT_FALSE(pool.submit(work));  // queue full
  // Stopping finishes the work that runs and drops what still waits (its connections are
  // closed by then).
  std::thread stopper([&] { pool.stop(); });
  std::this_thread::sleep_for(50ms);
  {
    std::lock_guard<std::mutex> lock(m);
    go = true;
  }
  cv.notify_all();
  stopper.join();
  EXPECT_EQ(ran.load(), 1);
  EXPECT_FALSE(pool.submit(work));  // stopped
}

}  // namespace
}  // namespace idgate
