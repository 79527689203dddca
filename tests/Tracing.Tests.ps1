BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:TopEventsBefore = Get-TopEnabledEvent
}

AfterAll {
    # Whatever happened, no instance, event or pid filter of ours is left.
    Get-OurInstance | Should -BeNullOrEmpty
    Get-TopEnabledEvent | Should -Be $script:TopEventsBefore
}

Describe 'Start-Trace streaming' {
    It 'traces the exec of a program it starts, with its pid and path' {
        $events = Start-Trace -Event sched:sched_process_exec -Command /bin/ls -ArgumentList $PSScriptRoot
        $exec = $events | Where-Object { $_ -is [LinuxTrace.TraceEvent] } | Select-Object -First 1
        $exec | Should -Not -BeNullOrEmpty
        $exec.filename | Should -BeIn @('/bin/ls', '/usr/bin/ls')
        $exec.ProcessId | Should -Be $exec.pid
        $exec.Name | Should -Be 'sched_process_exec'
        $exec.Command | Should -Be 'ls'
        $exec.GetType().GetProperty('filename').PropertyType | Should -Be ([string])
        Get-OurInstance | Should -BeNullOrEmpty
    }

    It 'names system calls of raw_syscalls events' {
        $calls = (Start-Trace -Event raw_syscalls:sys_enter -Command /bin/true).syscall
        $calls | Should -Contain 'execve'
        $calls | Should -Contain 'exit_group'
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
        $switches = @($events | Where-Object Name -eq sched_switch)
        $switches.Count | Should -BeGreaterThan 0
        $switches | Where-Object prev_pid -ne 0 | Should -BeNullOrEmpty
    }

    It 'stops after Select-Object -First 5 and leaves nothing behind' {
        $five = Start-Trace -Event sched:sched_switch, raw_syscalls:sys_enter | Select-Object -First 5
        $five.Count | Should -Be 5
        Get-OurInstance | Should -BeNullOrEmpty
        "$(Get-Content "$Tracefs/set_event_pid" -Raw)".Trim() | Should -BeNullOrEmpty
        Get-TraceSession | Should -BeNullOrEmpty
    }

    It 'says clearly when a filter is bad, and changes nothing' {
        $e = { Start-Trace -Event sched:sched_switch -Filter 'prev_pid == zzz' -Duration 00:00:01 } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Be 'BadFilter,LinuxTrace.Commands.StartTraceCommand'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception.Message | Should -Match 'position'
        Get-OurInstance | Should -BeNullOrEmpty
    }

    It '-WhatIf traces nothing' {
        Start-Trace -Event sched:sched_switch -WhatIf | Should -BeNullOrEmpty
        Get-OurInstance | Should -BeNullOrEmpty
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
        $exe = Join-Path $PSHOME 'pwsh'
        $script = "Import-Module '$RepoRoot/LinuxTrace.psd1'; `$s = Start-Trace -Event sched:sched_switch -AsSession; `$PID; exit 0"
        $child = if ((Test-Path $exe) -and (Get-Item $exe).UnixMode -match 'x') { & $exe -NoProfile -Command $script } else { & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -Command $script }
        $childPid = [int]("$child".Trim())
        $childPid | Should -BeGreaterThan 0
        Get-ChildItem "$Tracefs/instances" -Directory | Where-Object Name -like "linuxtrace-$childPid-*" | Should -BeNullOrEmpty
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
            Start-Sleep -Milliseconds 300
            $ev = @(Get-TraceEvent -Session $s -Event sched_switch -Cpu 0)
            $ev.Count | Should -BeGreaterThan 0
            $ev | Where-Object { $_.Name -ne 'sched_switch' -or $_.Cpu -ne 0 } | Should -BeNullOrEmpty
        }
        finally { $sum = Get-TraceSession lt-pester-session | Stop-Trace -PassThru }
        $sum.EventCount | Should -BeGreaterThan 0
        $sum.CpuStats.Count | Should -BeGreaterThan 0
        Get-OurInstance | Should -BeNullOrEmpty
        { Get-TraceEvent -Session $s -ErrorAction Stop } | Should -Throw -ErrorId 'SessionStopped,LinuxTrace.Commands.GetTraceEventCommand'
    }

    It 'reports lost events in the stream, agreeing with the kernel''s per-CPU statistics' {
        # a tiny buffer and a program that makes ~400k syscalls on one CPU: the ring buffer overruns
        $s = Start-Trace -Event raw_syscalls:sys_enter -BufferSizeKB 8 -AsSession -Command /bin/dd -ArgumentList 'if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=200000'
        try {
            $pid0 = [int](Get-Content "$($s.Instance.Path)/set_event_pid" -Raw).Trim()
            while (Test-Path "/proc/$pid0") { Start-Sleep -Milliseconds 50 }
            $records = @(Get-TraceEvent -Session $s)
        }
        finally { $sum = $s | Stop-Trace -PassThru }
        $lost = @($records | Where-Object { $_ -is [LinuxTrace.TraceLostEvents] })
        $lost.Count | Should -BeGreaterThan 0
        ($lost | ForEach-Object Count | Measure-Object -Sum).Sum | Should -Be ($sum.CpuStats | Measure-Object Overrun -Sum).Sum
        ($lost[0] | Format-Table | Out-String) | Should -Match 'LOST EVENTS'
    }

    It 'reads an instance''s buffer with -Instance' {
        $name = New-TestInstanceName
        $s = Start-Trace -Event sched:sched_switch -Instance $name -AsSession
        try {
            Start-Sleep -Milliseconds 200
            $ev = @(Get-TraceEvent -Instance $name)
            $ev.Count | Should -BeGreaterThan 0
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
