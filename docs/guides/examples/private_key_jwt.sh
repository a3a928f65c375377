#!/usr/bin/env bash
# private_key_jwt with nothing but openssl and curl (docs/guides/private-key-jwt.md).
#   BASE=http://127.0.0.1:9443 ADMIN=<admin password> [CLIENT_ID=example-private-key-jwt] ./private_key_jwt.sh
set -euo pipefail
: "${BASE:?}" "${ADMIN:?}"
CLIENT_ID=${CLIENT_ID:-example-private-key-jwt}
cd "$(mktemp -d)"
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# Registers the client; on anything but 201 prints the server's answer and stops.
register() {
  local out status
  out=$(curl -sS -w '\n%{http_code}' -u "admin:$ADMIN" -H 'Content-Type: application/json' \
    -d "$1" "$BASE/api/admin/clients")
  status=${out##*$'\n'}
  REGISTRATION=${out%$'\n'*}
  if [ "$status" != 201 ]; then
    echo "registering client '$CLIENT_ID' failed: HTTP $status $REGISTRATION" >&2
    [ "$status" = 409 ] && echo "(set CLIENT_ID to another id, or delete that client first)" >&2
    exit 1
  fi
}

# 1. A key pair; the private key never leaves the client.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out client.key 2>/dev/null
openssl pkey -in client.key -pubout -out client.pub

# 2. The public key as a JWKS (what Liferay calls "paste your client's JWKS").
N=$(openssl rsa -pubin -in client.pub -noout -modulus | cut -d= -f2 | xxd -r -p | b64url)
JWKS="{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"key-1\",\"use\":\"sig\",\"alg\":\"RS256\",\"e\":\"AQAB\",\"n\":\"$N\"}]}"

# 3. Register the client.
register "{\"client_id\":\"$CLIENT_ID\",\"token_endpoint_auth_method\":\"private_key_jwt\",\"token_endpoint_auth_signing_alg\":\"RS256\",\"jwks\":$JWKS}"

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
