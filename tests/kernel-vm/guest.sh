#!/bin/bash
# Runs inside the kernel VM (tests/TestRunner.psm1 boots it with kernel-vm.sh): marks the kernel log, runs the
# guest's Pester tests in one pwsh, then saves the kernel log written since the mark, so that the host can fail
# the run on a BUG, WARNING or Oops that happened while our code ran.
# usage: guest.sh OUTDIR PESTER_MODULE TEST_PATHS
set -u
out=$1 pester=$2 tests=$3
here=$(cd "$(dirname "$0")" && pwd)
mark="linuxtrace-tests: begin $$"
echo "$mark" > /dev/kmsg
dotnet pwsh -NoProfile -NonInteractive -File "$here/../Invoke-PesterRun.ps1" -PesterModule "$pester" \
  -Path "$tests" -ResultFile "$out/Pester.json" -CurrentTestFile "$out/Pester.current"
rc=$?
dmesg | sed -n "/$mark/,\$p" | tail -n +2 > "$out/dmesg.txt"
exit $rc
