#!/usr/bin/env bash
# client_secret_jwt with nothing but openssl and curl (docs/guides/client-secret-jwt.md).
#   BASE=http://127.0.0.1:9443 ADMIN=<admin password> [CLIENT_ID=example-client-secret-jwt] ./client_secret_jwt.sh
set -euo pipefail
: "${BASE:?}" "${ADMIN:?}"
CLIENT_ID=${CLIENT_ID:-example-client-secret-jwt}
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

# 1. Register; idgate generates a 64-byte secret and shows it once.
register "{\"client_id\":\"$CLIENT_ID\",\"token_endpoint_auth_method\":\"client_secret_jwt\"}"
SECRET=$(printf '%s' "$REGISTRATION" | sed -n 's/.*"client_secret":"\([^"]*\)".*/\1/p')

# 2. The assertion, MACed with the secret's own bytes (no Base64 step).
NOW=$(date +%s)
HEADER=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
PAYLOAD=$(printf '{"iss":"%s","sub":"%s","aud":"%s/o/oauth2/token","exp":%d,"jti":"%s"}' \
  "$CLIENT_ID" "$CLIENT_ID" "$BASE" "$((NOW + 60))" "$(openssl rand -hex 16)" | b64url)
SIG=$(printf '%s.%s' "$HEADER" "$PAYLOAD" | openssl dgst -sha256 -hmac "$SECRET" -binary | b64url)

# 3. The token request on the Liferay path, with client_id as Liferay documents it.
curl -s "$BASE/o/oauth2/token" \
  -d grant_type=client_credentials \
  -d "client_id=$CLIENT_ID" \
  -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
  -d "client_assertion=$HEADER.$PAYLOAD.$SIG"
echo
