#!/usr/bin/env bash
# The interactive login under concurrent browsers: full sign-ins (authorize, login form with a
# password check, consent, code exchange) and returning users (authorize answered from the
# session and remembered consent, code exchange), each by CONCURRENCY clients at once.
#   tests/bench/login_bench.sh [SECONDS] [CONCURRENCY ...]      e.g. tests/bench/login_bench.sh 5 1 4 16
# Server pinned to core 0, the Python clients (one thread per browser) to core 1, loopback only,
# bounded in time. Prints flows/s and the flow's p50, p99 and max, and errors.
set -euo pipefail
SECS=${1:-5}
shift || true
COUNTS=("$@")
[ ${#COUNTS[@]} -gt 0 ] || COUNTS=(1 4 16)
source "$(dirname "$0")/lib.sh"
bench_start_server
"${CLIENT_CPU[@]}" "$PY" - "$URL" "$SECS" "${COUNTS[@]}" <<'PYEOF'
import base64, hashlib, http.client, json, re, secrets, sys, threading, time, urllib.parse

url, secs, counts = sys.argv[1], float(sys.argv[2]), [int(c) for c in sys.argv[3:]]
host = urllib.parse.urlsplit(url)
CB = "http://127.0.0.1:9/cb"
ADMIN = "Basic " + base64.b64encode(b"admin:bench-admin-pw").decode()
PASSWORD = "bench password 1234"

def call(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    return r.status, r.getheaders(), data

def admin(path, payload):
    c = http.client.HTTPConnection(host.hostname, host.port)
    status, _, data = call(c, "POST", path, json.dumps(payload), {"Authorization": ADMIN, "Content-Type": "application/json"})
    assert status == 201, data

admin("/api/admin/clients", {"client_id": "bench-spa", "token_endpoint_auth_method": "none",
                              "grant_types": ["authorization_code"], "redirect_uris": [CB]})
for i in range(max(counts)):
    admin("/api/admin/users", {"username": "user%d" % i, "password": PASSWORD})

class Browser:
    def __init__(self):
        self.conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        self.cookies = {}
    def req(self, method, path, fields=None):
        h = {"Cookie": "; ".join("%s=%s" % kv for kv in self.cookies.items())} if self.cookies else {}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        status, headers, data = call(self.conn, method, path, body, h)
        for k, v in headers:
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        loc = dict((k.lower(), v) for k, v in headers).get("location")
        return status, data.decode(), loc

def hidden(page, name):
    return re.search(r'name="%s" value="([^"]*)"' % name, page).group(1)

def flow(b, user, returning):
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    q = urllib.parse.urlencode({"response_type": "code", "client_id": "bench-spa", "redirect_uri": CB,
                                "scope": "openid", "code_challenge": challenge, "code_challenge_method": "S256"})
    status, page, loc = b.req("GET", "/oauth2/authorize?" + q)
    if not returning:
        assert status == 200, (status, page[:300])
        status, page, loc = b.req("POST", "/oauth2/login", {"ix": hidden(page, "ix"), "csrf_token": hidden(page, "csrf_token"),
                                                            "username": user, "password": PASSWORD})
        if status == 200:
            status, page, loc = b.req("POST", "/oauth2/consent", {"ix": hidden(page, "ix"), "csrf_token": hidden(page, "csrf_token"),
                                                                  "decision": "allow", "remember": "yes"})
    assert status == 303, (status, page[:300])
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)["code"][0]
    status, body, _ = b.req("POST", "/oauth2/token", {"grant_type": "authorization_code", "code": code, "redirect_uri": CB,
                                                      "code_verifier": verifier, "client_id": "bench-spa"})
    assert status == 200, body

print("%-10s %5s %9s %9s %9s %9s %7s" % ("flow", "conc", "flows/s", "p50 ms", "p99 ms", "max ms", "errors"))
for returning in (False, True):
    for c in counts:
        times, errors, lock = [], [0], threading.Lock()
        deadline = time.time() + secs
        def worker(i):
            b = Browser()
            user = "user%d" % i
            if returning:
                flow(b, user, False)  # signs in once (not timed); the timed flows reuse the session
            while time.time() < deadline:
                t = time.perf_counter()
                try:
                    flow(b, user, returning)
                    if not returning:
                        b.cookies.pop("idgate_login", None)  # a new browser session next time
                except Exception:
                    with lock: errors[0] += 1
                    b = Browser()
                    continue
                with lock: times.append((time.perf_counter() - t) * 1000)
        start = time.time()
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(c)]
        for t in threads: t.start()
        for t in threads: t.join()
        elapsed = time.time() - start
        times.sort()
        pick = lambda q: times[min(len(times) - 1, int(q * len(times)))] if times else float("nan")
        print("%-10s %5d %9.1f %9.1f %9.1f %9.1f %7d" % ("returning" if returning else "sign-in", c,
              len(times) / elapsed, pick(0.5), pick(0.99), times[-1] if times else float("nan"), errors[0]))
PYEOF
