@{
    Synopsis    = 'Shows which tracing features this kernel allows, and why a feature is unavailable.'
    Description = @(
        'Get-TraceCapability probes tracefs once, by reading only, and returns one TraceFeature per feature: events, event filters, instances, per-CPU raw buffers, the function tracer, function filters, function_graph, kprobes, uprobes, dynamic_events and hist triggers.'
        'State is Available, NotPermitted (built in, but the kernel or host refuses it even to root, as on locked-down hosts and some containers) or NotBuiltIn (the kernel lacks the option). Detail says what was seen.'
    )
    Parameters  = @{ Name = 'Feature names to return. Wildcards are allowed.' }
    Examples    = @(
        @{ Title = 'What can I trace here?'; Code = 'Get-TraceCapability'; Remarks = 'Lists every feature with its state and the reason.' }
        @{ Title = 'Only what is missing'; Code = 'Get-TraceCapability | Where-Object State -ne Available'; Remarks = 'Shows the features this kernel refuses or lacks.' }
    )
    Links       = @('Get-AvailableTracer', 'Get-TraceFunction')
}
