# In-kernel histograms on a kernel that has hist triggers (the kernel VM): New/Get/Remove-TraceHistogram against the
# same events traced the ordinary way, the kernel's explanation of a bad trigger, and no trigger left behind.
BeforeDiscovery { . $PSScriptRoot/../KernelFeatures.ps1 }
BeforeAll {
    . $PSScriptRoot/../Common.ps1
    $script:StateBefore = Get-KernelTraceState
}
AfterAll {
    Get-TraceHistogram -Trigger -Event kmem:kmalloc, raw_syscalls:sys_enter -ErrorAction SilentlyContinue | Remove-TraceHistogram
    Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty
}

Describe 'hist triggers (kernel VM)' -Tag 'needs:hist' -Skip:(-not (Test-KernelFeature hist)) {
    It 'counts kmalloc by call site as the same events traced the ordinary way do, and leaves no trigger' {
        $before = Get-KernelTraceState
        $t = New-TraceHistogram kmem:kmalloc -Key call_site.sym -Value bytes_req -PassThru
        $t.Definition | Should -Match '^hist:keys=call_site\.sym:vals=hitcount,bytes_req'
        try {
            # (a small workload: every event becomes an object and is grouped in PowerShell, in the emulator)
            $traced = @(Start-Trace -Event kmem:kmalloc -IncludeSelf -Command /bin/sh -ArgumentList '-c', 'for i in 1 2 3 4 5 6 7 8; do ls -l /etc /usr/lib > /dev/null; done' | Where-Object { $_ -is [LinuxTrace.TraceEvent] })
            $groups = @(Get-TraceHistogram kmem:kmalloc)
        }
        finally { Remove-TraceHistogram kmem:kmalloc }
        $traced.Count | Should -BeGreaterThan 50
        $groups.Count | Should -BeGreaterThan 0
        # the trigger counted from before the trace began to after it ended: every busy call site of the trace is
        # in the table with at least (nearly) as many hits
        $hist = @{}
        # (a key is a call site's address: one function can call kmalloc from several places, each its own row)
        foreach ($g in $groups) { $name = $g.call_site -replace '\s+\[.*\]$', ''; $hist[$name] = $g.Count + $hist[$name] }
        # (the event's call_site_symbol is printed as %pS, with the offset; the table's .sym key is the function)
        $busy = @($traced | Group-Object { $_.call_site_symbol -replace '\+0x[0-9a-f]+$', '' } | Where-Object Count -ge 20)
        $busy.Count | Should -BeGreaterThan 0 -Because 'the workload calls kmalloc from some site at least 20 times: there is something to compare'
        $problems = foreach ($site in $busy) {
            if (-not $hist.ContainsKey($site.Name)) { "$($site.Name): traced $($site.Count), not in the table" }
            elseif ($hist[$site.Name] -lt 0.9 * $site.Count) { "$($site.Name): traced $($site.Count), table $($hist[$site.Name])" }
        }
        $problems | Should -BeNullOrEmpty
        ($groups | Where-Object Sum -gt 0).Count | Should -BeGreaterThan 0
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty -Because 'the trigger is gone'
    }

    It 'names syscalls and commands from the modifiers, and lists and removes triggers through the pipeline' {
        New-TraceHistogram raw_syscalls:sys_enter -Key id.syscall, common_pid.execname -Filter 'id < 1000'
        try {
            & ls / > $null
            $g = @(Get-TraceHistogram raw_syscalls:sys_enter)
            $g.Count | Should -BeGreaterThan 0
            $g[0].syscall | Should -Not -BeNullOrEmpty
            $g[0].id | Should -BeOfType [long]
            @($g | Where-Object ProcessName -eq 'ls').Count | Should -BeGreaterThan 0
            (Get-TraceHistogram -Trigger raw_syscalls:sys_enter).Definition | Should -Match 'if id < 1000'
        }
        finally { Get-TraceHistogram -Trigger raw_syscalls:sys_enter | Remove-TraceHistogram }
        "$(Get-Content "$Tracefs/events/raw_syscalls/sys_enter/trigger" -Raw)" | Should -Not -Match '^hist:' -Because 'Remove-TraceHistogram removed what Get-TraceHistogram -Trigger piped to it'
        @(Get-TraceHistogram -Trigger raw_syscalls:sys_enter).Count | Should -Be 0
        Get-TraceHistogram -Trigger raw_syscalls:sys_enter | Should -BeNullOrEmpty
    }

    It 'a trigger the kernel refuses gets its own words with the caret, and nothing is left' {
        $before = Get-KernelTraceState
        $e = Get-Failure { New-TraceHistogram kmem:kmalloc -Key no_such_field }
        $e.FullyQualifiedErrorId | Should -BeLike 'HistTriggerRejected*'
        $e.Exception.Message | Should -Match "Couldn't find field"
        $e.Exception.KernelErrorPosition | Should -BeGreaterOrEqual 0
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
    }

    It 'measures syscall latency in the kernel (-InKernel): the same pairs as the engine counts, and nothing left' {
        $before = Get-KernelTraceState
        Measure-TraceLatency raw_syscalls:sys_enter raw_syscalls:sys_exit -InKernel -Duration 00:00:01 -WhatIf
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty -Because '-WhatIf changes nothing'
        # a known workload: dd makes 3000 reads and 3000 writes of one byte
        $dd = @('if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=3000')
        $during = $null
        $kernel = @(Measure-TraceLatency raw_syscalls:sys_enter raw_syscalls:sys_exit -GroupBy id -InKernel -Command /bin/dd -ArgumentList $dd)
        $engine = @(Measure-TraceLatency raw_syscalls:sys_enter raw_syscalls:sys_exit -GroupBy id -Command /bin/dd -ArgumentList $dd)
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty -Because 'triggers, synthetic event and instance are removed'
        $kernel | Where-Object { -not $_.InKernel } | Should -BeNullOrEmpty
        $read = $kernel | Where-Object id -eq 0
        $write = $kernel | Where-Object id -eq 1
        $read.Count | Should -BeGreaterOrEqual 3000
        $write.Count | Should -BeGreaterOrEqual 3000
        foreach ($id in 0, 1) {
            $k = $kernel | Where-Object id -eq $id
            $e = $engine | Where-Object id -eq $id
            [math]::Abs($k.Count - $e.Count) | Should -BeLessOrEqual 5 -Because "syscall $id has as many pairs in the kernel ($($k.Count)) as in the engine ($($e.Count))"
            ($k.Histogram.Buckets | Measure-Object Count -Sum).Sum | Should -Be $k.Count
            $k.MeanNs | Should -BeGreaterThan 0
            $k.P50Ns | Should -BeGreaterThan 0
            $k.MeanNs | Should -BeGreaterOrEqual $k.MinimumNs
            $k.MeanNs | Should -BeLessOrEqual $k.MaximumNs
            $k.P50Ns | Should -BeLessOrEqual $k.P99Ns
            # the same order of magnitude: two runs under emulation, and the kernel's pairing does its own map lookups
            # inside the interval it measures (seen here: medians up to 2.5 powers of two apart)
            [math]::Abs([math]::Log($k.P50Ns, 2) - [math]::Log($e.P50Ns, 2)) | Should -BeLessOrEqual 4 -Because "kernel median $($k.P50Ns) ns, engine median $($e.P50Ns) ns"
        }
    }
}
