# Impersonation tokens: the session carries a JWT naming the target (sub) and the actor (act.sub).
W=$(mktemp -d); export STANDIN_DB=$W/standin.db
standin key gen-signing --out $W/token.key
standin --now 2026-11-21T09:00:00Z policy set --tenant acme > /dev/null
standin --token-key $W/token.key --now 2026-11-21T10:00:00Z session start examples/requests/start-allow.json > $W/session.json
# The token's claims (its middle part, base64url):
jq -c '.token | split(".")[1] | gsub("-";"+") | gsub("_";"/") | @base64d | fromjson' $W/session.json
standin --token-key $W/token.key key jwks
