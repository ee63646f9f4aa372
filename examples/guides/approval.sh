# Four eyes for privileged targets: the admin asks for the CFO.
W=$(mktemp -d); export STANDIN_DB=$W/standin.db
standin --now 2026-11-21T09:00:00Z policy set --tenant acme --settings examples/guides/approval/four-eyes.json > /dev/null
# The start waits for a security officer (exit 4):
standin --now 2026-11-21T10:00:00Z session start examples/guides/approval/start.json > $W/pending.json; cat $W/pending.json
SID=$(jq -r .id $W/pending.json)
# Nothing may be done while it waits (exit 2):
standin --now 2026-11-21T10:01:00Z authorize $SID course.view
# Nobody approves their own request (exit 2):
standin --now 2026-11-21T10:02:00Z session approve $SID --approver examples/guides/approval/admin.json
standin --now 2026-11-21T10:05:00Z session approve $SID --approver examples/guides/approval/officer.json
standin --now 2026-11-21T10:06:00Z authorize $SID course.view
standin audit query --tenant acme --session $SID --format table
