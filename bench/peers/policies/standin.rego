# Standin's default policy (policy/src/start.rs, action.rs) in Rego.
#
# Like the Rust original it reads the tenant's settings as data
# (`data.settings`: the defaults overlaid with
# examples/settings/betterworks.json) and names every failing rule, as a
# set of reason codes. Rules that those settings turn off (domains,
# wider access, required reason, nested sessions allowed, approval) are
# left out; src/rego.rs builds `input` from the host's typed request.
package standin

import rego.v1

settings := data.settings

# ---- May the actor start impersonating the target? (E1-E8, S1) ----

start := {
	"allow": count(start_reasons) == 0,
	"reasons": start_reasons,
	"ttl_seconds": grant_ttl,
	"obligations": start_obligations,
}

# E8: not yourself, not across tenants.
start_reasons contains "self-impersonation" if input.actor.id == input.target.id

start_reasons contains "cross-tenant" if {
	some p in [input.actor, input.target]
	p.tenant != input.tenant
}

# E1: an impersonator role, or the impersonate permission.
start_reasons contains "not-permitted" if not permitted

permitted if {
	some r in input.actor.roles
	r in settings.impersonator_roles
}

permitted if settings.impersonate_permission in input.actor.permissions

# E2: active targets only.
start_reasons contains "target-inactive" if {
	settings.require_active
	not input.target.active
}

# E3: logged in once, and consented (or accepted on their behalf).
start_reasons contains "target-never-logged-in" if {
	settings.require_logged_in
	not input.target.has_logged_in
}

start_reasons contains "target-consent-missing" if {
	consent_missing
	not may_accept_on_behalf
}

start_obligations contains "revert-consent" if {
	consent_missing
	may_accept_on_behalf
}

consent_missing if {
	some c in settings.required_consents
	not c in input.target.consents
}

may_accept_on_behalf if {
	input.consent_on_behalf
	some r in input.actor.roles
	r in settings.consent_on_behalf_roles
}

# E4: never the same or a higher level; a level is the highest of one's
# roles' levels, 0 without any. (`object.get` with 0, not a comprehension
# that skips unknown roles: regorus 0.14.1's RVM keeps an undefined element
# in `[l | some r in roles; l := levels[r]]`, and `max` of it is undefined.)
start_reasons contains "target-level-not-lower" if {
	count(settings.role_levels) > 0
	level(input.target) >= level(input.actor)
}

level(p) := max(array.concat([0], [object.get(settings.role_levels, r, 0) | some r in p.roles]))

# E5: scoped roles reach only the users and groups they manage.
start_reasons contains "target-out-of-scope" if {
	some r in input.actor.roles
	r in settings.scoped_roles
	not in_scope
}

in_scope if input.target.id in input.actor.manages

in_scope if {
	some g in input.target.groups
	g in input.actor.manages
}

# E7: no impersonation from inside one.
start_reasons contains "nested-impersonation" if {
	not settings.allow_nested
	input.actor_session
}

# S1: requested or default, never past the maximum.
requested_ttl := input.ttl_seconds if input.ttl_seconds > 0
else := settings.default_ttl_seconds

grant_ttl := min([requested_ttl, settings.max_ttl_seconds])

# ---- May the actor, inside the session, do the action? (F1-F4, S3, S7) ----

action := {
	"allow": count(action_reasons) == 0,
	"reasons": action_reasons,
	"obligations": action_obligations,
}

action_reasons contains "cross-tenant" if {
	some p in [input.session.actor, input.session.target]
	p.tenant != input.tenant
}

# S3: not after the session's end.
action_reasons contains "session-expired" if input.now >= input.session.expires_at

# S7: a read-only session only reads.
action_reasons contains "read-only-session" if {
	read_only
	not matches_any(settings.read_actions, input.action)
}

read_only if input.session.read_only

read_only if settings.read_only

# F1-F3: payments, credentials, signatures.
action_reasons contains "forbidden-action" if matches_any(settings.forbidden_actions, input.action)

# F4: left for the target themselves.
action_reasons contains "reserved-for-target" if matches_any(settings.reserved_for_target, input.action)

action_obligations contains "deliver-to-target" if matches_any(settings.deliver_to_target, input.action)

action_obligations contains "do-not-persist" if matches_any(settings.ephemeral_actions, input.action)

action_obligations contains "change-digest" if matches_any(settings.notify_changes, input.action)

# A settings pattern: `*` matches any run of characters (no delimiters).
matches_any(patterns, name) if {
	some p in patterns
	glob.match(p, null, name)
}
