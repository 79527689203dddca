# Dynamic probes on this machine's kernel: uprobes and uretprobes by symbol (libc, a PIE program of our own), USDT
# probes with arguments and a semaphore, libstdc++'s libstdcxx:throw, probes made for one trace, the kernel's own
# explanations of bad definitions, Get | Remove pipelines, and kprobes where the kernel has none. Kprobes themselves
# run in the kernel VM (tests/kernel-vm/Probes.Tests.ps1).
BeforeDiscovery { . $PSScriptRoot/KernelFeatures.ps1 }
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:StateBefore = Get-KernelTraceState
    $script:Dyn = "$script:Tracefs/dynamic_events"
    function Get-DynamicEvents { "$(Get-Content $script:Dyn -Raw)".Trim() }
    $script:Libc = (& ldd /bin/true | Select-String -Pattern '(\S*libc\.so\.6)\s+\(' | ForEach-Object { $_.Matches[0].Groups[1].Value } | Select-Object -First 1)
}
AfterAll {
    Get-UProbe lt_* -ErrorAction SilentlyContinue | Remove-UProbe -Force -Confirm:$false
    Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty
}

Describe 'uprobes by symbol' -Tag 'needs:uprobes' -Skip:(-not (Test-KernelFeature uprobes)) {
    AfterEach { Get-UProbe lt_* -ErrorAction SilentlyContinue | Remove-UProbe -Force -Confirm:$false }

    It 'a uprobe on getpid in the libc that ldd /bin/true shows catches every call; the uretprobe''s $retval is what the program got' -Tag 'needs:cc', 'needs:sdt-header' {
        $exe = Get-TestProgram probe_target
        $libc | Should -Not -BeNullOrEmpty
        $p = Add-UProbe -Name lt_getpid -Path $libc -Function getpid -PassThru
        $p.Path | Should -Be $libc
        # the offset is the symbol's file offset, as nm -D and the program headers give it
        $sym = & nm -D $libc | Where-Object { $_ -match '\s[TW]\s+getpid(@|$)' } | Select-Object -First 1
        $vaddr = [Convert]::ToInt64(($sym -split '\s+')[0], 16)
        $load = & readelf -lW $libc | Where-Object { $_ -match '^\s+LOAD\s+0x(\S+)\s+0x(\S+)\s+\S+\s+\S+\s+0x(\S+)\s+R E' } | Select-Object -First 1
        $null = $load -match '^\s+LOAD\s+0x(\S+)\s+0x(\S+)\s+\S+\s+\S+\s+0x(\S+)'
        $p.Offset | Should -Be ($vaddr - [Convert]::ToInt64($Matches[2], 16) + [Convert]::ToInt64($Matches[1], 16))
        Add-UProbe -Name lt_getpidr -Path libc -Function getpid -Return -Argument @{ ret = '$retval:s32' }

        $events = @(Start-Trace -Event uprobes:lt_getpid, uprobes:lt_getpidr -Command $exe -ArgumentList 7 | Where-Object { $_ -is [LinuxTrace.TraceEvent] })
        $calls = @($events | Where-Object EventName -eq lt_getpid)
        $returns = @($events | Where-Object EventName -eq lt_getpidr)
        $calls.Count | Should -Be 7
        $returns.Count | Should -Be 7
        @($returns | Where-Object { $_.ret -ne $_.ProcessId }).Count | Should -Be 0
        $returns[0].GetType().GetProperty('ret').PropertyType | Should -Be ([int])
        (Get-UProbe lt_getpid).Hits | Should -BeGreaterOrEqual 7
    }

    It 'a function of a PIE program by name: its arguments and its return value, typed' -Tag 'needs:cc', 'needs:sdt-header' {
        $exe = Get-TestProgram probe_target
        Push-Location (Split-Path $exe)
        try {
            # a relative path resolves against PowerShell's location
            Add-UProbe lt_add -Path ./probe_target -Function lt_add -Argument ([ordered]@{ a = '%di:s32'; b = '%si:s32' })
            Add-UProbe lt_addr -Path ./probe_target -Function lt_add -Return -Argument 'ret=$retval:s32'
        }
        finally { Pop-Location }
        (Get-UProbe lt_add).Path | Should -Be $exe
        $events = @(Start-Trace -Event uprobes:lt_add, uprobes:lt_addr -Command $exe -ArgumentList 4 | Where-Object { $_ -is [LinuxTrace.TraceEvent] })
        $entries = @($events | Where-Object EventName -eq lt_add)
        "$($entries.a)" | Should -Be '1 2 3 4'
        "$($entries.b)" | Should -Be '100 200 300 400'
        "$(($events | Where-Object EventName -eq lt_addr).ret)" | Should -Be '101 202 303 404'
    }

    It 'a library name resolves through a running process''s maps with -ProcessId, and through the linker cache without' {
        $mapped = Get-Content /proc/$PID/maps | Where-Object { $_ -match '\s(/\S*/libc\.so\.6)$' } | ForEach-Object { $Matches[1] } | Select-Object -First 1
        (Add-UProbe lt_viapid -Path libc -Function getpid -ProcessId $PID -PassThru).Path | Should -Be $mapped
        $cached = & /sbin/ldconfig -p | Where-Object { $_ -match '^\s*libc\.so\.6 \(libc6,x86-64\) => (\S+)' } | ForEach-Object { $Matches[1] } | Select-Object -First 1
        if ($cached) { (Add-UProbe lt_viacache -Path libc -Function getpid -PassThru).Path | Should -Be $cached }
    }

    It 'unknown functions and files are errors that say so, with close matches, and make nothing' {
        $before = Get-DynamicEvents
        $e = Get-Failure { Add-UProbe lt_bad -Path libc -Function getpidd -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'UserFunctionNotFound*'
        $e.Exception.Message | Should -Match 'Close matches: getpid'
        $e = Get-Failure { Add-UProbe lt_bad -Path /nonexistent/prog -Function main -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'ProbeFileNotFound*'
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e = Get-Failure { Add-UProbe lt_bad -Path nosuchlibrary_lt -Function main -ErrorAction Stop }
        $e.Exception.Message | Should -Match 'linker cache'
        Get-DynamicEvents | Should -Be $before
    }

    It 'a definition the kernel refuses is an error with the kernel''s own words and caret, and leaves nothing' -ForEach @(
        @{ Arg = 'x=%zz:u32'; Words = 'Invalid register name' }
        @{ Arg = 'x=%di:u33'; Words = 'Unknown type is specified' }
        @{ Arg = 'x=+0(%di:u32'; Words = 'brace is not closed' }
    ) {
        $before = Get-DynamicEvents
        $e = Get-Failure { Add-UProbe lt_bad -Path libc -Function getpid -Argument $Arg -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'ProbeRejected*'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception.Message | Should -Match $Words
        $e.Exception.KernelErrorPosition | Should -BeGreaterThan 0
        $e.Exception.Message | Should -Match "(?m)^\s+\^$"
        Get-DynamicEvents | Should -Be $before
    }

    It 'a name another event has is refused: a probe''s by LinuxTrace, a tracepoint''s by the kernel' {
        Add-UProbe lt_dup -Path libc -Function getpid
        $before = Get-DynamicEvents
        $e = Get-Failure { Add-UProbe lt_dup -Path libc -Function getppid -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'ProbeExists*'
        $e = Get-Failure { Add-UProbe sched_switch -Group sched -Path libc -Function getpid -ErrorAction Stop }
        $e.Exception.Message | Should -Match 'already used by another event'
        Get-DynamicEvents | Should -Be $before
    }

    It '-WhatIf checks the function and creates nothing' {
        $before = Get-DynamicEvents
        Add-UProbe lt_whatif -Path libc -Function getpid -WhatIf
        Get-DynamicEvents | Should -Be $before
    }

    It 'Get-UProbe | Remove-UProbe pipes by property name; a probe a trace has enabled is refused unless -Force' {
        Add-UProbe lt_a -Path libc -Function getpid
        Add-UProbe lt_b -Path libc -Function getppid -Group lt_group
        @(Get-UProbe lt_*).Count | Should -Be 2
        (Get-UProbe lt_b).EventName | Should -Be 'lt_group:lt_b'
        $s = Start-Trace -Event uprobes:lt_a -AsSession
        try {
            (Get-UProbe lt_a).EnabledIn | Should -Be $s.InstanceName
            $e = Get-Failure { Get-UProbe lt_a | Remove-UProbe -ErrorAction Stop }
            $e.FullyQualifiedErrorId | Should -BeLike 'ProbeEnabled*'
            $e.Exception.Message | Should -Match ([regex]::Escape($s.InstanceName))
            Get-UProbe lt_a | Should -Not -BeNullOrEmpty
            Get-UProbe lt_* | Remove-UProbe -Force
            Get-UProbe lt_* | Should -BeNullOrEmpty
        }
        finally { $s | Stop-Trace | Out-Null }
        $e = Get-Failure { Get-UProbe lt_nothing -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'ProbeNotFound*'
    }

    It 'a probe made again under the same name is decoded by its new format' {
        Add-UProbe lt_same -Path libc -Function getpid -Argument 'first=%di:u32'
        $one = Start-Trace -Event uprobes:lt_same -Command /bin/sh -ArgumentList '-c', 'echo $$ >/dev/null' | Where-Object { $_ -is [LinuxTrace.TraceEvent] } | Select-Object -First 1
        $one.PSObject.Properties['first'] | Should -Not -BeNullOrEmpty
        Remove-UProbe lt_same
        Add-UProbe lt_same -Path libc -Function getpid -Argument 'comm=$comm:string'
        $two = Start-Trace -Event uprobes:lt_same -Command /bin/sh -ArgumentList '-c', 'echo $$ >/dev/null' | Where-Object { $_ -is [LinuxTrace.TraceEvent] } | Select-Object -First 1
        $two.comm | Should -Be 'sh'
        $two.PSObject.Properties['first'] | Should -BeNullOrEmpty
    }

    It 'completes ELF function names after -Path, and probe names' {
        Get-Completion 'Add-UProbe lt_x -Path libc -Function getpi' | Should -Contain 'getpid'
        Add-UProbe lt_complete -Path libc -Function getpid
        Get-Completion 'Remove-UProbe lt_comp' | Should -Be 'lt_complete'
        Get-Completion 'Get-UsdtProbe libstdc++ -Name thr' | Should -BeNullOrEmpty # names are patterns, not completed
        Get-Completion 'Add-UProbe -Path libstdc++ -Sdt libstdcxx:th' | Should -Be 'libstdcxx:throw'
    }
}

Describe 'USDT probes' -Tag 'needs:uprobes' -Skip:(-not (Test-KernelFeature uprobes)) {
    AfterEach { Get-UProbe lt_*, throw, tick -ErrorAction SilentlyContinue | Remove-UProbe -Force -Confirm:$false }

    It 'Get-UsdtProbe reads the note: location, semaphore, typed arguments' -Tag 'needs:cc', 'needs:sdt-header' {
        $exe = Get-TestProgram probe_target
        $u = Get-UsdtProbe $exe linuxtrace:tick
        $u.FullName | Should -Be 'linuxtrace:tick'
        $note = & readelf -nW $exe | Out-String
        $null = $note -match 'Location: 0x([0-9a-f]+), Base: 0x[0-9a-f]+, Semaphore: 0x([0-9a-f]+)'
        $u.Address | Should -Be ([Convert]::ToUInt64($Matches[1], 16))
        $u.SemaphoreAddress | Should -Be ([Convert]::ToUInt64($Matches[2], 16))
        $u.ArgumentSpecs.Count | Should -Be 3
        @($u.Arguments.Type) | Should -Be @('s32', 's64', 's32')
    }

    It 'a USDT probe with a semaphore fires (the kernel raises it) with the values the program passed' -Tag 'needs:cc', 'needs:sdt-header' {
        $exe = Get-TestProgram probe_target
        $p = Add-UProbe lt_tick -Path $exe -Sdt linuxtrace:tick -PassThru
        $p.ReferenceCounterOffset | Should -Not -BeNullOrEmpty
        $events = @(Start-Trace -Event uprobes:lt_tick -Command $exe -ArgumentList 3 | Where-Object { $_ -is [LinuxTrace.TraceEvent] })
        # the program fires the probe only when its semaphore is raised
        $events.Count | Should -Be 3
        "$($events.arg1)" | Should -Be '1 2 3'
        "$($events.arg2)" | Should -Be '-1000 -2000 -3000'
        "$($events.arg3)" | Should -Be '101 202 303'
        $events[0].arg2 | Should -BeOfType [long]
    }

    It 'libstdcxx:throw fires once per exception a program throws' -Tag 'needs:c++' {
        $exe = Get-TestProgram exceptions
        Add-UProbe -Path libstdc++ -Sdt libstdcxx:throw
        $events = @(Start-Trace -Event uprobes:throw -Command $exe -ArgumentList 5 | Where-Object { $_ -is [LinuxTrace.TraceEvent] })
        $events.Count | Should -Be 5
        @($events | Where-Object arg1 -eq 0).Count | Should -Be 0 # the exception object
    }

    It 'a probe name the file does not have lists what it has' {
        $e = Get-Failure { Add-UProbe -Path libstdc++ -Sdt libstdcxx:thrown -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'UsdtProbeNotFound*'
        $e.Exception.Message | Should -Match 'libstdcxx:throw'
    }
}

Describe 'probes for one trace' -Tag 'needs:uprobes' -Skip:(-not (Test-KernelFeature uprobes)) {
    It 'Start-Trace -UProbe makes the probes, traces them and removes them, also after Select-Object -First and an error' -Tag 'needs:cc', 'needs:sdt-header' {
        $exe = Get-TestProgram probe_target
        $before = Get-DynamicEvents
        $events = @(Start-Trace -UProbe 'r:lt_once libc:getpid ret=$retval:s32', "p:lt_add2 ${exe}:lt_add a=%di:s32" -Command $exe -ArgumentList 2 |
            Where-Object { $_ -is [LinuxTrace.TraceEvent] })
        ($events | Group-Object EventName | ForEach-Object { "$($_.Name)=$($_.Count)" } | Sort-Object) -join ' ' | Should -Be 'lt_add2=2 lt_once=2'
        Get-DynamicEvents | Should -Be $before
        $first = Start-Trace -UProbe 'p:lt_first libc:getpid' -Command $exe -ArgumentList 50 | Where-Object { $_ -is [LinuxTrace.TraceEvent] } | Select-Object -First 1
        $first.EventName | Should -Be 'lt_first'
        Get-DynamicEvents | Should -Be $before
        { Start-Trace -UProbe 'p:lt_throw libc:getpid' -Command $exe -ArgumentList 5 | ForEach-Object { throw 'in the pipeline' } } | Should -Throw 'in the pipeline'
        Get-DynamicEvents | Should -Be $before
        Get-OurInstance | Should -BeNullOrEmpty
    }

    It 'the probes of a trace whose process was killed (SIGKILL) go with its orphaned instance, at the next trace' {
        $before = Get-DynamicEvents
        $pwsh = Get-PwshCommand
        $script = "Import-Module '$RepoRoot/LinuxTrace.psd1'; `$s = Start-Trace -UProbe 'p:lt_orphan libc:getpid' -AsSession; [Console]::Out.WriteLine('inst:' + `$s.InstanceName); [Console]::Out.Flush(); Start-Sleep 300"
        $psi = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $script)) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $child = [Diagnostics.Process]::Start($psi)
        try {
            $line = Wait-Until { $l = $child.StandardOutput.ReadLine(); if ($null -eq $l -or $l -like 'inst:*') { $l } } -TimeoutSeconds 60 -Because 'the child''s trace to start'
            $inst = $line.Substring(5)
            Get-UProbe lt_orphan | Should -Not -BeNullOrEmpty
            & kill -KILL $child.Id
            $child.WaitForExit(10000) | Should -BeTrue
            Start-Trace -Event sched:sched_process_exec -Command /bin/true -WarningAction SilentlyContinue | Out-Null
            Test-Path "$Tracefs/instances/$inst" | Should -BeFalse
            Get-UProbe lt_orphan -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Get-DynamicEvents | Should -Be $before
        }
        finally { if (-not $child.HasExited) { $child.Kill($true) } }
    }

    It 'a bad probe definition stops the trace before anything changes' {
        $before = Get-KernelTraceState
        $e = Get-Failure { Start-Trace -UProbe 'p:lt_ok libc:getpid', 'p:lt_bad libc:getpid x=%zz' -Duration 00:00:01 }
        $e.Exception.Message | Should -Match 'Invalid register name'
        $e = Get-Failure { Start-Trace -UProbe 'p:lt_bad libc:nosuchfunction_lt' -Duration 00:00:01 }
        $e.FullyQualifiedErrorId | Should -BeLike 'UserFunctionNotFound*'
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
    }

    It 'records probe events to a file that trace-cmd report reads field for field' -Tag 'needs:trace-cmd', 'needs:cc', 'needs:sdt-header' {
        $exe = Get-TestProgram probe_target
        $file = Join-Path $TestDrive 'uprobes.dat'
        Start-Trace -UProbe "p:lt_add3 ${exe}:lt_add a=%di:s32 b=%si:u32", 'r:lt_pid3 libc:getpid ret=$retval:s32' -Command $exe -ArgumentList 3 -OutFile $file
        @(Get-TraceEvent -LiteralPath $file | Where-Object EventName -eq lt_add3).a -join ' ' | Should -Be '1 2 3'
        Compare-WithTraceCmd $file | Should -BeNullOrEmpty
    }
}

Describe 'kprobes where the kernel has none' -Tag 'needs:no-kprobes' -Skip:(-not (Test-KernelFeature no-kprobes)) {
    It 'Add-KProbe and Start-Trace -KProbe say the kernel has no kprobe events, and change nothing' {
        $before = Get-KernelTraceState
        $e = Get-Failure { Add-KProbe lt_open do_sys_openat2 -Argument @{ filename = '+0(%si):string' } -ErrorAction Stop }
        $e.CategoryInfo.Category | Should -Be 'NotImplemented'
        $e.Exception.Message | Should -Match 'CONFIG_KPROBE_EVENTS'
        $e = Get-Failure { Start-Trace -KProbe 'p:lt_open do_sys_openat2' -Duration 00:00:01 }
        $e.CategoryInfo.Category | Should -Be 'NotImplemented'
        @(Get-KProbe).Count | Should -Be 0
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
    }

    It 'an unknown kernel function still gets close matches from kallsyms' {
        $e = Get-Failure { Add-KProbe lt_open do_sys_openat -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'KernelFunctionNotFound*'
        $e.Exception.Message | Should -Match 'do_sys_openat2'
    }
}
