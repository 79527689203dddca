# -WhatIf, run for real: each cmdlet that can change kernel state is called with -WhatIf, and the kernel's
# tracing state is compared before and after. A cmdlet that supports -WhatIf but has no case here fails.
BeforeDiscovery {
    Import-Module (Join-Path (Split-Path $PSScriptRoot -Parent) 'LinuxTrace.psd1') -Force
    $script:WithWhatIf = @(Get-Command -Module LinuxTrace | Where-Object { $_.Parameters.ContainsKey('WhatIf') } | ForEach-Object Name | Sort-Object)
}
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Instance = New-TestInstanceName
    New-TraceInstance $Instance | Out-Null
    $script:Session = Start-Trace -Event sched:sched_switch -AsSession -Name "lt-whatif-$PID"
    if (Test-KernelFeature uprobes) { Add-UProbe lt_whatif_keep -Path libc -Function getpid }
    # Runs a -WhatIf case of the function tracers' cmdlets: where the kernel's files show the feature is missing or
    # refused, the cmdlet's categorised refusal is the expected outcome (it must still change nothing)
    function Invoke-WhereAllowed([string] $Feature, [scriptblock] $Case) {
        if (Test-KernelFeature $Feature) { & $Case; return }
        try { & $Case } catch { if ($_.CategoryInfo.Category -notin 'NotImplemented', 'PermissionDenied') { throw } }
    }
    # each case: what to run with -WhatIf (the instance and the session above exist while they run)
    $script:Cases = @{
        'Start-Trace'          = { Start-Trace -Event sched:sched_switch -Duration 00:00:01 -WhatIf; Start-Trace -Event sched:sched_switch -WhatIf }
        'Stop-Trace'           = { $Session | Stop-Trace -WhatIf }
        'New-TraceInstance'    = { New-TraceInstance "$Instance-new" -WhatIf }
        'Remove-TraceInstance' = { Remove-TraceInstance $Instance -WhatIf }
        'Set-TraceOption'      = { Set-TraceOption event-fork -Instance $Instance -WhatIf; Set-TraceOption event-fork -Disable -WhatIf }
        'Export-TraceData'     = { $Session | Export-TraceData -OutFile "$TestDrive/x.dat" -WhatIf }
        'Set-GraphFunction'    = { Invoke-WhereAllowed function-graph { Set-GraphFunction do_sys_openat2 -MaxDepth 3 -WhatIf } }
        'Clear-GraphFunction'  = { Invoke-WhereAllowed function-graph { Clear-GraphFunction -WhatIf } }
        'Set-FunctionFilter'   = { Invoke-WhereAllowed function { Set-FunctionFilter 'vfs_*' -Instance $Instance -WhatIf } }
        'Clear-FunctionFilter' = { Invoke-WhereAllowed function { Clear-FunctionFilter -Instance $Instance -WhatIf } }
        'Add-KProbe'           = { Invoke-WhereAllowed kprobes { Add-KProbe lt_whatif vfs_read -Argument 'count=%dx:u64' -WhatIf } }
        'Remove-KProbe'        = { Get-KProbe | Remove-KProbe -WhatIf }
        'Add-UProbe'           = { Invoke-WhereAllowed uprobes { Add-UProbe lt_whatif -Path libc -Function getpid -WhatIf } }
        'Remove-UProbe'        = { Invoke-WhereAllowed uprobes { Remove-UProbe lt_whatif_keep -WhatIf } }
        'Measure-TraceEvent'   = { Measure-TraceEvent sched:sched_switch -Duration 00:00:01 -WhatIf }
        'Measure-TraceLatency' = { Measure-TraceLatency raw_syscalls:sys_enter raw_syscalls:sys_exit -Duration 00:00:01 -WhatIf }
        'Export-TraceFlameGraph' = { Start-Trace -Event sched:sched_switch -StackTrace -Duration 00:00:01 | Export-TraceFlameGraph -Path "$TestDrive/f.svg" -WhatIf }
        'New-TraceHistogram'   = { Invoke-WhereAllowed hist { New-TraceHistogram kmem:kmalloc -Key call_site.sym -Value bytes_req -WhatIf } }
        'Remove-TraceHistogram' = { Invoke-WhereAllowed hist { Remove-TraceHistogram kmem:kmalloc -WhatIf } }
        'Write-TraceMarker'    = { Write-TraceMarker 'not written' -Instance $Instance -WhatIf; Write-TraceMarker 'not written' -Session $Session -WhatIf }
    }
}
AfterAll {
    $Session | Stop-Trace
    Remove-TraceInstance $Instance -Confirm:$false
    Get-UProbe lt_whatif_keep -ErrorAction SilentlyContinue | Remove-UProbe
}

Describe '-WhatIf changes nothing' {
    It '<_> -WhatIf leaves the kernel (and the disk) as it was' -ForEach $WithWhatIf {
        $Cases.ContainsKey($_) | Should -BeTrue -Because "every cmdlet with -WhatIf needs a case in tests/WhatIf.Tests.ps1"
        $before = Get-KernelTraceState
        $instanceBefore = Get-ChildItem "$Tracefs/instances/$Instance" -Recurse -File -Include enable, filter, set_event*, tracing_on, current_tracer, buffer_size_kb, trace_clock |
            ForEach-Object { "$($_.FullName)=$([IO.File]::ReadAllText($_.FullName))" }
        $entries = (Get-TraceStatus -Instance $Session.InstanceName).Entries
        & $Cases[$_] 6>$null | Should -BeNullOrEmpty
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
        $instanceAfter = Get-ChildItem "$Tracefs/instances/$Instance" -Recurse -File -Include enable, filter, set_event*, tracing_on, current_tracer, buffer_size_kb, trace_clock |
            ForEach-Object { "$($_.FullName)=$([IO.File]::ReadAllText($_.FullName))" }
        $instanceAfter | Should -Be $instanceBefore
        (Get-TraceStatus -Instance $Instance).Entries | Should -Be 0 -Because 'nothing was written into the test instance''s buffer'
        Get-ChildItem $TestDrive | Should -BeNullOrEmpty
        $Session.State | Should -Be 'Running'
        (Get-TraceStatus -Instance $Session.InstanceName).Entries | Should -BeGreaterOrEqual $entries -Because 'the session''s buffer was not read (consumed)'
    }
}
