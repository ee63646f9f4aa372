W=$(mktemp -d); export STANDIN_DB=$W/standin.db
standin policy set --tenant acme > /dev/null                                 # the built-in policy, for tenant acme
KEY=$(standin key create --tenant acme --scope decide --name checkout | jq -r .key)   # shown this once
standin serve > $W/serve.log 2>&1 &                                         # 127.0.0.1:8080 until SIGTERM
until curl -sf localhost:8080/readyz > /dev/null; do sleep 0.1; done
curl -s localhost:8080/v1/tenants/acme/sessions -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' -d @examples/requests/start-allow.json > $W/session.json
curl -s localhost:8080/v1/tenants/acme/sessions/$(jq -r .id $W/session.json)/authorize -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' -d '{"action": "billing.purchase"}'   # 200: a deny is an answer
