# The function tracers on a host that does not allow them (this machine: function listed but EPERM, no
# function_graph): every cmdlet says why, with a categorised error, and leaves the kernel as it was. The working
# paths run in the kernel VM (tests/kernel-vm/FunctionGraph.Tests.ps1).
BeforeDiscovery { . $PSScriptRoot/KernelFeatures.ps1 }
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:StateBefore = Get-KernelTraceState
}
AfterAll {
    Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty
}

Describe 'function tracers where the host refuses them' {
    It 'Start-Trace -Tracer function says the host locks it (PermissionDenied) and leaves nothing' -Tag 'needs:function-locked' -Skip:(-not (Test-KernelFeature function-locked)) {
        $before = Get-KernelTraceState
        $e = Get-Failure { Start-Trace -Tracer function -Function vfs_read -Duration 00:00:01 }
        $e.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $e.Exception.Message | Should -Match 'available_filter_functions'
        $e = Get-Failure { Start-Trace -Tracer function -Force -Duration 00:00:01 -WarningAction SilentlyContinue }
        $e.CategoryInfo.Category | Should -Be 'PermissionDenied'
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
        Get-OurInstance | Should -BeNullOrEmpty
    }

    It 'Set-FunctionFilter, Get-FunctionFilter and Clear-FunctionFilter say the host locks them' -Tag 'needs:function-locked' -Skip:(-not (Test-KernelFeature function-locked)) {
        foreach ($s in { Set-FunctionFilter vfs_read }, { Get-FunctionFilter }, { Clear-FunctionFilter -Confirm:$false }) {
            $e = Get-Failure $s
            $e.CategoryInfo.Category | Should -Be 'PermissionDenied' -Because "$s"
            $e.Exception.Message | Should -Match 'refuse|locks' -Because "$s"
        }
    }

    It 'the graph cmdlets and -Tracer function_graph say this kernel has no function_graph' -Skip:((Get-KernelTracer) -contains 'function_graph') {
        $before = Get-KernelTraceState
        foreach ($s in { Set-GraphFunction do_sys_openat2 }, { Get-GraphFunction }, { Clear-GraphFunction -Confirm:$false }) {
            $e = Get-Failure $s
            $e.CategoryInfo.Category | Should -Be 'NotImplemented' -Because "$s"
            $e.Exception.Message | Should -Match 'function_graph' -Because "$s"
        }
        $e = Get-Failure { Start-Trace -Tracer function_graph -GraphFunction do_sys_openat2 -Command /bin/true }
        $e.FullyQualifiedErrorId | Should -Be 'TracerNotAvailable,LinuxTrace.Commands.StartTraceCommand'
        $e.Exception.Message | Should -Match "Its tracers: $([regex]::Escape(((Get-KernelTracer) -join ', ')))"
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
    }

    It 'a tracer this kernel lacks is an error with close matches' {
        $e = Get-Failure { Start-Trace -Tracer functon -Force -Duration 00:00:01 }
        $e.FullyQualifiedErrorId | Should -Be 'TracerNotAvailable,LinuxTrace.Commands.StartTraceCommand'
        if ((Get-KernelTracer) -contains 'function') { $e.Exception.Message | Should -Match 'Close matches: function' }
    }

    It 'ftrace:function as an -Event points to -Tracer' {
        $e = Get-Failure { Start-Trace -Event ftrace:function -Duration 00:00:01 }
        $e.FullyQualifiedErrorId | Should -Be 'NotAnEvent,LinuxTrace.Commands.StartTraceCommand'
        $e.Exception.Message | Should -Match '-Tracer'
    }
}

