#!/usr/bin/env pwsh
<#
.SYNOPSIS
    LinuxTrace beside trace-cmd, in one run: live recording loss and CPU, decoding speed, pipeline speed, memory.
.DESCRIPTION
    Run as root on the machine to measure (build.ps1 -Task Bench builds first). Needs trace-cmd and stress-ng
    (installed with apt when missing). Writes bench/results/latest.json and latest.md and prints the table.
    Numbers are ratios against trace-cmd measured in the same run; they are not assertions.
#>
param(
    [int] $Seconds = 5,
    [int] $BigFileMB = 1100,
    [switch] $SkipBigFile
)
$ErrorActionPreference = 'Stop'
$Root = Split-Path $PSScriptRoot -Parent
$Work = Join-Path ([IO.Path]::GetTempPath()) "linuxtrace-bench-$PID"
New-Item -ItemType Directory -Path $Work -Force | Out-Null
$Results = Join-Path $PSScriptRoot 'results'
New-Item -ItemType Directory -Path $Results -Force | Out-Null
Import-Module (Join-Path $Root 'LinuxTrace.psd1')

foreach ($tool in 'trace-cmd', 'stress-ng') {
    if (-not (Get-Command $tool -ErrorAction SilentlyContinue)) { & apt-get install -y -q $tool 2>&1 | Out-Null }
}
# the C baseline: bench/c-reader over libtracecmd + libtraceevent (Debian's -dev packages)
$cPackages = 'gcc', 'pkg-config', 'libtracecmd-dev', 'libtraceevent-dev', 'libtracefs-dev'
$missing = @($cPackages | Where-Object { -not ((& dpkg-query -W -f='${Status}' $_ 2>$null) -match 'ok installed') })
if ($missing) { & apt-get install -y -q @missing 2>&1 | Out-Null }
$CReader = Join-Path $Work 'read_fields'
$flags = (& pkg-config --cflags --libs libtracecmd libtraceevent) -split ' ' | Where-Object { $_ }
& gcc -O2 -o $CReader "$PSScriptRoot/c-reader/read_fields.c" @flags
if ($LASTEXITCODE -ne 0) { throw 'Building bench/c-reader/read_fields.c failed.' }
# ReadyToRun, as the module is built: a cold pass measures what a fresh pwsh gets
$rid = 'linux-' + [Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString().ToLowerInvariant()
& dotnet publish "$PSScriptRoot/LinuxTrace.Bench/LinuxTrace.Bench.csproj" -c Release -r $rid --self-contained false -p:PublishReadyToRun=true -o "$PSScriptRoot/LinuxTrace.Bench/bin/publish" -v q --nologo | Out-Null
$BenchDll = "$PSScriptRoot/LinuxTrace.Bench/bin/publish/LinuxTrace.Bench.dll"
function Invoke-BenchApp([string[]] $BenchArgs) { (& dotnet $BenchDll @BenchArgs | Select-Object -Last 1) | ConvertFrom-Json }

$events = 'raw_syscalls:sys_enter', 'raw_syscalls:sys_exit', 'sched:sched_switch'
$stress = @('--null', '2', '--switch', '1', '-t', "$($Seconds + 2)")
function Start-Load { Start-Process stress-ng -ArgumentList $stress -RedirectStandardOutput "$Work/stress.out" -RedirectStandardError "$Work/stress.err" -PassThru; Start-Sleep -Milliseconds 700 }
function Stop-Load($p) { if (-not $p.HasExited) { $p | Wait-Process -Timeout 30 -ErrorAction SilentlyContinue } }
$tracingOn = "$(Get-Content /sys/kernel/tracing/tracing_on -Raw)".Trim()
# "7 (expanded: 1408)" while the top buffer was never used: once used it is 1408 KB
$bufferKB = "$(Get-Content /sys/kernel/tracing/buffer_size_kb -Raw)".Trim() -replace '^\d+ \(expanded: (\d+)\)$', '$1'
# trace-cmd's reset stops at the EPERM on set_ftrace_filter on locked-down hosts and leaves tracing_on at 0; -b leaves
# the top buffer at its size
function Restore-TracingOn {
    Set-Content /sys/kernel/tracing/tracing_on $tracingOn
    if ("$(Get-Content /sys/kernel/tracing/buffer_size_kb -Raw)".Trim() -notmatch "^($bufferKB|\d+ \(expanded: $bufferKB\))$") { Set-Content /sys/kernel/tracing/buffer_size_kb $bufferKB }
}
function Lost-Of($info) { ($info.CpuStats | Measure-Object -Property Lost -Sum).Sum }
$rows = [ordered]@{}
$sys = @{ kernel = (Get-Content /proc/sys/kernel/osrelease); cpus = [Environment]::ProcessorCount; traceCmd = "$((& trace-cmd --version 2>&1) -match 'version' | Select-Object -First 1)".Trim() }

# ---- 1. live recording under load, default buffer (1408 KB per CPU) ------------------------------
Write-Host "== live: stress-ng $($stress -join ' '), tracing $($events -join ', '), default buffer"
$load = Start-Load
$tcDat = Join-Path $Work 'tc-live.dat'
$timeFile = Join-Path $Work 'time.txt'
$tcArgs = @('-f', '%U %S %e', '-o', $timeFile, 'trace-cmd', 'record', '-q', '-d', '--no-filter', '-o', $tcDat)
foreach ($e in $events) { $tcArgs += '-e', $e }
$tcArgs += 'sleep', "$Seconds"
& /usr/bin/time @tcArgs 2>&1 | Out-Null
Restore-TracingOn
Stop-Load $load
$t = (Get-Content $timeFile | Select-Object -Last 1) -split ' '
$info = Get-TraceFileInfo $tcDat
$lost = Lost-Of $info
$rows['trace-cmd record'] = [ordered]@{ events = $info.EventCount; lost = $lost; lostPercent = 100.0 * $lost / [math]::Max(1, $info.EventCount + $lost); cpuSeconds = [double]$t[0] + [double]$t[1] }

$load = Start-Load
$pages = Join-Path $Work 'pages.bin'
$r = Invoke-BenchApp @('live', '--seconds', "$Seconds", '--event', ($events -join ','), '--save', $pages)
Stop-Load $load
$rows['LinuxTrace engine (drain to memory)'] = [ordered]@{ events = $r.events; lost = $r.kernelLost; lostPercent = $r.lostPercent; cpuSeconds = $r.cpuSeconds }

$load = Start-Load
$ltDat = Join-Path $Work 'lt-live.dat'
$cpu0 = (Get-Process -Id $PID).TotalProcessorTime
Start-Trace -Event $events -Duration ([TimeSpan]::FromSeconds($Seconds)) -OutFile $ltDat -WarningAction SilentlyContinue
$cpu = ((Get-Process -Id $PID).TotalProcessorTime - $cpu0).TotalSeconds
Stop-Load $load
$info = Get-TraceFileInfo $ltDat
$lost = Lost-Of $info
$rows['Start-Trace -OutFile'] = [ordered]@{ events = $info.EventCount; lost = $lost; lostPercent = 100.0 * $lost / [math]::Max(1, $info.EventCount + $lost); cpuSeconds = $cpu }

$load = Start-Load
$cpu0 = (Get-Process -Id $PID).TotalProcessorTime
$sw = [Diagnostics.Stopwatch]::StartNew()
$warn = $null
$m = Start-Trace -Event $events -Duration ([TimeSpan]::FromSeconds($Seconds)) -WarningVariable warn -WarningAction SilentlyContinue | Measure-Object
$elapsed = $sw.Elapsed.TotalSeconds
$cpu = ((Get-Process -Id $PID).TotalProcessorTime - $cpu0).TotalSeconds
Stop-Load $load
$lost = if ("$warn" -match '^(\d+) events were lost') { [long]$Matches[1] } else { 0 }
$rows['Start-Trace | Measure-Object'] = [ordered]@{ events = $m.Count; lost = $lost; lostPercent = 100.0 * $lost / [math]::Max(1, $m.Count + $lost); cpuSeconds = $cpu; eventsPerSecond = $m.Count / $elapsed }

# ---- 1b. loss with a small buffer (256 KB per CPU), where trace-cmd loses events -----------------------
Write-Host '== live with 256 KB per CPU: loss, and where the CPU time goes'
$small = [ordered]@{}
$load = Start-Load
$tcSmall = Join-Path $Work 'tc-256.dat'
$tcArgs = @('-f', '%U %S %e', '-o', $timeFile, 'trace-cmd', 'record', '-q', '-d', '--no-filter', '-b', '256', '-o', $tcSmall)
foreach ($e in $events) { $tcArgs += '-e', $e }
$tcArgs += 'sleep', "$Seconds"
& /usr/bin/time @tcArgs 2>&1 | Out-Null
Restore-TracingOn
Stop-Load $load
$t = (Get-Content $timeFile | Select-Object -Last 1) -split ' '
$info = Get-TraceFileInfo $tcSmall
$lost = Lost-Of $info
$small['trace-cmd record -b 256'] = [ordered]@{ events = $info.EventCount; lost = $lost; dropped = 0; lostPercent = 100.0 * $lost / [math]::Max(1, $info.EventCount + $lost); cpuSeconds = [double]$t[0] + [double]$t[1] }
Remove-Item $tcSmall

$load = Start-Load
$ltSmall = Join-Path $Work 'lt-256.dat'
$cpu0 = (Get-Process -Id $PID).TotalProcessorTime
Start-Trace -Event $events -BufferSizeKB 256 -Duration ([TimeSpan]::FromSeconds($Seconds)) -OutFile $ltSmall -SummaryVariable sum -WarningAction SilentlyContinue
$cpu = ((Get-Process -Id $PID).TotalProcessorTime - $cpu0).TotalSeconds
Stop-Load $load
$info = Get-TraceFileInfo $ltSmall
$small['Start-Trace -BufferSizeKB 256 -OutFile'] = [ordered]@{ events = $info.EventCount; lost = $sum.KernelLost; dropped = 0; lostPercent = 100.0 * $sum.KernelLost / [math]::Max(1, $info.EventCount + $sum.KernelLost); cpuSeconds = $cpu; drainerCpuSeconds = $sum.DrainerCpuTime.TotalSeconds }
Remove-Item $ltSmall

$load = Start-Load
$cpu0 = (Get-Process -Id $PID).TotalProcessorTime
$sw = [Diagnostics.Stopwatch]::StartNew()
$acc = 0L
Start-Trace -Event $events -BufferSizeKB 256 -Duration ([TimeSpan]::FromSeconds($Seconds)) -SummaryVariable sum -WarningAction SilentlyContinue | ForEach-Object { $acc += $_.CpuNumber }
$elapsed = $sw.Elapsed.TotalSeconds
$cpu = ((Get-Process -Id $PID).TotalProcessorTime - $cpu0).TotalSeconds
Stop-Load $load
$small['Start-Trace -BufferSizeKB 256 | ForEach-Object { ... }'] = [ordered]@{
    events = $sum.EventCount; lost = $sum.KernelLost; dropped = $sum.DroppedByLinuxTrace
    lostPercent = 100.0 * $sum.KernelLost / [math]::Max(1, $sum.EventCount + $sum.KernelLost); cpuSeconds = $cpu
    drainerCpuSeconds = $sum.DrainerCpuTime.TotalSeconds; engineCpuSeconds = $sum.EngineCpuTime.TotalSeconds; pipelineCpuSeconds = $sum.PipelineCpuTime.TotalSeconds
    queuePeakMB = [math]::Round($sum.QueuePeakBytes / 1MB, 1); seconds = $elapsed
}

# ---- 2. engine decode of drained pages (one core) ---------------------------------------------------
Write-Host '== engine decode of the drained pages'
$dec = Invoke-BenchApp @('decode', '--pages', $pages, '--repeat', '3')

# ---- 2b. function_graph pairing in the engine (one core) ----------------------------------------------
Write-Host '== function_graph pairing (records to FunctionCall objects, one core)'
$pair = Invoke-BenchApp @('pairing', '--records', '4000000', '--repeat', '3')

# ---- 3. reading a trace-cmd file of a million events or more -----------------------------------------
Write-Host '== reading a trace.dat of >= 1M events'
$fileDat = Join-Path $Work 'tc-file.dat'
$load = Start-Load
$fa = @('record', '-q', '-d', '--no-filter', '-o', $fileDat)
foreach ($e in $events) { $fa += '-e', $e }
$fa += 'sleep', '1'
& trace-cmd @fa 2>&1 | Out-Null
Restore-TracingOn
Stop-Load $load
$fileInfo = Get-TraceFileInfo $fileDat
$n = $fileInfo.EventCount
$sw = [Diagnostics.Stopwatch]::StartNew(); & bash -c "trace-cmd report -i '$fileDat' > /dev/null 2>&1"; $tcReport = $sw.Elapsed.TotalSeconds
$sw = [Diagnostics.Stopwatch]::StartNew(); $lines = [long](& bash -c "trace-cmd report -i '$fileDat' 2>/dev/null | wc -l"); $tcWc = $sw.Elapsed.TotalSeconds
$fields = Invoke-BenchApp @('fields', '--path', $fileDat, '--repeat', '5')

# every field of every event: the engine against the C reader, on the file as trace-cmd wrote it (zstd) and
# uncompressed; warm = best pass of several in one process, cold = the one pass of a fresh process; three
# alternating rounds, medians
Write-Host '== every field of every event: engine against libtracecmd + libtraceevent (C)'
$plainDat = Join-Path $Work 'tc-file-none.dat'
& trace-cmd convert -i $fileDat -o $plainDat --compression none 2>&1 | Out-Null
function Median([double[]] $x) { $s = $x | Sort-Object; $s[[int][math]::Floor(($s.Count - 1) / 2)] }
$versusC = [ordered]@{}
foreach ($case in @(@{ Name = 'uncompressed'; Path = $plainDat }, @{ Name = 'zstd'; Path = $fileDat })) {
    $warm = @(); $cold = @(); $cWarm = @(); $cCold = @()
    for ($round = 0; $round -lt 3; $round++) {
        $w = Invoke-BenchApp @('fields', '--path', $case.Path, '--repeat', '5')
        $c1 = Invoke-BenchApp @('fields', '--path', $case.Path, '--repeat', '1')
        $cr = (& $CReader $case.Path 5 | Select-Object -Last 1) | ConvertFrom-Json
        $warm += $w.eventsPerSecond; $cold += $c1.eventsPerSecond
        $cWarm += $cr.eventsPerSecond; $cCold += $cr.events / $cr.coldSeconds
        if ($w.events -ne $cr.events) { Write-Warning "$($case.Name): the engine read $($w.events) records, the C reader $($cr.events)" }
        # both fold every value the same way (integers unsigned at their size, strings by length): equal sums, same values
        $same = "$($w.checksum)" -eq "$($cr.checksum)"
        if (-not $same) { Write-Warning "$($case.Name): the engine's checksum $($w.checksum) differs from the C reader's $($cr.checksum)" }
    }
    $versusC[$case.Name] = [ordered]@{
        events = $w.events; sameValues = $same
        engineWarm = Median $warm; engineCold = Median $cold; cWarm = Median $cWarm; cCold = Median $cCold
        warmRatio = (Median $warm) / (Median $cWarm); coldRatio = (Median $cold) / (Median $cCold)
        warmRatios = @(for ($i = 0; $i -lt 3; $i++) { [math]::Round($warm[$i] / $cWarm[$i], 2) })
        coldRatios = @(for ($i = 0; $i -lt 3; $i++) { [math]::Round($cold[$i] / $cCold[$i], 2) })
    }
}
Remove-Item $plainDat
$objects = Invoke-BenchApp @('file', '--path', $fileDat, '--repeat', '5')
$messages = Invoke-BenchApp @('messages', '--path', $fileDat, '--repeat', '5')
$sw = [Diagnostics.Stopwatch]::StartNew(); $pc = (Get-TraceEvent -LiteralPath $fileDat | Measure-Object).Count; $pipe = $sw.Elapsed.TotalSeconds

# ---- 3b. aggregation: Measure-TraceEvent / Measure-TraceLatency against trace-cmd report and Group-Object ----
Write-Host '== aggregation: sys_enter counted by id, syscall latency by id'
$sw = [Diagnostics.Stopwatch]::StartNew(); $aggEngine = Measure-TraceEvent -LiteralPath $fileDat -Event raw_syscalls:sys_enter -GroupBy id; $aggSec = $sw.Elapsed.TotalSeconds
$sw = [Diagnostics.Stopwatch]::StartNew(); $aggPwsh = Get-TraceEvent -LiteralPath $fileDat -Event sys_enter | Group-Object id; $groupSec = $sw.Elapsed.TotalSeconds
$sw = [Diagnostics.Stopwatch]::StartNew(); $lat = Measure-TraceLatency -LiteralPath $fileDat -Start raw_syscalls:sys_enter -End raw_syscalls:sys_exit -GroupBy id -WarningAction SilentlyContinue; $latSec = $sw.Elapsed.TotalSeconds
# (Group-Object also gets the stream's lost-event markers, which have no id: its group with an empty name)
$same = (($aggEngine | ForEach-Object { "$($_.id)=$($_.Count)" } | Sort-Object) -join ',') -eq (($aggPwsh | Where-Object Name -ne '' | ForEach-Object { "$($_.Name)=$($_.Count)" } | Sort-Object) -join ',')
if (-not $same) { Write-Warning 'Measure-TraceEvent and Get-TraceEvent | Group-Object disagree on the counts' }
$aggregation = [ordered]@{
    fileEvents = $n; groups = @($aggEngine).Count; sameCounts = $same
    measureSeconds = $aggSec; measureEventsPerSecond = $n / $aggSec
    groupObjectSeconds = $groupSec; groupObjectEventsPerSecond = $n / $groupSec
    latencySeconds = $latSec; latencyEventsPerSecond = $n / $latSec; latencyPairs = ($lat | Measure-Object Count -Sum).Sum
    vsTraceCmdReport = ($n / $aggSec) / ($n / $tcReport); vsGroupObject = $groupSec / $aggSec
}

# ---- 4. memory on a file larger than 1 GiB -----------------------------------------------------------
$big = $null
if (-not $SkipBigFile) {
    Write-Host "== memory on a $BigFileMB MB file"
    $bigDat = Join-Path $Work 'big.dat'
    Invoke-BenchApp @('synth', '--pages', $pages, '--out', $bigDat, '--mb', "$BigFileMB") | Out-Null
    $bigEngine = Invoke-BenchApp @('file', '--path', $bigDat)
    $script = "Import-Module '$Root/LinuxTrace.psd1'; `$sw=[Diagnostics.Stopwatch]::StartNew(); `$n=(Get-TraceEvent -LiteralPath '$bigDat' | Measure-Object).Count; `$s=`$sw.Elapsed.TotalSeconds; `$hwm=(Get-Content /proc/`$PID/status | Where-Object { `$_ -like 'VmHWM:*' }) -replace '\D', ''; `"`$n `$s `$hwm`""
    $exe = Join-Path $PSHOME 'pwsh'
    $out = if ((Test-Path $exe) -and (Get-Item $exe).UnixMode -match 'x') { & $exe -NoProfile -Command $script } else { & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -Command $script }
    $p = "$out".Trim() -split ' '
    $big = [ordered]@{
        fileMB = [math]::Round((Get-Item $bigDat).Length / 1MB); events = $bigEngine.events
        enginePeakRssMB = $bigEngine.peakRssMB; engineEventsPerSecond = $bigEngine.eventsPerSecond
        pwshEvents = [long]$p[0]; pwshSeconds = [double]$p[1]; pwshPeakRssMB = [math]::Round([double]$p[2] / 1024)
    }
    Remove-Item $bigDat
}

# ---- report ------------------------------------------------------------------------------------------
$tc = $rows['trace-cmd record']
$report = [ordered]@{
    date = (Get-Date).ToString('s'); system = $sys; live = $rows
    engineDecode = $dec
    file = [ordered]@{
        events = $n; traceCmdReportSeconds = $tcReport; traceCmdReportEventsPerSecond = $n / $tcReport
        traceCmdReportWcSeconds = $tcWc; traceCmdReportWcLines = $lines
        engineFieldsEventsPerSecond = $fields.eventsPerSecond; engineObjectsEventsPerSecond = $objects.eventsPerSecond
        engineMessagesEventsPerSecond = $messages.eventsPerSecond
        pwshPipelineEvents = $pc; pwshPipelineSeconds = $pipe; pwshPipelineEventsPerSecond = $pc / $pipe
    }
    bigFile = $big
    aggregation = $aggregation
    smallBuffer = $small
    versusC = $versusC
}
$report | ConvertTo-Json -Depth 6 | Set-Content (Join-Path $Results 'latest.json')

$md = [System.Text.StringBuilder]::new()
[void]$md.AppendLine("LinuxTrace bench, $($report.date), kernel $($sys.kernel), $($sys.cpus) CPUs, $($sys.traceCmd)")
[void]$md.AppendLine('')
[void]$md.AppendLine("Live: stress-ng $($stress -join ' ') while recording $($events -join ', ') for $Seconds s, default buffer.")
[void]$md.AppendLine('')
[void]$md.AppendLine('| recorder | events | lost | lost % | CPU s | lost vs trace-cmd | CPU vs trace-cmd |')
[void]$md.AppendLine('|---|---:|---:|---:|---:|---:|---:|')
foreach ($k in $rows.Keys) {
    $x = $rows[$k]
    $lr = if ($tc.lost -gt 0) { '{0:N3}x' -f ($x.lost / $tc.lost) } else { if ($x.lost -eq 0) { 'both 0' } else { 'trace-cmd 0' } }
    [void]$md.AppendLine(('| {0} | {1:N0} | {2:N0} | {3:N2} | {4:N2} | {5} | {6:N2}x |' -f $k, $x.events, $x.lost, $x.lostPercent, $x.cpuSeconds, $lr, ($x.cpuSeconds / [math]::Max(0.001, $tc.cpuSeconds))))
}
[void]$md.AppendLine('')
[void]$md.AppendLine(('Pipeline while tracing live: {0:N0} events/s through Start-Trace | Measure-Object.' -f $rows['Start-Trace | Measure-Object'].eventsPerSecond))
[void]$md.AppendLine('')
[void]$md.AppendLine("Same load, 256 KB per CPU (where trace-cmd loses events):")
[void]$md.AppendLine('')
[void]$md.AppendLine('| recorder | events | lost in the kernel | lost % | dropped by LinuxTrace | lost vs trace-cmd | CPU s |')
[void]$md.AppendLine('|---|---:|---:|---:|---:|---:|---:|')
$tcs = $small['trace-cmd record -b 256']
foreach ($k in $small.Keys) {
    $x = $small[$k]
    $lr = if ($tcs.lost -gt 0) { '{0:N3}x' -f ($x.lost / $tcs.lost) } else { if ($x.lost -eq 0) { 'both 0' } else { 'trace-cmd 0' } }
    [void]$md.AppendLine(('| {0} | {1:N0} | {2:N0} | {3:N2} | {4:N0} | {5} | {6:N2} |' -f ($k -replace '\|', '\|'), $x.events, $x.lost, $x.lostPercent, $x.dropped, $lr, $x.cpuSeconds))
}
$st = $small['Start-Trace -BufferSizeKB 256 | ForEach-Object { ... }']
[void]$md.AppendLine('')
[void]$md.AppendLine(('CPU of the streaming run: drainers (read ring buffers, copy pages) {0:N2} s, engine on the pipeline thread (merge, decode, objects) {1:N2} s, the rest of the pipeline (ForEach-Object) {2:N2} s; queue peak {3:N0} MB; {4:N1} s in all for a {5} s trace.' -f $st.drainerCpuSeconds, $st.engineCpuSeconds, $st.pipelineCpuSeconds, $st.queuePeakMB, $st.seconds, $Seconds))
[void]$md.AppendLine(('Engine decode of the drained pages (one core): page walk {0:N1} M/s, merged {1:N1} M/s, objects {2:N1} M/s, objects + every property {3:N1} M/s.' -f ($dec.walkPerSecond / 1e6), ($dec.mergedPerSecond / 1e6), ($dec.objectsPerSecond / 1e6), ($dec.allFieldsPerSecond / 1e6)))
[void]$md.AppendLine(('function_graph pairing (one core, {0:N0} records into {1:N0} FunctionCall objects): {2:N1} M records/s (target 5).' -f $pair.records, $pair.calls, ($pair.recordsPerSecond / 1e6)))
[void]$md.AppendLine('')
$f = $report.file
[void]$md.AppendLine("Reading a trace-cmd file of $($n.ToString('N0')) events:")
[void]$md.AppendLine('')
[void]$md.AppendLine('| reader | events/s | vs trace-cmd report |')
[void]$md.AppendLine('|---|---:|---:|')
[void]$md.AppendLine(('| trace-cmd report > /dev/null | {0:N0} | 1x |' -f $f.traceCmdReportEventsPerSecond))
[void]$md.AppendLine(('| trace-cmd report \| wc -l | {0:N0} | {1:N2}x |' -f ($n / $tcWc), ($tcReport / $tcWc)))
[void]$md.AppendLine(('| engine: every event and field decoded (no objects) | {0:N0} | {1:N1}x |' -f $f.engineFieldsEventsPerSecond, ($f.engineFieldsEventsPerSecond / $f.traceCmdReportEventsPerSecond)))
[void]$md.AppendLine(('| engine: event objects, every property read | {0:N0} | {1:N1}x |' -f $f.engineObjectsEventsPerSecond, ($f.engineObjectsEventsPerSecond / $f.traceCmdReportEventsPerSecond)))
[void]$md.AppendLine(('| engine: Message of every event (print fmt rendered) | {0:N0} | {1:N1}x |' -f $f.engineMessagesEventsPerSecond, ($f.engineMessagesEventsPerSecond / $f.traceCmdReportEventsPerSecond)))
[void]$md.AppendLine(('| Get-TraceEvent -Path \| Measure-Object | {0:N0} | {1:N2}x |' -f $f.pwshPipelineEventsPerSecond, ($f.pwshPipelineEventsPerSecond / $f.traceCmdReportEventsPerSecond)))
[void]$md.AppendLine(('| Measure-TraceEvent -Event sys_enter -GroupBy id (counts, in the engine) | {0:N0} | **{1:N1}x** |' -f $aggregation.measureEventsPerSecond, $aggregation.vsTraceCmdReport))
[void]$md.AppendLine(('| Get-TraceEvent -Event sys_enter \| Group-Object id | {0:N0} | {1:N2}x |' -f $aggregation.groupObjectEventsPerSecond, ($aggregation.groupObjectEventsPerSecond / $f.traceCmdReportEventsPerSecond)))
[void]$md.AppendLine(('| Measure-TraceLatency sys_enter to sys_exit -GroupBy id | {0:N0} | {1:N1}x |' -f $aggregation.latencyEventsPerSecond, ($aggregation.latencyEventsPerSecond / $f.traceCmdReportEventsPerSecond)))
[void]$md.AppendLine('')
[void]$md.AppendLine(('Measure-TraceEvent against Get-TraceEvent | Group-Object on the same counts: **{0:N1}x** (same counts: {1}); events/s are the file''s records over the seconds each took.' -f $aggregation.vsGroupObject, $aggregation.sameCounts))
[void]$md.AppendLine('')
[void]$md.AppendLine('Every field of every event of that file: the engine against a C reader over libtracecmd + libtraceevent (bench/c-reader), medians of 3 alternating rounds:')
[void]$md.AppendLine('')
[void]$md.AppendLine('| file | engine warm | C warm | warm ratio (rounds) | engine cold | C cold | cold ratio (rounds) | same values |')
[void]$md.AppendLine('|---|---:|---:|---:|---:|---:|---:|---|')
foreach ($k in $versusC.Keys) {
    $v = $versusC[$k]
    [void]$md.AppendLine(('| {0} | {1:N1} M/s | {2:N1} M/s | **{3:N2}x** ({4}) | {5:N1} M/s | {6:N1} M/s | **{7:N2}x** ({8}) | {9} |' -f $k, ($v.engineWarm / 1e6), ($v.cWarm / 1e6), $v.warmRatio, ($v.warmRatios -join ', '), ($v.engineCold / 1e6), ($v.cCold / 1e6), $v.coldRatio, ($v.coldRatios -join ', '), $(if ($v.sameValues) { 'yes (equal checksums)' } else { '**no**' })))
}
if ($big) {
    [void]$md.AppendLine('')
    [void]$md.AppendLine(('Memory on a {0:N0} MB file ({1:N0} events): engine peak RSS {2:N0} MB at {3:N0} events/s; Get-TraceEvent | Measure-Object peak RSS {4:N0} MB over {5:N0} events in {6:N0} s.' -f $big.fileMB, $big.events, $big.enginePeakRssMB, $big.engineEventsPerSecond, $big.pwshPeakRssMB, $big.pwshEvents, $big.pwshSeconds))
}
$md.ToString() | Set-Content (Join-Path $Results 'latest.md')
Write-Host ''
Write-Host $md.ToString()
Remove-Item $Work -Recurse -Force -ErrorAction SilentlyContinue
