"""Starts idgate-server in a temporary home and talks to it over HTTP, as a user would.

Run with /usr/bin/python3 (Debian's, which has PyJWT). IDGATE_BUILD_DIR names the build tree.
"""
import base64
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.parse

BUILD = os.environ.get("IDGATE_BUILD_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
SERVER = os.path.join(BUILD, "bin", "idgate-server")
REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FIXTURE_DROPINS = os.path.join(BUILD, "fixture-dropins")
ADMIN_PASSWORD = "admin-pass-123"


def init_home(parent, name="home", admin_password=ADMIN_PASSWORD, issuer=None):
    home = os.path.join(parent, name)
    args = [SERVER, "init", home]
    if admin_password is not None:
        args += ["--admin-password", admin_password]
    if issuer:
        args += ["--issuer", issuer]
    out = subprocess.run(args, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise RuntimeError("init failed: " + out.stderr)
    return home, out


def bootstrap_property(home, name):
    """A variable init wrote into the home's bootstrap.properties (conf/server.xml's ${name})."""
    with open(os.path.join(home, "bootstrap.properties")) as f:
        return re.search(r"^%s=(\S+)$" % re.escape(name), f.read(), re.M).group(1)


def store_password(home):
    """The keystore password init generated (bootstrap.properties' keystore.password)."""
    return bootstrap_property(home, "keystore.password")


def postgres_connection(name="connection_it"):
    with open(os.path.join(BUILD, "postgres", name)) as f:
        return f.read().strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One idgate-server process on a free loopback port, or on `port` (so that the issuer, the
    first listener's URL as bound, is known before it starts, as it is for ./run.sh's)."""

    def __init__(self, home, port=0, conf=None, dropins=None):
        self.home = home
        self.port = port
        self.layout = (["--conf", conf] if conf else []) + (["--dropins", dropins] if dropins else [])
        self.proc = None
        self.log_path = os.path.join(home, "server.log")
        self.url = None
        self.urls = []

    def start(self, timeout=30, expect_failure=False):
        self.log_offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        self.log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen([SERVER, "--home", self.home, "--port", str(self.port)] + self.layout,
                                     stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            log = self.log()[self.log_offset:]
            if self.proc.poll() is not None:
                if expect_failure:
                    return self.proc.returncode
                raise RuntimeError("server exited %s:\n%s" % (self.proc.returncode, log))
            self.urls = re.findall(r'listening on ([^\s"]+)', log)
            if self.urls and not expect_failure:
                self.url = self.urls[0]
                return self
            time.sleep(0.05)
        raise RuntimeError("server did not start:\n" + self.log())

    def https_url(self, timeout=10):
        """The HTTPS listener's URL (logged after the plain one's; see enable_https)."""
        deadline = time.time() + timeout
        while len(self.urls) < 2 and time.time() < deadline:
            time.sleep(0.05)
            self.urls = re.findall(r'listening on ([^\s"]+)', self.log())
        return [u for u in self.urls if u.startswith("https://")][0]

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log_file.close()
        return self.proc.returncode if self.proc else None

    # --- HTTP -----------------------------------------------------------------------------
    def request(self, method, path, body=None, headers=None, url=None):
        parsed = urllib.parse.urlsplit(url or self.url)
        if parsed.scheme == "https":
            conn = http.client.HTTPSConnection(parsed.hostname, parsed.port, timeout=30,
                                               context=ssl._create_unverified_context())
        else:
            conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        if isinstance(body, str):
            body = body.encode()
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return Response(resp.status, resp.getheaders(), data)

    def admin(self, method, path, payload=None, password=ADMIN_PASSWORD):
        headers = {"Authorization": basic("admin", password)}
        body = None
        if payload is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(payload)
        return self.request(method, path, body, headers)

    def register(self, **metadata):
        r = self.admin("POST", "/api/admin/clients", metadata)
        if r.status != 201:
            raise AssertionError("registration failed: %s %s" % (r.status, r.text))
        return r.json()

    def curl_token(self, *form, user=None, path="/oauth2/token"):
        """POSTs to the token endpoint with curl, exactly as the README shows."""
        args = ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}"]
        if user:
            args += ["-u", user]
        for f in form:
            args += ["--data-urlencode", f]
        args.append(self.url + path)
        out = subprocess.run(args, capture_output=True, text=True, timeout=30)
        body, _, code = out.stdout.rpartition("\n")
        return int(code), json.loads(body) if body else None


class Response:
    def __init__(self, status, headers, data):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.data = data

    @property
    def text(self):
        return self.data.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.data)


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


def form(**params):
    return urllib.parse.urlencode(params)


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class TempDir:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="idgate-it-")
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)


def enable_https(home):
    """Uncomments init's HTTPS listener (any free port, the keystore's idgate key)."""
    edit(home + "/conf/server.xml", "<!-- <Listener scheme=\"https\"",
         '<Listener scheme="https" host="127.0.0.1" port="0" keyAlias="idgate"/> <!-- <Listener scheme="https"')


def edit(path, old, new):
    with open(path) as f:
        text = f.read()
    if old not in text:
        raise AssertionError("%r not in %s" % (old, path))
    with open(path, "w") as f:
        f.write(text.replace(old, new, 1))


class ServerTestCase:
    """Mixin for unittest.TestCase: one server in a fresh home for the whole class."""

    @classmethod
    def prepare_home(cls, home):
        """Override to edit the home's configuration before the server starts."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        home, _ = init_home(cls.tmp.__enter__())
        cls.prepare_home(home)
        cls.server = Server(home).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.__exit__(None, None, None)


# init's commented-out <openidConnectClient> for idgate's own tokens: the element between a line
# "<!--" and a line "-->".
OWN_TOKENS_EXAMPLE = re.compile(r" *<!--\n( *<openidConnectClient [^>]*/>)\n *-->\n")
DOCS_URL = "http://127.0.0.1:9443"


def uncomment_own_tokens_example(home, url=None, conf=None):
    """Deletes the two comment lines around the example, as its comment says. url stands in for
    the docs' http://127.0.0.1:9443 in it, as the guide runner does for the pages. conf: the
    conf/ folder when it is not the home's (the checkout layout)."""
    path = os.path.join(conf or os.path.join(home, "conf"), "server.xml")
    with open(path) as f:
        text = f.read()
    text, n = OWN_TOKENS_EXAMPLE.subn(r"\1\n", text)
    if n != 1:
        raise AssertionError("no commented-out <openidConnectClient> example in " + path)
    if url:
        text = text.replace('issuerIdentifier="%s"' % DOCS_URL, 'issuerIdentifier="%s"' % url)
    with open(path, "w") as f:
        f.write(text)
