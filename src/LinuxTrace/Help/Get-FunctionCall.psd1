@{
    Synopsis    = 'Pairs function_graph records into FunctionCall objects: from trace.dat files, a session''s buffer, or records in the pipeline.'
    Description = @(
        'Get-FunctionCall pairs each funcgraph_entry with its funcgraph_exit per task, as the kernel nests them, in the engine (no object is made per record when reading files). Each FunctionCall has Function, Address, Depth, Duration (return time minus call time), DurationNs, SelfTime, Timestamp, ProcessId, Command, CpuNumber, Caller (the parent''s function), Children, IsLeaf, ReturnValue (kernels with funcgraph-retval) and Status; GetParent() returns the parent call. Export-Csv writes Children as the names of the calls; ConvertTo-Json writes a call with the calls below it, never back up.'
        'A call is written when it returns, so callees come before their caller. A call whose return the trace does not hold (it was still running, or the return was lost) is written as Status NoReturn at the end, never dropped; a return without its entry becomes a call of its own with Status NoEntry. Files written by trace-cmd (versions 6 and 7) and by LinuxTrace read the same way.'
    )
    Parameters  = @{
        Path        = 'trace.dat files to read (wildcards allowed).'
        LiteralPath = 'trace.dat files, taken as they are.'
        Buffer      = 'The buffer (instance) of the files to read; the top one by default.'
        Session     = 'A session started with Start-Trace -AsSession: its buffer is read (and consumed).'
        InputObject = 'Records from Get-TraceEvent or Start-Trace -Raw; records that are not funcgraph_entry or funcgraph_exit are ignored.'
        Function    = 'Only calls of these functions (wildcards); what they called stays reachable through Children.'
    }
    Examples    = @(
        @{ Title = 'The open calls of a recorded file'; Code = 'Get-FunctionCall ./graph.dat -Function do_sys_openat2 | Format-TraceGraph'; Remarks = 'Prints each open''s call tree as trace-cmd report does.' }
        @{ Title = 'The slowest calls'; Code = 'Get-FunctionCall ./graph.dat | Sort-Object DurationNs -Descending | Select-Object -First 10'; Remarks = 'The ten longest calls in the file.' }
    )
    Links       = @('Start-Trace', 'Format-TraceGraph', 'Measure-FunctionCall')
}
