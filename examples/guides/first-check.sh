# The built-in policy on its default settings: may u-1 impersonate u-42? (exit 0)
standin check start examples/requests/start-allow.json
# Betterworks' settings and another request: a refusal names every failing rule (exit 2).
standin check start --settings examples/settings/betterworks.json examples/requests/start-deny.json
# An action while impersonating: payments are never allowed (F1).
standin check action examples/requests/action-purchase.json
