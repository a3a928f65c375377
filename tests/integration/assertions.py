"""Client assertions made by an independent implementation: PyJWT + cryptography."""
import base64
import json
import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
HMAC = ["HS256", "HS384", "HS512"]


def private_key(alg, rsa_bits=2048):
    if alg[:2] in ("RS", "PS"):
        return rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
    if alg == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    if alg == "ES384":
        return ec.generate_private_key(ec.SECP384R1())
    if alg == "ES512":
        return ec.generate_private_key(ec.SECP521R1())
    if alg == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    raise ValueError(alg)


def public_jwk(key, kid=None):
    pub = key.public_key()
    if isinstance(pub, rsa.RSAPublicKey):
        d = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(pub))
    elif isinstance(pub, ec.EllipticCurvePublicKey):
        d = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(pub))
        # PyJWT 2.6 (Debian's) drops leading zero bytes of a coordinate; RFC 7518 §6.2.1.2 wants
        # the full size, and a thumbprint (RFC 7638) of the short form differs from idgate's.
        size = (pub.curve.key_size + 7) // 8
        n = pub.public_numbers()
        for name, value in (("x", n.x), ("y", n.y)):
            d[name] = base64.urlsafe_b64encode(value.to_bytes(size, "big")).rstrip(b"=").decode()
    else:
        d = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(pub))
    if kid:
        d["kid"] = kid
    return d


def with_overrides(c, overrides):
    """`c` with each override set, or removed where its value is None."""
    for k, v in overrides.items():
        if v is None:
            c.pop(k, None)
        else:
            c[k] = v
    return c


def claims(client_id, aud, lifetime=60, **overrides):
    now = int(time.time())
    return with_overrides({"iss": client_id, "sub": client_id, "aud": aud, "exp": now + lifetime,
                           "iat": now, "jti": str(uuid.uuid4())}, overrides)


def sign(payload, key, alg, kid=None, **headers):
    h = dict(headers)
    if kid:
        h["kid"] = kid
    return jwt.encode(payload, key, algorithm=alg, headers=h or None)


def form(assertion, **extra):
    params = {"grant_type": "client_credentials", "client_assertion_type": JWT_BEARER,
              "client_assertion": assertion}
    params.update(extra)
    return params


def thumbprint(jwk):
    """RFC 7638 SHA-256 thumbprint of a public JWK."""
    import base64
    import hashlib
    required = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n"), "OKP": ("crv", "kty", "x")}[jwk["kty"]]
    canonical = json.dumps({k: jwk[k] for k in required}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


class DpopKey:
    """A client's DPoP key (RFC 9449) and the proofs it signs, made with PyJWT."""

    def __init__(self, alg="ES256"):
        self.alg = alg
        self.key = private_key(alg)
        self.jwk = public_jwk(self.key)
        self.jkt = thumbprint(self.jwk)

    def proof(self, method, url, access_token=None, nonce=None, headers=None, **overrides):
        import base64
        import hashlib
        c = {"jti": str(uuid.uuid4()), "htm": method, "htu": url, "iat": int(time.time())}
        if access_token:
            c["ath"] = base64.urlsafe_b64encode(hashlib.sha256(access_token.encode()).digest()).rstrip(b"=").decode()
        if nonce:
            c["nonce"] = nonce
        h = {"typ": "dpop+jwt", "jwk": self.jwk}
        h.update(headers or {})
        return jwt.encode(with_overrides(c, overrides), self.key, algorithm=self.alg, headers=h)
