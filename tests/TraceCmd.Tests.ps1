BeforeDiscovery { . $PSScriptRoot/KernelFeatures.ps1 }
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:StateBefore = Get-KernelTraceState
}

AfterAll { Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty }

Describe 'Cross-check with trace-cmd on the same kernel' {
    It 'counts the same events per type for the same workload' -Tag 'needs:trace-cmd' -Skip:(-not (Test-KernelFeature trace-cmd)) {
        $work = 'for i in $(seq 40); do /bin/true; done'
        # trace-cmd records every task here (--no-filter: its pid filter needs set_ftrace_pid, which this host locks),
        # and a busy machine runs other bash and true meanwhile: its events are kept to the workload's own tree, from
        # the exec of a shell by a name of its own down its forks
        $shell = Join-Path $TestDrive 'lt-xcheck-sh'
        Copy-Item /bin/bash $shell
        $dat = Join-Path ([IO.Path]::GetTempPath()) "lt-xcheck-$PID.dat"
        $tc = @{ sched_process_exec = 0; sched_process_fork = 0; sched_process_exit = 0 }
        try {
            Invoke-TraceCmd @('record', '-q', '-d', '--no-filter', '-o', $dat, '-e', 'sched:sched_process_exec', '-e', 'sched:sched_process_fork', '-e', 'sched:sched_process_exit', '-F', '-c', $shell, '-c', $work)
            # trace-cmd exits 1 on this host after recording, when its reset touches set_ftrace_filter (EPERM); the file is complete.
            Test-Path $dat | Should -BeTrue
            $tree = [Collections.Generic.HashSet[int]]::new()
            $others = 0
            foreach ($line in & trace-cmd report -i $dat 2>$null) {
                if ($line -match '\ssched_process_exec:\s+filename=(\S+) pid=(\d+)') {
                    if ($Matches[1] -eq $shell -and $tree.Count -eq 0) { $tree.Add([int]$Matches[2]) | Out-Null }
                    if ($tree.Contains([int]$Matches[2])) { $tc.sched_process_exec++ } else { $others++ }
                }
                elseif ($line -match '\ssched_process_fork:\s+comm=\S+ pid=(\d+) child_comm=\S+ child_pid=(\d+)') {
                    if ($tree.Contains([int]$Matches[1])) { $tree.Add([int]$Matches[2]) | Out-Null; $tc.sched_process_fork++ } else { $others++ }
                }
                elseif ($line -match '\ssched_process_exit:\s+comm=\S+ pid=(\d+)') {
                    if ($tree.Contains([int]$Matches[1])) { $tc.sched_process_exit++ } else { $others++ }
                }
            }
            if ($others) { Write-Host "trace-cmd also recorded $others events of tasks outside the workload" }
        }
        finally { Remove-Item $dat -ErrorAction SilentlyContinue }
        $tc.sched_process_exit | Should -Be 42 -Because 'in trace-cmd''s file, the shell, its seq and its 40 true exit'

        $ours = Start-Trace -Event sched:sched_process_exec, sched:sched_process_fork, sched:sched_process_exit -FollowChildren -Command $shell -ArgumentList '-c', $work
        $lost = @($ours | Where-Object { $_ -is [LinuxTrace.TraceLostEvents] })
        $lost | Should -BeNullOrEmpty
        foreach ($n in 'sched_process_exec', 'sched_process_fork', 'sched_process_exit') {
            @($ours | Where-Object EventName -eq $n).Count | Should -Be $tc[$n] -Because "LinuxTrace follows the workload alone, and trace-cmd counted $n so in it"
        }
        $tc.sched_process_exec | Should -Be 42 -Because 'the shell, its seq and its 40 true each exec once'
    }
}
