# The gateways of scripts/suites/edge.sh (sourced by .ci/run): Debian's
# nginx (with its auth_request module) and Caddy (forward_auth). The suite
# starts its own processes on loopback, so neither is left running as a
# system service: nothing starts during the install (policy-rc.d, where
# the machine has none of its own) and neither is enabled at boot.
if ! command -v nginx >/dev/null || ! command -v caddy >/dev/null; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    EDGE_POLICY_RC=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
        $SUDO chmod 755 /usr/sbin/policy-rc.d
        EDGE_POLICY_RC=1
    fi
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx caddy >/dev/null
    if [ -n "$EDGE_POLICY_RC" ]; then
        $SUDO rm -f /usr/sbin/policy-rc.d
    fi
    if command -v systemctl >/dev/null; then
        $SUDO systemctl disable --now nginx caddy >/dev/null 2>&1 || true
    fi
    unset EDGE_POLICY_RC
fi
# nginx is in /usr/sbin, which a user's PATH may lack.
case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH="$PATH:/usr/sbin" ;; esac
export STANDIN_REQUIRE_EDGE=1
