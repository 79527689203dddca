@{
    Synopsis    = 'Lists the trace options of an instance (trace_options and options/) and whether each is on.'
    Description = @('Get-TraceOption returns one TraceOptionState per option: Name, Enabled and Instance. Options that belong to a tracer (funcgraph-proc, funcgraph-abstime, ...) are listed when the kernel has that tracer.')
    Parameters  = @{
        Name     = 'Option names to return. Wildcards are allowed.'
        Instance = 'The instance whose options are listed. The top instance when omitted.'
    }
    Examples    = @(
        @{ Title = 'Options that are on'; Code = 'Get-TraceOption | Where-Object Enabled'; Remarks = 'Lists the options enabled in the top instance.' }
        @{ Title = 'One option'; Code = 'Get-TraceOption event-fork -Instance mytrace'; Remarks = 'Shows whether children of traced pids are followed in the instance mytrace.' }
    )
    Links       = @('Set-TraceOption')
}
