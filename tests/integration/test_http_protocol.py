"""idgate's own HTTP/1.1 layer on the wire: keep-alive, pipelining, chunked and 100-continue
request bodies, HEAD, HTTP/1.0, malformed heads and framing, and a drain on SIGTERM. Raw
sockets, so every byte the server sends is checked."""
import json
import socket
import subprocess
import time
import unittest

from harness import ServerTestCase, basic

FORM_HEAD = "Content-Type: application/x-www-form-urlencoded\r\n"


def raw_tls(url, handshake=True):
    """TLS driven by hand over a plain socket (memory BIOs), so a test decides which bytes
    go out when: returns (socket, SSLObject, incoming BIO, outgoing BIO)."""
    import ssl
    host, port = url.split("//")[1].split(":")
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ssl._create_unverified_context().wrap_bio(inc, out)
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while handshake:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            sock.sendall(out.read())
            inc.write(sock.recv(65536))
    if handshake:
        sock.sendall(out.read())
    return sock, tls, inc, out


class Wire:
    """One TCP connection; reads whole responses (Content-Length or chunked framing)."""

    def __init__(self, url):
        host, port = url.split("//")[1].split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def response(self, head_request=False):
        """(status, headers with lower-case names, body)."""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
        body = b""
        if head_request or status in (100, 204, 304):
            return status, headers, body
        if headers.get("transfer-encoding") == "chunked":
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    while self._line():
                        pass
                    break
                while len(self.buf) < size + 2:
                    self._fill()
                body += self.buf[:size]
                self.buf = self.buf[size + 2:]
        else:
            n = int(headers.get("content-length", "0"))
            while len(self.buf) < n:
                self._fill()
            body, self.buf = self.buf[:n], self.buf[n:]
        return status, headers, body

    def closed(self):
        """True when the server has closed the connection (nothing more arrives)."""
        try:
            return self.buf == b"" and self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self):
        self.sock.close()


class HttpProtocolTest(ServerTestCase, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client = cls.server.register(client_id="wire-app", scope="orders:read")
        cls.auth = "Authorization: %s\r\n" % basic("wire-app", cls.client["client_secret"])

    def wire(self):
        w = Wire(self.server.url)
        self.addCleanup(w.close)
        return w

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        w = self.wire()
        for _ in range(5):
            w.send("GET /oauth2/jwks HTTP/1.1\r\nHost: x\r\n\r\n")
            status, headers, body = w.response()
            self.assertEqual(status, 200)
            self.assertIn(b'"keys"', body)
            self.assertNotIn("connection", headers)
            self.assertEqual(headers["server"], "idgate")
            self.assertTrue(headers["date"].endswith(" GMT"), headers)
            self.assertTrue(headers["x-request-id"])

    def test_pipelined_requests_are_answered_in_order(self):
        w = self.wire()
        w.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
               "GET /no/such HTTP/1.1\r\nHost: x\r\n\r\n"
               "GET /oauth2/token HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual([w.response()[0] for _ in range(3)], [200, 404, 405])

    def test_chunked_request_body(self):
        body = "grant_type=client_credentials&scope=orders:read"
        w = self.wire()
        w.send("POST /oauth2/token HTTP/1.1\r\nHost: x\r\n" + FORM_HEAD + self.auth +
               "Transfer-Encoding: chunked\r\n\r\n" +
               "%x;ext=1\r\n%s\r\n%x\r\n%s\r\n0\r\nTrailer-Field: y\r\n\r\n" % (10, body[:10], len(body) - 10, body[10:]))
        status, _, data = w.response()
        self.assertEqual(status, 200, data)
        # and the connection is still usable
        w.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(w.response()[0], 200)

    def test_many_small_chunks_are_fine(self):
        body = "grant_type=client_credentials&scope=orders:read&pad=" + "x" * 20000
        w = self.wire()
        w.send("POST /oauth2/token HTTP/1.1\r\nHost: x\r\n" + FORM_HEAD + self.auth +
               "Transfer-Encoding: chunked\r\n\r\n" + "".join("1\r\n%s\r\n" % c for c in body) + "0\r\n\r\n")
        status, _, data = w.response()
        self.assertEqual(status, 200, data)

    def test_malformed_chunk_is_400_and_closes(self):
        w = self.wire()
        w.send("POST /oauth2/token HTTP/1.1\r\nHost: x\r\n" + FORM_HEAD + "Transfer-Encoding: chunked\r\n\r\n"
               "zz\r\nabc\r\n0\r\n\r\n")
        status, headers, body = w.response()
        self.assertEqual((status, headers.get("connection")), (400, "close"))
        self.assertIn(b"the request body could not be read", body)
        self.assertTrue(w.closed())

    def test_chunk_lines_are_strict_and_bounded(self):
        for body in ("5 junk\r\nabcde\r\n0\r\n\r\n",           # text after the size
                     "5;a\x01b\r\nabcde\r\n0\r\n\r\n",          # control character in an extension
                     "5\nxx\r\nabcde\r\n0\r\n\r\n",             # bare LF
                     "0\r\n" + "X: y\r\n" * 20000 + "\r\n"):     # endless trailer
            with self.subTest(body=body[:12]):
                w = self.wire()
                w.send("POST /oauth2/token HTTP/1.1\r\nHost: x\r\n" + FORM_HEAD +
                       "Transfer-Encoding: chunked\r\n\r\n")
                try:
                    w.send(body)
                except OSError:
                    pass
                status, headers, data = w.response()
                self.assertEqual((status, headers.get("connection")), (400, "close"), data)
                self.assertIn(b"the request body could not be read", data)

    def test_expect_100_continue(self):
        body = "grant_type=client_credentials"
        w = self.wire()
        w.send("POST /oauth2/token HTTP/1.1\r\nHost: x\r\n" + FORM_HEAD + self.auth +
               "Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
        self.assertEqual(w.response()[0], 100)
        w.send(body)
        self.assertEqual(w.response()[0], 200)

    def test_no_100_continue_when_the_answer_needs_no_body(self):
        # A request refused before its body is read gets the answer, not "100 Continue", and the
        # connection closes (the unread body cannot be told from the next request).
        w = self.wire()
        w.send("POST /oauth2/token HTTP/1.1\r\nHost: x\r\n" + FORM_HEAD +
               "Expect: 100-continue\r\nContent-Length: 100000\r\n\r\n")
        status, headers, body = w.response()
        self.assertEqual((status, headers.get("connection")), (413, "close"))

    def test_refused_paths_and_cut_bodies_are_answered_at_once(self):
        # A request refused before its body is read gets its 400 at once, not "100 Continue".
        w = self.wire()
        w.send("POST /oauth2/%2e%2e/token HTTP/1.1\r\nHost: x\r\n" + FORM_HEAD +
               "Expect: 100-continue\r\nContent-Length: 1000\r\n\r\n")
        self.assertEqual(w.response()[0], 400)
        # A body cut short by the client's end of stream is a 400, not a silent close.
        w = self.wire()
        w.send("POST /oauth2/token HTTP/1.1\r\nHost: x\r\n" + FORM_HEAD + "Content-Length: 100\r\n\r\ngrant_type=")
        time.sleep(0.2)
        w.sock.shutdown(socket.SHUT_WR)
        status, _, body = w.response()
        self.assertEqual((status, json.loads(body)["error_description"]), (400, "the request body could not be read"))

    def test_head_has_headers_but_no_body(self):
        w = self.wire()
        w.send("HEAD /oauth2/jwks HTTP/1.1\r\nHost: x\r\n\r\n")
        status, headers, _ = w.response(head_request=True)
        self.assertEqual(status, 405)  # the endpoint takes GET only
        w.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(w.response()[0], 200, "no stray body bytes before the next response")

    def test_http_1_0(self):
        w = self.wire()
        w.send("GET /health HTTP/1.0\r\n\r\n")
        status, headers, _ = w.response()
        self.assertEqual((status, headers.get("connection")), (200, "close"))
        self.assertTrue(w.closed())
        w = self.wire()
        w.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        status, headers, _ = w.response()
        self.assertEqual((status, headers.get("connection")), (200, "keep-alive"))
        w.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        self.assertEqual(w.response()[0], 200)

    def test_connection_close_is_honoured(self):
        w = self.wire()
        w.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        status, headers, _ = w.response()
        self.assertEqual((status, headers.get("connection")), (200, "close"))
        self.assertTrue(w.closed())

    def test_malformed_heads_are_400_with_an_oauth_body_and_close(self):
        cases = [
            ("GET /health\r\nHost: x\r\n\r\n", "malformed request line"),
            ("GET  /health HTTP/1.1\r\nHost: x\r\n\r\n", "malformed request line"),
            ("GET /health HTTP/2.0\r\nHost: x\r\n\r\n", "unsupported HTTP version"),
            ("GET /health HTTP/1.1\r\n\r\n", "missing Host header"),
            ("GET /health HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", "obsolete header line folding"),
            ("GET /health HTTP/1.1\r\nHost : x\r\n\r\n", "malformed header field name"),
            ("GET /health HTTP/1.1\r\nHost: x\r\nX: a\x01b\r\n\r\n", "control character in a header field"),
            ("GET /health HTTP/1.1\r\nHost: x\r\nNo-Colon\r\n\r\n", "malformed header field"),
            ("GET /health HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", "more than one Host header"),
            ("POST /oauth2/token HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YTpi\r\n"
             "Authorization: Basic Yzpk\r\nContent-Length: 0\r\n\r\n", "more than one Authorization header"),
            ("POST /oauth2/token HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
             "Transfer-Encoding is not allowed in HTTP/1.0"),
            ("G(T /health HTTP/1.1\r\nHost: x\r\n\r\n", "malformed request method"),
            ("GET /he alth HTTP/1.1\r\nHost: x\r\n\r\n", "malformed request line"),
            ("GET /health HTTP/1.1\r\nHost: x\r\n" + "".join("X-%d: y\r\n" % i for i in range(100)) + "\r\n",
             "more than 100 header fields"),
            ("POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
             "conflicting Content-Length values"),
            ("POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
             "Content-Length is not a number"),
            ("POST /oauth2/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
             "Transfer-Encoding must be exactly chunked, without Content-Length"),
        ]
        for raw, why in cases:
            with self.subTest(why=why, raw=raw[:40]):
                w = self.wire()
                w.send(raw)
                status, headers, body = w.response()
                self.assertEqual((status, headers.get("connection")), (400, "close"), body)
                self.assertEqual(body, ('{"error":"invalid_request","error_description":"%s"}' % why).encode())
                self.assertTrue(w.closed())

    def test_oversized_head_is_431(self):
        w = self.wire()
        w.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a" * 40000 + "\r\n\r\n")
        status, headers, body = w.response()
        self.assertEqual((status, headers.get("connection")), (431, "close"))
        self.assertEqual(body, b'{"error":"invalid_request","error_description":"request head exceeds 32768 bytes"}')

    def test_leading_empty_lines_are_ignored(self):
        w = self.wire()
        w.send("\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(w.response()[0], 200)

    def test_a_slow_client_does_not_block_others(self):
        slow = self.wire()
        slow.send("GET /health HTTP/1.1\r\nHo")  # and nothing more for now
        w = self.wire()
        w.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(w.response()[0], 200)
        slow.send("st: x\r\n\r\n")
        self.assertEqual(slow.response()[0], 200)


class IdleConnectionsTest(ServerTestCase, unittest.TestCase):
    """Idle and slow connections wait in the poller, not on request threads: with threads="2",
    twenty connections that send nothing (or half a head) do not keep anybody else waiting."""

    @classmethod
    def prepare_home(cls, home):
        from harness import edit
        edit(home + "/conf/server.xml", 'threads="16"', 'threads="2"')
        edit(home + "/conf/server.xml", "<!-- <Listener scheme=\"https\"",
             '<Listener scheme="https" host="127.0.0.1" port="0" keyAlias="idgate"/> <!-- <Listener scheme="https"')

    def https_url(self):
        import re
        deadline = time.time() + 10
        while time.time() < deadline:
            urls = re.findall(r"listening on (https://\S+)", self.server.log())
            if urls:
                return urls[0]
            time.sleep(0.05)
        self.fail("no https listener")

    def test_busy_keep_alive_clients_take_turns_with_everyone_else(self):
        """Four clients send request after request on their keep-alive connections as fast as
        they can; with two request threads, a thread used to keep serving one of them as long
        as its next request came within 2 ms, and a fifth connection waited for as long as the
        stream went on. Now every connection gets its turn after one request."""
        import threading
        host, port = self.server.url.split("//")[1].split(":")
        stop = threading.Event()
        served = []

        def hammer():
            s = socket.create_connection((host, int(port)), timeout=10)
            n = 0
            try:
                while not stop.is_set():
                    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                    data = b""
                    while b"\r\n\r\n" not in data or not data.endswith(b"}"):
                        chunk = s.recv(4096)
                        if not chunk:
                            return
                        data += chunk
                    n += 1
            finally:
                served.append(n)
                s.close()

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            time.sleep(0.3)  # the streams are running
            waits = []
            for _ in range(10):
                started = time.monotonic()
                r = self.server.request("GET", "/health")
                waits.append(time.monotonic() - started)
                self.assertEqual(r.status, 200)
            self.assertLess(max(waits), 1.0, "a fresh connection waited behind keep-alive streams: %s" % waits)
        finally:
            stop.set()
            for t in threads:
                t.join(15)
        self.assertTrue(all(n > 0 for n in served), "every busy client was served too: %s" % served)

    def test_slow_bodies_do_not_take_request_threads(self):
        """Twenty clients send a head with Content-Length: 60000 and then a byte now and then:
        with two request threads, those bodies held both threads until their 30 s pace ran out
        and the server answered nothing else. Now a body that has not all arrived waits in the
        poller, and the request goes to a thread only when it has."""
        host, port = self.server.url.split("//")[1].split(":")
        slow = []
        try:
            for _ in range(20):
                s = socket.create_connection((host, int(port)), timeout=10)
                s.sendall(b"POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
                          b"\r\nContent-Length: 60000\r\n\r\ngrant_type=")
                slow.append(s)
            time.sleep(0.3)
            for s in slow:
                s.sendall(b"c")
            waits = []
            for _ in range(5):
                started = time.monotonic()
                self.assertEqual(self.server.request("GET", "/health").status, 200)
                waits.append(time.monotonic() - started)
            self.assertLess(max(waits), 1.0, "waited behind slow bodies: %s" % waits)
            # A body that does arrive in the end is read and answered as before.
            w = Wire(self.server.url)
            body = "grant_type=client_credentials"
            w.send("POST /oauth2/token HTTP/1.1\r\nHost: x\r\n" + FORM_HEAD + "Content-Length: %d\r\n\r\n" % len(body))
            time.sleep(0.2)
            w.send(body[:10])
            time.sleep(0.2)
            w.send(body[10:])
            self.assertEqual(w.response()[0], 401, "the request was answered (no client credentials)")
            w.close()
        finally:
            for s in slow:
                s.close()

    def test_tls_connection_close_ends_with_close_notify(self):
        """After a "Connection: close" answer over TLS the server says close_notify, so a
        client reading to the end can tell a complete response from a cut one."""
        import ssl
        host, port = self.https_url().split("//")[1].split(":")
        ctx = ssl._create_unverified_context()
        with socket.create_connection((host, int(port)), timeout=10) as raw:
            with ctx.wrap_socket(raw, suppress_ragged_eofs=False) as s:
                s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                data = b""
                while True:
                    chunk = s.recv(65536)  # SSLEOFError here: the TCP close came without it
                    if not chunk:
                        break
                    data += chunk
        self.assertTrue(data.startswith(b"HTTP/1.1 200 "), data[:100])
        self.assertIn(b"\r\nConnection: close\r\n", data)

    def test_idle_tls_connections_do_not_take_request_threads(self):
        import ssl
        url = self.https_url()
        host, port = url.split("//")[1].split(":")
        ctx = ssl._create_unverified_context()
        held = []
        try:
            for _ in range(5):  # handshake done, then nothing
                s = ctx.wrap_socket(socket.create_connection((host, int(port)), timeout=10))
                held.append(s)
            for _ in range(5):  # half a ClientHello
                s = socket.create_connection((host, int(port)), timeout=10)
                s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
                held.append(s)
            started = time.monotonic()
            r = self.server.request("GET", "/health", url=url)
            self.assertEqual(r.status, 200)
            self.assertLess(time.monotonic() - started, 5, "waited for a request thread")
        finally:
            for s in held:
                s.close()

    def test_tls_records_trickled_in_do_not_take_request_threads(self):
        """A ClientHello, or after the handshake a request record, sent a byte every 4 ms: each
        byte arrives before any short read timeout runs out, so only TLS that never waits for
        bytes on a request thread keeps these four clients from holding both threads for the
        two seconds their records take."""
        import ssl
        import threading
        url = self.https_url()
        stop = threading.Event()

        def trickle(sock, data):
            for i in range(len(data)):
                if stop.is_set():
                    return
                sock.send(data[i:i + 1])
                time.sleep(0.004)

        def hello_trickler():
            sock, tls, _, out = raw_tls(url, handshake=False)
            with self.assertRaises(ssl.SSLWantReadError):
                tls.do_handshake()
            hello = out.read()
            self.assertGreater(len(hello), 400)  # two seconds' worth at a byte per 4 ms
            trickle(sock, hello)
            return sock

        def record_trickler():
            sock, tls, _, out = raw_tls(url)
            tls.write(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 500 + b"\r\n\r\n")
            trickle(sock, out.read())
            return sock

        held, errors = [], []

        def run(f):
            try:
                held.append(f())
            except Exception as e:  # a trickler that never trickled would make this test moot
                errors.append(repr(e))

        workers = [threading.Thread(target=run, args=(f,))
                   for f in (hello_trickler, hello_trickler, record_trickler, record_trickler)]
        for w in workers:
            w.start()
        try:
            time.sleep(0.5)  # every trickler is sending by now
            started = time.monotonic()
            r = self.server.request("GET", "/health", url=url)
            self.assertEqual(r.status, 200)
            self.assertLess(time.monotonic() - started, 1.5, "waited for a request thread")
        finally:
            stop.set()
            for w in workers:
                w.join()
            for s in held:
                s.close()
        self.assertEqual(errors, [])

    def test_idle_and_slow_connections_do_not_take_request_threads(self):
        idle = [Wire(self.server.url) for _ in range(10)]
        kept = []
        for _ in range(5):
            w = Wire(self.server.url)
            w.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(w.response()[0], 200)
            kept.append(w)  # kept alive, idle now
        slow = [Wire(self.server.url) for _ in range(5)]
        for w in slow:
            w.send("GET /health HTTP/1.1\r\nHost")
        try:
            fresh = Wire(self.server.url)
            fresh.sock.settimeout(3)  # with a thread per idle connection this would take 10 s
            fresh.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(fresh.response()[0], 200)
            fresh.close()
            for w in kept + slow:
                w.send(": x\r\n\r\n" if w in slow else "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertEqual(w.response()[0], 200)
        finally:
            for w in idle + kept + slow:
                w.close()

    def test_lingering_close_after_a_refusal_is_bounded(self):
        # 413 before the body is read; the client keeps sending slowly: the server stops
        # listening within a few seconds, not when the client is done.
        w = Wire(self.server.url)
        w.send("POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               "Content-Length: 99999999999\r\n\r\n")
        status, headers, _ = w.response()
        self.assertEqual((status, headers.get("connection")), (413, "close"))
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < 8 and not closed:
            try:
                w.send("x")
                time.sleep(0.3)
            except OSError:
                closed = True
        self.assertTrue(closed, "still accepting bytes after 8 s")
        w.close()

    def test_a_head_trickled_in_is_closed_after_thirty_seconds(self):
        """A byte every 0.4 s, in the clear and as one TLS record after the handshake (the
        record's first bytes start the clock even though TLS delivers nothing before its end),
        and once more as a TLS record whose 5-byte header comes 8 s before the rest: every
        connection is closed 30 s after its first byte."""
        import threading
        head = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
        records = []
        for _ in range(2):
            sock, tls, _, out = raw_tls(self.https_url())
            tls.write(head)
            records.append((sock, out.read()))
        plain = socket.create_connection(("127.0.0.1", int(self.server.url.rsplit(":", 1)[1])))
        closed_after = {}

        def trickle(name, s, data, pause_after_header=False):
            started = time.monotonic()
            try:
                for i in range(len(data)):
                    s.send(data[i:i + 1])
                    # A whole record header, then nothing for 8 s (under the 10 s idle limit).
                    time.sleep(8 if pause_after_header and i == 4 else 0.4)
                    if time.monotonic() - started > 40:
                        return
                s.settimeout(5)
                if s.recv(1) == b"":
                    closed_after[name] = time.monotonic() - started
            except OSError:
                closed_after[name] = time.monotonic() - started

        threads = [threading.Thread(target=trickle, args=("plain", plain, head)),
                   threading.Thread(target=trickle, args=("tls", *records[0])),
                   threading.Thread(target=trickle, args=("tls paused", *records[1], True))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        plain.close()
        for sock, _ in records:
            sock.close()
        self.assertEqual(sorted(closed_after), ["plain", "tls", "tls paused"], closed_after)
        for name, after in closed_after.items():
            self.assertGreater(after, 29, name)
            self.assertLess(after, 36, name)

    def test_a_body_trickled_in_is_closed_after_thirty_seconds(self):
        # Under 64 KiB per 30 s, a body loses its connection (here: a byte every 0.5 s).
        w = Wire(self.server.url)
        w.send("POST /oauth2/token HTTP/1.1\r\nHost: x\r\n" + FORM_HEAD + "Content-Length: 1000\r\n\r\n")
        started = time.monotonic()
        closed_after = None
        while time.monotonic() - started < 40:
            try:
                w.send("a")
            except OSError:
                closed_after = time.monotonic() - started
                break
            time.sleep(0.5)
        self.assertIsNotNone(closed_after, "still reading after 40 s")
        self.assertGreater(closed_after, 29)
        self.assertLess(closed_after, 36)
        w.close()

    def test_idle_connection_is_closed_after_ten_seconds(self):
        w = Wire(self.server.url)
        w.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(w.response()[0], 200)
        w.sock.settimeout(20)
        started = time.monotonic()
        self.assertTrue(w.closed())
        self.assertGreater(time.monotonic() - started, 8)
        w.close()


class DrainTest(unittest.TestCase):
    def test_sigterm_finishes_the_request_in_flight_and_closes_idle_connections(self):
        from harness import Server, TempDir, init_home
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            server = Server(home).start()
            try:
                idle = Wire(server.url)
                idle.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertEqual(idle.response()[0], 200)
                busy = Wire(server.url)
                busy.send("POST /oauth2/token HTTP/1.1\r\nHost: x\r\n" + FORM_HEAD +
                          "Content-Length: 29\r\n\r\ngrant_type=client_")  # body not complete yet
                time.sleep(0.3)
                server.proc.terminate()
                time.sleep(0.3)
                # The rest of the body, and a next request with part of its body behind it: the
                # first is finished, the next is not begun (a client could chain them forever).
                busy.send("credentials" + "POST /oauth2/token HTTP/1.1\r\nHost: x\r\n" + FORM_HEAD +
                          "Content-Length: 29\r\n\r\ngrant_type=")
                status, _, body = busy.response()
                self.assertEqual(status, 401, body)  # answered, although stopping
                busy.sock.settimeout(5)  # closed after the answer, not when the next body times out
                self.assertTrue(busy.closed())
                self.assertTrue(idle.closed())
                self.assertEqual(server.proc.wait(timeout=20), 0)
            finally:
                if server.proc.poll() is None:
                    server.stop()


if __name__ == "__main__":
    unittest.main()
