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
# trace-cmd's reset stops at the EPERM on set_ftrace_filter on locked-down hosts and leaves tracing_on at 0
function Restore-TracingOn { Set-Content /sys/kernel/tracing/tracing_on $tracingOn }
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

# ---- 2. engine decode of drained pages (one core) ---------------------------------------------------
Write-Host '== engine decode of the drained pages'
$dec = Invoke-BenchApp @('decode', '--pages', $pages, '--repeat', '3')

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
$objects = Invoke-BenchApp @('file', '--path', $fileDat, '--repeat', '5')
$messages = Invoke-BenchApp @('messages', '--path', $fileDat, '--repeat', '5')
$sw = [Diagnostics.Stopwatch]::StartNew(); $pc = (Get-TraceEvent -LiteralPath $fileDat | Measure-Object).Count; $pipe = $sw.Elapsed.TotalSeconds

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
[void]$md.AppendLine(('Engine decode of the drained pages (one core): page walk {0:N1} M/s, merged {1:N1} M/s, objects {2:N1} M/s, objects + every property {3:N1} M/s.' -f ($dec.walkPerSecond / 1e6), ($dec.mergedPerSecond / 1e6), ($dec.objectsPerSecond / 1e6), ($dec.allFieldsPerSecond / 1e6)))
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
if ($big) {
    [void]$md.AppendLine('')
    [void]$md.AppendLine(('Memory on a {0:N0} MB file ({1:N0} events): engine peak RSS {2:N0} MB at {3:N0} events/s; Get-TraceEvent | Measure-Object peak RSS {4:N0} MB over {5:N0} events in {6:N0} s.' -f $big.fileMB, $big.events, $big.enginePeakRssMB, $big.engineEventsPerSecond, $big.pwshPeakRssMB, $big.pwshEvents, $big.pwshSeconds))
}
$md.ToString() | Set-Content (Join-Path $Results 'latest.md')
Write-Host ''
Write-Host $md.ToString()
Remove-Item $Work -Recurse -Force -ErrorAction SilentlyContinue
