# A session's trail, then a copy of the live database made with SQLite's online backup.
W=$(mktemp -d); export STANDIN_DB=$W/standin.db
standin --now 2026-11-21T09:00:00Z policy set --tenant acme --settings examples/settings/betterworks.json > /dev/null
SID=$(standin --now 2026-11-21T10:00:00Z session start examples/requests/start-allow.json | jq -r .id)
standin --now 2026-11-21T10:10:00Z session end $SID > /dev/null
sqlite3 $STANDIN_DB ".backup $W/backup.db"
# The copy verifies with the same host key (the default one here), and holds the same head:
standin --db $W/backup.db audit verify --tenant acme
standin audit verify --tenant acme
