#!/bin/sh
# initqueue/timeout job, queued only with slx.break=: while a break shell is open the boot waits
# for the admin, not for a device. Signalling initqueue work resets dracut's timeout counter.
[ -e /run/slx/break-shell-open ] && : > "${hookdir:-/lib/dracut/hooks}/initqueue/work"
exit 0
