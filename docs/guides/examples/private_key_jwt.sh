#!/usr/bin/env bash
# private_key_jwt with nothing but openssl and curl (docs/guides/private-key-jwt.md).
#   BASE=http://127.0.0.1:9443 ADMIN=<admin password> CLIENT_ID=my-service ./private_key_jwt.sh
set -euo pipefail
: "${BASE:?}" "${ADMIN:?}"
CLIENT_ID=${CLIENT_ID:-my-service}
cd "$(mktemp -d)"
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# 1. A key pair; the private key never leaves the client.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out client.key 2>/dev/null
openssl pkey -in client.key -pubout -out client.pub

# 2. The public key as a JWKS (what Liferay calls "paste your client's JWKS").
N=$(openssl rsa -pubin -in client.pub -noout -modulus | cut -d= -f2 | xxd -r -p | b64url)
JWKS="{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"key-1\",\"use\":\"sig\",\"alg\":\"RS256\",\"e\":\"AQAB\",\"n\":\"$N\"}]}"

# 3. Register the client.
curl -sf -u "admin:$ADMIN" -H 'Content-Type: application/json' \
  -d "{\"client_id\":\"$CLIENT_ID\",\"token_endpoint_auth_method\":\"private_key_jwt\",\"token_endpoint_auth_signing_alg\":\"RS256\",\"jwks\":$JWKS}" \
  "$BASE/api/admin/clients" >/dev/null

# 4. Build and sign the assertion: iss = sub = client id, aud = token URL, short exp, fresh jti.
NOW=$(date +%s)
HEADER=$(printf '{"alg":"RS256","typ":"JWT","kid":"key-1"}' | b64url)
PAYLOAD=$(printf '{"iss":"%s","sub":"%s","aud":"%s/oauth2/token","iat":%d,"exp":%d,"jti":"%s"}' \
  "$CLIENT_ID" "$CLIENT_ID" "$BASE" "$NOW" "$((NOW + 60))" "$(openssl rand -hex 16)" | b64url)
SIG=$(printf '%s.%s' "$HEADER" "$PAYLOAD" | openssl dgst -sha256 -sign client.key -binary | b64url)
ASSERTION="$HEADER.$PAYLOAD.$SIG"

# 5. The token request (twice: the second is a replay and must fail).
for attempt in first replay; do
  curl -s "$BASE/oauth2/token" \
    -d grant_type=client_credentials \
    -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
    -d "client_assertion=$ASSERTION"
  echo
done
