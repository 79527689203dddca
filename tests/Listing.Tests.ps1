BeforeDiscovery { . $PSScriptRoot/KernelFeatures.ps1 }
BeforeAll { . $PSScriptRoot/Common.ps1 }

Describe 'Get-AvailableTracer' {
    It 'lists the tracers of available_tracers and marks the current one' {
        $t = Get-AvailableTracer
        $t.Name | Should -Be ((Get-Content "$Tracefs/available_tracers" -Raw).Trim() -split '\s+')
        $current = $t | Where-Object IsCurrent
        $current.Name | Should -Be (Get-Content "$Tracefs/current_tracer" -Raw).Trim()
        $current[0] | Should -BeOfType ([LinuxTrace.AvailableTracer])
    }
    It 'filters by name and reports a tracer that does not exist' {
        (Get-AvailableTracer n*).Name | Should -Contain 'nop'
        { Get-AvailableTracer nosuchtracer -ErrorAction Stop } | Should -Throw -ErrorId 'TracerNotFound,LinuxTrace.Commands.GetAvailableTracerCommand'
    }
    It 'completes tracer names' {
        Get-Completion 'Get-AvailableTracer -Name no' | Should -Contain 'nop'
    }
}

Describe 'Get-TraceEventType' {
    It 'reads sched_switch''s format with field types and offsets' {
        $e = Get-TraceEventType sched:sched_switch
        $e.Id | Should -Be ([int](Get-Content "$Tracefs/events/sched/sched_switch/id" -Raw))
        $f = $e.Fields | Where-Object Name -eq prev_comm
        $f.CType | Should -Be 'char[16]'; $f.Offset | Should -Be 8; $f.Size | Should -Be 16; $f.Type | Should -Be 'String'
        $p = $e.Fields | Where-Object Name -eq prev_pid
        $p.Offset | Should -Be 24; $p.Signed | Should -BeTrue; $p.Type | Should -Be 'Int32'
        ($e.Fields | Where-Object Name -eq prev_state).Type | Should -Be 'Int64'
        $e.PrintFormat | Should -Match 'prev_comm=%s'
    }
    It 'accepts sched:sched_switch and sched_switch alike' {
        (Get-TraceEventType sched_switch).Id | Should -Be (Get-TraceEventType sched:sched_switch).Id
    }
    It 'expands fields of a whole system in a pipeline' {
        $fields = Get-TraceEventType sched:* | Select-Object -ExpandProperty Fields
        $fields.Count | Should -BeGreaterThan 20
        $fields | Where-Object Name -eq next_comm | Should -Not -BeNullOrEmpty
    }
    It 'gives close matches for an event that does not exist' {
        $err = $null
        Get-TraceEventType sched_swich -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'EventNotFound,LinuxTrace.Commands.GetTraceEventTypeCommand'
        $err[0].Exception.Message | Should -Match 'sched:sched_switch'
    }
    It 'has no kernel field, in any event of this kernel, whose name a record property takes (PowerShell ignores case)' {
        $reserved = @([LinuxTrace.TraceEvent].GetProperties().Name)
        $reserved | Should -Contain 'EventName'
        $all = @(Get-TraceEventType)
        $all.Count | Should -BeGreaterThan 500
        $collisions = foreach ($t in $all) { foreach ($f in $t.Fields) { if ($reserved -contains $f.Name) { "$($t.FullName).$($f.Name)" } } }
        $collisions | Should -BeNullOrEmpty
    }
    It 'lists the ftrace records that tracers write, with their formats' {
        $f = Get-TraceEventType ftrace:function
        $f.Fields.Name | Should -Contain 'ip'
        $f.Fields.Name | Should -Contain 'parent_ip'
        (Get-TraceEventType -System ftrace).Name | Should -Contain 'funcgraph_entry'
    }
    It 'completes event names' {
        Get-Completion 'Get-TraceEventType sched:sched_sw' | Should -Contain 'sched:sched_switch'
        Get-Completion 'Start-Trace -Event sched:sched_process_ex' | Should -Contain 'sched:sched_process_exec'
    }
}

Describe 'Get-TraceFunction' {
    It 'fails with a categorised error where the host refuses the function list' -Tag 'needs:function-locked' -Skip:(-not (Test-KernelFeature function-locked)) {
        $e = { Get-TraceFunction do_sys_open* -ErrorAction Stop } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Be 'FunctionListNotPermitted,LinuxTrace.Commands.GetTraceFunctionCommand'
        $e.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $e.Exception.Message | Should -Match 'EPERM'
    }
    It 'lists functions where the kernel allows it' -Tag 'needs:function' -Skip:(-not (Test-KernelFeature function)) {
        (Get-TraceFunction do_sys_open*).Name | Should -Contain 'do_sys_openat2'
    }
}

Describe 'Get-TraceCapability' {
    It 'says what this kernel allows, as its own files show it' {
        $caps = @{}
        Get-TraceCapability | ForEach-Object { $caps[$_.Name] = $_ }
        function Expect([string] $name, [bool] $present, [bool] $refused = $false) {
            $state = if ($present) { 'Available' } elseif ($refused) { 'NotPermitted' } else { 'NotBuiltIn' }
            $caps[$name].State | Should -Be $state -Because "the kernel's files say $name is $state"
        }
        Expect 'events' (Test-KernelFeature events)
        Expect 'instances' (Test-KernelFeature instances)
        Expect 'per-CPU raw buffers' (Test-KernelFeature raw-buffers)
        Expect 'function tracer' (Test-KernelFeature function) (Test-KernelFeature function-locked)
        Expect 'function_graph' (Test-KernelFeature function-graph) ((Get-KernelTracer) -contains 'function_graph' -and (Test-KernelFeature function-locked))
        Expect 'kprobes' (Test-KernelFeature kprobes)
        Expect 'uprobes' (Test-KernelFeature uprobes)
        Expect 'hist triggers' (Test-KernelFeature hist)
        # what is not available says why, in the kernel's terms
        foreach ($c in $caps.Values | Where-Object State -eq 'NotPermitted') { $c.Detail | Should -Match 'EPERM' }
        foreach ($c in $caps.Values | Where-Object State -eq 'NotBuiltIn') { $c.Detail | Should -Match 'CONFIG_|no |not in' }
    }
    It 'reports a feature name that matches nothing' {
        { Get-TraceCapability nosuchfeature -ErrorAction Stop } | Should -Throw -ErrorId 'FeatureNotFound,LinuxTrace.Commands.GetTraceCapabilityCommand'
    }
}

Describe 'Get-TraceStatus' {
    It 'shows the top instance like trace-cmd stat' {
        $s = Get-TraceStatus
        $s.Instance | Should -Be 'top'
        $s.Tracer | Should -Be (Get-Content "$Tracefs/current_tracer" -Raw).Trim()
        $s.CpuStats.Count | Should -Be (Get-ChildItem "$Tracefs/per_cpu" -Directory).Count
        $s.BufferSizeKB | Should -BeGreaterThan 0
        $s.Clock | Should -Not -BeNullOrEmpty
    }
}
