BeforeDiscovery { . $PSScriptRoot/KernelFeatures.ps1 }
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:StateBefore = Get-KernelTraceState
}

AfterAll {
    # Whatever happened, the kernel is as the tests found it: no instance, event, pid filter or option of ours is left.
    Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty
}

Describe 'Start-Trace streaming' {
    It 'traces the exec of a program it starts, with its pid and path' {
        $events = Start-Trace -Event sched:sched_process_exec -Command /bin/ls -ArgumentList $PSScriptRoot
        $exec = $events | Where-Object { $_ -is [LinuxTrace.TraceEvent] } | Select-Object -First 1
        $exec | Should -Not -BeNullOrEmpty
        $exec.filename | Should -BeIn @('/bin/ls', '/usr/bin/ls')
        $exec.ProcessId | Should -Be $exec.pid
        $exec.EventName | Should -Be 'sched_process_exec'
        $exec.ProcessName | Should -Be 'ls'
        $exec.GetType().GetProperty('filename').PropertyType | Should -Be ([string])
        Get-OurInstance | Should -BeNullOrEmpty
    }

    It 'gives every field its kernel name: sys_enter_openat''s flags are the flags the program passed' {
        $exe = Get-TestProgram open_flags
        $opens = @(Start-Trace -Event syscalls:sys_enter_openat -Command $exe -ArgumentList '/etc/hostname')
        # O_RDONLY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC on x86_64 and arm64's generic numbering
        $expected = if ([Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'Arm64') { 0x8000 -bor 0x40000 -bor 0x80000 } else { 0x20000 -bor 0x40000 -bor 0x80000 }
        $mine = @($opens | Where-Object { $_.flags -eq $expected })
        $mine.Count | Should -Be 1 -Because 'the program opened one file with those flags'
        $mine[0].GetType().GetProperty('flags').PropertyType | Should -Be ([uint64]) -Because 'the format says size 8, signed 0'
        $mine[0].dfd | Should -Be ([uint64][uint32]::MaxValue - 99) -Because 'AT_FDCWD (-100) as 32 bits, zero-extended by the syscall ABI'
        $mine[0].CommonFlags | Should -BeOfType ([LinuxTrace.TraceEventFlags])
    }

    It 'names system calls of raw_syscalls events' {
        $calls = (Start-Trace -Event raw_syscalls:sys_enter -Command /bin/true).syscall
        $calls | Should -Contain 'execve'
        $calls | Should -Contain 'exit_group'
    }

    It 'streams in time order across CPUs, while the CPUs are read at different moments' {
        # a busy program on each CPU (pinned there: left to the scheduler, all of them sometimes ran on one CPU while
        # the other was busy), and one more that moves between them; each CPU's buffer fills at its own pace
        $n = 0; $bad = $null; $last = 0; $cpus = [System.Collections.Generic.HashSet[int]]::new()
        Start-Trace -Event raw_syscalls:sys_enter, sched:sched_switch -FollowChildren -Command /bin/sh -ArgumentList '-c',
            'dd="dd if=/dev/zero of=/dev/null bs=1 count=20000"; for c in $(seq 0 $(($(nproc) - 1))); do taskset -c $c $dd 2>/dev/null & done; $dd 2>/dev/null & wait' | ForEach-Object {
                if ($_ -isnot [LinuxTrace.TraceEvent]) { return }
                $n++
                [void]$cpus.Add($_.CpuNumber)
                if ($_.TimestampNs -lt $last -and -not $bad) { $bad = "event $n (CPU $($_.CpuNumber), $($_.TimestampNs)) came after one at $last" }
                if ($_.TimestampNs -gt $last) { $last = $_.TimestampNs }
            }
        $n | Should -BeGreaterThan 20000
        $bad | Should -BeNullOrEmpty
        if ([Environment]::ProcessorCount -gt 1) { $cpus.Count | Should -BeGreaterThan 1 }
    }

    It 'leaves this process out of context switches and wakeups, as either task and in threads born during the trace' {
        # the demo's own pipeline; pwsh's threads (Pipeline Execution threads among them, some newer than the trace's
        # start) were most of the switches: the kernel keeps a switch unless both tasks are in set_event_notrace_pid
        $groups = Start-Trace -Event sched:sched_switch, sched:sched_wakeup -Duration 1 | Where-Object { $_ -is [LinuxTrace.TraceEvent] } | Group-Object next_comm
        $ev = @($groups.Group)
        $ours = @(Get-ChildItem "/proc/$PID/task" -Name | ForEach-Object { [int]$_ })
        $ev.Count | Should -BeGreaterThan 0
        @($ev | Where-Object { $_.ProcessId -in $ours -or $_.next_pid -in $ours -or $_.prev_pid -in $ours -or ($_.EventName -eq 'sched_wakeup' -and $_.pid -in $ours) }).Count | Should -Be 0
        # ... where with -IncludeSelf they are there (so the check above has something to find)
        $mine = @(Start-Trace -Event sched:sched_switch -Duration 1 -IncludeSelf | Where-Object { $_.next_pid -in $ours -or $_.prev_pid -in $ours })
        $mine.Count | Should -BeGreaterThan 0
    }

    It '-Verbose says each change to tracefs, step by step, and the undoing of each' {
        $v = @(Start-Trace -Event sched:sched_process_exec -Command /bin/true -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
        $made = @($v | Where-Object { $_ -match '^tracefs: mkdir .*/instances/(linuxtrace-\d+-\d+)$' })
        $made.Count | Should -Be 1
        $inst = [regex]::Match($made[0], 'linuxtrace-\d+-\d+').Value
        $v | Should -Contain "tracefs: write '1' into $Tracefs/instances/$inst/events/sched/sched_process_exec/enable"
        $v | Should -Contain "tracefs: write '1' into $Tracefs/instances/$inst/tracing_on"
        $v[-1] | Should -Be "tracefs: rmdir $Tracefs/instances/$inst"
        # without -Verbose, nothing of it
        @(Start-Trace -Event sched:sched_process_exec -Command /bin/true 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -Be 0
    }

    It 'applies -Filter in the kernel' {
        $seen = [System.Collections.Generic.List[string]]::new()
        $events = Start-Trace -Event sched:sched_switch -Filter 'prev_pid == 0' -Duration 00:00:01 | ForEach-Object {
            if ($seen.Count -eq 0) {
                $inst = Get-OurInstance | Select-Object -First 1
                $seen.Add((Get-Content "$($inst.FullName)/events/sched/sched_switch/filter" -Raw).Trim())
            }
            $_
        }
        $seen[0] | Should -Be 'prev_pid == 0'
        $switches = @($events | Where-Object EventName -eq sched_switch)
        $switches.Count | Should -BeGreaterThan 0
        $switches | Where-Object prev_pid -ne 0 | Should -BeNullOrEmpty
    }

    It 'stops after Select-Object -First 5 and leaves nothing behind' {
        $during = $null
        $five = Start-Trace -Event sched:sched_switch, raw_syscalls:sys_enter | ForEach-Object {
            if (-not $during) { $during = @(@(Get-OurInstance).Name); $enabled = "$(Get-Content "$Tracefs/instances/$($during[0])/set_event" -Raw)" }
            $_
        } | Select-Object -First 5
        $five.Count | Should -Be 5
        $during.Count | Should -Be 1 -Because 'the trace ran in one private instance'
        $enabled | Should -Match 'sched:sched_switch'
        Test-Path "$Tracefs/instances/$($during[0])" | Should -BeFalse
        Get-TraceSession | Should -BeNullOrEmpty
    }

    It 'says clearly when a filter is bad, and changes nothing' {
        $e = { Start-Trace -Event sched:sched_switch -Filter 'prev_pid == zzz' -Duration 00:00:01 } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Be 'BadFilter,LinuxTrace.Commands.StartTraceCommand'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception.Message | Should -Match 'position'
        Get-OurInstance | Should -BeNullOrEmpty
    }

    It '-WhatIf traces nothing and changes nothing' {
        $before = Get-KernelTraceState
        Start-Trace -Event sched:sched_switch -WhatIf | Should -BeNullOrEmpty
        Start-Trace -Event sched:sched_switch -AsSession -WhatIf | Should -BeNullOrEmpty
        Start-Trace -Event sched:sched_process_exec -Command /bin/true -OutFile "$TestDrive/whatif.dat" -WhatIf
        Test-Path "$TestDrive/whatif.dat" | Should -BeFalse
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
    }

    It 'gives objects that export cleanly' {
        $e = Start-Trace -Event sched:sched_switch | Select-Object -First 3
        $csv = $e | ConvertTo-Csv | Select-Object -First 1
        $cols = $csv -split ',' | ForEach-Object { $_.Trim('"') }
        $cols | Should -Contain 'prev_comm'
        $cols | Should -Contain 'Timestamp'
        ($cols | Group-Object | Where-Object Count -gt 1) | Should -BeNullOrEmpty
        $json = $e[0] | ConvertTo-Json | ConvertFrom-Json
        $json.next_pid | Should -Be $e[0].next_pid
        ($e[0] | Format-List * | Out-String) | Should -Match 'prev_comm'
        ($e[0] | Format-Table | Out-String) | Should -Match 'sched_switch'
    }
}

Describe 'Cleanup when the process ends' {
    It 'removes the instance of a session still running when pwsh exits' {
        $go = Join-Path $TestDrive 'go'
        $script = "Import-Module '$RepoRoot/LinuxTrace.psd1'; `$s = Start-Trace -Event sched:sched_switch -AsSession; 'instance:' + `$s.InstanceName; while (-not (Test-Path '$go')) { Start-Sleep -Milliseconds 20 }; exit 0"
        $pwsh = Get-PwshCommand
        $psi = [Diagnostics.ProcessStartInfo]::new($pwsh[0]); foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-Command', $script)) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $child = [Diagnostics.Process]::Start($psi)
        try {
            $line = $child.StandardOutput.ReadLine()
            $line | Should -Match '^instance:linuxtrace-'
            $name = $line.Substring(9)
            Test-Path "$Tracefs/instances/$name" | Should -BeTrue -Because 'the session was running'
            "$(Get-Content "$Tracefs/instances/$name/set_event" -Raw)" | Should -Match 'sched:sched_switch'
            New-Item $go | Out-Null
            $child.WaitForExit(60000) | Should -BeTrue
            $child.ExitCode | Should -Be 0
            Test-Path "$Tracefs/instances/$name" | Should -BeFalse -Because 'pwsh removed it on its way out'
        }
        finally { if (-not $child.HasExited) { $child.Kill($true) } }
    }
    It 'removes instances left by a LinuxTrace process that was killed' {
        $dead = Start-Process /bin/true -PassThru; $dead.WaitForExit()
        $stale = "linuxtrace-$($dead.Id)-1"
        New-Item -ItemType Directory -Path "$Tracefs/instances/$stale" | Out-Null
        $w = $null
        Start-Trace -Event sched:sched_switch -WarningVariable w | Select-Object -First 1 | Out-Null
        Test-Path "$Tracefs/instances/$stale" | Should -BeFalse
        "$w" | Should -Match ([regex]::Escape($stale))
    }
}

Describe 'Sessions' {
    It 'records in the background, reads with Get-TraceEvent, stops with Stop-Trace' {
        $s = Start-Trace -Event sched:sched_switch, raw_syscalls:sys_enter -AsSession -Name lt-pester-session
        try {
            $s | Should -BeOfType ([LinuxTrace.TraceSession])
            (Get-TraceSession lt-pester-session).Id | Should -Be $s.Id
            Get-Completion 'Stop-Trace -Name lt-pester-s' | Should -Contain 'lt-pester-session'
            $ev = Wait-Until { @(Get-TraceEvent -Session $s -Event sched_switch -Cpu 0) } -Because 'sched_switch events on CPU 0'
            $ev | Where-Object { $_.EventName -ne 'sched_switch' -or $_.CpuNumber -ne 0 } | Should -BeNullOrEmpty
        }
        finally { $sum = Get-TraceSession lt-pester-session | Stop-Trace -PassThru }
        $sum.EventCount | Should -BeGreaterThan 0
        $sum.CpuStats.Count | Should -BeGreaterThan 0
        Get-OurInstance | Should -BeNullOrEmpty
        { Get-TraceEvent -Session $s -ErrorAction Stop } | Should -Throw -ErrorId 'SessionStopped,LinuxTrace.Commands.GetTraceEventCommand'
    }

    It 'reports lost events in the stream: seen plus lost equals what a known workload did' {
        # dd makes exactly 200000 read() calls on its input (plus a few as it starts); a tiny buffer overruns.
        $read = if ([Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'Arm64') { 63 } else { 0 }
        $s = Start-Trace -Event raw_syscalls:sys_enter -Filter "id == $read" -BufferSizeKB 8 -AsSession -Command /usr/bin/env -ArgumentList 'LANG=C', 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=200000'
        try {
            $pid0 = [int](Get-Content "$($s.Instance.Path)/set_event_pid" -Raw).Trim()
            Wait-Until { -not (Test-Path "/proc/$pid0") } -TimeoutSeconds 60 -Because 'dd to finish' | Out-Null
            $records = @(Get-TraceEvent -Session $s)
        }
        finally { $s | Stop-Trace }
        $seen = @($records | Where-Object { $_ -is [LinuxTrace.TraceEvent] }).Count
        $lost = @($records | Where-Object { $_ -is [LinuxTrace.TraceLostEvents] })
        $lost.Count | Should -BeGreaterThan 0
        $lost | Where-Object { $null -eq $_.Count } | Should -BeNullOrEmpty -Because 'every loss has a count'
        $lostSum = ($lost | Measure-Object Count -Sum).Sum
        $lostSum | Should -BeGreaterThan 100000
        ($seen + $lostSum) | Should -BeIn (200000..200020) -Because "seen $seen + lost $lostSum must be dd's reads"
        ($lost[0] | Format-Table | Out-String) | Should -Match 'LOST EVENTS'
    }

    It 'reads an instance''s buffer with -Instance' {
        $name = New-TestInstanceName
        $s = Start-Trace -Event sched:sched_switch -Instance $name -AsSession
        try {
            Wait-Until { @(Get-TraceEvent -Instance $name) } -Because 'events in the instance' | Out-Null
        }
        finally { $s | Stop-Trace }
        Test-Path "$Tracefs/instances/$name" | Should -BeFalse
    }

    It 'restores an existing instance it borrowed' {
        $name = New-TestInstanceName
        New-TraceInstance $name | Out-Null
        try {
            $s = Start-Trace -Event sched:sched_switch -Instance $name -Filter 'prev_pid > 0' -AsSession
            (Get-Content "$Tracefs/instances/$name/events/sched/sched_switch/enable" -Raw).Trim() | Should -Be '1'
            $s | Stop-Trace
            Test-Path "$Tracefs/instances/$name" | Should -BeTrue
            (Get-Content "$Tracefs/instances/$name/events/sched/sched_switch/enable" -Raw).Trim() | Should -Be '0'
            (Get-Content "$Tracefs/instances/$name/events/sched/sched_switch/filter" -Raw).Trim() | Should -Be 'none'
        }
        finally { Remove-TraceInstance $name -Confirm:$false }
    }
}

Describe 'Start-Trace and Get-TraceEvent options' {
    It '-Clock sets the instance''s trace clock: counter stamps events with a count, not nanoseconds since boot' {
        $dat = Join-Path $TestDrive 'counter.dat'
        Start-Trace -Event sched:sched_process_exec, sched:sched_process_exit -Clock counter -Command /bin/true -OutFile $dat | Out-Null
        (Get-TraceFileInfo $dat).Clock | Should -Be 'counter'
        $ev = @(Get-TraceEvent $dat | Where-Object { $_ -is [LinuxTrace.TraceEvent] })
        $ev.Count | Should -BeGreaterThan 1
        $uptimeNs = [double](((Get-Content /proc/uptime -Raw) -split ' ')[0]) * 1e9
        # the counter counts clock reads of this clock (a few per event), far below the nanoseconds since boot
        @($ev | Where-Object { $_.TimestampNs -gt $uptimeNs / 1000 }).Count | Should -Be 0
        Get-OurInstance | Should -BeNullOrEmpty
    }

    It '-QueueLimitMB: a pipeline slower than the kernel makes LinuxTrace drop and say so, never wait' -Tag 'needs:stress-ng' -Skip:(-not (Test-KernelFeature stress-ng)) {
        $load = Start-Process stress-ng -ArgumentList '--null', '1', '-t', '60' -PassThru -RedirectStandardOutput (Join-Path $TestDrive 'stress.out')
        try {
            $n = 0
            $dropped = @(Start-Trace -Event raw_syscalls:sys_enter -QueueLimitMB 1 -Duration 00:00:03 -SummaryVariable sum -WarningAction SilentlyContinue |
                ForEach-Object { if (++$n % 200 -eq 0) { Start-Sleep -Milliseconds 20 }; if ($_ -is [LinuxTrace.TraceLostEvents] -and $_.DroppedByLinuxTrace) { $_ } })
        }
        finally { $load.Kill($true); $load.WaitForExit() }
        $dropped.Count | Should -BeGreaterThan 0
        $sum.DroppedByLinuxTrace | Should -BeGreaterThan 0
        ($dropped | Measure-Object Count -Sum).Sum | Should -Be $sum.DroppedByLinuxTrace
        $sum.QueuePeakBytes | Should -BeLessOrEqual (2MB) -Because 'the queue stays near its 1 MB limit'
        Get-OurInstance | Should -BeNullOrEmpty
    }

    It '-RealTimeDrainers runs the per-CPU readers under SCHED_FIFO while the trace runs' {
        # /proc/PID/task/TID/stat: the 41st field is the scheduling policy (1 = SCHED_FIFO); the name may hold spaces
        function Get-FifoThread { @(Get-ChildItem "/proc/$PID/task" -Directory | Where-Object {
                    $s = Get-Content "$($_.FullName)/stat" -Raw -ErrorAction SilentlyContinue
                    $s -and ($s.Substring($s.LastIndexOf(')') + 2) -split ' ')[38] -eq '1' }).Count }
        Get-FifoThread | Should -Be 0
        $seen = Start-Trace -Event sched:sched_switch -RealTimeDrainers -Duration 00:00:02 | Select-Object -First 1 | ForEach-Object { Get-FifoThread }
        $seen | Should -BeGreaterThan 0
        Get-FifoThread | Should -Be 0 -Because 'the readers are gone with the trace'
    }

    It 'Get-TraceEvent -ProcessId and -EndTime keep exactly the events a Where-Object keeps' {
        $dat = Join-Path $TestDrive 'two.dat'
        Start-Trace -Event raw_syscalls:sys_enter, sched:sched_process_exec -FollowChildren -Command /bin/sh -ArgumentList '-c', 'ls / > /dev/null; cat /etc/hostname > /dev/null' -OutFile $dat | Out-Null
        $all = @(Get-TraceEvent $dat | Where-Object { $_ -is [LinuxTrace.TraceEvent] })
        $cat = ($all | Where-Object { $_.EventName -eq 'sched_process_exec' -and $_.filename -like '*cat' }).ProcessId
        $cat | Should -Not -BeNullOrEmpty
        $byPid = @(Get-TraceEvent $dat -ProcessId $cat | Where-Object { $_ -is [LinuxTrace.TraceEvent] })
        $byPid.Count | Should -BeGreaterThan 0
        $byPid.Count | Should -Be @($all | Where-Object ProcessId -eq $cat).Count
        # the middle event's time, as a number of seconds the table shows: everything up to it, and nothing after
        # (a TimeSpan holds 100 ns: -EndTime keeps the events at or before that instant, to the nanosecond)
        $mid = $all[[int]($all.Count / 2)].Timestamp
        $endNs = [uint64]$mid.Ticks * 100
        $early = @(Get-TraceEvent $dat -EndTime $mid | Where-Object { $_ -is [LinuxTrace.TraceEvent] })
        $early.Count | Should -Be @($all | Where-Object { $_.TimestampNs -le $endNs }).Count
        $early.Count | Should -BeLessThan $all.Count
        $early.Count | Should -BeGreaterThan 0
        @($early | Where-Object { $_.TimestampNs -gt $endNs }).Count | Should -Be 0
        # the same time as the number of seconds the table shows, and as that text
        $seconds = $mid.Ticks / 1e7
        @(Get-TraceEvent $dat -EndTime $seconds | Where-Object { $_ -is [LinuxTrace.TraceEvent] }).Count | Should -Be $early.Count
        @(Get-TraceEvent $dat -EndTime ([string]$seconds) -StartTime 0 | Where-Object { $_ -is [LinuxTrace.TraceEvent] }).Count | Should -Be $early.Count
    }

    It 'takes -Duration in seconds as a number (5 is five seconds, not five ticks), and as a TimeSpan' {
        foreach ($d in 1, 0.5, '00:00:01') {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            Start-Trace -Event sched:sched_process_exec -Duration $d -WarningAction SilentlyContinue | Out-Null
            $expected = if ($d -is [string]) { 1.0 } else { [double]$d }
            $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual ($expected - 0.05)
            $clock.Elapsed.TotalSeconds | Should -BeLessThan ($expected + 5)
        }
        { Start-Trace -Event sched:sched_process_exec -Duration ([double]::NaN) } | Should -Throw -ExceptionType ([System.Management.Automation.ParameterBindingException])
    }
}

Describe 'Tables at 80 and 120 columns' {
    It 'every table view leaves its unsized columns room in 80 columns (16 for text, 8 for a count)' {
        $xml = [xml](Get-Content (Join-Path $RepoRoot 'LinuxTrace.Format.ps1xml') -Raw)
        $numeric = 'TraceInstanceInfo', 'CpuBufferStats', 'TraceSessionSummary', 'FunctionCallStatistics'
        $tight = foreach ($v in $xml.Configuration.ViewDefinitions.View | Where-Object { $_.TableControl }) {
            $h = @($v.TableControl.TableHeaders.TableColumnHeader)
            $used = ($h | Where-Object { $_.Width } | Measure-Object { [int]$_.Width } -Sum).Sum + $h.Count - 1
            $left = 80 - $used
            if ($left -lt $(if ($v.Name -in $numeric) { 8 } else { 16 })) { "$($v.Name): $left columns left" }
        }
        $tight | Should -BeNullOrEmpty
    }

    BeforeAll {
        $script:Dat = Join-Path $TestDrive 'table.dat'
        Start-Trace -Event sched:sched_switch, raw_syscalls:sys_enter -Command /bin/sh -ArgumentList '-c', 'ls / > /dev/null' -FollowChildren -OutFile $Dat | Out-Null
        # the data lines of a table, as a console of that width shows them
        function Get-TableLine($InputObject, [int] $Width) {
            @($InputObject | Format-Table | Out-String -Width $Width) -split "`n" | Where-Object { $_.Trim() } | Select-Object -Skip 2
        }
    }
    It 'events: Message keeps most of the width (<_> columns)' -ForEach 80, 120 {
        $width = $_
        $ev = @(Get-TraceEvent $Dat -Event sys_enter -MaxEvents 20)
        $ev.Count | Should -Be 20
        $header = @(@($ev | Format-Table | Out-String -Width $width) -split "`n" | Where-Object { $_ -match 'Message' })[0]
        $header.IndexOf('Message') | Should -BeLessOrEqual 58 -Because 'Time, CPU, Command-Pid and Event take 57 columns at most'
        $lines = @(Get-TableLine $ev $width)
        $lines.Count | Should -Be 20
        foreach ($l in $lines) { $l.TrimEnd().Length | Should -BeLessOrEqual $width }
        # the time in seconds with six decimals, as trace-cmd report prints it
        $lines[0] | Should -Match '^\s*\d+\.\d{6} '
    }
    It 'every other view this host can show fits (<_> columns): lines within the width, every column label whole, only the last column cut short' -ForEach 80, 120 {
        $width = $_
        $graph = Join-Path $PSScriptRoot 'fixtures/graph-6.1.dat'
        $xml = [xml](Get-Content (Join-Path $RepoRoot 'LinuxTrace.Format.ps1xml') -Raw)
        $s = Start-Trace -Event sched:sched_switch -AsSession -Name "views-$PID"
        try {
            $outputs = [ordered]@{
                AvailableTracer        = @(Get-AvailableTracer)
                TraceEventType         = @(Get-TraceEventType sched:sched_s*)
                TraceEventField        = @((Get-TraceEventType sched:sched_switch).Fields)
                TraceOptionState       = @(Get-TraceOption | Select-Object -First 5)
                TraceInstanceInfo      = @(Get-TraceInstance -IncludeTop)
                CpuBufferStats         = @((Get-TraceStatus).CpuStats)
                TraceFeature           = @(Get-TraceCapability)
                TraceSession           = @(Get-TraceSession)
                FunctionCall           = @(Get-FunctionCall $graph | Select-Object -First 5)
                FunctionCallStatistics = @(Measure-FunctionCall -Path $graph | Select-Object -First 5)
                TraceEventGroup        = @(Measure-TraceEvent -Path $Dat -Event sys_enter -GroupBy id -Property id -Sum -Minimum -Maximum -Average | Select-Object -First 5)
                TraceLatencyGroup      = @(Measure-TraceLatency -Path $graph -Start funcgraph_entry -End funcgraph_exit -WarningAction SilentlyContinue)
            }
        }
        finally { $outputs['TraceSessionSummary'] = @($s | Stop-Trace -PassThru) }
        $problems = foreach ($name in $outputs.Keys) {
            $objects = $outputs[$name]
            if ($objects.Count -eq 0) { "${name}: no objects to show"; continue }
            $view = $xml.Configuration.ViewDefinitions.View | Where-Object Name -eq $name
            $labels = @($view.TableControl.TableHeaders.TableColumnHeader.Label)
            $text = @(@($objects | Format-Table | Out-String -Width $width) -split "`n" | Where-Object { $_.Trim() })
            $header = $text[0]
            foreach ($l in $labels) { if ($header -notmatch "(^|\s)$([regex]::Escape($l))(\s|$)") { "${name}: label $l is not whole in '$header'" } }
            if ($text.Count -lt 3 -or $text[1] -notmatch '^\s*-') { "${name}: the header is not one line: '$($text[1])'" }
            # only the last column may be cut short (with an ellipsis)
            $last = $header.LastIndexOf($labels[-1])
            foreach ($line in $text) {
                if ($line.TrimEnd().Length -gt $width) { "${name}: a line of $($line.TrimEnd().Length) columns" }
                $cut = $line.IndexOf([char]0x2026)
                if ($cut -ge 0 -and $cut -lt $last) { "${name}: cut short at column $cut of '$($line.TrimEnd())'" }
            }
        }
        $problems | Should -BeNullOrEmpty
    }
    It 'counts from Measure-TraceEvent: Count and Group only, no empty statistics columns (<_> columns)' -ForEach 80, 120 {
        $width = $_
        $g = @(Measure-TraceEvent -Path $Dat -GroupBy id)
        $g[0] | Should -BeOfType ([LinuxTrace.TraceEventCount])
        $header = @(@($g | Format-Table | Out-String -Width $width) -split "`n" | Where-Object { $_ -match 'Group' })[0]
        $header | Should -Not -Match 'Sum|Minimum'
        $header.IndexOf('Group') | Should -BeLessOrEqual 12
        # with -Property, the statistics are there
        $s = @(Measure-TraceEvent -Path $Dat -Event sys_enter -GroupBy id -Property id -Sum)
        $s[0] | Should -Not -BeOfType ([LinuxTrace.TraceEventCount])
        @(@($s | Format-Table | Out-String -Width $width) -split "`n" | Where-Object { $_ -match 'Group' })[0] | Should -Match 'Sum'
    }
}
