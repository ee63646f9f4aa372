# A session that ends, then a signed checkpoint of the tenant's chain.
W=$(mktemp -d); export STANDIN_DB=$W/standin.db
standin --now 2026-11-21T09:00:00Z policy set --tenant acme --settings examples/settings/betterworks.json > /dev/null
SID=$(standin --now 2026-11-21T10:00:00Z session start examples/requests/start-allow.json | jq -r .id)
standin --now 2026-11-21T10:10:00Z session end $SID > /dev/null
standin key gen-signing --out $W/audit.key | tee $W/public.json
standin --now 2026-11-21T10:15:00Z audit checkpoint --tenant acme --key $W/audit.key | tee $W/acme-3.json
# Whoever can write the database cuts off the session's end and sets its row back to active:
sqlite3 $STANDIN_DB "DELETE FROM audit WHERE seq = 3; UPDATE sessions SET state = 'active', ended_at = NULL, end_reason = NULL"
# The chain that is left holds (exit 0) ...
standin audit verify --tenant acme
# ... but not against the checkpoint (exit 3).
standin audit verify --tenant acme --checkpoint $W/acme-3.json --public-key $(jq -r .public_key $W/public.json)
