# A session and one action, then a signed checkpoint of the tenant's chain.
W=$(mktemp -d); export STANDIN_DB=$W/standin.db
standin --now 2026-11-21T09:00:00Z policy set --tenant acme --settings examples/settings/betterworks.json > /dev/null
SID=$(standin --now 2026-11-21T10:00:00Z session start examples/requests/start-allow.json | jq -r .id)
standin --now 2026-11-21T10:05:00Z authorize $SID course.view > /dev/null
standin key gen-signing --out $W/audit.key | tee $W/public.json
standin --now 2026-11-21T10:15:00Z audit checkpoint --tenant acme --key $W/audit.key | tee $W/acme-3.json
# Whoever can write the database cuts off the last event: the record of what the admin did.
sqlite3 $STANDIN_DB "DELETE FROM audit WHERE seq = 3"
# The chain that is left holds (exit 0) ...
standin audit verify --tenant acme
# ... but not against the checkpoint (exit 3).
standin audit verify --tenant acme --checkpoint $W/acme-3.json --public-key $(jq -r .public_key $W/public.json)
