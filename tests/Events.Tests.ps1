# Events that read as the kernel writes them: markers, no self-tracing, empty traces explained, PowerShell paths.
BeforeDiscovery { . $PSScriptRoot/KernelFeatures.ps1 }
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:StateBefore = Get-KernelTraceState
}
AfterAll { Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty }

Describe 'Markers (ftrace:print)' {
    It 'shows a marker written with Write-TraceMarker, with its text, among the events of a session' {
        $s = Start-Trace -Event ftrace:print, sched:sched_process_exec -AsSession
        try {
            Write-TraceMarker "from the cmdlet $PID" -Session $s
            $m = Wait-Until { @(Get-TraceEvent -Session $s -Event ftrace:print) } -Because 'the marker'
        }
        finally { $s | Stop-Trace }
        $m.Count | Should -Be 1
        $m[0].buf | Should -Be "from the cmdlet $PID`n" -Because 'the kernel ends a marker with a newline'
        $m[0].Message | Should -Be "tracing_mark_write: from the cmdlet $PID"
        $m[0].ProcessId | Should -BeIn @(Get-ChildItem "/proc/$PID/task").Name
    }

    It 'shows a marker a traced program writes to the top-level trace_marker' -Tag 'needs:copy-trace-marker' -Skip:(-not (Test-KernelFeature copy-trace-marker)) {
        $events = @(Start-Trace -Event ftrace:print, sched:sched_process_exec -Command /bin/sh -ArgumentList '-c', "echo from-child-$PID > $Tracefs/trace_marker 2>/dev/null; exit 0")
        $events.EventName | Should -Contain 'sched_process_exec'
        $marker = @($events | Where-Object EventName -eq 'print')
        $marker.Count | Should -Be 1
        $marker[0].Message | Should -Be "tracing_mark_write: from-child-$PID"
        $marker[0].buf | Should -Be "from-child-$PID`n"
    }

    It 'keeps markers in a trace.dat file that trace-cmd report prints' -Tag 'needs:trace-cmd' -Skip:(-not (Test-KernelFeature trace-cmd)) {
        $dat = Join-Path $TestDrive 'markers.dat'
        $s = Start-Trace -Event ftrace:print -AsSession
        try {
            'one', 'two' | Write-TraceMarker -Session $s
            Wait-Until { (Get-TraceStatus -Instance $s.InstanceName).Entries -ge 2 } -Because 'two markers in the buffer' | Out-Null
            $s | Export-TraceData -OutFile $dat
        }
        finally { $s | Stop-Trace }
        (Get-TraceEvent $dat).buf | Should -Be @("one`n", "two`n")
        (& trace-cmd report -N -i $dat 2>$null | Select-String 'tracing_mark_write: (one|two)').Count | Should -Be 2
    }

    It 'refuses tracer records that cannot be enabled as events, and changes nothing' {
        $before = Get-KernelTraceState
        { Start-Trace -Event ftrace:function -Duration 00:00:01 -ErrorAction Stop } | Should -Throw -ErrorId 'NotAnEvent,LinuxTrace.Commands.StartTraceCommand'
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
    }

    It 'Write-TraceMarker -WhatIf writes nothing' {
        $s = Start-Trace -Event ftrace:print -AsSession
        try {
            Write-TraceMarker 'not written' -Session $s -WhatIf
            Write-TraceMarker 'written' -Session $s
            $m = Wait-Until { @(Get-TraceEvent -Session $s) } -Because 'the marker'
        }
        finally { $s | Stop-Trace }
        $m.buf | Should -Be "written`n"
    }
}

Describe 'LinuxTrace leaves itself out' {
    It 'has no event of this pwsh''s threads in a system-wide sched_switch trace, and has them with -IncludeSelf' {
        $ours = [System.Collections.Generic.HashSet[int]]::new()
        function Add-OurThreads { foreach ($t in Get-ChildItem "/proc/$PID/task") { $null = $ours.Add([int]$t.Name) } }
        Add-OurThreads
        $without = @(Start-Trace -Event sched:sched_switch, raw_syscalls:sys_enter -Duration 00:00:02 | ForEach-Object { $_ })
        Add-OurThreads
        $with = @(Start-Trace -Event sched:sched_switch, raw_syscalls:sys_enter -Duration 00:00:02 -IncludeSelf | ForEach-Object { $_ })
        Add-OurThreads
        $without.Count | Should -BeGreaterThan 0
        @($without | Where-Object { $ours.Contains($_.ProcessId) }).Count | Should -Be 0 -Because 'the tracing pwsh is left out'
        @($with | Where-Object { $ours.Contains($_.ProcessId) }).Count | Should -BeGreaterThan 0 -Because '-IncludeSelf keeps it'
    }
}

Describe 'Wall-clock time (TimeCreated)' {
    BeforeAll {
        # Unix microseconds of a DateTime, and of a trace-cmd report line's "seconds.micros:" time stamp
        function Get-UnixMicros([datetime] $t) { [long](($t.ToUniversalTime() - [datetime]::UnixEpoch).Ticks / 10) }
        function Get-ReportMicros([string] $dat, [string] $event) {
            $line = @(& trace-cmd report -i $dat 2>$null | Select-String " (\d+)\.(\d{6}): ${event}:")[0]
            [long]$line.Matches[0].Groups[1].Value * 1000000 + [long]$line.Matches[0].Groups[2].Value
        }
    }

    It 'gives a live event the local time it fired: a marker written between two clock readings falls between them' {
        $s = Start-Trace -Event ftrace:print -AsSession
        try {
            $before = [datetime]::Now
            Write-TraceMarker "wall clock $PID" -Session $s
            $after = [datetime]::Now
            $m = Wait-Until { @(Get-TraceEvent -Session $s -Event ftrace:print) } -Because 'the marker'
        }
        finally { $s | Stop-Trace }
        $m[0].TimeCreated | Should -BeOfType [datetime]
        $m[0].TimeCreated.Kind | Should -Be 'Local'
        # the offset is read with microsecond precision: allow a millisecond either side
        $m[0].TimeCreated | Should -BeGreaterOrEqual $before.AddMilliseconds(-1)
        $m[0].TimeCreated | Should -BeLessOrEqual $after.AddMilliseconds(1)
    }

    It 'writes the DATE option with -OutFile -WallClock: trace-cmd report prints the same wall-clock time, and a file without it has none' -Tag 'needs:trace-cmd' -Skip:(-not (Test-KernelFeature trace-cmd)) {
        $dated = Join-Path $TestDrive 'dated.dat'
        $plain = Join-Path $TestDrive 'plain.dat'
        $before = [datetime]::Now
        Start-Trace -Event sched:sched_process_exec -Command /bin/true -OutFile $dated -WallClock
        $after = [datetime]::Now
        Start-Trace -Event sched:sched_process_exec -Command /bin/true -OutFile $plain
        $e = @(Get-TraceEvent $dated -Event sched:sched_process_exec)[0]
        $e.TimeCreated | Should -BeGreaterOrEqual $before.AddMilliseconds(-1)
        $e.TimeCreated | Should -BeLessOrEqual $after.AddMilliseconds(1)
        [math]::Abs((Get-UnixMicros $e.TimeCreated) - (Get-ReportMicros $dated 'sched_process_exec')) | Should -BeLessOrEqual 1
        @(Get-TraceEvent $plain -Event sched:sched_process_exec)[0].TimeCreated | Should -BeNullOrEmpty -Because 'the file does not say how its clock maps to the wall clock'
        # converting a file keeps its DATE
        $copy = Join-Path $TestDrive 'copy.dat'
        Export-TraceData -Path $dated -OutFile $copy -FileVersion 6
        @(Get-TraceEvent $copy -Event sched:sched_process_exec)[0].TimeCreated | Should -Be $e.TimeCreated
    }

    It 'reads the wall-clock time of a file trace-cmd record --date wrote, as trace-cmd report prints it' -Tag 'needs:trace-cmd' -Skip:(-not (Test-KernelFeature trace-cmd)) {
        $dat = Join-Path $TestDrive 'tc-date.dat'
        $before = [datetime]::Now
        Invoke-TraceCmd @('record', '-q', '-d', '--no-filter', '--date', '-o', $dat, '-e', 'sched:sched_process_exec', '/bin/true')
        $after = [datetime]::Now
        $e = @(Get-TraceEvent $dat -Event sched:sched_process_exec)[0]
        $e.TimeCreated | Should -BeGreaterOrEqual $before.AddMilliseconds(-1)
        $e.TimeCreated | Should -BeLessOrEqual $after.AddMilliseconds(1)
        [math]::Abs((Get-UnixMicros $e.TimeCreated) - (Get-ReportMicros $dat 'sched_process_exec')) | Should -BeLessOrEqual 1
    }
}

Describe 'Empty traces explained' {
    It 'says a process that does not exist is an error before anything changes' {
        $before = Get-KernelTraceState
        $dead = Start-Process /bin/true -PassThru; $dead.WaitForExit()
        $e = { Start-Trace -Event sched:sched_switch -ProcessId $dead.Id -Duration 00:00:01 -ErrorAction Stop } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Be 'ProcessNotFound,LinuxTrace.Commands.StartTraceCommand'
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e.Exception.Message | Should -Match "no process $($dead.Id)"
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
    }

    It 'warns, naming the kernel filter, when a filter matched nothing' {
        $w = $null
        $events = @(Start-Trace -Event sched:sched_process_exec -Filter 'pid == 1' -Duration 00:00:01 -WarningVariable w -WarningAction SilentlyContinue)
        $events.Count | Should -Be 0
        "$w" | Should -Match 'recorded no events'
        "$w" | Should -Match "kernel filter 'pid == 1'"
    }

    It 'warns that a traced program did nothing that fires the event' {
        $w = $null
        $events = @(Start-Trace -Event sched:sched_process_fork -Command /bin/true -WarningVariable w -WarningAction SilentlyContinue)
        $events.Count | Should -Be 0
        "$w" | Should -Match 'recorded no events'
        "$w" | Should -Match 'no longer exist'
    }

    It 'warns for an empty recording to a file too' {
        $w = $null
        Start-Trace -Event sched:sched_process_exec -Filter 'pid == 1' -Duration 00:00:01 -OutFile "$TestDrive/empty.dat" -WarningVariable w -WarningAction SilentlyContinue
        "$w" | Should -Match 'recorded no events'
        (Get-TraceFileInfo "$TestDrive/empty.dat").EventCount | Should -Be 0
    }

    It 'says nothing when events came' {
        $w = $null
        $events = @(Start-Trace -Event sched:sched_process_exec -Command /bin/true -WarningVariable w)
        @($events | Where-Object { $_.EventName -eq 'sched_process_exec' -and $_.filename -eq '/bin/true' }).Count | Should -Be 1
        $w | Should -BeNullOrEmpty
    }
}

Describe 'Paths as PowerShell means them' {
    It 'runs -Command ./job.sh from the current location, in that location, and writes -OutFile there' {
        $dir = Join-Path $TestDrive 'jobdir'
        New-Item -ItemType Directory -Path $dir | Out-Null
        Set-Content "$dir/job.sh" "#!/bin/sh`npwd > where.txt`n"
        & chmod +x "$dir/job.sh"
        Push-Location $dir
        try {
            $exec = @(Start-Trace -Event sched:sched_process_exec -Command ./job.sh)
            Start-Trace -Event sched:sched_process_exec -Command ./job.sh -OutFile relative.dat
        }
        finally { Pop-Location }
        $exec.filename | Should -Contain "$dir/job.sh"
        (Get-Content "$dir/where.txt").Trim() | Should -Be $dir
        Test-Path "$dir/relative.dat" | Should -BeTrue
        (Get-TraceEvent "$dir/relative.dat").filename | Should -Contain "$dir/job.sh"
    }

    It 'resolves ~ in -Command as PowerShell does' {
        $name = "lt-pester-home-$PID.sh"
        $path = Join-Path $HOME $name
        Set-Content $path "#!/bin/sh`nexit 0`n"
        & chmod +x $path
        try { (Start-Trace -Event sched:sched_process_exec -Command "~/$name").filename | Should -Contain $path }
        finally { Remove-Item $path }
    }
}
