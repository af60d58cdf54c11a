#!/bin/sh
# initqueue/finished: true once slx has mounted /sysroot. When slx gave up, its reason goes to
# the console and the boot stops in the emergency shell instead of waiting for the timeout.
[ -e /run/slx/root-ready ] && exit 0
if [ -e /run/slx/failed ]; then
    type warn > /dev/null 2>&1 || . /lib/dracut-lib.sh
    warn "slx: $(cat /run/slx/failed)"
    : > /run/slx/failed.reported
    emergency_shell -n slx "slx could not set up the root filesystem: $(cat /run/slx/failed)"
fi
exit 1
