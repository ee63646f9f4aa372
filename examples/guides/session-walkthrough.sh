# A whole session on a fresh SQLite database; --now is the host's clock.
W=$(mktemp -d); export STANDIN_DB=$W/standin.db
standin --now 2026-11-21T09:00:00Z policy set --tenant acme --settings examples/settings/betterworks.json
standin --now 2026-11-21T10:00:00Z session start examples/requests/start-allow.json --return-to /admin/users > $W/session.json
SID=$(jq -r .id $W/session.json)
standin --now 2026-11-21T11:56:00Z session status $SID
standin --now 2026-11-21T10:05:00Z authorize $SID billing.purchase --resource course-17
standin --now 2026-11-21T10:10:00Z session end $SID
standin audit query --tenant acme --format table --view impersonated
standin audit verify
standin outbox list --tenant acme
