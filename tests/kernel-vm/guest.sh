#!/bin/bash
# Runs inside the kernel VM (tests/TestRunner.psm1 boots it with kernel-vm.sh): marks the kernel log, runs the
# guest's Pester tests in one pwsh, then saves the kernel log written since the mark, so that the host can fail
# the run on a BUG, WARNING or Oops that happened while our code ran. A test that runs longer than HANG_SECONDS
# gets its evidence saved in OUTDIR/hang.txt before the host stops the guest: every task's state, wait channel and
# kernel stack, the tracefs state, and the kernel's own dump of blocked tasks and CPUs.
# With LINUXTRACE_VM_SSH_DIR set, serve-ssh.sh runs after the tests (the kernel log kept covers it too).
# usage: guest.sh OUTDIR PESTER_MODULE TEST_PATHS [HANG_SECONDS]
set -u
out=$1 pester=$2 tests=$3 hang=${4:-0}
here=$(cd "$(dirname "$0")" && pwd)
mark="linuxtrace-tests: begin $$"
echo "$mark" > /dev/kmsg

dump_hang() {  # $1 = the test, $2 = seconds it has run
  echo 1 > /proc/sys/kernel/sysrq 2>/dev/null
  echo "== '$1' has run for $2 s; guest uptime $(cut -d' ' -f1 /proc/uptime) s"
  ps -eLo pid,tid,stat,wchan:30,pcpu,time,comm --sort=-pcpu | head -60
  local T=/sys/kernel/tracing
  echo "== tracefs: current_tracer=$(cat $T/current_tracer) tracing_on=$(cat $T/tracing_on) instances=$(ls $T/instances | tr '\n' ' ')"
  echo "   set_graph_function=$(head -3 $T/set_graph_function | tr '\n' ' ') set_event=$(head -5 $T/set_event | tr '\n' ' ')"
  for t in /proc/[0-9]*/task/[0-9]*; do   # user tasks only (kernel threads have no cmdline)
    [ -s "${t%/task/*}/cmdline" ] || continue
    echo "-- ${t#/proc/} $(cat "$t/comm" 2>/dev/null) $(awk '{print $3}' "$t/stat" 2>/dev/null)"
    sed 's/^/   /' "$t/stack" 2>/dev/null | head -25
  done
  echo w > /proc/sysrq-trigger 2>/dev/null; echo l > /proc/sysrq-trigger 2>/dev/null; sleep 2
  echo "== kernel log (last 150 lines)"
  dmesg | tail -150
}
watch_hang() {
  local dumped='' start name now
  while sleep 5; do
    [ -f "$out/Pester.current" ] || continue
    start='' name=''
    IFS=$'\t' read -r start name < "$out/Pester.current" || true
    [[ $start =~ ^[0-9]+$ ]] && [ "$start" != "$dumped" ] || continue
    now=$(date +%s%3N)
    if (( now - start > hang * 1000 )); then dumped=$start; dump_hang "$name" $(( (now - start) / 1000 )) > "$out/hang.txt" 2>&1; fi
  done
}
watcher=''
if (( hang > 0 )); then watch_hang & watcher=$!; fi

# the files tests keep for the host's checks (Save-VmFile; tests/kernel-vm/host, run by the host afterwards)
export LINUXTRACE_VM_FILES="$out/files"
# LINUXTRACE_PWSH (from the host: pwsh itself, not "dotnet pwsh", whose SDK start-up costs half a minute here)
${LINUXTRACE_PWSH:-dotnet pwsh} -NoProfile -NonInteractive -File "$here/../Invoke-PesterRun.ps1" -PesterModule "$pester" \
  -Path "$tests" -ExcludePath "$here/host/*,$here/remote/*" -ResultFile "$out/Pester.json" -CurrentTestFile "$out/Pester.current"
rc=$?
[ -z "$watcher" ] || kill "$watcher" 2>/dev/null
# then, when the host asks, the guest serves as a second real kernel for the host's fleet tests (tests/kernel-vm/remote)
if [ -n "${LINUXTRACE_VM_SSH_DIR:-}" ]; then bash "$here/serve-ssh.sh" "$LINUXTRACE_VM_SSH_DIR" "${LINUXTRACE_VM_SSH_WAIT:-600}"; fi
dmesg | sed -n "/$mark/,\$p" | tail -n +2 > "$out/dmesg.txt"
exit $rc
