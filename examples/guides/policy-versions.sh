# A tenant's policy versions: upload, activate, replay, roll back.
W=$(mktemp -d); export STANDIN_DB=$W/standin.db
standin --now 2026-11-21T09:00:00Z policy upload --tenant acme --settings examples/settings/betterworks.json --activate --by ops --note "as Betterworks"
SID=$(standin --now 2026-11-21T10:00:00Z session start examples/requests/start-allow.json | jq -r .id)
standin --now 2026-11-21T10:05:00Z authorize $SID report.generate --resource goals-q4
standin --now 2026-11-21T10:06:00Z authorize $SID billing.purchase
# Version 2, read-only, proven on a suite before it is stored (not active yet):
standin --now 2026-11-21T11:00:00Z policy upload --tenant acme --settings examples/settings/betterworks-read-only.json \
    --suite examples/suites/read-only.json --note "look, don't touch"
# What would change if version 2 had decided what the trail recorded (exit 3: something would):
standin policy diff --tenant acme --candidate 2
standin --now 2026-11-21T11:05:00Z policy activate --tenant acme --version 2 --by ops
standin --now 2026-11-21T11:10:00Z policy rollback --tenant acme
standin policy list --tenant acme
# A refused upload stores nothing (exit 1):
standin policy upload --tenant acme examples/requests/start-allow.json
