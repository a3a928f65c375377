"""GET /metrics in the Prometheus text format: behind the admin credentials unless <Metrics
auth="none">, accepted by promtool (Debian's prometheus package), and counting what happened:
requests by route (a bounded label), tokens by grant and method, refusals by error, plugin
calls, resource server decisions. And <Log format="json">: one JSON object per line."""
import json
import os
import re
import shutil
import subprocess
import unittest

from harness import ADMIN_PASSWORD, FORM, Server, ServerTestCase, TempDir, basic, edit, form, init_home

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """{(name, ((label, value), ...)): value} of every sample."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, "not a sample line: %r" % line
        labels = tuple(sorted(LABEL.findall(m.group(3) or "")))
        out[(m.group(1), labels)] = float(m.group(4))
    return out


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


class MetricsTest(ServerTestCase, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.secret = cls.server.register(client_id="svc", scope="orders")["client_secret"]

    def scrape(self):
        r = self.server.admin("GET", "/metrics")
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        return r.text

    def token(self, secret):
        return self.server.request("POST", "/oauth2/token", form(grant_type="client_credentials"),
                                   dict(FORM, Authorization=basic("svc", secret)))

    def test_behind_the_admin_credentials(self):
        r = self.server.request("GET", "/metrics")
        self.assertEqual((r.status, r.json()["error"]), (401, "unauthorized"))
        self.assertIn("Basic", r.headers["www-authenticate"])
        r = self.server.request("POST", "/metrics", headers={"Authorization": basic("admin", "x")})
        self.assertEqual(r.status, 405)

    def test_promtool_accepts_the_exposition(self):
        self.token(self.secret)
        self.assertIsNotNone(shutil.which("promtool"), "promtool (Debian package prometheus) is needed")
        out = subprocess.run(["promtool", "check", "metrics"], input=self.scrape(), capture_output=True,
                             text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def test_counters_move_with_a_token_request(self):
        before = parse(self.scrape())
        self.assertEqual(self.token(self.secret).status, 200)
        self.assertEqual(self.token("wrong-secret-0123456789").status, 401)
        after = parse(self.scrape())

        def delta(name, **labels):
            return value(after, name, **labels) - value(before, name, **labels)

        self.assertEqual(delta("idgate_tokens_issued_total", grant_type="client_credentials",
                               auth_method="client_secret_basic"), 1)
        self.assertEqual(delta("idgate_token_errors_total", error="invalid_client"), 1)
        self.assertEqual(delta("idgate_http_requests_total", route="/oauth2/token", method="POST", status="200"), 1)
        self.assertEqual(delta("idgate_http_requests_total", route="/oauth2/token", method="POST", status="401"), 1)
        self.assertEqual(delta("idgate_http_request_duration_seconds_count", route="/oauth2/token"), 2)
        self.assertEqual(delta("idgate_plugin_calls_total", plugin="client_secret_basic",
                               file="idgate-client-secret-basic.so"), 2)
        self.assertGreater(value(after, "process_resident_memory_bytes"), 1e6)
        self.assertGreater(value(after, "process_open_fds"), 3)
        self.assertGreaterEqual(value(after, "idgate_http_connections_open"), 1)

    def test_routes_are_a_bounded_label(self):
        before = parse(self.scrape())
        self.server.admin("GET", "/api/admin/clients/svc")
        self.server.request("GET", "/no/such/path/" + "x" * 40)
        self.server.request("GET", "/api/me")  # no <openidConnectClient>: a resource server decision
        after = parse(self.scrape())
        self.assertEqual(value(after, "idgate_http_requests_total", route="/api/admin/clients/{id}", method="GET",
                               status="200") - value(before, "idgate_http_requests_total",
                                                     route="/api/admin/clients/{id}", method="GET", status="200"), 1)
        self.assertGreaterEqual(value(after, "idgate_http_requests_total", route="other", method="GET",
                                      status="404"), 1)
        self.assertFalse([k for k in after if any("/no/such" in v for _, v in k[1])], "a path became a label")
        self.assertEqual(value(after, "idgate_resource_authentications_total", outcome="no_token") -
                         value(before, "idgate_resource_authentications_total", outcome="no_token"), 1)


class MetricsConfigTest(unittest.TestCase):
    def test_auth_none_opens_it_and_a_bad_value_stops_startup(self):
        with TempDir() as d:
            home, _ = init_home(d)
            edit(home + "/conf/server.xml", "</Server>", '<Metrics auth="none"/>\n</Server>')
            server = Server(home).start()
            try:
                r = server.request("GET", "/metrics")
                self.assertEqual(r.status, 200)
                self.assertIn("# TYPE idgate_http_requests_total counter", r.text)
            finally:
                server.stop()
            edit(home + "/conf/server.xml", '<Metrics auth="none"/>\n</Server>', '<Metrics auth="public"/>\n</Server>')
            server = Server(home)
            self.assertNotEqual(server.start(expect_failure=True), 0)
            self.assertIn(os.path.join(home, "conf", "server.xml"), server.log())
            self.assertIn("<Server/Metrics>", server.log())
            self.assertIn("'auth'", server.log())
            self.assertIn("'public' is neither admin nor none", server.log())


class JsonLogTest(unittest.TestCase):
    def test_one_object_per_line_and_never_a_secret_or_a_token(self):
        with TempDir() as d:
            home, _ = init_home(d)
            edit(home + "/conf/server.xml", "</Server>", '<Log format="json"/>\n</Server>')
            server = Server(home).start()
            try:
                secret = server.register(client_id="svc", scope="orders")["client_secret"]
                r = server.request("POST", "/oauth2/token", form(grant_type="client_credentials"),
                                   dict(FORM, Authorization=basic("svc", secret)))
                token = r.json()["access_token"]
                r = server.request("POST", "/oauth2/token", form(grant_type="client_credentials"),
                                   dict(FORM, Authorization=basic("svc", "wrong-secret-0123456789")))
                self.assertEqual(r.status, 401)
                log = server.log()
            finally:
                server.stop()
        lines = [l for l in log[log.index('{"time"'):].splitlines() if l.strip()]
        entries = [json.loads(l) for l in lines]  # every line after the config is read: JSON
        for e in entries:
            self.assertRegex(e["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertIn(e["level"], ("Information", "Notice", "Warning", "Error", "Debug"))
            self.assertTrue(e["logger"].startswith("idgate"))
        access = [e for e in entries if e["logger"] == "idgate.access" and e.get("route") == "/oauth2/token"]
        self.assertEqual([(e["status"], e["outcome"]) for e in access], [(200, "ok"), (401, "refused")])
        self.assertEqual(access[0]["client_id"], "svc")
        self.assertEqual(access[0]["method"], "POST")
        self.assertIsInstance(access[0]["duration_ms"], float)
        self.assertTrue(access[1]["reason"].startswith("error=invalid_client"))
        self.assertTrue(access[0]["request_id"] and access[0]["request_id"] != access[1]["request_id"])
        for secret_text in (secret, token, token.split(".")[2], "wrong-secret-0123456789", ADMIN_PASSWORD):
            self.assertNotIn(secret_text, log)


if __name__ == "__main__":
    unittest.main()
