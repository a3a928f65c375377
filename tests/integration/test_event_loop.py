"""The event-loop request path as a user meets it: thousands of slow clients cost only their
own connections, a plugin that blocks for seconds delays only the requests that wait for it,
and <Server ioThreads> is read and checked."""
import os
import resource
import shutil
import socket
import statistics
import threading
import time
import unittest

from harness import FIXTURE_DROPINS, Server, ServerTestCase, TempDir, basic, edit, form, init_home

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def timed_get(server, path):
    started = time.monotonic()
    r = server.request("GET", path)
    return r, time.monotonic() - started


class ThousandsOfSlowClientsTest(ServerTestCase, unittest.TestCase):
    """1,000 connections trickling a Content-Length body and 1,000 trickling a head are open
    at once; a normal request on a fresh connection is still answered within 50 ms. With a
    thread per waiting connection, 16 such clients used to stop the server."""

    @unittest.skipIf(os.environ.get("IDGATE_SANITIZER_RUN"),
                     "asserts answers within 50 ms, which a sanitizer's slowdown does not give")
    def test_slow_bodies_and_slow_heads_cost_only_their_connections(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < 4500:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
        host, port = self.server.url.split("//")[1].split(":")
        slow = []
        try:
            for i in range(2000):
                s = socket.create_connection((host, int(port)), timeout=10)
                if i % 2 == 0:
                    s.sendall(b"POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: "
                              b"application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\ngrant_type=")
                else:
                    s.sendall(b"GET /health HTTP/1.1\r\nHo")
                slow.append(s)
            # Every connection sends one more byte: they are all alive and waiting.
            for s in slow:
                s.sendall(b"c" if slow.index(s) % 2 == 0 else b"s")
            time.sleep(0.2)
            waits = []
            for path in ["/health", "/oauth2/jwks", "/.well-known/openid-configuration"] * 4:
                r, wait = timed_get(self.server, path)
                self.assertEqual(r.status, 200, path)
                waits.append(wait)
            within = [w for w in waits if w <= 0.050]
            self.assertGreaterEqual(len(within), len(waits) - 1,
                                    "answers slower than 50 ms behind 2,000 slow clients: %s" % waits)
            # The slow ones are still open (nothing was closed to make room).
            self.assertGreaterEqual(self.server_connections(), 2000)
        finally:
            for s in slow:
                s.close()

    def server_connections(self):
        """Established TCP connections to the server's port, from /proc/net/tcp."""
        port = int(self.server.url.rsplit(":", 1)[1])
        n = 0
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                if int(local.split(":")[1], 16) == port and state == "01":
                    n += 1
        return n


class BlockingPluginTest(unittest.TestCase):
    """A client authenticator that sleeps for seconds on some requests (a plugin waiting on a
    slow remote service) takes worker threads only for those requests: token requests that it
    passes at once, and the endpoints the event loop answers itself, are not delayed."""

    def test_a_blocking_plugin_delays_only_the_requests_that_wait_for_it(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            shutil.copy(os.path.join(FIXTURE_DROPINS, "fixture_blocks_in_authenticate.so"),
                        os.path.join(home, "dropins"))
            server = Server(home).start()
            try:
                client = server.register(client_id="app")
                auth = dict(FORM, Authorization=basic("app", client["client_secret"]))
                blocked = []

                def slow_request():
                    started = time.monotonic()
                    r = server.request("POST", "/oauth2/token",
                                       form(grant_type="client_credentials", fixture="block", block_ms="3000"),
                                       auth)
                    blocked.append((r.status, time.monotonic() - started))

                threads = [threading.Thread(target=slow_request) for _ in range(8)]
                for t in threads:
                    t.start()
                time.sleep(0.3)  # the eight are inside the plugin now
                fast = []
                for _ in range(5):
                    started = time.monotonic()
                    r = server.request("POST", "/oauth2/token", form(grant_type="client_credentials"), auth)
                    fast.append(time.monotonic() - started)
                    self.assertEqual(r.status, 200, r.text)
                    r, wait = timed_get(server, "/oauth2/jwks")
                    self.assertEqual(r.status, 200)
                    fast.append(wait)
                for t in threads:
                    t.join(30)
                self.assertLess(statistics.median(fast), 0.1, fast)
                self.assertLess(max(fast), 1.0, "waited behind the blocking plugin: %s" % fast)
                # The blocked ones were answered too, after the plugin's three seconds.
                self.assertEqual([s for s, _ in blocked], [200] * 8)
                self.assertTrue(all(d >= 2.9 for _, d in blocked), blocked)
            finally:
                self.assertEqual(server.stop(), 0)


class IoThreadsConfigTest(unittest.TestCase):
    def test_io_threads_is_a_count_or_auto(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            edit(home + "/conf/server.xml", "<Server>", '<Server ioThreads="3">')
            server = Server(home).start()
            try:
                self.assertIn("3 event loop(s)", server.log())
                self.assertEqual(server.request("GET", "/health").status, 200)
            finally:
                self.assertEqual(server.stop(), 0)
            for value, why in (("0", "attribute 'ioThreads'"), ("many", "attribute 'ioThreads'")):
                with self.subTest(value=value):
                    edit(home + "/conf/server.xml", '<Server ioThreads="3">',
                         '<Server ioThreads="%s">' % value)
                    failed = Server(home)
                    self.assertEqual(failed.start(expect_failure=True), 1)
                    self.assertIn("server.xml: element <Server> " + why, failed.log())
                    edit(home + "/conf/server.xml", '<Server ioThreads="%s">' % value,
                         '<Server ioThreads="3">')


if __name__ == "__main__":
    unittest.main()
