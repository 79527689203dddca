BeforeDiscovery { . $PSScriptRoot/KernelFeatures.ps1 }
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:StateBefore = Get-KernelTraceState
}

AfterAll { Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty }

Describe 'Cross-check with trace-cmd on the same kernel' {
    It 'counts the same events per type for the same workload' -Tag 'needs:trace-cmd' -Skip:(-not (Test-KernelFeature trace-cmd)) {
        $work = 'for i in $(seq 40); do /bin/true; done'
        $dat = Join-Path ([IO.Path]::GetTempPath()) "lt-xcheck-$PID.dat"
        try {
            Invoke-TraceCmd @('record', '-q', '-d', '--no-filter', '-o', $dat, '-e', 'sched:sched_process_exec', '-e', 'sched:sched_process_fork', '-e', 'sched:sched_process_exit', '-F', '-c', 'bash', '-c', $work)
            # trace-cmd exits 1 on this host after recording, when its reset touches set_ftrace_filter (EPERM); the file is complete.
            Test-Path $dat | Should -BeTrue
            $report = & trace-cmd report -i $dat 2>$null
            $tc = @{}
            foreach ($n in 'sched_process_exec', 'sched_process_fork', 'sched_process_exit') {
                $tc[$n] = @($report | Where-Object { $_ -match "\s$($n):" }).Count
            }
        }
        finally { Remove-Item $dat -ErrorAction SilentlyContinue }

        $ours = Start-Trace -Event sched:sched_process_exec, sched:sched_process_fork, sched:sched_process_exit -FollowChildren -Command bash -ArgumentList '-c', $work
        $lost = @($ours | Where-Object { $_ -is [LinuxTrace.TraceLostEvents] })
        $lost | Should -BeNullOrEmpty
        foreach ($n in $tc.Keys) {
            @($ours | Where-Object EventName -eq $n).Count | Should -Be $tc[$n] -Because "$n counted by trace-cmd"
        }
        $tc['sched_process_exec'] | Should -BeGreaterOrEqual 40
    }
}
