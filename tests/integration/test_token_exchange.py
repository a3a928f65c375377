"""Token exchange (RFC 8693) with the bundled grant plugin, and refresh tokens on the JWT bearer
grant (RFC 7523), with curl-like requests and PyJWT: subject tokens that are idgate's access
tokens or a trusted issuer's JWTs, actor tokens (act, nested), the client's audience policy,
the scope never widened, and the exact errors."""
import json
import time
import unittest
import uuid

import jwt

from assertions import DpopKey, private_key, public_jwk
from harness import FORM, ServerTestCase, basic, edit, form

EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"
JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt"
PARTNER = "https://partner.example.com"
ORDERS = "https://orders.example"
GATEWAY_API = "https://gateway.example"


def claims_of(token):
    return jwt.decode(token, options={"verify_signature": False})


class TokenExchangeTest(ServerTestCase, unittest.TestCase):
    PARTNER_KEY = private_key("ES256")

    @classmethod
    def prepare_home(cls, home):
        jwks = json.dumps({"keys": [public_jwk(cls.PARTNER_KEY, kid="p1")]})
        trusted = '<TrustedIssuer issuer="%s" subjectClaim="email">%s</TrustedIssuer>' % (PARTNER, jwks)
        edit(home + "/conf/identity.xml", 'name="token_exchange_grant" orderId="41" enable="true"/>',
             'name="token_exchange_grant" orderId="41" enable="true">%s</EventListener>' % trusted)
        listener = ('<EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler" '
                    'name="jwt_bearer_grant" orderId="40" enable="true">%s</EventListener>' % trusted)
        edit(home + "/conf/identity.xml", "</EventListeners>", listener + "</EventListeners>")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.secrets = {}
        for client_id, kw in (
                ("frontend", dict(grant_types=["client_credentials", JWT_BEARER, "refresh_token"],
                                  scope="orders:read orders:write offline_access")),
                ("bridge", dict(grant_types=[JWT_BEARER], scope="orders:read offline_access")),
                ("gateway", dict(grant_types=[EXCHANGE, "client_credentials"], scope="orders:read orders:write",
                                 token_exchange_audiences=[ORDERS, "https://billing.example"],
                                 token_exchange_subject_audiences=[GATEWAY_API])),
                ("stranger", dict(grant_types=[EXCHANGE], scope="orders:read"))):
            cls.secrets[client_id] = s.register(client_id=client_id, **kw)["client_secret"]

    def token(self, client_id, **fields):
        return self.server.request("POST", "/oauth2/token", form(**fields),
                                   dict(FORM, Authorization=basic(client_id, self.secrets[client_id])))

    def partner_jwt(self, **overrides):
        now = int(time.time())
        c = {"iss": PARTNER, "sub": "p-77", "email": "ann@partner.example.com", "aud": self.server.url,
             "exp": now + 300, "iat": now, "jti": str(uuid.uuid4())}
        c.update(overrides)
        return jwt.encode(c, self.PARTNER_KEY, algorithm="ES256", headers={"kid": "p1"})

    def user_token(self, scope="orders:read", resource=GATEWAY_API, proof=None):
        """An access token for ann, as the frontend got it through the JWT bearer grant to call
        the gateway's API (RFC 8707 resource)."""
        fields = dict(grant_type=JWT_BEARER, assertion=self.partner_jwt(aud=self.server.url + "/oauth2/token"), scope=scope)
        if resource:
            fields["resource"] = resource
        headers = dict(FORM, Authorization=basic("frontend", self.secrets["frontend"]))
        if proof:
            headers["DPoP"] = proof
        r = self.server.request("POST", "/oauth2/token", form(**fields), headers)
        self.assertEqual(r.status, 200, r.text)
        return r.json()["access_token"]

    def exchange(self, client_id="gateway", **fields):
        return self.token(client_id, grant_type=EXCHANGE, **fields)

    def test_an_access_token_for_another_audience_with_the_actor(self):
        subject = self.user_token()
        actor = self.token("gateway", grant_type="client_credentials").json()["access_token"]
        r = self.exchange(subject_token=subject, subject_token_type=ACCESS_TOKEN,
                          actor_token=actor, actor_token_type=ACCESS_TOKEN, audience=ORDERS)
        self.assertEqual(r.status, 200, r.text)
        body = r.json()
        self.assertEqual((body["issued_token_type"], body["token_type"], body["scope"]),
                         (ACCESS_TOKEN, "Bearer", "orders:read"))
        self.assertNotIn("refresh_token", body)
        c = claims_of(body["access_token"])
        self.assertEqual((c["sub"], c["aud"], c["client_id"], c["act"]),
                         ("ann@partner.example.com", ORDERS, "gateway", {"sub": "gateway"}))
        # Exchanged again by another service: the delegation chain nests (RFC 8693 §4.1).
        r = self.exchange(subject_token=body["access_token"], subject_token_type=ACCESS_TOKEN,
                          actor_token=actor, actor_token_type=ACCESS_TOKEN, resource="https://billing.example")
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(claims_of(r.json()["access_token"])["act"], {"sub": "gateway", "act": {"sub": "gateway"}})

    def test_only_the_client_a_token_is_meant_for_may_exchange_it(self):
        stray = self.user_token(resource=None)  # aud: idgate itself, not the gateway
        r = self.exchange(subject_token=stray, subject_token_type=ACCESS_TOKEN, audience=ORDERS)
        self.assertEqual(r.json(), {"error": "invalid_grant", "error_description":
                                    "subject_token is not meant for client 'gateway': its aud must be the client id "
                                    "or one of the client's token_exchange_subject_audiences (or it was issued to "
                                    "the client)"})
        # idgate's own name is every token's default aud: registering it claims nothing.
        greedy = self.server.register(client_id="greedy", grant_types=[EXCHANGE], token_exchange_audiences=[ORDERS],
                                      token_exchange_subject_audiences=[self.server.url])["client_secret"]
        r = self.server.request("POST", "/oauth2/token", form(
            grant_type=EXCHANGE, subject_token=stray, subject_token_type=ACCESS_TOKEN, audience=ORDERS),
            dict(FORM, Authorization=basic("greedy", greedy)))
        self.assertEqual(r.json()["error"], "invalid_grant")

    def test_a_dpop_bound_subject_token_needs_a_proof_of_its_key(self):
        key = DpopKey()
        url = self.server.url + "/oauth2/token"
        subject = self.user_token(proof=key.proof("POST", url))
        self.assertEqual(claims_of(subject)["cnf"], {"jkt": key.jkt})
        r = self.exchange(subject_token=subject, subject_token_type=ACCESS_TOKEN, audience=ORDERS)
        self.assertEqual(r.json(), {"error": "invalid_grant", "error_description":
                                    "subject_token is bound to a DPoP key: send the request with a DPoP proof "
                                    "of that key"})
        r = self.server.request("POST", "/oauth2/token", form(
            grant_type=EXCHANGE, subject_token=subject, subject_token_type=ACCESS_TOKEN, audience=ORDERS),
            dict(FORM, Authorization=basic("gateway", self.secrets["gateway"]), DPoP=DpopKey().proof("POST", url)))
        self.assertEqual(r.json()["error"], "invalid_grant", "another key")
        r = self.server.request("POST", "/oauth2/token", form(
            grant_type=EXCHANGE, subject_token=subject, subject_token_type=ACCESS_TOKEN, audience=ORDERS),
            dict(FORM, Authorization=basic("gateway", self.secrets["gateway"]), DPoP=key.proof("POST", url)))
        self.assertEqual((r.status, r.json()["token_type"]), (200, "DPoP"), r.text)
        self.assertEqual(claims_of(r.json()["access_token"])["cnf"], {"jkt": key.jkt})

    def test_the_scope_is_never_wider_than_the_subject_tokens(self):
        subject = self.user_token(scope="orders:read")
        r = self.exchange(subject_token=subject, subject_token_type=ACCESS_TOKEN, audience=ORDERS,
                          scope="orders:read orders:write")
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["scope"], "orders:read")

    def test_a_trusted_issuers_jwt_as_the_subject(self):
        r = self.exchange(subject_token=self.partner_jwt(), subject_token_type=JWT_TYPE, audience=ORDERS)
        self.assertEqual(r.status, 200, r.text)
        c = claims_of(r.json()["access_token"])
        self.assertEqual((c["sub"], c["subject_token_iss"]), ("ann@partner.example.com", PARTNER))
        # Without scope or scp the issuer vouches for the user only: the client's scopes apply.
        self.assertEqual(c["scope"], "orders:read orders:write")
        r = self.exchange(subject_token=self.partner_jwt(scp=["orders:read"]), subject_token_type=JWT_TYPE,
                          audience=ORDERS)
        self.assertEqual(claims_of(r.json()["access_token"])["scope"], "orders:read", "scp narrows")
        stranger_key = private_key("ES256")
        forged = jwt.encode(claims_of(self.partner_jwt()), stranger_key, algorithm="ES256", headers={"kid": "p1"})
        r = self.exchange(subject_token=forged, subject_token_type=JWT_TYPE, audience=ORDERS)
        self.assertEqual(r.json(), {"error": "invalid_grant", "error_description": "subject_token: bad signature"})
        r = self.exchange(subject_token=self.partner_jwt(aud="https://elsewhere.example"),
                          subject_token_type=JWT_TYPE, audience=ORDERS)
        self.assertEqual(r.json()["error"], "invalid_grant")
        self.assertTrue(r.json()["error_description"].startswith("subject_token aud is not this server"))
        r = self.exchange(subject_token=self.partner_jwt(exp=int(time.time()) - 3600), subject_token_type=JWT_TYPE,
                          audience=ORDERS)
        self.assertEqual(r.json(), {"error": "invalid_grant", "error_description": "subject_token expired"})
        evil = jwt.encode({"iss": "https://evil.example", "sub": "x", "exp": int(time.time()) + 60}, stranger_key,
                          algorithm="ES256")
        r = self.exchange(subject_token=evil, subject_token_type=JWT_TYPE, audience=ORDERS)
        self.assertEqual(r.json()["error_description"],
                         "subject_token issuer 'https://evil.example' is neither this server nor a trusted "
                         "issuer of the token exchange grant")

    def test_the_clients_audience_policy(self):
        subject = self.user_token()
        r = self.exchange(subject_token=subject, subject_token_type=ACCESS_TOKEN, audience="https://payroll.example")
        self.assertEqual((r.status, r.json()["error"]), (400, "invalid_target"))
        self.assertEqual(r.json()["error_description"],
                         "audience 'https://payroll.example' is not allowed for this client "
                         "(allowed: https://billing.example https://orders.example)")
        r = self.exchange(subject_token=subject, subject_token_type=ACCESS_TOKEN)
        self.assertEqual(r.json()["error"], "invalid_request")
        r = self.exchange("stranger", subject_token=subject, subject_token_type=ACCESS_TOKEN, audience=ORDERS)
        self.assertEqual(r.json(), {"error": "unauthorized_client", "error_description":
                                    "client 'stranger' may not exchange tokens: register it with "
                                    "token_exchange_audiences (the audiences it may ask for)"})
        r = self.token("frontend", grant_type=EXCHANGE, subject_token=subject, subject_token_type=ACCESS_TOKEN,
                       audience=ORDERS)
        self.assertEqual(r.json()["error"], "unauthorized_client", "not registered for the grant type")

    def test_malformed_requests_and_dead_tokens(self):
        subject = self.user_token()
        for fields, error, description in (
                (dict(subject_token=subject), "invalid_request",
                 "subject_token and subject_token_type are required (types: %s, %s)" % (ACCESS_TOKEN, JWT_TYPE)),
                (dict(subject_token=subject, subject_token_type="urn:x:saml"), "invalid_request",
                 "subject_token_type 'urn:x:saml' is not supported (supported: %s, %s)" % (ACCESS_TOKEN, JWT_TYPE)),
                (dict(subject_token=subject, subject_token_type=ACCESS_TOKEN,
                      requested_token_type="urn:ietf:params:oauth:token-type:refresh_token"), "invalid_request",
                 "requested_token_type 'urn:ietf:params:oauth:token-type:refresh_token' is not issued (only %s)"
                 % ACCESS_TOKEN),
                (dict(subject_token=subject, subject_token_type=ACCESS_TOKEN, actor_token=subject), "invalid_request",
                 "actor_token and actor_token_type go together (RFC 8693 §2.1)"),
                (dict(subject_token="not-a-jwt", subject_token_type=ACCESS_TOKEN), "invalid_grant",
                 "subject_token is not a signed JWT")):
            with self.subTest(description):
                r = self.exchange(audience=ORDERS, **fields)
                self.assertEqual((r.status, r.json()), (400, {"error": error, "error_description": description}))
        # Revoked by its client: no longer exchangeable.
        r = self.server.request("POST", "/oauth2/revoke", form(token=subject),
                                dict(FORM, Authorization=basic("frontend", self.secrets["frontend"])))
        self.assertEqual(r.status, 200, r.text)
        r = self.exchange(subject_token=subject, subject_token_type=ACCESS_TOKEN, audience=ORDERS)
        self.assertEqual(r.json(), {"error": "invalid_grant", "error_description":
                                    "subject_token is not an active access token of this server (expired, "
                                    "revoked or not an access token)"})

    def test_discovery_and_the_plugin_listing(self):
        d = self.server.request("GET", "/.well-known/openid-configuration").json()
        self.assertIn(EXCHANGE, d["grant_types_supported"])
        plugins = {p["file"]: p for p in self.server.admin("GET", "/api/admin/plugins").json()["plugins"]}
        p = plugins["idgate-token-exchange-grant.so"]
        self.assertEqual((p["kind"], p["grant_type"], p["abi"]), ("grant_handler", EXCHANGE, "2.2"))
        self.assertEqual(p["capabilities"], ["keystore_read", "url_fetch", "token_verify"])

    def test_jwt_bearer_refresh_tokens_with_offline_access(self):
        r = self.token("frontend", grant_type=JWT_BEARER, assertion=self.partner_jwt(aud=self.server.url + "/oauth2/token"),
                       scope="orders:read offline_access")
        self.assertEqual(r.status, 200, r.text)
        first = r.json()
        self.assertEqual(first["scope"], "orders:read offline_access")
        r = self.token("frontend", grant_type="refresh_token", refresh_token=first["refresh_token"])
        self.assertEqual(r.status, 200, r.text)
        refreshed = claims_of(r.json()["access_token"])
        self.assertEqual((refreshed["sub"], refreshed["assertion_iss"]), ("ann@partner.example.com", PARTNER),
                         "the grant's claims come back with each refresh")
        self.assertNotIn("id_token", r.json())
        self.assertNotEqual(r.json()["refresh_token"], first["refresh_token"])
        # Without offline_access, none; a client not registered for refresh_token never gets one.
        r = self.token("frontend", grant_type=JWT_BEARER, assertion=self.partner_jwt(aud=self.server.url + "/oauth2/token"),
                       scope="orders:read")
        self.assertNotIn("refresh_token", r.json())
        r = self.token("bridge", grant_type=JWT_BEARER, assertion=self.partner_jwt(aud=self.server.url + "/oauth2/token"),
                       scope="orders:read offline_access")
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["scope"], "orders:read", "offline_access dropped: no refresh token")
        self.assertNotIn("refresh_token", r.json())
        # Never with client_credentials, even when offline_access is in the client's scope.
        r = self.token("frontend", grant_type="client_credentials")
        self.assertEqual(r.status, 200, r.text)
        self.assertNotIn("refresh_token", r.json())


if __name__ == "__main__":
    unittest.main()
