# -WhatIf, run for real: each cmdlet that can change kernel state is called with -WhatIf, and the kernel's
# tracing state is compared before and after. A cmdlet that supports -WhatIf but has no case here fails.
# Each Remove/Clear case has something real to remove where the kernel has the feature (a kprobe, a uprobe, a
# histogram, graph and function filters, made in BeforeAll); where it lacks the feature, the cmdlet must refuse with
# a categorised error. The kernel VM runs this file too, so the function tracers', kprobes' and histograms' cases
# run for real there.
BeforeDiscovery {
    Import-Module (Join-Path (Split-Path $PSScriptRoot -Parent) 'LinuxTrace.psd1') -Force
    $script:WithWhatIf = @(Get-Command -Module LinuxTrace | Where-Object { $_.Parameters.ContainsKey('WhatIf') } | ForEach-Object Name | Sort-Object)
    # in the kernel VM, the cases of the features the development host lacks or refuses (the host runs all the others;
    # each case costs about a minute under emulation)
    if ($env:KVM_GUEST -eq '1') {
        $script:WithWhatIf = @($WithWhatIf | Where-Object { $_ -in 'Set-GraphFunction', 'Clear-GraphFunction', 'Set-FunctionFilter', 'Clear-FunctionFilter', 'Add-KProbe', 'Remove-KProbe', 'New-TraceHistogram', 'Remove-TraceHistogram' })
    }
}
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Instance = New-TestInstanceName
    New-TraceInstance $Instance | Out-Null
    $script:Session = Start-Trace -Event sched:sched_switch -AsSession -Name "lt-whatif-$PID"
    # what the Remove/Clear cases find to remove, where the kernel has it
    if (Test-KernelFeature uprobes) { Add-UProbe lt_whatif_keep -Path libc -Function getpid }
    if (Test-KernelFeature kprobes) { Add-KProbe lt_whatif_kkeep vfs_read }
    if (Test-KernelFeature hist) { New-TraceHistogram sched:sched_switch -Key next_pid }
    if (Test-KernelFeature function-graph) { Set-GraphFunction vfs_read }
    if (Test-KernelFeature function) { Set-FunctionFilter vfs_read -Instance $Instance }
    # Runs a -WhatIf case of a cmdlet whose feature this kernel may lack or refuse: where the kernel's files show it
    # missing or refused, the cmdlet must refuse with a categorised error (and still change nothing)
    function Invoke-WhereAllowed([string] $Feature, [scriptblock] $Case) {
        if (Test-KernelFeature $Feature) { & $Case; return }
        $refusal = $null
        try { & $Case } catch { $refusal = $_ }
        if (-not $refusal) { throw "this kernel lacks $Feature, and the cmdlet did not say so" }
        if ($refusal.CategoryInfo.Category -notin 'NotImplemented', 'PermissionDenied') { throw $refusal }
    }
    # the object a Remove case pipes in exists (one, by name)
    function Get-One([scriptblock] $Get, [string] $What) {
        $found = @(& $Get)
        if ($found.Count -ne 1) { throw "expected one $What to pipe to -WhatIf, found $($found.Count)" }
        $found[0]
    }
    # The events whose triggers the cases could touch, and the test instance's files a case could change: read instead
    # of every event's files (thousands of reads a snapshot, minutes in the kernel VM)
    $script:CaseEvents = 'sched/sched_switch', 'kmem/kmalloc', 'raw_syscalls/sys_enter', 'raw_syscalls/sys_exit'
    function Get-InstanceSnapshot {
        $dir = "$Tracefs/instances/$Instance"
        $files = @('tracing_on', 'current_tracer', 'buffer_size_kb', 'trace_clock', 'set_event', 'set_event_pid', 'set_event_notrace_pid',
            'set_ftrace_filter', 'set_ftrace_notrace', 'trace_marker') + @($CaseEvents | ForEach-Object { "events/$_/enable"; "events/$_/filter"; "events/$_/trigger" }) +
            @([IO.Directory]::GetFiles("$dir/options") | ForEach-Object { "options/$([IO.Path]::GetFileName($_))" })
        foreach ($f in $files) {
            $text = try { [IO.File]::ReadAllText("$dir/$f") } catch [IO.FileNotFoundException] { '(none)' } catch { "($($_.Exception.GetType().Name))" }
            "$f=$text"
        }
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
        'Remove-KProbe'        = {
            if (Test-KernelFeature kprobes) { Get-One { Get-KProbe lt_whatif_kkeep } 'kprobe' | Remove-KProbe -WhatIf; Remove-KProbe lt_whatif_kkeep -WhatIf }
            # (a kernel without kprobes has none to remove: the name is not found)
            else { $e = Get-Failure { Remove-KProbe lt_whatif_kkeep -WhatIf -ErrorAction Stop }; if ($e.CategoryInfo.Category -ne 'ObjectNotFound') { throw "expected ObjectNotFound, got: $e" } }
        }
        'Add-UProbe'           = { Invoke-WhereAllowed uprobes { Add-UProbe lt_whatif -Path libc -Function getpid -WhatIf } }
        'Remove-UProbe'        = { Invoke-WhereAllowed uprobes { Get-One { Get-UProbe lt_whatif_keep } 'uprobe' | Remove-UProbe -WhatIf; Remove-UProbe lt_whatif_keep -WhatIf } }
        'Measure-TraceEvent'   = { Measure-TraceEvent sched:sched_switch -Duration 00:00:01 -WhatIf }
        'Measure-TraceLatency' = { Measure-TraceLatency raw_syscalls:sys_enter raw_syscalls:sys_exit -Duration 00:00:01 -WhatIf }
        'Export-TraceFlameGraph' = { Start-Trace -Event sched:sched_switch -StackTrace -Duration 00:00:01 | Export-TraceFlameGraph -Path "$TestDrive/f.svg" -WhatIf }
        'New-TraceHistogram'   = { Invoke-WhereAllowed hist { New-TraceHistogram kmem:kmalloc -Key call_site.sym -Value bytes_req -WhatIf } }
        'Remove-TraceHistogram' = { Invoke-WhereAllowed hist { Get-One { Get-TraceHistogram -Trigger -Event sched:sched_switch } 'histogram' | Remove-TraceHistogram -WhatIf; Remove-TraceHistogram sched:sched_switch -WhatIf } }
        'Write-TraceMarker'    = { Write-TraceMarker 'not written' -Instance $Instance -WhatIf; Write-TraceMarker 'not written' -Session $Session -WhatIf }
    }
}
AfterAll {
    $Session | Stop-Trace
    Remove-TraceInstance $Instance -Confirm:$false
    Get-UProbe lt_whatif_keep -ErrorAction SilentlyContinue | Remove-UProbe
    if (Test-KernelFeature kprobes) { Get-KProbe lt_whatif_kkeep -ErrorAction SilentlyContinue | Remove-KProbe }
    if (Test-KernelFeature hist) { Remove-TraceHistogram sched:sched_switch -ErrorAction SilentlyContinue }
    if (Test-KernelFeature function-graph) { Clear-GraphFunction }
}

Describe '-WhatIf changes nothing' {
    It '<_> -WhatIf leaves the kernel (and the disk) as it was' -ForEach $WithWhatIf {
        $Cases.ContainsKey($_) | Should -BeTrue -Because "every cmdlet with -WhatIf needs a case in tests/WhatIf.Tests.ps1"
        $before = Get-KernelTraceState -TriggerEvents $CaseEvents
        $instanceBefore = @(Get-InstanceSnapshot)
        $entries = (Get-TraceStatus -Instance $Session.InstanceName).Entries
        & $Cases[$_] 6>$null | Should -BeNullOrEmpty
        Compare-KernelTraceState $before (Get-KernelTraceState -TriggerEvents $CaseEvents) | Should -BeNullOrEmpty
        $instanceBefore.Count | Should -BeGreaterThan 20
        @(Get-InstanceSnapshot) | Should -Be $instanceBefore
        (Get-TraceStatus -Instance $Instance).Entries | Should -Be 0 -Because 'nothing was written into the test instance''s buffer'
        Get-ChildItem $TestDrive | Should -BeNullOrEmpty
        $Session.State | Should -Be 'Running'
        (Get-TraceStatus -Instance $Session.InstanceName).Entries | Should -BeGreaterOrEqual $entries -Because 'the session''s buffer was not read (consumed)'
    }
}
