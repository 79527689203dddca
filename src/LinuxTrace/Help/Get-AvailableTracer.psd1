@{
    Synopsis    = 'Lists the tracers the kernel offers in an instance (available_tracers) and marks the current one.'
    Description = @(
        'Get-AvailableTracer reads available_tracers and current_tracer of the top instance, or of the instance named with -Instance, and returns one AvailableTracer object per tracer: Name, IsCurrent and Instance.'
        'Which tracers appear depends on how the kernel was built: function and function_graph need CONFIG_FUNCTION_TRACER and CONFIG_FUNCTION_GRAPH_TRACER. A hardened host may list a tracer but refuse to switch to it; Get-TraceCapability tells which.'
    )
    Parameters  = @{
        Name     = 'Tracer names to return. Wildcards are allowed. A name without wildcards that the kernel does not offer is reported as an error.'
        Instance = 'The instance whose tracers are listed. The top (global) instance when omitted; "top" names it explicitly.'
    }
    Examples    = @(
        @{ Title = 'List the tracers'; Code = 'Get-AvailableTracer'; Remarks = 'Lists every tracer of the top instance, such as nop, function and function_graph.' }
        @{ Title = 'Show the current tracer'; Code = 'Get-AvailableTracer | Where-Object IsCurrent'; Remarks = 'Returns the tracer that current_tracer names (nop when tracing is idle).' }
    )
    Links       = @('Get-TraceCapability', 'Get-TraceStatus')
}
