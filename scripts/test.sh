#!/usr/bin/env bash
# The test command: installs what the tests need (Debian packages, Maven dependencies) and runs
# the whole suite, end-to-end VM boots included. Extra arguments go to Maven, e.g.
#   scripts/test.sh -Dtest='Qcow2*'          one group of tests
#   scripts/test.sh -Dslx.tests.excluded=vm  everything but the qemu boots
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."

scripts/install-deps.sh --quiet
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
if [ ! -x "$JAVA_HOME/bin/java" ]; then
  echo "test: JDK 25 not found at $JAVA_HOME" >&2
  exit 1
fi
exec mvn -B -ntp verify "$@"
