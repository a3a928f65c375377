"""Forward-auth with the real Debian nginx: auth_request points at idgate's /auth/check in
front of a small upstream, configured as docs/guides/resource-server.md shows."""
import os
import shutil
import socket
import subprocess
import time
import unittest
import urllib.request

import rs_support as R
from harness import Server, TempDir, edit, free_port, init_home

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SECRET = R.SECRET

GUIDE_CONF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "guides", "examples",
                          "nginx-forward-auth.conf")

# The process-level settings a test needs around the guide's server block.
NGINX_CONF = """
%(user)s
worker_processes 1;
daemon off;
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log info;
events { worker_connections 64; }
http {
  access_log %(dir)s/access.log;
  client_body_temp_path %(dir)s/body;
  proxy_temp_path %(dir)s/proxy;
  fastcgi_temp_path %(dir)s/fastcgi;
  uwsgi_temp_path %(dir)s/uwsgi;
  scgi_temp_path %(dir)s/scgi;
  %(server)s
}
"""


def get(url, headers=None):
    """status, the response's header fields (an http.client.HTTPMessage: get_all sees repeats), body."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


@unittest.skipUnless(os.path.exists(NGINX), "nginx is not installed (apt-get install nginx)")
class NginxForwardAuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        parent = cls.tmp.__enter__()
        cls.upstream = R.Upstream()
        home, _ = init_home(parent)
        cls.port = free_port()
        # The origin clients use (nginx's) is configured: audiences are never taken from Host.
        edit(home + "/conf/server.xml", "</Server>", """
  <PublicUrl>http://127.0.0.1:%d</PublicUrl>
  <openidConnectClient id="hs" inboundPropagation="required" signatureAlgorithm="HS256"
      clientSecret="%s" issuerIdentifier="https://hs.example" groupIdentifier="groups"/>
</Server>""" % (cls.port, SECRET))
        cls.server = Server(home).start()
        conf = os.path.join(parent, "nginx.conf")
        with open(GUIDE_CONF) as f:
            server_block = (f.read().replace("LISTEN", "127.0.0.1:%d" % cls.port)
                            .replace("IDGATE_URL", cls.server.url).replace("UPSTREAM_URL", cls.upstream.url))
        with open(conf, "w") as f:
            f.write(NGINX_CONF % {"dir": parent, "server": server_block,
                                  "user": "user root;" if os.geteuid() == 0 else ""})
        cls.nginx = subprocess.Popen([NGINX, "-p", parent, "-c", conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        cls.base = "http://127.0.0.1:%d" % cls.port
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", cls.port), timeout=1).close()
                break
            except OSError:
                if cls.nginx.poll() is not None:
                    raise RuntimeError("nginx exited: " + cls.nginx.stderr.read().decode())
                time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        cls.nginx.terminate()
        cls.nginx.wait(10)
        cls.server.stop()
        cls.upstream.stop()
        cls.tmp.__exit__(None, None, None)

    def token(self, **kw):
        kw.setdefault("aud", self.base)
        return R.hs(R.claims("https://hs.example", groups=["ops"], client_id="svc", **kw), SECRET)

    def test_valid_token_reaches_the_upstream_with_identity(self):
        status, headers, body = get(self.base + "/orders/7?x=1", {"Authorization": "Bearer " + self.token(),
                                                                  "X-Auth-Realm": "forged"})
        self.assertEqual(status, 200, body)
        import json
        echo = json.loads(body)
        h = R.header_map(echo)
        self.assertEqual(echo["path"], "/orders/7?x=1")
        self.assertEqual(h["x-auth-subject"], ["alice"])
        self.assertEqual(h["x-auth-unique-id"], ["user:https://hs.example/alice"])
        self.assertEqual(h["x-auth-realm"], ["https://hs.example"])
        self.assertEqual(h["x-auth-groups"], ["group:https://hs.example/ops"])
        self.assertEqual(h["x-auth-client-id"], ["svc"])
        self.assertIn("GET /auth/check 200", self.server.log())

    def test_no_token_and_bad_tokens_are_401_with_the_challenge(self):
        before = self.upstream.requests
        status, headers, _ = get(self.base + "/orders", {"X-Auth-Subject": "root"})
        self.assertEqual(status, 401)
        # Exactly one challenge: auth_request copies idgate's; the recipe must not add another.
        self.assertEqual(headers.get_all("WWW-Authenticate"), ['Bearer realm="idgate"'])
        status, headers, _ = get(self.base + "/orders", {"Authorization": "Bearer " + self.token(exp=1)})
        self.assertEqual(status, 401)
        (challenge,) = headers.get_all("WWW-Authenticate")
        self.assertIn('error="invalid_token"', challenge)
        # The audience must be the configured public origin (nginx's), not idgate's.
        status, _, _ = get(self.base + "/orders", {"Authorization": "Bearer " + self.token(aud=self.server.url)})
        self.assertEqual(status, 401)
        self.assertEqual(self.upstream.requests, before, "nothing unauthenticated reached the upstream")


if __name__ == "__main__":
    unittest.main()
