@{
    Synopsis    = 'Lists the events (tracepoints and dynamic events) the kernel can record, with their fields and print format.'
    Description = @(
        'Get-TraceEventType reads available_events and, for each matching event, its format file. Each TraceEventType has System, Name, Id, Enabled (in the instance named with -Instance, the top one by default), Fields and PrintFormat.'
        'Fields are TraceEventField objects: Name, CType (char[16], __data_loc char[], pid_t, ...), Offset, Size, Signed, Kind (Scalar, FixedString, FixedArray, DataLocString, DataLocArray, RelLocString, RelLocArray) and Type, the .NET type Start-Trace decodes the field into.'
    )
    Parameters  = @{
        Name     = 'Event names: sched_switch, sched:sched_switch, sched:*, *open*. Wildcards are allowed; a system:event form restricts the system.'
        System   = 'Only events of these systems (sched, syscalls, ...). Wildcards are allowed.'
        Instance = 'The instance whose Enabled state is reported. The top instance when omitted.'
    }
    Examples    = @(
        @{ Title = 'Fields of sched_switch'; Code = 'Get-TraceEventType sched:sched_switch | Select-Object -ExpandProperty Fields'; Remarks = 'Shows each field of sched_switch with its C type, offset, size and signedness.' }
        @{ Title = 'Every scheduler event'; Code = 'Get-TraceEventType -System sched'; Remarks = 'Lists the sched system''s events.' }
        @{ Title = 'Events about opening files'; Code = 'Get-TraceEventType *open* | Format-Table System, Name, Id'; Remarks = 'Finds events by part of their name.' }
    )
    Links       = @('Start-Trace', 'Get-TraceEvent')
}
