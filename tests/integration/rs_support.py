"""Helpers for the resource-server tests: an upstream that echoes what it received, a JWKS
server, and tokens made by PyJWT (an independent implementation)."""
import datetime
import hashlib
import http.server
import json
import socketserver
import threading
import time
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

import assertions as A

# An HMAC key long enough for HS256, HS384 and HS512 (64 bytes).
SECRET = "a-shared-hmac-secret-long-enough-for-hs512-which-needs-64-bytes!"


class _Quiet(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass


class Upstream:
    """Echoes method, path, headers and a digest of the body as JSON; /slow waits first.
    Counts distinct connections, to see keep-alive from the gateway."""

    def __init__(self):
        owner = self
        self.connections = set()
        self.requests = 0
        self.lock = threading.Lock()

        class Handler(_Quiet):
            def handle_one(self):
                with owner.lock:
                    owner.connections.add(self.client_address)
                    owner.requests += 1
                if self.path.startswith("/slow"):
                    time.sleep(3)
                length = self.headers.get("Content-Length")
                body = b""
                if length is not None:
                    body = self.rfile.read(int(length))
                elif self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    while True:
                        size = int(self.rfile.readline().strip(), 16)
                        if size == 0:
                            self.rfile.readline()
                            break
                        body += self.rfile.read(size)
                        self.rfile.readline()
                out = json.dumps({
                    "method": self.command, "path": self.path,
                    "headers": [[k, v] for k, v in self.headers.items()],
                    "body_length": len(body), "body_sha256": hashlib.sha256(body).hexdigest(),
                    "body": body[:200].decode("latin-1"),
                }).encode()
                if self.path.startswith("/big"):
                    out = b"x" * (3 * 1024 * 1024)
                if self.path.endswith("/early-hints"):
                    self.wfile.write(b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n")
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.send_header("X-Upstream", "echo")
                if self.path.endswith("/bad-header"):
                    self.send_header("X-Bad", "a\x01b")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(out)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_one

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class JwksServer:
    def __init__(self, keys):
        owner = self
        self.keys = keys  # list of JWK dicts
        self.hits = 0

        class Handler(_Quiet):
            def do_GET(self):
                owner.hits += 1
                body = json.dumps({"keys": owner.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d/jwks" % self.httpd.server_address[1]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def self_signed_pem(key, cn="issuer"):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def claims(iss, sub="alice", lifetime=300, **overrides):
    now = int(time.time())
    return A.with_overrides({"iss": iss, "sub": sub, "exp": now + lifetime, "iat": now,
                             "jti": str(uuid.uuid4())}, overrides)


def hs(payload, secret, alg="HS256", **headers):
    return A.sign(payload, secret, alg, **headers)


sign = A.sign


def bearer(token):
    return {"Authorization": "Bearer " + token}


def header_map(echo):
    """The upstream's view of the request headers, names lower-cased (a list per name)."""
    out = {}
    for k, v in echo["headers"]:
        out.setdefault(k.lower(), []).append(v)
    return out
