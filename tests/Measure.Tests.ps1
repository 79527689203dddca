# Aggregation in the engine: Measure-TraceEvent and Measure-TraceLatency on a file trace-cmd recorded (checked
# against trace-cmd report and a pairing computed here), on a session, on the pipeline and live; histograms as
# bpftrace prints them; the errors a user meets.
BeforeDiscovery { . $PSScriptRoot/KernelFeatures.ps1 }
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:StateBefore = Get-KernelTraceState
    $script:Dat = Join-Path $TestDrive 'syscalls.dat'
    if (Test-KernelFeature trace-cmd) {
        Invoke-TraceCmd @('record', '-q', '-d', '--no-filter', '-o', $script:Dat, '-e', 'raw_syscalls', '-F', '-c', 'bash', '-c', 'for i in 1 2 3; do ls -R /usr/share/doc >/dev/null; cat /etc/hostname >/dev/null; done')
        # trace-cmd report -R, one line per event: "comm-pid [cpu] sec.nsec: sys_enter: id=0 args=ARRAY[...]"
        $script:Report = foreach ($l in & trace-cmd report -R -t -i $script:Dat 2>$null) {
            if ($l -match '^\s*(?<comm>.*)-(?<pid>\d+)\s+\[(?<cpu>\d+)\]\s+(?<sec>\d+)\.(?<ns>\d{9}):\s+(?<ev>sys_enter|sys_exit):\s+id=(?<id>-?\d+)') {
                [pscustomobject]@{ Pid = [int]$Matches.pid; Ts = [uint64]$Matches.sec * 1000000000 + [uint64]$Matches.ns; Event = $Matches.ev; Id = [long]$Matches.id }
            }
        }
    }
}
AfterAll {
    Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty
}

Describe 'Measure-TraceEvent on a file trace-cmd recorded' -Tag 'needs:trace-cmd' -Skip:(-not (Test-KernelFeature trace-cmd)) {
    It 'counts sys_enter by id exactly as trace-cmd report does, and names each syscall' {
        $theirs = @{}
        foreach ($r in $Report | Where-Object Event -eq sys_enter) { $theirs[$r.Id] = 1 + $theirs[$r.Id] }
        $theirs.Count | Should -BeGreaterThan 5
        $ours = Measure-TraceEvent -Path $Dat -Event raw_syscalls:sys_enter -GroupBy id
        $ours.Count | Should -Be $theirs.Count
        foreach ($g in $ours) { $g.Count | Should -Be $theirs[$g.id] -Because "id $($g.id)" }
        $ours[0].GetType().GetProperty('id').PropertyType | Should -Be ([Nullable[long]])
        ($ours | Where-Object id -eq 0).syscall | Should -Be 'read'
        # biggest first
        @($ours.Count) | Should -Be @($ours.Count | Sort-Object -Descending)
    }

    It 'gives the same groups from the pipeline, by event name when no key is given' {
        $byName = Measure-TraceEvent -Path $Dat
        ($byName | Sort-Object EventName | ForEach-Object { "$($_.EventName)=$($_.Count)" }) -join ' ' |
            Should -Be ("sys_enter=$(@($Report | Where-Object Event -eq sys_enter).Count) sys_exit=$(@($Report | Where-Object Event -eq sys_exit).Count)")
        $piped = Get-TraceEvent -Path $Dat -Event sys_exit | Measure-TraceEvent -GroupBy id
        $direct = Measure-TraceEvent -Path $Dat -Event sys_exit -GroupBy id
        ($piped | ForEach-Object { "$($_.id):$($_.Count)" } | Sort-Object) -join ',' | Should -Be (($direct | ForEach-Object { "$($_.id):$($_.Count)" } | Sort-Object) -join ',')
    }

    It 'measures a field: sum, minimum, maximum, average and a histogram whose buckets add up' {
        $g = Measure-TraceEvent -Path $Dat -Event sys_exit -GroupBy ProcessName -Property ret -Histogram | Where-Object ProcessName -eq ls
        $exits = Get-TraceEvent -Path $Dat -Event sys_exit | Where-Object ProcessName -eq ls
        $m = $exits | Measure-Object -Property ret -Minimum -Maximum
        $sum = [decimal]0
        foreach ($x in $exits) { $sum += $x.ret } # exact: Measure-Object sums in double
        $g.Count | Should -Be $m.Count
        $g.Sum | Should -Be $sum
        $g.Minimum | Should -Be $m.Minimum
        $g.Maximum | Should -Be $m.Maximum
        [Math]::Abs([decimal]$g.Average - $sum / $m.Count) | Should -BeLessThan 1
        ($g.Histogram.Buckets | Measure-Object Count -Sum).Sum | Should -Be $m.Count
        $zero = ($g.Histogram.Buckets | Where-Object { $_.Low -eq 0 -and $_.High -eq 1 }).Count
        $zero | Should -Be @($exits | Where-Object ret -eq 0).Count
        $g.Histogram.Render(52) | Should -Match '(?m)^\[0\]\s+\d+ \|@+\s*\|$'
        (Measure-TraceEvent -Path $Dat -Event sys_exit -Property ret -Sum)[0].Maximum | Should -BeNullOrEmpty
    }

    It 'says which fields exist when a key or property is wrong, and what -Sum needs' {
        $e = Get-Failure { Measure-TraceEvent -Path $Dat -GroupBy idd }
        $e.FullyQualifiedErrorId | Should -BeLike 'FieldNotFound*'
        $e.Exception.Message | Should -Match 'Close matches: id'
        $e = Get-Failure { Measure-TraceEvent -Path $Dat -Event sys_exit -Property rett }
        $e.Exception.Message | Should -Match 'ret'
        $e = Get-Failure { Measure-TraceEvent -Path $Dat -Sum }
        $e.FullyQualifiedErrorId | Should -BeLike 'NoProperty*'
        $e = Get-Failure { Measure-TraceEvent -Path $Dat -Event sched:nothing_here }
        $e.FullyQualifiedErrorId | Should -BeLike 'EventNotFound,*'
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e.Exception.Message | Should -Match 'nothing_here'
    }
}

Describe 'Measure-TraceLatency on a file trace-cmd recorded' -Tag 'needs:trace-cmd' -Skip:(-not (Test-KernelFeature trace-cmd)) {
    It 'pairs sys_enter with sys_exit per task as a pairing computed here does: counts per syscall equal, percentiles within a bucket' {
        # the reference: per pid, an exit closes the last enter
        $open = @{}; $lat = @{}
        foreach ($r in $Report) {
            if ($r.Event -eq 'sys_enter') { $open[$r.Pid] = $r }
            elseif ($open.ContainsKey($r.Pid)) {
                $s = $open[$r.Pid]; $open.Remove($r.Pid)
                if (-not $lat.ContainsKey($s.Id)) { $lat[$s.Id] = [System.Collections.Generic.List[long]]::new() }
                $lat[$s.Id].Add([long]($r.Ts - $s.Ts))
            }
        }
        $all = Measure-TraceLatency -Path $Dat -Start raw_syscalls:sys_enter -End raw_syscalls:sys_exit -GroupBy id -WarningAction SilentlyContinue
        # a syscall whose only call was still running when the trace ended is a group with no pair, only an unmatched start
        @($all | Where-Object Count -eq 0 | Where-Object UnmatchedStarts -eq 0) | Should -BeNullOrEmpty
        $ours = @($all | Where-Object Count -gt 0)
        $ours.Count | Should -Be $lat.Count
        foreach ($g in $ours) {
            $ref = $lat[$g.id]; $ref.Sort()
            $g.Count | Should -Be $ref.Count -Because "id $($g.id)"
            $p50 = $ref[[Math]::Max(0, [Math]::Ceiling(0.5 * $ref.Count) - 1)]
            $p99 = $ref[[Math]::Max(0, [Math]::Ceiling(0.99 * $ref.Count) - 1)]
            # within one power-of-two bucket of the reference
            [Math]::Abs([Math]::Log($g.P50Ns + 1, 2) - [Math]::Log($p50 + 1, 2)) | Should -BeLessThan 1
            [Math]::Abs([Math]::Log($g.P99Ns + 1, 2) - [Math]::Log($p99 + 1, 2)) | Should -BeLessThan 1
            $g.MinimumNs | Should -Be $ref[0]
            $g.MaximumNs | Should -Be $ref[-1]
        }
        ($ours | Where-Object id -eq 0).syscall | Should -Be 'read'
        $ours[0].Histogram.Render(52) | Should -Match '(?m)^\[\d+(\.\d)?(ns|us|ms)?, \d+(\.\d)?(ns|us|ms|s)\)\s+\d+ \|'
    }

    It 'reports starts without an end and ends without a start' {
        $w = $null
        $null = Measure-TraceLatency -Path $Dat -Start raw_syscalls:sys_enter -End raw_syscalls:sys_exit -WarningVariable w -WarningAction SilentlyContinue
        # the trace begins inside bash's first syscall (an exit without its enter) and ends inside the last one's
        "$w" | Should -Match 'starts had no end'
        "$w" | Should -Match 'ends had no start'
    }
}

Describe 'Measure live and from sessions' {
    It 'measures a live trace of a command: every getpid() the program makes, by a probe made for the trace' -Tag 'needs:uprobes' -Skip:(-not (Test-KernelFeature uprobes)) {
        $exe = Get-TestProgram probe_target
        $before = "$(Get-Content "$Tracefs/dynamic_events" -Raw)"
        $g = Measure-TraceEvent -UProbe 'p:lt_measure libc:getpid' -Command $exe -ArgumentList 9 -GroupBy EventName, ProcessName
        $g.Count | Should -Be 9
        $g.ProcessName | Should -Be 'probe_target'
        "$(Get-Content "$Tracefs/dynamic_events" -Raw)" | Should -Be $before
        Get-OurInstance | Should -BeNullOrEmpty
    }

    It 'measures syscall latency of a live command and of a session''s buffer' {
        $live = Measure-TraceLatency raw_syscalls:sys_enter raw_syscalls:sys_exit -GroupBy ProcessName -Command /bin/ls -ArgumentList / -WarningAction SilentlyContinue
        ($live | Where-Object ProcessName -eq ls).Count | Should -BeGreaterThan 10
        $s = Start-Trace -Event raw_syscalls:sys_enter, raw_syscalls:sys_exit -Command /bin/ls -ArgumentList / -AsSession
        try {
            Wait-Until { $s.CommandProcessId -and -not (Test-Path "/proc/$($s.CommandProcessId)") } -TimeoutSeconds 20 -Because 'ls to finish' | Out-Null
            $fromSession = Measure-TraceEvent -Session $s -GroupBy ProcessName
            ($fromSession | Where-Object ProcessName -eq ls).Count | Should -BeGreaterThan 20
        }
        finally { $s | Stop-Trace | Out-Null }
        Get-OurInstance | Should -BeNullOrEmpty
    }

    It '-WhatIf traces nothing' {
        $before = Get-KernelTraceState
        Measure-TraceEvent sched:sched_switch -Duration 00:00:01 -WhatIf | Should -BeNullOrEmpty
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
    }
}

Describe 'In-kernel histograms where the kernel has none' -Tag 'needs:no-hist' -Skip:(-not (Test-KernelFeature no-hist)) {
    It 'New-TraceHistogram and Get-TraceHistogram say the kernel has no hist triggers, and change nothing' {
        $before = Get-KernelTraceState
        $e = Get-Failure { New-TraceHistogram kmem:kmalloc -Key call_site.sym -Value bytes_req }
        $e.CategoryInfo.Category | Should -Be 'NotImplemented'
        $e.Exception.Message | Should -Match 'CONFIG_HIST_TRIGGERS'
        $e.Exception.Message | Should -Match 'Measure-TraceEvent'
        (Get-Failure { Get-TraceHistogram }).CategoryInfo.Category | Should -Be 'NotImplemented'
        $e = Get-Failure { Measure-TraceLatency raw_syscalls:sys_enter raw_syscalls:sys_exit -InKernel -Duration 00:00:01 }
        $e.CategoryInfo.Category | Should -Be 'NotImplemented'
        $e.Exception.Message | Should -Match 'CONFIG_HIST_TRIGGERS'
        Get-OurInstance | Should -BeNullOrEmpty
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
    }
}
