#!/bin/sh
# slx.break=PHASE: the root daemon runs this before one of its phases (network, config, storage,
# stage4, pivot) and waits for it. It is dracut's own emergency shell, as for rd.break=: leave it
# with `exit` (or Control-D at the prompt) and the boot goes on. While it is open, break-wait keeps
# the initqueue from timing out.
[ -d /run/systemd/system ] && export DRACUT_SYSTEMD=1
type getarg > /dev/null 2>&1 || . /lib/dracut-lib.sh

phase="$1"
if ! getargbool 1 rd.shell -d -y rdshell; then
    warn "slx.break=$phase ignored: rd.shell=0 forbids shells"
    exit 0
fi
: > /run/slx/break-shell-open
emergency_shell -n "slx-break-$phase" \
    "slx.break=$phase: a shell before slx's $phase phase. Leave it (exit) to go on with the boot."
rm -f /run/slx/break-shell-open
exit 0
