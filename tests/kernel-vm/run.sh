#!/usr/bin/env bash
# Runs the tests that need a full-featured kernel (function tracer, function_graph, kprobes, hist triggers)
# inside Debian's own kernel under QEMU (kernel-vm.sh), as one batch in one guest with one pwsh.
# usage: tests/kernel-vm/run.sh RESULT.json
# The module must be built (build.ps1 -Task Build) and Pester restored (build.ps1 -Task Test does both).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
result=${1:-$root/out/test/kernel-vm.json}
mkdir -p "$(dirname "$result")"
pester=$(ls "$root"/tools/packages/pester/*/tools/Pester.psd1 | head -1)
# kernel-vm.sh runs depmod on the unpacked kernel: it comes with kmod
if ! command -v depmod >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q kmod >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q kmod >/dev/null; }
fi
cd "$root"
rm -f "$result"
run() {
  bash "$here/kernel-vm.sh" --timeout "${KERNEL_VM_TIMEOUT:-600}" --mem 3G --cpus 2 -- \
    dotnet pwsh -NoProfile -NonInteractive -File "$root/tests/Invoke-PesterRun.ps1" \
    -PesterModule "$pester" -Path "$here" -ResultFile "$result"
}
rc=0; run || rc=$?
# 124/125: the emulated guest hung or died (TCG has shown a rare soft lockup while ftrace patches kernel text);
# that is the emulator, not a test result: boot once more and say so.
if [ "$rc" = 124 ] || [ "$rc" = 125 ]; then
  echo "kernel-vm: the guest did not finish (status $rc); booting it once more" >&2
  rm -f "$result"; rc=0; run || rc=$?
fi
exit "$rc"
