#!/usr/bin/env pwsh
<#
.SYNOPSIS
    A fleet trace's cost: wall time and bytes moved for N hosts x M events, LinuxTrace beside trace-cmd's own
    network recording (trace-cmd listen + record -N) in one run.
.DESCRIPTION
    Hosts are sshd servers in network namespaces of this machine (tests/FleetHosts.ps1) reached over PowerShell SSH
    remoting, with this build installed in each (the copy of -DeployModule is measured once, apart). They share this
    kernel, so a system-wide trace on N hosts records this kernel's events N times: events grow with N as they would
    on N machines, while the CPUs that make and move them stay two.
    For N = 1, 2, 3 and two event sets, each for -Seconds of tracing under `stress-ng --switch 1`:
      exec:  sched:sched_process_exec (a handful of events: the fixed cost of a fleet trace)
      sched: sched:sched_switch and sched:sched_wakeup (hundreds of thousands of events)
    Start-Trace -HostName ... -Duration -OutFile folder: wall time from the call to the files being here, that time
    less the tracing itself (connect, check, start, stop, finalize, copy back), events, lost events, and bytes moved
    (the files, zstd-compressed, as they came over the wire).
    trace-cmd: `trace-cmd listen` here and `trace-cmd record -N 127.0.0.1:port` for one host (its agent protocol
    streams pages to the listener, which writes the file); two trace-cmd recorders on one kernel would share its top
    buffer, so trace-cmd is measured for N = 1 only. Writes bench/results/fleet-latest.md.
#>
param([int] $Seconds = 5, [int[]] $Hosts = @(1, 2, 3))
$ErrorActionPreference = 'Stop'
$Root = Split-Path $PSScriptRoot -Parent
Import-Module (Join-Path $Root 'LinuxTrace.psd1')
Import-Module (Join-Path $Root 'tests/TestRunner.psm1')
. (Join-Path $Root 'tests/FleetHosts.ps1')
$Results = Join-Path $PSScriptRoot 'results'
New-Item -ItemType Directory -Path $Results -Force | Out-Null
$work = Join-Path ([IO.Path]::GetTempPath()) "fleet-bench-$PID"
$sets = [ordered]@{ exec = @('sched:sched_process_exec'); sched = @('sched:sched_switch', 'sched:sched_wakeup') }
$load = Start-Process stress-ng -ArgumentList '--switch', '1', '--timeout', '3600s' -RedirectStandardOutput /dev/null -PassThru
$fleet = New-FleetHost -Count ([Linq.Enumerable]::Max([int[]]$Hosts)) -Dir $work
$rows = [Collections.Generic.List[object]]::new()
try {
    $ssh = $fleet.Ssh
    # the module copy, measured once: -DeployModule to every host
    $sw = [Diagnostics.Stopwatch]::StartNew()
    Start-Trace -HostName $fleet.Hosts.Address @ssh -DeployModule -Event sched:sched_process_exec -Duration 00:00:01 -OutFile "$work/deploy" | Out-Null
    $deploy = $sw.Elapsed.TotalSeconds
    foreach ($set in $sets.Keys) {
        foreach ($n in $Hosts) {
            $out = "$work/$set-$n"
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $files = @(Start-Trace -HostName ($fleet.Hosts.Address | Select-Object -First $n) @ssh -Event $sets[$set] -Duration ([timespan]::FromSeconds($Seconds)) -OutFile $out -PassThru)
            $wall = $sw.Elapsed.TotalSeconds
            $info = @($files | ForEach-Object { Get-TraceFileInfo $_.FullName })
            $events = ($info | Measure-Object EventCount -Sum).Sum
            $lost = ($info | ForEach-Object { $_.CpuStats } | Measure-Object Lost -Sum).Sum
            $bytes = ($files | Measure-Object Length -Sum).Sum
            $rows.Add([pscustomobject]@{ Tool = 'LinuxTrace'; Set = $set; Hosts = $n; Wall = $wall; Overhead = $wall - $Seconds; Events = $events; Lost = $lost; Bytes = $bytes })
        }
        # trace-cmd's network recording of the same set on one host
        $dir = New-Item -ItemType Directory "$work/tc-$set" -Force
        $port = Get-FreeLoopbackPort
        $listen = Start-Process trace-cmd -ArgumentList 'listen', '-p', "$port", '-d', $dir -WorkingDirectory $dir -RedirectStandardOutput "$dir/listen.out" -RedirectStandardError "$dir/listen.err" -PassThru
        Start-Sleep -Milliseconds 500
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $a = @('record', '-d', '--no-filter', '-N', "127.0.0.1:$port") + @($sets[$set] | ForEach-Object { '-e', $_ }) + @('sleep', "$Seconds")
        & trace-cmd @a *> "$dir/record.out"   # (its reset fails on this host's locked set_ftrace_filter: exit 1, data sent)
        # the listener takes the pages into .cpuN files as they come, and when the recording ends writes them into its
        # .dat after the metadata it got first: done when the .dat has grown past that and not changed for a second (its
        # log is buffered); the wall time ends at the last change. What went over the wire: the metadata and the pages.
        $dat = $null; $first = -1; $size = -1; $changed = 0.0; $pages = 0
        while ($sw.Elapsed.TotalSeconds -lt $Seconds + 120) {
            $pages = [Math]::Max($pages, [long](Get-ChildItem $dir -Filter 'trace.*.cpu*' | Measure-Object Length -Sum).Sum)   # (removed once merged)
            $dat = Get-ChildItem $dir -Filter 'trace.*.dat' | Select-Object -First 1
            $now = if ($dat) { $dat.Length } else { -1 }
            if ($first -lt 0 -and $now -gt 0) { $first = $now }
            if ($now -ne $size) { $size = $now; $changed = $sw.Elapsed.TotalSeconds }
            elseif ($now -gt $first -and $first -gt 0 -and $sw.Elapsed.TotalSeconds - $changed -ge 1) { break }
            Start-Sleep -Milliseconds 100
        }
        $wall = $changed
        Stop-Process -Id $listen.Id -ErrorAction SilentlyContinue
        if ((Get-Content /sys/kernel/tracing/tracing_on).Trim() -eq '0') { Set-Content /sys/kernel/tracing/tracing_on 1 }   # trace-cmd's failed reset
        $events = if ($dat) { [int](& bash -c "trace-cmd report '$($dat.FullName)' 2>/dev/null | grep -cE '^\s*\S.*\[[0-9]{3}\]'") } else { 0 }
        $bytes = $first + $pages
        $rows.Add([pscustomobject]@{ Tool = 'trace-cmd -N'; Set = $set; Hosts = 1; Wall = $wall; Overhead = $wall - $Seconds; Events = $events; Lost = $null; Bytes = $bytes })
    }
}
finally {
    Remove-FleetHost $fleet
    if (-not $load.HasExited) { Stop-Process -Id $load.Id -ErrorAction SilentlyContinue }
    & pkill -f 'trace-cmd listen' 2>$null
}

$md = [Text.StringBuilder]::new()
$null = $md.AppendLine("# Fleet traces: N hosts x M events ($(Get-Date -Format 'yyyy-MM-dd HH:mm'), $Seconds s of tracing each, under stress-ng --switch 1)").AppendLine()
$null = $md.AppendLine("-DeployModule to $($fleet.Hosts.Count) hosts (1 s trace included): $('{0:N1}' -f $deploy) s").AppendLine()
$null = $md.AppendLine('| tool | events | hosts | wall s | beyond the tracing s | events recorded | lost | bytes moved | bytes/event |').AppendLine('|---|---|---:|---:|---:|---:|---:|---:|---:|')
foreach ($r in $rows) {
    $null = $md.AppendLine(('| {0} | {1} | {2} | {3:N1} | {4:N1} | {5:N0} | {6} | {7:N0} | {8:N1} |' -f $r.Tool, $r.Set, $r.Hosts, $r.Wall, $r.Overhead, $r.Events, $(if ($null -eq $r.Lost) { 'n/a' } else { '{0:N0}' -f $r.Lost }), $r.Bytes, $(if ($r.Events) { $r.Bytes / $r.Events } else { 0 })))
}
foreach ($set in $sets.Keys) {
    $lt = $rows | Where-Object { $_.Tool -eq 'LinuxTrace' -and $_.Set -eq $set -and $_.Hosts -eq 1 }
    $tc = $rows | Where-Object { $_.Tool -eq 'trace-cmd -N' -and $_.Set -eq $set }
    if ($lt -and $tc -and $tc.Bytes) {
        $null = $md.AppendLine().Append(('{0}, one host: LinuxTrace/trace-cmd wall {1:N2}x, bytes moved {2:N2}x, bytes per event {3:N2}x' -f $set, ($lt.Wall / $tc.Wall), ($lt.Bytes / $tc.Bytes), $(if ($tc.Events -and $lt.Events) { ($lt.Bytes / $lt.Events) / ($tc.Bytes / $tc.Events) } else { [double]::NaN })))
    }
}
$text = $md.ToString()
Set-Content (Join-Path $Results 'fleet-latest.md') $text
Write-Host $text
Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
