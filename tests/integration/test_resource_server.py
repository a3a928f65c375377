"""Resource server (issue: JWTs as authentication tokens): the Liberty test matrix through
/api/me, /auth/check and gateway routes, with tokens made by PyJWT."""
import json
import os
import subprocess
import time
import unittest
import urllib.parse
import uuid

import assertions as A
import rs_support as R
from harness import BUILD, edit, FORM, init_home, Server, store_password, TempDir

ISSUER = "https://idgate.test"
SECRET = R.SECRET
KEYTOOL = os.path.join(BUILD, "bin", "idgate-keytool")
SIG_ALGS = A.ASYMMETRIC + A.HMAC


class ResourceServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        parent = cls.tmp.__enter__()
        cls.upstream = R.Upstream()
        cls.sig_keys = {alg: A.private_key(alg) for alg in A.ASYMMETRIC}
        cls.rs_key = A.private_key("RS256")
        jwks = [A.public_jwk(cls.rs_key, "rs-1")]
        jwks += [A.public_jwk(k, "sig-" + alg) for alg, k in cls.sig_keys.items()]
        cls.jwks = R.JwksServer(jwks)
        cls.es_key = A.private_key("ES256")
        home, _ = init_home(parent, issuer=ISSUER)
        cls.home = home
        pem = os.path.join(parent, "es.pem")
        with open(pem, "wb") as f:
            f.write(R.self_signed_pem(cls.es_key, "es-issuer"))
        out = subprocess.run([KEYTOOL, "-importcert", "-alias", "es-issuer", "-file", pem, "-keystore",
                              home + "/keystore/idgate.p12", "-storetype", "PKCS12", "-storepass",
                              store_password(home), "-noprompt"], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        sig_clients = ""
        for alg in SIG_ALGS:
            key = ('clientSecret="%s"' % SECRET) if alg.startswith("HS") else \
                ('jwkEndpointUrl="%s"' % cls.jwks.url)
            sig_clients += ('<openidConnectClient id="sig-%s" inboundPropagation="required" signatureAlgorithm="%s" '
                            '%s issuerIdentifier="https://sig-%s.example" audiences="ALL_AUDIENCES" tokenReuse="true"/>\n'
                            % (alg, alg, key, alg.lower()))
        edit(home + "/conf/server.xml", 'allowPrivateAddresses="false"', 'allowPrivateAddresses="true"')
        edit(home + "/conf/server.xml", 'refetchIntervalSeconds="30"', 'refetchIntervalSeconds="1"')
        edit(home + "/conf/server.xml", "</Server>", """
  <PublicUrl>https://shop.example</PublicUrl>
  <authFilter id="partners"><requestUrl urlPattern="/partners/" matchType="contains"/></authFilter>
  <openidConnectClient id="partner" inboundPropagation="required" signatureAlgorithm="HS256"
      clientSecret="%(secret)s" issuerIdentifier="https://partner.example" authFilterRef="partners"
      audiences="ALL_AUDIENCES"/>
  <openidConnectClient id="hs" inboundPropagation="required" signatureAlgorithm="HS256"
      clientSecret="%(secret)s" issuerIdentifier="https://hs.example, https://hs2.example"
      groupIdentifier="groups" realmIdentifier="tenant" clockSkew="5m"/>
  <openidConnectClient id="rs" inboundPropagation="required" signatureAlgorithm="RS256"
      jwkEndpointUrl="%(jwks)s" issuerIdentifier="https://rs.example" audiences="api://orders other"
      tokenReuse="true" userIdentifier="upn" uniqueUserIdentifier="oid" realmName="corp"/>
  <openidConnectClient id="es" inboundPropagation="required" signatureAlgorithm="ES256"
      trustStoreRef="KeyStore" trustAliasName="es-issuer" issuerIdentifier="https://es.example"
      audiences="ALL_AUDIENCES"/>
  <openidConnectClient id="hdr" inboundPropagation="required" signatureAlgorithm="HS256"
      clientSecret="%(secret)s" issuerIdentifier="https://hdr.example" headerName="X-JWT"
      audiences="ALL_AUDIENCES"/>
  <openidConnectClient id="reg" inboundPropagation="required" signatureAlgorithm="HS256"
      clientSecret="%(secret)s" issuerIdentifier="https://reg.example" audiences="ALL_AUDIENCES"
      mapIdentityToRegistryUser="true"/>
  <openidConnectClient id="sup" inboundPropagation="supported" signatureAlgorithm="HS256"
      clientSecret="%(secret)s" issuerIdentifier="https://sup.example" audiences="ALL_AUDIENCES"/>
  <openidConnectClient id="sess" inboundPropagation="required" signatureAlgorithm="HS256"
      clientSecret="%(secret)s" issuerIdentifier="https://sess.example" audiences="ALL_AUDIENCES"
      authnSessionDisabled="false"/>
  <openidConnectClient id="mapped" inboundPropagation="required" signatureAlgorithm="HS256"
      clientSecret="%(secret)s" issuerIdentifier="https://mapped.example" audiences="ALL_AUDIENCES"
      tokenReuse="true"/>
  <openidConnectClient id="own" inboundPropagation="required" signatureAlgorithm="ES256"
      issuerIdentifier="%(issuer)s" audiences="https://orders.example"/>
  %(sig)s
  <basicRegistry id="basic" realm="BasicRealm">
    <user name="alice" password="unused"/>
    <user name="bob"/>
    <group name="admins"><member name="alice"/></group>
  </basicRegistry>
  <route path="/orders" upstream="%(up)s" openidConnectClientRef="own"/>
  <route path="/sess" upstream="%(up)s" openidConnectClientRef="sess"/>
  <route path="/mapped" upstream="%(up)s" openidConnectClientRef="mapped"/>
  <route path="/hs" upstream="%(up)s" openidConnectClientRef="hs"/>
  <route path="/hdr" upstream="%(up)s" openidConnectClientRef="hdr"/>
  <route path="/reg" upstream="%(up)s" openidConnectClientRef="reg"/>
  <route path="/sup" upstream="%(up)s" openidConnectClientRef="sup"/>
  <route path="/sup/locked" upstream="%(up)s" openidConnectClientRef="hs"/>
  <route path="/slow" upstream="%(up)s" openidConnectClientRef="hs" timeout="1s"/>
  <route path="/big" upstream="%(up)s" openidConnectClientRef="hs"/>
  <route path="/down" upstream="http://127.0.0.1:1" openidConnectClientRef="hs"/>
</Server>""" % {"secret": SECRET, "jwks": cls.jwks.url, "issuer": ISSUER, "up": cls.upstream.url,
                  "sig": sig_clients})
        edit(home + "/conf/identity.xml", "  </EventListeners>", """
    <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
                   name="claim_subject_mapper" orderId="10" enable="true">
      <Property name="PrincipalClaim">email</Property>
      <Property name="GroupsClaim">roles</Property>
      <Property name="GroupPrefix">role:</Property>
      <Property name="RequiredClaim">tenant</Property>
      <Property name="ApplyTo">mapped</Property>
    </EventListener>
  </EventListeners>""")
        cls.server = Server(home).start()
        cls.origin = cls.server.url

    @classmethod
    def tearDownClass(cls):
        # After all the gateway traffic (kept-alive upstream connections in the pools), SIGTERM
        # ends the server cleanly and at once (it used to hang or crash closing them).
        started = time.monotonic()
        rc = cls.server.stop()
        stopped_in = time.monotonic() - started
        cls.upstream.stop()
        cls.jwks.stop()
        cls.tmp.__exit__(None, None, None)
        if rc != 0 or stopped_in > 15:
            raise AssertionError("server stop: exit code %s after %.1f s" % (rc, stopped_in))

    # --- helpers ------------------------------------------------------------------------------
    def me(self, token=None, headers=None, **kw):
        h = dict(headers or {})
        if token is not None:
            h.update(R.bearer(token))
        return self.server.request("GET", "/api/me", headers=h, **kw)

    def hs_token(self, iss="https://hs.example", secret=SECRET, alg="HS256", **overrides):
        overrides.setdefault("aud", self.origin + "/api/me")
        return R.hs(R.claims(iss, **overrides), secret, alg)

    def assertInvalid(self, r, description):
        self.assertEqual(r.status, 401, r.text)
        self.assertEqual(r.json()["error"], "invalid_token")
        self.assertEqual(r.json()["error_description"], description)
        challenge = r.headers["www-authenticate"]
        self.assertTrue(challenge.startswith('Bearer realm="'), challenge)
        self.assertIn('error="invalid_token"', challenge)
        self.assertIn('error_description="%s"' % description, challenge)

    # --- tokens and the subject ---------------------------------------------------------------
    def test_subject_from_claims(self):
        t = self.hs_token(groups=["g1", "g2"], tenant="acme", client_id="svc-1", extra={"ignored": True})
        r = self.me(t)
        self.assertEqual(r.status, 200, r.text)
        me = r.json()
        self.assertEqual(me["principal"], "alice")
        self.assertEqual(me["realm"], "acme")
        self.assertEqual(me["unique_id"], "user:acme/alice")
        self.assertEqual(me["groups"], ["group:acme/g1", "group:acme/g2"])
        self.assertEqual(me["client_id"], "svc-1")
        self.assertEqual(me["openid_connect_client"], "hs")
        self.assertEqual(me["claims"]["extra"], {"ignored": True})
        self.assertEqual(r.headers["cache-control"], "no-store")

    def test_realm_defaults_to_iss_and_realm_name_wins(self):
        r = self.me(self.hs_token(iss="https://hs2.example"))
        self.assertEqual(r.json()["realm"], "https://hs2.example")
        t = R.sign(R.claims("https://rs.example", upn="carol@corp", oid="u-77", aud="api://orders",
                            realmName="ignored"), self.rs_key, "RS256", kid="rs-1")
        me = self.me(t).json()
        self.assertEqual((me["principal"], me["realm"], me["unique_id"]), ("carol@corp", "corp", "user:corp/u-77"))

    def test_no_token_is_a_bare_challenge(self):
        r = self.me()
        self.assertEqual(r.status, 401)
        self.assertEqual(r.headers["www-authenticate"], 'Bearer realm="idgate"')
        self.assertEqual(r.json()["error"], "unauthorized")

    def test_issuer_rules(self):
        self.assertInvalid(self.me(self.hs_token(iss="https://evil.example")), "no key: clientSecret is not configured"
                           if False else "issuer is not trusted by this configuration")
        self.assertInvalid(self.me(self.hs_token(iss="https://hs.example.evil")),
                           "issuer is not trusted by this configuration")
        self.assertInvalid(self.me(self.hs_token(iss="https://hs.exampl")), "issuer is not trusted by this configuration")
        c = R.claims("https://hs.example", aud=self.origin)
        del c["iss"]
        self.assertInvalid(self.me(R.hs(c, SECRET)), "iss claim is missing")

    def test_signature_and_algorithm(self):
        self.assertInvalid(self.me(self.hs_token(secret="another-secret-of-at-least-32-bytes")),
                           "signature is not valid")
        self.assertInvalid(self.me(self.hs_token(alg="HS384")), "algorithm not accepted")
        parts = self.hs_token().split(".")
        none = R.hs({}, "x").split(".")  # header for alg none below
        header = A.jwt.utils.base64url_encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).decode()
        self.assertInvalid(self.me(header + "." + parts[1] + "."), "algorithm not accepted")
        header = A.jwt.utils.base64url_encode(json.dumps({"typ": "JWT"}).encode()).decode()
        r = self.me(header + "." + parts[1] + "." + parts[2])
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json()["error"], "invalid_token")
        del none

    def test_one_and_two_part_tokens(self):
        parts = self.hs_token().split(".")
        self.assertInvalid(self.me(parts[0]), "token is not a JWS (expected 3 parts)")
        self.assertInvalid(self.me(parts[0] + "." + parts[1]), "token is not a JWS (expected 3 parts)")
        self.assertInvalid(self.me("a.b.c.d.e"), "encrypted tokens (JWE) are not accepted")

    def test_subject_claim(self):
        self.assertInvalid(self.me(self.hs_token(sub=None)), "claim 'sub' (userIdentifier) is missing")
        self.assertInvalid(self.me(self.hs_token(sub="")), "claim 'sub' (userIdentifier) is missing")
        self.assertInvalid(self.me(self.hs_token(sub=42)), "claim 'sub' (userIdentifier) is missing")

    def test_time_window(self):
        now = int(time.time())
        self.assertEqual(self.me(self.hs_token(exp=now - 200, iat=now - 400)).status, 200, "within 5m skew")
        self.assertInvalid(self.me(self.hs_token(exp=now - 400, iat=now - 600)), "token expired")
        self.assertInvalid(self.me(self.hs_token(exp=None)), "exp claim is missing")
        self.assertInvalid(self.me(self.hs_token(exp="tomorrow")), "exp, nbf or iat is not a valid NumericDate")
        self.assertInvalid(self.me(self.hs_token(iat="now")), "exp, nbf or iat is not a valid NumericDate")
        self.assertEqual(self.me(self.hs_token(iat=None)).status, 200, "iat is optional")
        self.assertInvalid(self.me(self.hs_token(iat=now + 3600, exp=now + 7200)), "iat is in the future")
        self.assertInvalid(self.me(self.hs_token(iat=now + 100, exp=now + 50)), "iat is after exp")
        self.assertEqual(self.me(self.hs_token(nbf=now)).status, 200)
        self.assertEqual(self.me(self.hs_token(nbf=now + 200)).status, 200, "nbf within skew")
        self.assertInvalid(self.me(self.hs_token(nbf=now + 3600)), "token not yet valid (nbf)")

    def test_audience_same_origin_rule_without_configuration(self):
        ok = [self.origin, self.origin + "/other/app", [self.origin + "/x", "urn:other"]]
        for aud in ok:
            with self.subTest(aud=aud):
                self.assertEqual(self.me(self.hs_token(aud=aud)).status, 200)
        port = int(self.origin.rsplit(":", 1)[1])
        bad = ["http://localhost:%d" % port, "https://127.0.0.1:%d" % port, "http://127.0.0.1:%d" % (port + 1),
               "urn:idgate", "not a url"]
        accepted = "audience is not this server's origin; accepted: a URL of %s, %s, https://shop.example" % (
            ISSUER, self.origin)
        for aud in bad:
            with self.subTest(aud=aud):
                self.assertInvalid(self.me(self.hs_token(aud=aud)), accepted)
        self.assertEqual(self.me(self.hs_token(aud=None)).status, 200, "no aud and no audiences = accepted")
        # The issuer's and every <PublicUrl>'s origin are this server's too.
        self.assertEqual(self.me(self.hs_token(aud=ISSUER + "/api")).status, 200)
        self.assertEqual(self.me(self.hs_token(aud="https://shop.example/api")).status, 200)

    def test_audience_is_never_matched_against_the_callers_host(self):
        # A token for another service must not pass because the caller names that service's host.
        other = self.hs_token(aud="https://payments.example/api")
        accepted = "audience is not this server's origin; accepted: a URL of %s, %s, https://shop.example" % (
            ISSUER, self.origin)
        for headers in ({"Host": "payments.example"}, {"Host": "payments.example:443"},
                        {"X-Forwarded-Host": "payments.example", "X-Forwarded-Proto": "https"},
                        {"Host": "payments.example", "X-Forwarded-Host": "payments.example",
                         "X-Forwarded-Proto": "https", "Forwarded": "host=payments.example;proto=https"}):
            with self.subTest(headers=headers):
                self.assertInvalid(self.me(other, headers=headers), accepted)
                r = self.server.request("GET", "/hs/items", headers=dict(headers, **R.bearer(other)))
                self.assertEqual(r.status, 401, r.text)
                self.assertNotIn("x-upstream", r.headers)
        fwd = {"X-Forwarded-Uri": "/shop/cart", "X-Forwarded-Host": "payments.example", "X-Forwarded-Proto": "https"}
        r = self.server.request("GET", "/auth/check", headers=dict(fwd, **R.bearer(other)))
        self.assertEqual(r.status, 401, r.text)

    def test_audiences_configured(self):
        def rs(**kw):
            return R.sign(R.claims("https://rs.example", upn="carol", **kw), self.rs_key, "RS256", kid="rs-1")
        self.assertEqual(self.me(rs(aud="api://orders")).status, 200)
        self.assertEqual(self.me(rs(aud=["x", "other"])).status, 200)
        self.assertInvalid(self.me(rs(aud="api://orders/")), "audience not accepted; accepted: api://orders, other")
        self.assertInvalid(self.me(rs(aud=self.origin)), "audience not accepted; accepted: api://orders, other")
        self.assertInvalid(self.me(rs()), "aud claim is missing; accepted: api://orders, other")
        # ALL_AUDIENCES: anything, or nothing.
        t = R.sign(R.claims("https://es.example", aud="whatever"), self.es_key, "ES256")
        self.assertEqual(self.me(t).status, 200)

    def test_signature_matrix(self):
        for alg in SIG_ALGS:
            with self.subTest(alg=alg):
                c = R.claims("https://sig-%s.example" % alg.lower())
                if alg.startswith("HS"):
                    good = R.hs(c, SECRET, alg)
                    bad = R.hs(c, SECRET + "x", alg)
                else:
                    good = R.sign(c, self.sig_keys[alg], alg, kid="sig-" + alg)
                    bad = R.sign(c, A.private_key(alg), alg, kid="sig-" + alg)
                r = self.me(good)
                self.assertEqual(r.status, 200, r.text)
                self.assertEqual(r.json()["openid_connect_client"], "sig-" + alg)
                self.assertInvalid(self.me(bad), "signature is not valid")
        # A key of the wrong type for the configured algorithm (ES256 key under the RS256 config's kid).
        t = R.sign(R.claims("https://sig-rs256.example"), self.sig_keys["ES256"], "ES256", kid="sig-ES256")
        self.assertInvalid(self.me(t), "algorithm not accepted")
        t = R.sign(R.claims("https://sig-rs256.example"), self.sig_keys["RS256"], "RS256", kid="nope")
        self.assertInvalid(self.me(t), "no key with the token's kid")

    def test_unknown_kid_refetches_the_jwks_once(self):
        # refetchIntervalSeconds="1" here: a miss refetches at most once a second.
        ok = R.sign(R.claims("https://rs.example", upn="dave", aud="other"), self.rs_key, "RS256", kid="rs-1")
        self.assertEqual(self.me(ok).status, 200)
        time.sleep(1.1)
        key = A.private_key("RS256")
        self.jwks.keys.append(A.public_jwk(key, "rotated-in"))
        hits = self.jwks.hits
        start = time.time()
        for _ in range(3):
            t = R.sign(R.claims("https://rs.example", upn="dave", aud="other"), key, "RS256", kid="rotated-in")
            self.assertEqual(self.me(t).status, 200)
        self.assertEqual(self.jwks.hits, hits + 1, "one refetch for the new kid")
        unknown = R.sign(R.claims("https://rs.example", upn="dave", aud="other"), key, "RS256", kid="never")
        for _ in range(5):
            self.assertEqual(self.me(unknown).status, 401)
        # At most one refetch per started interval of one second (the machine may be slow).
        allowed = 1 + int(time.time() - start)
        self.assertLessEqual(self.jwks.hits - hits, allowed, "unknown kids are throttled")

    def test_key_by_x5t_when_there_is_no_kid(self):
        key = A.private_key("RS256")
        jwk = A.public_jwk(key)
        jwk["x5t"] = "dGh1bWJwcmludC1vZi1hLWNlcnQ"
        self.jwks.keys.append(jwk)
        time.sleep(1.1)  # past refetchIntervalSeconds="1"
        c = R.claims("https://rs.example", upn="erin", aud="other")
        t = A.jwt.encode(c, key, algorithm="RS256", headers={"x5t": jwk["x5t"]})
        r = self.me(t)
        self.assertEqual(r.status, 200, r.text)
        t = A.jwt.encode(c, key, algorithm="RS256", headers={"x5t": "bm8tc3VjaC1jZXJ0"})
        self.assertInvalid(self.me(t), "no key with the token's x5t")

    def test_token_reuse(self):
        t = self.hs_token()
        self.assertEqual(self.me(t).status, 200)
        self.assertInvalid(self.me(t), "token was already used (jti)")
        jti = str(uuid.uuid4())
        self.assertEqual(self.me(self.hs_token(jti=jti)).status, 200)
        self.assertInvalid(self.me(self.hs_token(jti=jti, sub="bob")), "token was already used (jti)")
        # Same jti from another trusted issuer of the same config is another token.
        self.assertEqual(self.me(self.hs_token(iss="https://hs2.example", jti=jti)).status, 200)
        # Subset / superset of a seen jti are different jtis.
        self.assertEqual(self.me(self.hs_token(jti=jti[:-1])).status, 200)
        self.assertEqual(self.me(self.hs_token(jti=jti + "0")).status, 200)
        no_jti = self.hs_token(jti=None)
        for _ in range(3):
            self.assertEqual(self.me(no_jti).status, 200, "no jti = no check")
        # tokenReuse="true": the same token again is fine.
        t = R.sign(R.claims("https://rs.example", upn="carol", aud="other"), self.rs_key, "RS256", kid="rs-1")
        self.assertEqual(self.me(t).status, 200)
        self.assertEqual(self.me(t).status, 200)

    def test_header_name(self):
        for name, prefix in (("X-JWT", ""), ("x-jwt", ""), ("X-Jwt", "Bearer ")):
            with self.subTest(name=name):
                t = R.hs(R.claims("https://hdr.example"), SECRET)
                r = self.server.request("GET", "/hdr/x", headers={name: prefix + t})
                self.assertEqual(r.status, 200, r.text)
        r = self.server.request("GET", "/hdr/x", headers=R.bearer(R.hs(R.claims("https://hdr.example"), SECRET)))
        self.assertEqual(r.status, 401, "headerName set: Authorization is not read")
        self.assertEqual(r.headers["www-authenticate"], 'Bearer realm="idgate"')

    def test_access_token_in_form_body(self):
        t = self.hs_token()
        r = self.server.request("POST", "/api/me", body=urllib.parse.urlencode({"access_token": t}), headers=FORM)
        self.assertEqual(r.status, 200, r.text)
        # Not from the query string, not from a JSON body.
        r = self.server.request("GET", "/api/me?access_token=" + self.hs_token())
        self.assertEqual(r.status, 401)
        r = self.server.request("POST", "/api/me", body=json.dumps({"access_token": self.hs_token()}),
                                headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 401)

    def test_registry_mapping(self):
        t = R.hs(R.claims("https://reg.example", sub="alice", groupIds=["from-token"]), SECRET)
        r = self.server.request("GET", "/reg/x", headers=R.bearer(t))
        self.assertEqual(r.status, 200, r.text)
        h = R.header_map(r.json())
        self.assertEqual(h["x-auth-groups"], ["group:https://reg.example/admins"])
        r = self.server.request("GET", "/reg/x", headers=R.bearer(R.hs(R.claims("https://reg.example", sub="mallory"), SECRET)))
        self.assertEqual(r.status, 403, r.text)
        self.assertEqual(r.json()["error_description"], "user 'mallory' is not in the registry")
        self.assertIn("user 'mallory' is not in the registry", self.server.log())
        r = self.server.request("GET", "/reg/x", headers=R.bearer(R.hs(R.claims("https://reg.example", sub=None), SECRET)))
        self.assertEqual(r.status, 401)

    def test_auth_filter_and_issuer_selection(self):
        partner = R.hs(R.claims("https://partner.example"), SECRET)
        fwd = {"X-Forwarded-Uri": "/partners/orders", "X-Forwarded-Host": "shop.example", "X-Forwarded-Proto": "https"}
        r = self.server.request("GET", "/auth/check", headers=dict(fwd, **R.bearer(partner)))
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.headers["x-auth-subject"], "alice")
        self.assertEqual(r.headers["x-auth-realm"], "https://partner.example")
        # The filter picks the partner config for that path: another issuer's token fails there...
        hs = R.hs(R.claims("https://hs.example", aud="https://shop.example"), SECRET)
        r = self.server.request("GET", "/auth/check", headers=dict(fwd, **R.bearer(hs)))
        self.assertEqual(r.status, 401)
        self.assertIn('error="invalid_token"', r.headers["www-authenticate"])
        # ...and elsewhere the token's issuer picks the config; the partner's is not among them.
        other = dict(fwd, **{"X-Forwarded-Uri": "/shop"})
        r = self.server.request("GET", "/auth/check", headers=dict(other, **R.bearer(
            R.hs(R.claims("https://hs.example", aud="https://shop.example"), SECRET))))
        self.assertEqual(r.status, 200, r.text)
        r = self.server.request("GET", "/auth/check", headers=dict(other, **R.bearer(partner)))
        self.assertEqual(r.status, 401)

    def test_forward_auth_accepts_the_configured_public_url_as_audience(self):
        fwd = {"X-Forwarded-Uri": "/shop/cart", "X-Forwarded-Host": "shop.example", "X-Forwarded-Proto": "https",
               "X-Forwarded-Method": "POST"}
        ok = R.hs(R.claims("https://hs.example", aud="https://shop.example/cart"), SECRET)
        r = self.server.request("GET", "/auth/check", headers=dict(fwd, **R.bearer(ok)))
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.headers["x-auth-unique-id"], "user:https://hs.example/alice")
        bad = R.hs(R.claims("https://hs.example", aud="http://shop.example"), SECRET)
        r = self.server.request("GET", "/auth/check", headers=dict(fwd, **R.bearer(bad)))
        self.assertEqual(r.status, 401)
        r = self.server.request("GET", "/auth/check", headers=fwd)
        self.assertEqual(r.status, 401)
        self.assertEqual(r.headers["www-authenticate"], 'Bearer realm="idgate"')

    # --- gateway ------------------------------------------------------------------------------
    def test_gateway_forwards_identity_and_strips_forged_headers(self):
        t = self.hs_token(aud=self.origin, groups=["ops", "a,b"], client_id="svc-9")
        r = self.server.request("GET", "/hs/items?q=1", headers=dict(R.bearer(t), **{
            "X-Auth-Subject": "root", "x-auth-groups": "admins", "X-Auth-Anything": "x", "X-Custom": "kept"}))
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.headers["x-upstream"], "echo")
        echo = r.json()
        self.assertEqual(echo["path"], "/hs/items?q=1")
        h = R.header_map(echo)
        self.assertEqual(h["x-auth-subject"], ["alice"])
        self.assertEqual(h["x-auth-unique-id"], ["user:https://hs.example/alice"])
        self.assertEqual(h["x-auth-realm"], ["https://hs.example"])
        self.assertEqual(h["x-auth-groups"], ["group:https://hs.example/ops,group:https://hs.example/a%2Cb"])
        self.assertEqual(h["x-auth-client-id"], ["svc-9"])
        self.assertNotIn("x-auth-anything", h)
        self.assertEqual(h["x-custom"], ["kept"])
        # One request id: in idgate's response, at the upstream, in idgate's log.
        self.assertRegex(r.headers["x-request-id"], r"^[A-Za-z0-9_-]+-[0-9a-f]+$")
        self.assertEqual(h["x-request-id"], [r.headers["x-request-id"]])
        again = self.hs_token(aud=self.origin)
        r = self.server.request("GET", "/hs/items", headers=dict(R.bearer(again), **{"X-Request-Id": "forged"}))
        self.assertEqual(r.status, 200, r.text)
        self.assertNotEqual(R.header_map(r.json())["x-request-id"], ["forged"])
        # Every copy of a repeated X-Request-Id is replaced, not only the first.
        import http.client
        c = http.client.HTTPConnection(self.origin.split("//")[1].split(":")[0], int(self.origin.rsplit(":", 1)[1]))
        c.putrequest("GET", "/hs/items")
        c.putheader("Authorization", "Bearer " + self.hs_token(aud=self.origin))
        c.putheader("X-Request-Id", "forged-1")
        c.putheader("X-Request-Id", "forged-2")
        c.endheaders()
        resp = c.getresponse()
        echo = json.loads(resp.read())
        c.close()
        self.assertEqual(R.header_map(echo)["x-request-id"], [resp.getheader("X-Request-Id")])
        rid = "[%s]" % r.headers["x-request-id"]
        deadline = time.time() + 5  # the access line is written after the response is sent
        while rid not in self.server.log() and time.time() < deadline:
            time.sleep(0.02)
        self.assertTrue(rid in self.server.log(), "request id %s not in the log" % rid)
        self.assertEqual(h["x-forwarded-for"], ["127.0.0.1"])
        r = self.server.request("GET", "/hs/items", headers={"X-Auth-Subject": "root"})
        self.assertEqual(r.status, 401)

    def test_gateway_streams_bodies_larger_than_the_request_limit(self):
        import hashlib
        body = os.urandom(5 * 1024 * 1024)
        t = self.hs_token(aud=self.origin)
        r = self.server.request("PUT", "/hs/upload", body=body, headers=dict(R.bearer(t), **{
            "Content-Type": "application/octet-stream"}))
        self.assertEqual(r.status, 200, r.text[:300])
        self.assertEqual(r.json()["body_length"], len(body))
        self.assertEqual(r.json()["body_sha256"], hashlib.sha256(body).hexdigest())
        r = self.server.request("GET", "/big", headers=R.bearer(self.hs_token(aud=self.origin)))
        self.assertEqual(len(r.data), 3 * 1024 * 1024)
        # curl with Expect: 100-continue and chunked transfer, as a user would upload.
        path = os.path.join(self.tmp.path, "upload.bin")
        with open(path, "wb") as f:
            f.write(body)
        out = subprocess.run(["curl", "-sS", "-X", "POST", "-H", "Expect: 100-continue", "-H",
                              "Transfer-Encoding: chunked", "-H", "Authorization: Bearer " + self.hs_token(aud=self.origin),
                              "--data-binary", "@" + path, self.origin + "/hs/upload"],
                             capture_output=True, text=True, timeout=60)
        echo = json.loads(out.stdout)
        self.assertEqual((echo["body_length"], echo["body_sha256"]), (len(body), hashlib.sha256(body).hexdigest()))
        self.assertNotIn("expect", R.header_map(echo))

    def test_gateway_keeps_upstream_connections_alive(self):
        before = len(self.upstream.connections)
        for _ in range(5):
            r = self.server.request("GET", "/hs/k", headers=R.bearer(self.hs_token(aud=self.origin)))
            self.assertEqual(r.status, 200)
        self.assertLessEqual(len(self.upstream.connections) - before, 1)

    def test_gateway_upstream_down_and_slow(self):
        r = self.server.request("GET", "/down/x", headers=R.bearer(self.hs_token(aud=self.origin)))
        self.assertEqual(r.status, 502, r.text)
        self.assertEqual(r.json()["error"], "bad_gateway")
        start = time.time()
        r = self.server.request("GET", "/slow/x", headers=R.bearer(self.hs_token(aud=self.origin)))
        self.assertEqual(r.status, 504, r.text)
        self.assertLess(time.time() - start, 2.9)

    def test_supported_propagation_forwards_anonymously(self):
        r = self.server.request("GET", "/sup/x", headers={"X-Auth-Subject": "root"})
        self.assertEqual(r.status, 200)
        self.assertNotIn("x-auth-subject", R.header_map(r.json()))
        bad = R.hs(R.claims("https://sup.example"), "wrong-secret-wrong-secret-wrong-secret")
        r = self.server.request("GET", "/sup/x", headers=R.bearer(bad))
        self.assertEqual(r.status, 200)
        self.assertNotIn("x-auth-subject", R.header_map(r.json()))
        self.assertIn("inboundPropagation=supported: continuing unauthenticated", self.server.log())
        good = R.hs(R.claims("https://sup.example"), SECRET)
        r = self.server.request("GET", "/sup/x", headers=R.bearer(good))
        self.assertEqual(R.header_map(r.json())["x-auth-subject"], ["alice"])

    def test_end_to_end_private_key_jwt_token_through_a_route(self):
        key = A.private_key("ES256")
        client = self.server.register(token_endpoint_auth_method="private_key_jwt",
                                      jwks={"keys": [A.public_jwk(key, "k1")]}, scope="orders:read")
        cid = client["client_id"]
        a = A.sign(A.claims(cid, ISSUER + "/oauth2/token"), key, "ES256", kid="k1")
        r = self.server.request("POST", "/oauth2/token", body=urllib.parse.urlencode(
            A.form(a, resource="https://orders.example", scope="orders:read")), headers=FORM)
        self.assertEqual(r.status, 200, r.text)
        token = r.json()["access_token"]
        r = self.server.request("GET", "/orders/42", headers=R.bearer(token))
        self.assertEqual(r.status, 200, r.text)
        h = R.header_map(r.json())
        self.assertEqual(h["x-auth-subject"], [cid])
        self.assertEqual(h["x-auth-client-id"], [cid])
        self.assertEqual(h["x-auth-realm"], [ISSUER])
        # idgate's tokens carry a jti: the default tokenReuse="false" makes them single-use.
        r = self.server.request("GET", "/orders/42", headers=R.bearer(token))
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json()["error_description"], "token was already used (jti)")

    def test_session_cookie_after_a_good_token(self):
        t = R.hs(R.claims("https://sess.example", lifetime=120, groupIds=["g"]), SECRET)
        r = self.server.request("GET", "/sess/a", headers=R.bearer(t))
        self.assertEqual(r.status, 200, r.text)
        cookie = r.headers["set-cookie"]
        name, _, rest = cookie.partition("=")
        self.assertEqual(name, "idgate_session_sess")
        value = rest.split(";")[0]
        attrs = [a.strip() for a in rest.split(";")[1:]]
        self.assertIn("HttpOnly", attrs)
        self.assertIn("SameSite=Lax", attrs)
        self.assertIn("Path=/", attrs)
        self.assertNotIn("Secure", attrs, "plain HTTP listener")
        max_age = int([a for a in attrs if a.startswith("Max-Age=")][0][8:])
        self.assertTrue(100 <= max_age <= 120, max_age)
        self.assertNotIn("alice", value, "the cookie is sealed, not readable")
        jar = {"Cookie": "other=1; idgate_session_sess=" + value + "; idgate_login=v1.x; idgate_browser=b; "
                         "idgate_console=c"}
        r = self.server.request("GET", "/sess/b", headers=jar)
        self.assertEqual(r.status, 200, r.text)
        h = R.header_map(r.json())
        self.assertEqual(h["x-auth-subject"], ["alice"])
        self.assertEqual(h["x-auth-groups"], ["group:https://sess.example/g"])
        self.assertEqual(h["cookie"], ["other=1"], "idgate's session, sign-in and console cookies are not forwarded")
        r = self.me(headers=jar)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["openid_connect_client"], "sess")
        r = self.server.request("GET", "/sess/b", headers=dict(jar, Host="other.example"))
        self.assertEqual(r.status, 401, "a session is good only for the origin it was made on")
        tampered = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]
        r = self.server.request("GET", "/sess/b", headers={"Cookie": "idgate_session_sess=" + tampered})
        self.assertEqual(r.status, 401)
        # A session of one configuration is nothing to another.
        r = self.server.request("GET", "/hs/b", headers={"Cookie": "idgate_session_hs=" + value})
        self.assertEqual(r.status, 401)
        # A session made on a request to idgate is nothing to /auth/check, even for the same
        # origin: the audience rule differs between the two.
        host = self.origin.split("//")[1]
        r = self.server.request("GET", "/auth/check", headers=dict(jar, **{
            "X-Forwarded-Proto": "http", "X-Forwarded-Host": host, "X-Forwarded-Uri": "/sess/b"}))
        self.assertEqual(r.status, 401, r.text)
        # Forward-auth hands the cookie to the proxy, marked Secure when the client used HTTPS.
        t = R.hs(R.claims("https://sess.example"), SECRET)
        r = self.server.request("GET", "/auth/check", headers=dict(R.bearer(t), **{
            "X-Forwarded-Proto": "https", "X-Forwarded-Host": "app.example", "X-Forwarded-Uri": "/"}))
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("Secure", [a.strip() for a in r.headers["set-cookie"].split(";")])

    def test_subject_mapper_plugin(self):
        t = R.hs(R.claims("https://mapped.example", email="carol@example.com", roles=["reader", "writer"],
                          groupIds=["g"], tenant="acme"), SECRET)
        r = self.server.request("GET", "/mapped/x", headers=R.bearer(t))
        self.assertEqual(r.status, 200, r.text)
        h = R.header_map(r.json())
        self.assertEqual(h["x-auth-subject"], ["carol@example.com"])
        self.assertEqual(h["x-auth-unique-id"], ["user:https://mapped.example/carol@example.com"])
        self.assertEqual(h["x-auth-groups"], ["group:https://mapped.example/g,group:https://mapped.example/role:reader,"
                                              "group:https://mapped.example/role:writer"])
        t = R.hs(R.claims("https://mapped.example", roles=["reader"]), SECRET)
        r = self.server.request("GET", "/mapped/x", headers=R.bearer(t))
        self.assertEqual(r.status, 403, r.text)
        self.assertEqual(r.json()["error_description"], "claim 'tenant' is required")
        self.assertIn("subject mapping refused: claim 'tenant' is required", self.server.log())
        # ApplyTo: other configurations are left alone.
        r = self.me(self.hs_token(email="x@example.com"))
        self.assertEqual(r.json()["principal"], "alice")
        plugins = self.server.admin("GET", "/api/admin/plugins").json()
        mapper = [p for p in plugins["plugins"] if p.get("name") == "claim_subject_mapper"][0]
        self.assertEqual((mapper["status"], mapper["kind"]), ("active", "subject_mapper"))

    def test_admin_api_accepts_an_idgate_admin_bearer_token(self):
        key = A.private_key("ES256")
        client = self.server.register(token_endpoint_auth_method="private_key_jwt",
                                      jwks={"keys": [A.public_jwk(key, "k1")]}, scope="idgate:admin orders:read")
        cid = client["client_id"]

        def token(scope):
            a = A.sign(A.claims(cid, ISSUER + "/oauth2/token"), key, "ES256", kid="k1")
            r = self.server.request("POST", "/oauth2/token", body=urllib.parse.urlencode(
                A.form(a, resource="https://orders.example", scope=scope)), headers=FORM)
            self.assertEqual(r.status, 200, r.text)
            return r.json()["access_token"]

        r = self.server.request("GET", "/api/admin/clients/" + cid, headers=R.bearer(token("idgate:admin")))
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["client_id"], cid)
        r = self.server.request("GET", "/api/admin/clients", headers=R.bearer(token("orders:read")))
        self.assertEqual(r.status, 403, r.text)
        self.assertEqual(r.json()["error"], "insufficient_scope")
        self.assertIn('scope="idgate:admin"', r.headers["www-authenticate"])
        forged = R.hs(R.claims(ISSUER, scope="idgate:admin", aud="https://orders.example"), SECRET)
        r = self.server.request("GET", "/api/admin/clients", headers=R.bearer(forged))
        self.assertEqual(r.status, 401, r.text)
        self.assertEqual(r.json()["error"], "invalid_token")

    def test_attacks(self):
        """The rows of attacks.md that apply to bearer tokens."""
        b64 = lambda b: A.jwt.utils.base64url_encode(b if isinstance(b, bytes) else json.dumps(b).encode()).decode()
        good = R.claims("https://sig-rs256.example")

        def refused(token, why=None):
            r = self.me(token)
            if len(token) > 32 * 1024:  # over the request head limit: refused before any parsing
                self.assertEqual((r.status, r.json()["error"]), (431, "invalid_request"), r.text[:200])
                return
            self.assertIn(r.status, (400, 401), r.text[:200])
            if r.status == 401:
                self.assertEqual(r.json()["error"], "invalid_token")
                if why:
                    self.assertEqual(r.json()["error_description"], why)

        for none in ("none", "None", "NONE"):
            refused(b64({"alg": none}) + "." + b64(good) + ".")
            refused(b64({"alg": none, "kid": "sig-RS256"}) + "." + b64(good) + ".", "algorithm not accepted")
        # RS/HS confusion: HS256 MACed with the RS256 configuration's public key.
        from cryptography.hazmat.primitives import serialization
        pub = self.sig_keys["RS256"].public_key()
        for secret in (pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
                       pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)):
            t = b64({"alg": "HS256", "kid": "sig-RS256"}) + "." + b64(good)
            import hmac, hashlib
            refused(t + "." + A.jwt.utils.base64url_encode(hmac.new(secret, t.encode(), hashlib.sha256).digest()).decode(),
                    "algorithm not accepted")
        for kid in ("../../dev/null", "' OR '1'='1", "x" * 10000, "sig-ES256"):
            refused(R.sign(good, self.sig_keys["RS256"], "RS256", kid=kid))
        attacker = A.private_key("RS256")
        for header in ({"jwk": A.public_jwk(attacker)}, {"jku": self.jwks.url + "/evil"}, {"x5u": self.jwks.url}):
            refused(R.sign(good, attacker, "RS256", kid="sig-RS256", **header), "signature is not valid")
        for crit in (["exp2"], [], ["alg"]):
            refused(R.sign(good, self.sig_keys["RS256"], "RS256", kid="sig-RS256", crit=crit))
        es = R.sign(R.claims("https://sig-es256.example"), self.sig_keys["ES256"], "ES256", kid="sig-ES256")
        head, body, _ = es.split(".")
        for sig in (b"\0" * 64, b"\0" * 32 + b"\1" * 32, b"\xff" * 64, b"\1" * 63, b"\1" * 65):
            refused(head + "." + body + "." + A.jwt.utils.base64url_encode(sig).decode(), "signature is not valid")
        t = R.sign(good, self.sig_keys["RS256"], "RS256", kid="sig-RS256")
        h, p, sg = t.split(".")
        refused(h + "." + p + ".AAAA", "signature is not valid")
        refused(h + "." + p + "." + sg + ".x", "token is not a JWS (expected 3 parts)")
        refused(h + "." + p + "." + sg + ".x.y", "encrypted tokens (JWE) are not accepted")
        refused("." + p + "." + sg)
        refused(h + "." + p + "=" + "." + sg)
        refused(h + "." + p.replace("-", "+").replace("_", "/") + "x." + sg)
        refused(b64(b'{"alg":"RS256","alg":"HS256"}') + "." + p + "." + sg)
        refused(h + "." + b64(b'{"sub":"a","sub":"b"}') + "." + sg)
        refused(h + "." + b64(("[" * 100000 + "]" * 100000).encode()) + "." + sg)
        for exp in ("9999999999", 1e30, 2 ** 64 + 1, -1, True, None):
            c = dict(good, exp=exp)
            refused(R.sign(c, self.sig_keys["RS256"], "RS256", kid="sig-RS256"))
        refused("a." * 50000 + "b")
        r = self.me("x" * (1024 * 1024))
        self.assertEqual(r.status, 431)
        self.assertEqual(self.me(R.sign(good, self.sig_keys["RS256"], "RS256", kid="sig-RS256")).status, 200,
                         "and the server still serves")

    def test_review_findings(self):
        # Ambiguous paths are refused before any route or endpoint sees them.
        t = self.hs_token(aud=self.origin)
        for path in ("/hs/../api/me", "/hs/%2e%2e/api/me", "/hs/%2F..%2Fx", "/hs/a%5cb", "/hs/./x", "/hs/a\\b",
                     "/sup/..;/hs/secret", "/sup/..;x=1/hs/secret", "/sup/..%3B/hs/secret", "/sup/.;/x"):
            with self.subTest(path=path):
                r = self.server.request("GET", path, headers=R.bearer(t))
                self.assertEqual(r.status, 400, r.text)
                self.assertEqual(r.json()["error"], "invalid_request")
        # A path parameter does not move a request to a shorter route: servlets drop ";x", so
        # /sup/locked;x/secret is /sup/locked/secret upstream, behind the required config.
        for path in ("/sup/locked;x/secret", "/sup/locked%3Bx/secret", "/sup/locked;/secret"):
            with self.subTest(path=path):
                r = self.server.request("GET", path)
                self.assertEqual(r.status, 401, r.text)
        self.assertEqual(self.server.request("GET", "/sup/open").status, 200, "the supported route itself")
        # ...and in the original path /auth/check is told about.
        partner = R.hs(R.claims("https://partner.example"), SECRET)
        r = self.server.request("GET", "/auth/check", headers=dict(R.bearer(partner), **{
            "X-Original-URI": "/partners/../admin", "X-Forwarded-Host": "shop.example"}))
        self.assertEqual(r.status, 400, r.text)
        # X-Original-URI (what the nginx recipe sets) wins over a client's X-Forwarded-Uri.
        r = self.server.request("GET", "/auth/check", headers=dict(R.bearer(partner), **{
            "X-Original-URI": "/shop", "X-Forwarded-Uri": "/partners/x", "X-Forwarded-Host": "shop.example"}))
        self.assertEqual(r.status, 401, "the partner filter must not apply to /shop")
        # Percent-encoded letters are decoded before filters match (nginx routes them so).
        r = self.server.request("GET", "/auth/check", headers=dict(R.bearer(partner), **{
            "X-Original-URI": "/%70artners/x", "X-Forwarded-Host": "shop.example"}))
        self.assertEqual(r.status, 200, r.text)
        # A forged token naming a `supported` configuration's issuer does not turn the default
        # (required) configuration's 401 into an anonymous pass.
        forged = R.hs(R.claims("https://sup.example"), "not-the-secret-not-the-secret-not-the-secret!!")
        r = self.server.request("GET", "/auth/check", headers=dict(R.bearer(forged), **{
            "X-Original-URI": "/shop", "X-Forwarded-Host": "shop.example"}))
        self.assertEqual(r.status, 401, r.text)
        # Identity headers with underscores are stripped as well.
        r = self.server.request("GET", "/sup/x", headers={"X_Auth_Subject": "root", "x_auth_groups": "admins"})
        self.assertEqual(r.status, 200)
        h = R.header_map(r.json())
        self.assertFalse([k for k in h if k.replace("_", "-").startswith("x-auth-")], h)
        # aud members must all be strings.
        self.assertInvalid(self.me(self.hs_token(aud=[123, self.origin])), "aud claim holds a value that is not a string")

    def test_gateway_drops_fields_named_in_connection(self):
        h = R.bearer(self.hs_token(aud=self.origin))
        h.update({"Connection": "keep-alive, X-Private", "X-Private": "hop secret", "X-Kept": "1"})
        r = self.server.request("GET", "/hs/hop", headers=h)
        self.assertEqual(r.status, 200)
        names = {k.lower() for k in R.header_map(r.json())}
        self.assertNotIn("x-private", names)
        self.assertIn("x-kept", names)

    def test_gateway_head_keeps_the_upstream_content_length(self):
        r = self.server.request("HEAD", "/big/file", headers=R.bearer(self.hs_token(aud=self.origin)))
        self.assertEqual((r.status, r.headers.get("content-length"), r.data), (200, str(3 * 1024 * 1024), b""))

    def test_gateway_skips_interim_responses_and_refuses_malformed_upstream_heads(self):
        h = lambda: R.bearer(self.hs_token(aud=self.origin))  # noqa: E731 (single-use tokens)
        # 103 Early Hints before the final response: read and dropped, the final one forwarded.
        r = self.server.request("GET", "/hs/early-hints", headers=h())
        self.assertEqual((r.status, r.json()["path"], r.headers.get("x-upstream")),
                         (200, "/hs/early-hints", "echo"))
        self.assertIsNone(r.headers.get("link"))
        r = self.server.request("GET", "/hs/bad-header", headers=h())
        self.assertEqual((r.status, r.json()), (502, {
            "error": "bad_gateway",
            "error_description": "the upstream sent a malformed response head: control character in a header field"}))
        # The upstream connection that carried the malformed head was not pooled, and the one
        # that carried the interim response was read to its end: each next request gets its
        # own answer, not one left unread.
        for n in range(3):
            r = self.server.request("GET", "/hs/after-%d" % n, headers=h())
            self.assertEqual((r.status, r.json()["path"]), (200, "/hs/after-%d" % n))

    def test_gateway_refuses_ambiguous_framing(self):
        import socket
        t = self.hs_token(aud=self.origin)
        host, port = self.origin.split("//")[1].split(":")
        for framing in ("Transfer-Encoding: gzip, chunked\r\n", "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n"):
            with self.subTest(framing=framing):
                s = socket.create_connection((host, int(port)), timeout=10)
                s.sendall(("POST /hs/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n%s\r\n"
                           "3\r\nabc\r\n0\r\n\r\n" % (t, framing)).encode())
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                s.close()
                self.assertTrue(data.startswith(b"HTTP/1.1 400"), data[:200])

    def test_every_refusal_is_logged_with_its_reason(self):
        self.me(self.hs_token(iss="https://nobody.example"))
        self.assertIn("refused a token: issuer is not trusted by this configuration", self.server.log())
        self.assertNotIn(SECRET, self.server.log())


class ConfigErrorsTest(unittest.TestCase):
    CASES = [
        ('<openidConnectClient id="a" inboundPropagation="required" signatureAlgorithm="none" '
         'issuerIdentifier="x"/>', "attribute 'signatureAlgorithm': 'none' would accept unsigned tokens"),
        ('<openidConnectClient id="a" inboundPropagation="required" signatureAlgorithm="RS256" '
         'issuerIdentifier="https://x.example"/>', "attribute 'jwkEndpointUrl': no key source"),
        ('<openidConnectClient id="a" inboundPropagation="required" issuerIdentifier="x"/>',
         "attribute 'clientSecret': required for HS256"),
        ('<openidConnectClient id="a" inboundPropagation="yes" issuerIdentifier="x"/>',
         "attribute 'inboundPropagation': must be none, supported or required"),
        ('<openidConnectClient id="a" inboundPropagation="required" clockSkew="300" clientSecret="%s" '
         'issuerIdentifier="x"/>' % SECRET, "attribute 'clockSkew': must be a duration"),
        ('<openidConnectClient id="a" inboundPropagation="required" signatureAlgorithm="ES256" '
         'trustAliasName="missing" issuerIdentifier="x"/>', "attribute 'trustAliasName': no certificate under alias 'missing'"),
        ('<route path="/x" upstream="http://127.0.0.1:9" openidConnectClientRef="nope"/>',
         "attribute 'openidConnectClientRef': no <openidConnectClient id=\"nope\">"),
        ('<openidConnectClient id="a" inboundPropagation="required" clientSecret="%s" issuerIdentifier="x" '
         'authFilterRef="f"/>' % SECRET, "attribute 'authFilterRef': no <authFilter id=\"f\">"),
    ]

    def test_bad_configurations_stop_startup_naming_the_attribute(self):
        with TempDir() as parent:
            home, _ = init_home(parent)
            with open(home + "/conf/server.xml") as f:
                original = f.read()
            for snippet, message in self.CASES:
                with self.subTest(message=message):
                    with open(home + "/conf/server.xml", "w") as f:
                        f.write(original.replace("</Server>", snippet + "</Server>"))
                    s = Server(home)
                    self.assertEqual(s.start(expect_failure=True), 1)
                    log = s.log()[s.log_offset:]
                    self.assertIn("conf/server.xml", log)
                    self.assertIn(message, log)


if __name__ == "__main__":
    unittest.main()
