# One iteration of the torture test (tests/Torture.Tests.ps1): trace in one Mode and, for the endings that happen
# inside this process, end the trace that way. Endings sent from outside (KILL, TERM, INT) just find it running.
# Prints "summary <KernelLost> <DroppedByLinuxTrace> <lost markers seen> <warnings about losses>" when it gets to.
param(
    [Parameter(Mandatory)] [string] $Module,
    [Parameter(Mandatory)] [ValidateSet('stream', 'file', 'session')] [string] $Mode,
    [Parameter(Mandatory)] [ValidateSet('KILL', 'TERM', 'INT', 'First', 'Throw', 'StopRunspace', 'Crash')] [string] $Ending,
    [Parameter(Mandatory)] [string] $OutFile,
    [int] $Seed = 1
)
$ErrorActionPreference = 'Stop'
Import-Module $Module
$rnd = [Random]::new($Seed)
$events = 'sched:sched_switch', 'raw_syscalls:sys_enter'
# -IncludeSelf: this process's own work makes events, so that a trace is busy whatever else the machine does
$trace = @{ Event = $events; WarningVariable = 'warnings'; WarningAction = 'SilentlyContinue'; SummaryVariable = 'sum'; IncludeSelf = $true }
$long = [TimeSpan]::FromMinutes(2)
if ($Ending -eq 'Crash') {
    # the traced program crashes (SIGSEGV): its end ends the trace
    $trace.Command = '/bin/sh'
    $trace.ArgumentList = '-c', "i=0; while [ `$i -lt $(20 + $rnd.Next(200)) ]; do i=`$((i+1)); cat /proc/self/stat > /dev/null; done; kill -SEGV `$`$"
}
else { $trace.Duration = $long }

if ($Ending -eq 'StopRunspace') {
    # another runspace of this process stops the trace at a random moment
    $stopper = [powershell]::Create()
    [void]$stopper.AddScript({
        param($Module, $Delay)
        Import-Module $Module
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (-not (Get-TraceSession) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
        Start-Sleep -Milliseconds $Delay
        Get-TraceSession | Stop-Trace
    }).AddArgument($Module).AddArgument(200 + $rnd.Next(1500))
    $null = $stopper.BeginInvoke()
}

$markers = 0
switch ($Mode) {
    'stream' {
        if ($Ending -eq 'First') { Start-Trace @trace | Select-Object -First (1 + $rnd.Next(50000)) | ForEach-Object { if ($_ -is [LinuxTrace.TraceLostEvents]) { $markers++ } } }
        elseif ($Ending -eq 'Throw') { $limit = 1 + $rnd.Next(50000); $n = 0; Start-Trace @trace | ForEach-Object { if (++$n -ge $limit) { throw "thrown by the pipeline after $n events" } } }
        else { Start-Trace @trace | ForEach-Object { if ($_ -is [LinuxTrace.TraceLostEvents]) { $markers++ } } }
    }
    'file' {
        Start-Trace @trace -OutFile $OutFile
    }
    'session' {
        $trace.Remove('Duration'); $trace.Remove('SummaryVariable')
        $s = Start-Trace @trace -AsSession
        if ($Ending -eq 'Throw') {
            # an exception while reading: nothing stops the session but the end of the process
            Start-Sleep -Milliseconds (100 + $rnd.Next(800))
            Get-TraceEvent -Session $s | ForEach-Object { throw 'thrown while reading the session' }
        }
        $deadline = [DateTime]::UtcNow + $long
        while ($s.State -eq 'Running' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        $sum = $s | Stop-Trace -PassThru -WarningVariable +warnings -WarningAction SilentlyContinue
    }
}
$lossWarnings = @($warnings | Where-Object { "$_" -match 'lost|dropped' }).Count
"summary $($sum.KernelLost) $($sum.DroppedByLinuxTrace) $markers $lossWarnings"
