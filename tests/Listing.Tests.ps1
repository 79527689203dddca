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
    It 'fails with a categorised error where the host refuses the function list' -Skip:((Get-TraceCapability 'function filters').State -ne 'NotPermitted') {
        $e = { Get-TraceFunction do_sys_open* -ErrorAction Stop } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Be 'FunctionListNotPermitted,LinuxTrace.Commands.GetTraceFunctionCommand'
        $e.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $e.Exception.Message | Should -Match 'EPERM'
    }
    It 'lists functions where the kernel allows it' -Skip:((Get-TraceCapability 'function filters').State -ne 'Available') {
        (Get-TraceFunction do_sys_open*).Name | Should -Contain 'do_sys_openat2'
    }
}

Describe 'Get-TraceCapability' {
    It 'reports events as available and explains what is not' {
        (Get-TraceCapability events).State | Should -Be 'Available'
        $kprobes = Get-TraceCapability kprobes
        $kprobes.State | Should -Be $(if (Test-Path "$Tracefs/kprobe_events") { 'Available' } else { 'NotBuiltIn' })
        Get-TraceCapability | Where-Object { -not $_.Available } | ForEach-Object { $_.Detail | Should -Not -BeNullOrEmpty }
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
