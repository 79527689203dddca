# Tests that need a full-featured kernel: run by tests/kernel-vm/run.sh inside Debian's kernel under QEMU.
# On a host without these features they skip, with the reason.
BeforeAll {
    . $PSScriptRoot/../Common.ps1
    $script:Caps = @{}
    Get-TraceCapability | ForEach-Object { $script:Caps[$_.Name] = $_ }
}
AfterAll {
    Get-OurInstance | Should -BeNullOrEmpty
}

Describe 'Full kernel (kernel VM)' -Skip:(-not $env:KVM_GUEST) {
    It 'reports the function tracer, function_graph, kprobes and hist triggers as available' {
        $Caps['function tracer'].State | Should -Be 'Available'
        $Caps['function filters'].State | Should -Be 'Available'
        $Caps['function_graph'].State | Should -Be 'Available'
        $Caps['kprobes'].State | Should -Be 'Available'
        $Caps['hist triggers'].State | Should -Be 'Available'
        (Get-AvailableTracer).Name | Should -Contain 'function_graph'
    }

    It 'lists traceable functions and suggests do_sys_openat2 for a misspelt name' {
        (Get-TraceFunction do_sys_open*).Name | Should -Contain 'do_sys_openat2'
        $err = $null
        Get-TraceFunction do_sys_opnat2 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'FunctionNotFound,LinuxTrace.Commands.GetTraceFunctionCommand'
        $err[0].Exception.Message | Should -Match 'do_sys_openat2'
    }

    It 'decodes function-tracer events of an instance, with symbols from kallsyms' {
        $name = New-TestInstanceName
        New-TraceInstance $name | Out-Null
        try {
            $dir = "$Tracefs/instances/$name"
            Set-Content "$dir/set_ftrace_filter" 'do_sys_openat2'
            Set-Content "$dir/current_tracer" 'function'
            Get-Content /etc/os-release | Out-Null
            Set-Content "$dir/tracing_on" '0'
            $ev = @(Get-TraceEvent -Instance $name -Event ftrace:function)
            $ev.Count | Should -BeGreaterThan 0
            $ev[0].Name | Should -Be 'function'
            $ev[0].ip_symbol | Should -Be 'do_sys_openat2'
            $ev[0].parent_ip_symbol | Should -Not -BeNullOrEmpty
        }
        finally {
            Set-Content "$Tracefs/instances/$name/current_tracer" 'nop' -ErrorAction SilentlyContinue
            Remove-TraceInstance $name -Confirm:$false
        }
    }

    It 'streams events from this kernel''s formats and cleans up' {
        $e = Start-Trace -Event sched:sched_switch | Select-Object -First 20
        $e.Count | Should -Be 20
        $e[0].GetType().GetProperty('prev_comm').PropertyType | Should -Be ([string])
        Get-OurInstance | Should -BeNullOrEmpty
    }

    It 'records a trace.dat this kernel''s trace-cmd-free reader reads back' {
        $dat = Join-Path ([IO.Path]::GetTempPath()) "lt-vm-$PID.dat"
        Start-Trace -Event sched:sched_process_exec -Command /bin/true -OutFile $dat
        (Get-TraceEvent $dat -Event sched_process_exec).filename | Should -Be '/bin/true'
        Remove-Item $dat
    }
}
