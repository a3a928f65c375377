"""A small browser for the interactive login tests: a cookie jar, no automatic redirects, the
hidden fields of the page's form. Real browsers run in tests/interop (Chromium)."""
import base64
import hashlib
import html
import http.client
import json
import re
import secrets
import ssl
import urllib.parse

import jwt


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


class Page:
    def __init__(self, status, headers, body):
        self.status = status
        self.header_list = headers
        self.headers = {}
        for k, v in headers:
            self.headers.setdefault(k.lower(), v)
        self.text = body.decode("utf-8", "replace")

    def cookies_set(self):
        return [v for k, v in self.header_list if k.lower() == "set-cookie"]

    def hidden(self, name):
        m = re.search(r'<input type="hidden" name="%s" value="([^"]*)"' % re.escape(name), self.text)
        return html.unescape(m.group(1)) if m else None

    def location(self):
        return self.headers.get("location")

    def redirect_params(self):
        """The query of the Location header as a dict (single values)."""
        query = urllib.parse.urlsplit(self.location()).query
        return {k: v[0] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}


class Browser:
    def __init__(self, base_url):
        self.base = base_url
        self.cookies = {}

    def request(self, method, url, fields=None, headers=None):
        if not url.startswith("http"):
            url = self.base + url
        parts = urllib.parse.urlsplit(url)
        if parts.scheme == "https":
            conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=30,
                                               context=ssl._create_unverified_context())
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        target = parts.path + ("?" + parts.query if parts.query else "")
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, target, body=body, headers=h)
        resp = conn.getresponse()
        page = Page(resp.status, resp.getheaders(), resp.read())
        conn.close()
        for c in page.cookies_set():
            name, _, rest = c.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in c:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return page

    def get(self, url, **params):
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        return self.request("GET", url)

    def post(self, url, fields):
        return self.request("POST", url, fields)

    def login(self, page, username, password):
        return self.post("/oauth2/login", {"ix": page.hidden("ix"), "csrf_token": page.hidden("csrf_token"),
                                           "username": username, "password": password})

    def consent(self, page, decision="allow", remember=True):
        fields = {"ix": page.hidden("ix"), "csrf_token": page.hidden("csrf_token"), "decision": decision}
        if remember:
            fields["remember"] = "yes"
        return self.post("/oauth2/consent", fields)


def verify_id_token(server, token, audience):
    jwks = json.loads(server.request("GET", "/oauth2/jwks").data)
    header = jwt.get_unverified_header(token)
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    return jwt.decode(token, jwt.PyJWK(key).key, algorithms=[header["alg"]], audience=audience,
                      issuer=server.url)


def at_hash(access_token):
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
