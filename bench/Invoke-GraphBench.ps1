#!/usr/bin/env pwsh
<#
.SYNOPSIS
    The cost of the walkthrough's function_graph trace, LinuxTrace beside trace-cmd, in Debian's full kernel.
.DESCRIPTION
    This machine's kernel has no function_graph, so on the host this boots the kernel VM (tests/kernel-vm, Debian's
    6.1 under QEMU with one emulator thread) and runs itself there. In the guest, one after the other on the same
    workload (find /usr/share/doc, which opens every directory; caches warm; that process alone traced): the
    workload alone; trace-cmd record -p function_graph -g do_sys_openat2 -F; Start-Trace -Tracer function_graph
    -GraphFunction do_sys_openat2 -OutFile; and the same
    streamed into Measure-Object as FunctionCall objects. For each: wall time from start to the end of teardown
    (the tracer switch on and off, which patches kernel text, is part of it), records or calls, and events lost.
    Times under emulation are many times a real machine's: read the ratios. Writes bench/results/graph-latest.md.
#>
param([int] $Rounds = 2)
$ErrorActionPreference = 'Stop'
$Root = Split-Path $PSScriptRoot -Parent
if (-not $env:KVM_GUEST) {
    $env:KERNEL_VM_ACCEL = if ($env:KERNEL_VM_ACCEL) { $env:KERNEL_VM_ACCEL } else { 'tcg,thread=single' }
    & bash (Join-Path $Root 'tests/kernel-vm/kernel-vm.sh') --timeout 1500 --mem 3G --cpus 2 -- dotnet pwsh -NoProfile -NonInteractive -File $PSCommandPath -Rounds $Rounds
    exit $LASTEXITCODE
}
Import-Module (Join-Path $Root 'LinuxTrace.psd1')
$Results = Join-Path $PSScriptRoot 'results'
New-Item -ItemType Directory -Path $Results -Force | Out-Null
$work = Join-Path ([IO.Path]::GetTempPath()) "graph-bench-$PID"
New-Item -ItemType Directory -Path $work -Force | Out-Null
# find opens every directory and prints nothing (the traced program's output would fill the log); it is traced alone
# (-F for trace-cmd, the command's pid for Start-Trace)
$workload = @('/usr/share/doc', '-name', 'no-such-file')
& find @workload   # warm the caches once

function Measure-Run([string] $Name, [scriptblock] $Run) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $r = & $Run
    [pscustomobject]@{ Tool = $Name; Seconds = $sw.Elapsed.TotalSeconds; Records = $r.Records; Calls = $r.Calls; Lost = $r.Lost }
}

$rows = foreach ($round in 1..$Rounds) {
    Measure-Run 'find alone' { & find @workload; @{ Records = 0; Calls = 0; Lost = 0 } }
    Measure-Run 'trace-cmd record -p function_graph -g do_sys_openat2 -F' {
        $dat = Join-Path $work "tc-$round.dat"
        & timeout -s INT -k 30 600 trace-cmd record -q -p function_graph -g do_sys_openat2 -F -o $dat find @workload > $null 2>&1
        $info = Get-TraceFileInfo $dat
        @{ Records = $info.EventCount; Calls = @(Get-FunctionCall $dat).Count; Lost = ($info.CpuStats | Measure-Object Lost -Sum).Sum }
    }
    Measure-Run 'Start-Trace -Tracer function_graph -GraphFunction do_sys_openat2 -OutFile' {
        $dat = Join-Path $work "lt-$round.dat"
        Start-Trace -Tracer function_graph -GraphFunction do_sys_openat2 -Command find -ArgumentList $workload -OutFile $dat | Out-Null
        $info = Get-TraceFileInfo $dat
        @{ Records = $info.EventCount; Calls = @(Get-FunctionCall $dat).Count; Lost = ($info.CpuStats | Measure-Object Lost -Sum).Sum }
    }
    Measure-Run 'Start-Trace -Tracer function_graph -GraphFunction do_sys_openat2 | Measure-Object' {
        $n = (Start-Trace -Tracer function_graph -GraphFunction do_sys_openat2 -Command find -ArgumentList $workload -SummaryVariable s | Measure-Object).Count
        @{ Records = $s.EventCount; Calls = $n; Lost = $s.KernelLost }
    }
}
# trace-cmd's own reset leaves tracing_on at 0 in the top buffer: give it back
Set-Content /sys/kernel/tracing/tracing_on 1

$base = ($rows | Where-Object Tool -eq 'find alone' | Measure-Object Seconds -Minimum).Minimum
$tc = ($rows | Where-Object Tool -like 'trace-cmd*' | Measure-Object Seconds -Minimum).Minimum
$md = [Collections.Generic.List[string]]::new()
$md.Add("function_graph on do_sys_openat2 around find /usr/share/doc, Debian $(uname -r) under QEMU (TCG, 2 CPUs), $(Get-Date -Format s); best of $Rounds rounds")
$md.Add('')
$md.Add('| tool | wall s (best) | vs find alone | vs trace-cmd | records | calls | lost |')
$md.Add('|---|---:|---:|---:|---:|---:|---:|')
foreach ($g in $rows | Group-Object Tool) {
    $best = $g.Group | Sort-Object Seconds | Select-Object -First 1
    $md.Add(('| {0} | {1:N1} | {2:N1}x | {3:N2}x | {4:N0} | {5:N0} | {6:N0} |' -f $g.Name, $best.Seconds, ($best.Seconds / $base), ($best.Seconds / $tc), $best.Records, $best.Calls, $best.Lost))
}
$md | Set-Content (Join-Path $Results 'graph-latest.md')
$md | ForEach-Object { Write-Host $_ }
Remove-Item $work -Recurse -Force
