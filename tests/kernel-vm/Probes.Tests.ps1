# Kernel probes on a kernel that has them (the kernel VM): Add-KProbe with typed fetch arguments, kretprobes,
# close matches for renamed functions, the kernel's explanations of bad definitions, Start-Trace -KProbe, Get | Remove,
# and a LinuxTrace file with kprobe events (which trace-cmd reads on the host); the kernel left as it was found.
BeforeDiscovery { . $PSScriptRoot/../KernelFeatures.ps1 }
BeforeAll {
    . $PSScriptRoot/../Common.ps1
    $script:StateBefore = Get-KernelTraceState
    $script:Dyn = "$script:Tracefs/dynamic_events"
    function Get-DynamicEvents { "$(Get-Content $script:Dyn -Raw)".Trim() }
}
AfterAll {
    Get-KProbe lt_* -ErrorAction SilentlyContinue | Remove-KProbe -Force -Confirm:$false
    Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty
}

Describe 'kprobes (kernel VM)' -Tag 'needs:kprobes' -Skip:(-not (Test-KernelFeature kprobes)) {
    AfterEach { Get-KProbe lt_* -ErrorAction SilentlyContinue | Remove-KProbe -Force -Confirm:$false }

    It 'a kprobe on do_sys_openat2 fetches the file name cat opens; a kretprobe on it the descriptor it got' {
        $before = Get-DynamicEvents
        $p = Add-KProbe -Name lt_open -Function do_sys_openat2 -Argument @{ filename = '+0(%si):string' } -PassThru
        $p.EventName | Should -Be 'kprobes:lt_open'
        $p.Function | Should -Be 'do_sys_openat2'
        Add-KProbe lt_openret do_sys_openat2 -Return -Argument 'ret=$retval:s64'
        (Get-KProbe lt_openret).Type | Should -Be 'KRetProbe'
        $events = @(Start-Trace -Event kprobes:lt_open, kprobes:lt_openret -Command cat -ArgumentList /etc/hostname | Where-Object { $_ -is [LinuxTrace.TraceEvent] })
        $opens = @($events | Where-Object EventName -eq lt_open)
        $rets = @($events | Where-Object EventName -eq lt_openret)
        $opens.filename | Should -Contain '/etc/hostname'
        $opens[0].GetType().GetProperty('filename').PropertyType | Should -Be ([string])
        $rets.Count | Should -Be $opens.Count
        $rets[0].ret | Should -BeOfType [long]
        # each return follows its call on the same task: the one after /etc/hostname's open is a descriptor
        $i = [array]::IndexOf($events, ($opens | Where-Object filename -eq '/etc/hostname' | Select-Object -Last 1))
        $next = $events[($i + 1)..($events.Count - 1)] | Where-Object EventName -eq lt_openret | Select-Object -First 1
        $next.ret | Should -BeGreaterOrEqual 0
        (Get-KProbe lt_open).Hits | Should -BeGreaterOrEqual $opens.Count
        Get-KProbe lt_* | Remove-KProbe
        Get-KProbe lt_* | Should -BeNullOrEmpty -Because 'Remove-KProbe removed what Get-KProbe piped to it'
        "$(Get-Content "$Tracefs/kprobe_events" -Raw)" | Should -Not -Match 'lt_open'
        Get-DynamicEvents | Should -Be $before
    }

    It 'a renamed function gets the close match (do_sys_openat: do_sys_openat2), and nothing is written' {
        $before = Get-DynamicEvents
        $e = Get-Failure { Add-KProbe -Name lt_open -Function do_sys_openat -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be 'KernelFunctionNotFound,LinuxTrace.Commands.AddKProbeCommand'
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e.Exception.Message | Should -Match 'Close matches: do_sys_openat2'
        Get-DynamicEvents | Should -Be $before
    }

    It 'a malformed definition gets the kernel''s own explanation and leaves no probe' -ForEach @(
        @{ Arg = 'x=%foo'; Words = 'Invalid register name' }
        @{ Arg = 'x=%di:u33'; Words = 'Unknown type' }
        @{ Arg = 'x=+0(%si:u32'; Words = 'brace is not closed' }
    ) {
        $before = Get-DynamicEvents
        $e = Get-Failure { Add-KProbe lt_bad vfs_read -Argument $Arg -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'ProbeRejected*'
        $e.Exception.Message | Should -Match $Words
        $e.Exception.KernelErrorPosition | Should -BeGreaterThan 0
        Get-DynamicEvents | Should -Be $before
    }

    It 'Start-Trace -KProbe makes a probe for one trace and removes it; a name clash with a tracepoint is the kernel''s error' {
        $before = Get-DynamicEvents
        $events = @(Start-Trace -KProbe 'p:lt_once do_sys_openat2 fn=+0(%si):string' -Command cat -ArgumentList /etc/hostname | Where-Object { $_ -is [LinuxTrace.TraceEvent] })
        $events.fn | Should -Contain '/etc/hostname'
        Get-DynamicEvents | Should -Be $before
        $e = Get-Failure { Add-KProbe sched_switch do_sys_openat2 -Group sched -ErrorAction Stop }
        $e.Exception.Message | Should -Match 'already used by another event'
        Get-DynamicEvents | Should -Be $before
    }

    It 'Get-KProbe | Remove-KProbe: a probe a trace has enabled is refused unless -Force, and dynamic_events is as it was' {
        $before = Get-DynamicEvents
        Add-KProbe lt_a vfs_read
        Add-KProbe lt_b vfs_write -Return -MaxActive 4
        (Get-KProbe lt_b).MaxActive | Should -Be 4
        $s = Start-Trace -Event kprobes:lt_a -AsSession
        try {
            $e = Get-Failure { Get-KProbe lt_* | Remove-KProbe -ErrorAction Stop }
            $e.FullyQualifiedErrorId | Should -BeLike 'ProbeEnabled*'
            Get-KProbe lt_* | Remove-KProbe -Force
        }
        finally { $s | Stop-Trace | Out-Null }
        Get-DynamicEvents | Should -Be $before
    }

    It 'records kprobe events to a file (read by trace-cmd on the host, field for field)' {
        $file = Join-Path $TestDrive 'kprobe.dat'
        Start-Trace -KProbe 'p:lt_file do_sys_openat2 dfd=%di:s32 fn=+0(%si):string flags=+0(%dx):x64', 'r:lt_fileret do_sys_openat2 ret=$retval:s64' -Command cat -ArgumentList /etc/hostname -OutFile $file
        @(Get-TraceEvent -LiteralPath $file | Where-Object EventName -eq lt_file).fn | Should -Contain '/etc/hostname'
        Save-VmFile $file 'kprobe.dat'
    }
}
