BeforeDiscovery { . $PSScriptRoot/KernelFeatures.ps1 }
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:StateBefore = Get-KernelTraceState
}

AfterAll { Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty }

Describe 'Cross-check with trace-cmd on the same kernel' {
    It 'counts the same events per type for the same workload' -Tag 'needs:trace-cmd' -Skip:(-not (Test-KernelFeature trace-cmd)) {
        $work = 'for i in $(seq 40); do /bin/true; done'
        $workload = 'bash', 'seq', 'true'
        $dat = Join-Path ([IO.Path]::GetTempPath()) "lt-xcheck-$PID.dat"
        try {
            Invoke-TraceCmd @('record', '-q', '-d', '--no-filter', '-o', $dat, '-e', 'sched:sched_process_exec', '-e', 'sched:sched_process_fork', '-e', 'sched:sched_process_exit', '-F', '-c', 'bash', '-c', $work)
            # trace-cmd exits 1 on this host after recording, when its reset touches set_ftrace_filter (EPERM); the file is complete.
            Test-Path $dat | Should -BeTrue
            $report = & trace-cmd report -i $dat 2>$null
            $tc = @{}
            foreach ($n in 'sched_process_exec', 'sched_process_fork') {
                $tc[$n] = @($report | Where-Object { $_ -match "\s$($n):" }).Count
            }
            # exits by the exiting task's own comm field, the workload's (bash, its seq and its 40 true): in one CI run
            # trace-cmd's pid filter caught a 43rd exit, a task outside the workload
            $exits = @($report | Where-Object { $_ -match '\ssched_process_exit:.*\bcomm=(\S+)' } | ForEach-Object { $Matches[1] })
            $stray = @($exits | Where-Object { $_ -notin $workload })
            if ($stray) { Write-Host "trace-cmd also saw the exit of: $($stray -join ', ')" }
            $tc['sched_process_exit'] = @($exits | Where-Object { $_ -in $workload }).Count
        }
        finally { Remove-Item $dat -ErrorAction SilentlyContinue }

        $ours = Start-Trace -Event sched:sched_process_exec, sched:sched_process_fork, sched:sched_process_exit -FollowChildren -Command bash -ArgumentList '-c', $work
        $lost = @($ours | Where-Object { $_ -is [LinuxTrace.TraceLostEvents] })
        $lost | Should -BeNullOrEmpty
        foreach ($n in 'sched_process_exec', 'sched_process_fork') {
            @($ours | Where-Object EventName -eq $n).Count | Should -Be $tc[$n] -Because "$n counted by trace-cmd"
        }
        @($ours | Where-Object { $_.EventName -eq 'sched_process_exit' -and $_.comm -in $workload }).Count | Should -Be $tc['sched_process_exit'] -Because 'the workload''s exits counted by trace-cmd'
        $tc['sched_process_exit'] | Should -Be 42 -Because 'bash, its seq and its 40 true exit'
        @($ours | Where-Object EventName -eq 'sched_process_exit').Count | Should -Be 42 -Because 'LinuxTrace follows the workload alone'
        $tc['sched_process_exec'] | Should -BeGreaterOrEqual 40
    }
}
