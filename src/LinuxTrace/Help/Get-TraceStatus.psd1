@{
    Synopsis    = 'Shows the tracing state of instances, like trace-cmd stat.'
    Description = @('Get-TraceStatus returns a TraceStatus per instance: tracer, tracing on or off, enabled events and their filters, pid filter, function and graph filters (null where the kernel refuses to show them), buffer sizes, clock, instances, kprobe and uprobe definitions, and per-CPU ring-buffer statistics (entries, overrun, dropped). Overrun and Dropped sum the events lost on every CPU.')
    Parameters  = @{
        Instance = 'Instances to report; wildcards are allowed. The top instance when omitted.'
        All      = 'Report the top instance and every named instance.'
    }
    Examples    = @(
        @{ Title = 'What is tracing now?'; Code = 'Get-TraceStatus'; Remarks = 'Shows the state of the top instance.' }
        @{ Title = 'Losses per CPU'; Code = 'Get-TraceStatus -All | Select-Object -ExpandProperty CpuStats'; Remarks = 'Lists entries, overrun and dropped events of every CPU of every instance.' }
    )
    Links       = @('Get-TraceInstance', 'Get-TraceCapability')
}
