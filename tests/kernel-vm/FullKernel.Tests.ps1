# Tests that need a full-featured kernel: run inside Debian's kernel under QEMU (tests/kernel-vm/guest.sh, started by
# tests/TestRunner.psm1), one pwsh for all of them. Each needs what the kernel's own files show; on a kernel without
# it the test is skipped with that reason, and the test run fails if the machine had it after all.
BeforeDiscovery { . $PSScriptRoot/../KernelFeatures.ps1 }
BeforeAll {
    . $PSScriptRoot/../Common.ps1
    $script:StateBefore = Get-KernelTraceState
}
AfterAll {
    Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty
}

Describe 'Full kernel (kernel VM)' -Tag 'needs:kernel-vm' -Skip:(-not (Test-KernelFeature kernel-vm)) {
    It 'reports the function tracer, function_graph, kprobes and hist triggers as this kernel''s files show them' {
        $caps = @{}
        Get-TraceCapability | ForEach-Object { $caps[$_.Name] = $_.State }
        $caps['function tracer'] | Should -Be $(if (Test-KernelFeature function) { 'Available' } else { 'NotBuiltIn' })
        $caps['function_graph'] | Should -Be $(if (Test-KernelFeature function-graph) { 'Available' } else { 'NotBuiltIn' })
        $caps['kprobes'] | Should -Be $(if (Test-KernelFeature kprobes) { 'Available' } else { 'NotBuiltIn' })
        $caps['hist triggers'] | Should -Be $(if (Test-KernelFeature hist) { 'Available' } else { 'NotBuiltIn' })
        (Get-AvailableTracer).Name | Should -Be (Get-KernelTracer)
    }

    It 'lists traceable functions and suggests do_sys_openat2 for a misspelt name' -Tag 'needs:function' -Skip:(-not (Test-KernelFeature function)) {
        $listed = @(Get-TraceFunction do_sys_open*).Name
        $listed | Should -Be @([IO.File]::ReadAllLines("$Tracefs/available_filter_functions") -match '^do_sys_open' -replace ' .*')
        $listed | Should -Contain 'do_sys_openat2'
        $err = $null
        Get-TraceFunction do_sys_opnat2 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'FunctionNotFound,LinuxTrace.Commands.GetTraceFunctionCommand'
        $err[0].Exception.Message | Should -Match 'do_sys_openat2'
    }

    It 'decodes function-tracer events of an instance, with symbols from kallsyms' -Tag 'needs:function' -Skip:(-not (Test-KernelFeature function)) {
        $name = New-TestInstanceName
        $topBuffer = "$(Get-Content "$Tracefs/buffer_size_kb" -Raw)".Trim()
        New-TraceInstance $name | Out-Null
        try {
            $dir = "$Tracefs/instances/$name"
            Set-Content "$dir/set_ftrace_filter" 'do_sys_openat2'
            Set-Content "$dir/current_tracer" 'function'
            Get-Content /etc/os-release | Out-Null
            Set-Content "$dir/tracing_on" '0'
            $ev = @(Get-TraceEvent -Instance $name -Event ftrace:function)
            $ev.Count | Should -BeGreaterThan 0
            $ev | Where-Object EventName -ne 'function' | Should -BeNullOrEmpty
            $ev | Where-Object ip_symbol -ne 'do_sys_openat2' | Should -BeNullOrEmpty
            $ev | Where-Object { -not $_.parent_ip_symbol } | Should -BeNullOrEmpty
        }
        finally {
            Set-Content "$Tracefs/instances/$name/current_tracer" 'nop' -ErrorAction SilentlyContinue
            Remove-TraceInstance $name -Confirm:$false
            # 6.1: a tracer in an instance marks every buffer expanded, and the top one, not yet allocated, then
            # stays at its 7 KB placeholder: give it back the size it was waiting for
            if ($topBuffer -match 'expanded: (\d+)' -and "$(Get-Content "$Tracefs/buffer_size_kb" -Raw)" -notmatch 'expanded') { Set-Content "$Tracefs/buffer_size_kb" $Matches[1] }
        }
    }

    It 'has no kernel field, in any event of this kernel, whose name a record property takes (PowerShell ignores case)' {
        $reserved = @([LinuxTrace.TraceEvent].GetProperties().Name)
        $collisions = foreach ($t in Get-TraceEventType) { foreach ($f in $t.Fields) { if ($reserved -contains $f.Name) { "$($t.FullName).$($f.Name)" } } }
        $collisions | Should -BeNullOrEmpty
    }

    It 'streams events from this kernel''s formats and cleans up' {
        $e = Start-Trace -Event sched:sched_switch | Select-Object -First 20
        $e.Count | Should -Be 20
        $e[0].GetType().GetProperty('prev_comm').PropertyType | Should -Be ([string])
        Get-OurInstance | Should -BeNullOrEmpty
    }

    # (trace-cmd reads both files on the host, field for field: tests/kernel-vm/host/VmFiles.Tests.ps1)
    It 'records a trace.dat of this kernel''s events (read by trace-cmd on the host)' {
        $dat = Join-Path $TestDrive 'vm.dat'
        Start-Trace -Event sched:sched_process_exec, sched:sched_switch -FollowChildren -Command /bin/bash -ArgumentList '-c', 'ls / >/dev/null; /bin/true' -OutFile $dat
        (Get-TraceEvent $dat -Event sched_process_exec).filename | Should -Contain '/bin/true'
        Save-VmFile $dat 'sched.dat'
    }

    It 'reads a function-tracer file trace-cmd recorded in this guest (compared event for event on the host)' -Tag 'needs:function' -Skip:(-not (Test-KernelFeature function)) {
        $dat = Join-Path $TestDrive 'tc-function.dat'
        Invoke-TraceCmd @('record', '-q', '-p', 'function', '-l', 'vfs_read', '-l', 'vfs_write', '-o', $dat, '-F', '/bin/cat', '/etc/os-release') -TimeoutSeconds 120
        $ours = @(Get-TraceEvent $dat -Event ftrace:function)
        $ours.Count | Should -BeGreaterThan 0
        $ours.ip_symbol | Sort-Object -Unique | Should -BeIn @('vfs_read', 'vfs_write')
        Save-VmFile $dat 'tc-function.dat'
    }
}
