# The seed's walkthrough on a kernel that has the function tracers (the kernel VM): Set-GraphFunction, Start-Trace
# -Tracer function_graph / function and FunctionCall pairing against what trace-cmd records in the same guest, and the
# kernel left as it was found. The recorded graph file's Format-TraceGraph and Measure-FunctionCall are compared with
# trace-cmd report on the host (tests/kernel-vm/host/VmFiles.Tests.ps1).
BeforeDiscovery { . $PSScriptRoot/../KernelFeatures.ps1 }
BeforeAll {
    . $PSScriptRoot/../Common.ps1
    $script:StateBefore = Get-KernelTraceState

    # The functions do_sys_openat2 calls directly (the open path's steps; deeper levels vary with the caches).
    function Get-CalleeSet($Calls, [string] $Root = 'do_sys_openat2') {
        $set = [System.Collections.Generic.HashSet[string]]::new()
        foreach ($r in $Calls) {
            if ($r.Function -ne $Root -or $r.Status -ne 'Returned') { continue }
            foreach ($c in $r.Children) { if ($c.Function -notmatch '^(irq_|__sysvec_|sysvec_|__irq)') { [void]$set.Add($c.Function) } }  # not interrupts
        }
        $set
    }
}
AfterAll {
    Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty
}

Describe 'function_graph (kernel VM)' -Tag 'needs:function-graph' -Skip:(-not (Test-KernelFeature function-graph)) {
    It 'refuses a misspelt function with close matches, and writes nothing' {
        $before = Get-KernelTraceState
        $err = try { Set-GraphFunction do_sys_openat; $null } catch { $_ }
        $err.FullyQualifiedErrorId | Should -Be 'FunctionNotFound,LinuxTrace.Commands.SetGraphFunctionCommand'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -Match 'Close matches: do_sys_openat2'
        { Start-Trace -Tracer function_graph -GraphFunction do_sys_openat -Command /bin/true } | Should -Throw -ErrorId 'FunctionNotFound,LinuxTrace.Commands.StartTraceCommand'
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
    }

    It 'Set-GraphFunction, Get-GraphFunction and Clear-GraphFunction write and read the kernel''s files' {
        Set-GraphFunction do_sys_openat2, 'vfs_rea*' -NoTrace kmem_cache_alloc -MaxDepth 4 -WhatIf
        "$(Get-Content "$Tracefs/set_graph_function" -Raw)" | Should -Match '^#### all functions enabled'
        $set = Set-GraphFunction do_sys_openat2 -NoTrace kmem_cache_alloc -MaxDepth 4 -PassThru
        try {
            $set.Function | Should -Be @([IO.File]::ReadAllLines("$Tracefs/set_graph_function"))
            $set.Function | Should -Contain 'do_sys_openat2'
            $set.NoTrace | Should -Be 'kmem_cache_alloc'
            (Get-Content "$Tracefs/max_graph_depth").Trim() | Should -Be '4'
            (Get-GraphFunction).MaxDepth | Should -Be 4
            Set-GraphFunction 'vfs_rea*' -Append | Out-Null
            (Get-GraphFunction).Function | Should -Contain 'vfs_read'
            (Get-GraphFunction).Function | Should -Contain 'do_sys_openat2'
        }
        finally { Get-GraphFunction | Clear-GraphFunction }
        $after = Get-GraphFunction
        $after.Function | Should -BeNullOrEmpty
        $after.NoTrace | Should -BeNullOrEmpty
        $after.MaxDepth | Should -Be 0
    }

    It 'runs the walkthrough: the same call graph under do_sys_openat2 as trace-cmd, and the top buffer as it was' -Tag 'needs:trace-cmd' -Skip:(-not (Test-KernelFeature trace-cmd)) {
        $before = Get-KernelTraceState
        & ls / > $null   # warm caches, so that both runs take the same paths
        # the walkthrough's order: the filter first, then the tracer
        Set-GraphFunction do_sys_openat2
        try {
            $during = $null
            $calls = @(Start-Trace -Tracer function_graph -Option funcgraph-proc -Command ls -ArgumentList / -SummaryVariable sum | ForEach-Object {
                    if ($null -eq $during) { $during = "$(Get-Content "$Tracefs/current_tracer") $(Get-Content "$Tracefs/options/funcgraph-proc")" }
                    $_ })
        }
        finally { Clear-GraphFunction }
        $during | Should -Be 'function_graph 1'
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
        (Get-Content "$Tracefs/current_tracer").Trim() | Should -Be 'nop'

        # (foreach, not Where-Object: ls's opens are some 20,000 calls, and every pipeline step is slow in the emulator)
        @(foreach ($c in $calls) { if ($c -isnot [LinuxTrace.FunctionCall]) { $c } }) | Should -BeNullOrEmpty
        $ls = @(foreach ($c in $calls) { if ($c.Command -eq 'ls') { $c } })
        $roots = @(foreach ($c in $ls) { if ($c.Function -eq 'do_sys_openat2') { $c } })
        $roots.Count | Should -BeGreaterThan 3
        $roots | Where-Object { $_.GetParent() -or $_.Depth -ne 0 } | Should -BeNullOrEmpty
        # every call sits below its caller and inside its caller's time, and took time (one Should, a few trees: the
        # guest is slow)
        $bad = foreach ($r in $roots | Where-Object Status -eq Returned | Select-Object -First 5) {
            foreach ($c in $r.Descendants()) {
                if ($c.DurationNs -le 0) { "$($c.Function): no duration" }
                elseif (-not $c.GetParent()) { }
                elseif ($c.Depth -lt $c.GetParent().Depth) { "$($c.Function) under $($c.Caller): depth $($c.Depth) < $($c.GetParent().Depth)" }
                # at the caller's depth: an interrupt that came in the caller's return path, after its return time
                # was taken; it is shown inside the caller, as trace-cmd report shows it, but its time is not the caller's
                elseif ($c.Depth -gt $c.GetParent().Depth -and ($c.TimestampNs -lt $c.GetParent().TimestampNs -or $c.DurationNs -gt $c.GetParent().DurationNs)) { "$($c.Function) under $($c.Caller): outside its time" }
            }
        }
        $bad | Select-Object -First 5 | Should -BeNullOrEmpty
        $sum.KernelLost | Should -Be 0

        # trace-cmd in the same guest
        $dat = Join-Path $TestDrive 'tc-graph.dat'
        Invoke-TraceCmd @('record', '-q', '-p', 'function_graph', '-g', 'do_sys_openat2', '-O', 'funcgraph-proc', '-o', $dat, 'ls', '/') -TimeoutSeconds 120 | Out-Null
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty -Because 'trace-cmd resets what it set'
        $theirs = @(foreach ($c in Get-FunctionCall $dat) { if ($c.Command -eq 'ls') { $c } })
        $ourSet = Get-CalleeSet $ls
        $theirSet = Get-CalleeSet $theirs
        foreach ($f in 'getname', 'get_unused_fd_flags', 'do_filp_open') { $ourSet | Should -Contain $f; $theirSet | Should -Contain $f }
        # the same steps of the open path: what one run saw and the other did not (a slow path) is a small part
        $common = @($ourSet | Where-Object { $theirSet.Contains($_) }).Count
        $union = $ourSet.Count + $theirSet.Count - $common
        ($common / $union) | Should -BeGreaterThan 0.8 -Because "ours only: $(@($ourSet | Where-Object { -not $theirSet.Contains($_) }) -join ', '); trace-cmd only: $(@($theirSet | Where-Object { -not $ourSet.Contains($_) }) -join ', ')"
    }

    It 'records a graph file (trace-cmd reports its structure on the host)' {
        $dat = Join-Path $TestDrive 'ours-graph.dat'
        $before = Get-KernelTraceState
        Start-Trace -Tracer function_graph -GraphFunction do_sys_openat2 -Command /bin/cat -ArgumentList /etc/os-release -OutFile $dat | Out-Null
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
        @(foreach ($c in Get-FunctionCall $dat) { if ($c.Command -eq 'cat' -and $c.Function -eq 'do_sys_openat2') { $c } }).Count | Should -BeGreaterThan 0
        Save-VmFile $dat 'graph.dat'
    }

    It 'follows the children of the program it starts (-FollowChildren), and nothing else' {
        $before = Get-KernelTraceState
        $calls = @(Start-Trace -Tracer function_graph -GraphFunction do_sys_openat2 -FollowChildren -Command /bin/sh -ArgumentList '-c', 'cat /etc/hostname > /dev/null; cat /etc/os-release > /dev/null')
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
        # (the program was once forked after this process's threads went into the notrace pid lists: with event-fork
        # and function-fork it inherited their place there, and nothing was recorded)
        $byCommand = $calls | Group-Object Command
        $byCommand.Name | Should -Contain 'cat'
        # (each followed child's command is kept from its fork and exec records: the kernel's saved_cmdlines is a small
        # table, and a short-lived cat pushed out of it by the guest's other tasks once made its calls '<...>')
        $byCommand.Name | Where-Object { $_ -notin 'sh', 'cat' } | Should -BeNullOrEmpty
        @($calls | Where-Object { $_.Command -eq 'cat' -and $_.Function -eq 'do_sys_openat2' }).Count | Should -BeGreaterOrEqual 2
    }

    It '-MaxGraphDepth 2 keeps the graph two calls deep; -Raw streams the entry and exit records themselves' {
        $before = Get-KernelTraceState
        $calls = @(Start-Trace -Tracer function_graph -GraphFunction do_sys_openat2 -MaxGraphDepth 2 -Command /bin/cat -ArgumentList /etc/hostname)
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty -Because 'max_graph_depth is put back'
        $roots = @($calls | Where-Object { $_.Command -eq 'cat' -and $_.Function -eq 'do_sys_openat2' })
        $roots.Count | Should -BeGreaterThan 0
        @($roots | Where-Object { $_.Children.Count -gt 0 }).Count | Should -BeGreaterThan 0 -Because 'the second level is there'
        @($roots | ForEach-Object { $_.Descendants() } | Where-Object { $_.Depth -gt $roots[0].Depth + 1 }).Count | Should -Be 0
        $raw = @(Start-Trace -Tracer function_graph -GraphFunction do_sys_openat2 -MaxGraphDepth 2 -Raw -Command /bin/cat -ArgumentList /etc/hostname)
        @($raw | Where-Object { $_ -is [LinuxTrace.FunctionCall] }).Count | Should -Be 0
        $entries = @($raw | Where-Object EventName -eq 'funcgraph_entry')
        $exits = @($raw | Where-Object EventName -eq 'funcgraph_exit')
        $entries.Count | Should -BeGreaterThan 0
        $exits.Count | Should -BeGreaterThan 0
        @($entries | Where-Object { $_.depth -gt 1 }).Count | Should -Be 0 -Because 'the kernel''s own depth field, under its own name'
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
    }

    It 'refuses the top buffer while another tracer runs there, and leaves it running' {
        # another tool's function tracer, on one rare function (all of them would crawl under emulation)
        Set-FunctionFilter vfs_fsync
        Set-Content "$Tracefs/current_tracer" 'function'
        try {
            { Start-Trace -Tracer function_graph -GraphFunction do_sys_openat2 -Command /bin/true } | Should -Throw -ErrorId 'TopBufferBusy,LinuxTrace.Commands.StartTraceCommand'
            (Get-Content "$Tracefs/current_tracer").Trim() | Should -Be 'function'
        }
        finally { Set-Content "$Tracefs/current_tracer" 'nop'; Clear-FunctionFilter }
    }

    It 'needs -Force to trace every function' {
        $before = Get-KernelTraceState
        { Start-Trace -Tracer function_graph -Command /bin/true } | Should -Throw -ErrorId 'UnfilteredFunctionTracer,LinuxTrace.Commands.StartTraceCommand'
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
    }
}

Describe 'function tracer (kernel VM)' -Tag 'needs:function' -Skip:(-not (Test-KernelFeature function)) {
    It 'traces only the functions -Function names, with their callers, in a private instance' {
        $before = Get-KernelTraceState
        $inst = $null
        $ev = @(Start-Trace -Tracer function -Function 'vfs_*' -Command /bin/cat -ArgumentList /etc/os-release | ForEach-Object {
                if (-not $inst) { $inst = @(Get-OurInstance)[0].Name; $filter = @([IO.File]::ReadAllLines("$Tracefs/instances/$inst/set_ftrace_filter")) }
                $_ })
        $inst | Should -BeLike 'linuxtrace-*'
        $filter | Should -Contain 'vfs_read'
        $filter | Where-Object { $_ -notlike 'vfs_*' } | Should -BeNullOrEmpty
        $ev.Count | Should -BeGreaterThan 0
        $ev | Where-Object { $_.Function -notlike 'vfs_*' } | Should -BeNullOrEmpty
        $ev | Where-Object { -not $_.Parent -or $_.Parent -like '0x*' } | Should -BeNullOrEmpty
        $ev.Function | Should -Contain 'vfs_read'
        $ev | Where-Object ProcessName -ne 'cat' | Should -BeNullOrEmpty
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
    }

    It 'Set-FunctionFilter, Get-FunctionFilter and Clear-FunctionFilter write and read an instance''s filter files' {
        $name = New-TestInstanceName
        New-TraceInstance $name | Out-Null
        try {
            Set-FunctionFilter 'vfs_rea*' -Instance $name
            Set-FunctionFilter vfs_fsync -Instance $name -Append
            $f = Get-FunctionFilter -Instance $name
            $f.Instance | Should -Be $name
            $f.Function | Should -Contain 'vfs_read'
            $f.Function | Should -Contain 'vfs_fsync'
            @($f.Function | Sort-Object) | Should -Be @([IO.File]::ReadAllLines("$Tracefs/instances/$name/set_ftrace_filter") | Sort-Object)
            Get-FunctionFilter -Instance $name | Clear-FunctionFilter
            (Get-FunctionFilter -Instance $name).Function | Should -BeNullOrEmpty
        }
        finally { Remove-TraceInstance $name -Confirm:$false }
    }

    It 'follows the children of the program it starts (-FollowChildren), and nothing else' {
        $before = Get-KernelTraceState
        $ev = @(Start-Trace -Tracer function -Function vfs_read -FollowChildren -Command /bin/sh -ArgumentList '-c', 'cat /etc/hostname > /dev/null; cat /etc/os-release > /dev/null')
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
        @($ev | Where-Object ProcessName -eq 'cat').Count | Should -BeGreaterOrEqual 2
        $ev | Where-Object { $_.ProcessName -notin 'sh', 'cat' } | Should -BeNullOrEmpty
    }
}
