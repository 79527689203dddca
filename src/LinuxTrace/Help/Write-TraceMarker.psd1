@{
    Synopsis    = 'Writes a marker into a trace: an ftrace:print record with your text.'
    Description = @(
        'Write-TraceMarker writes each message to trace_marker, as "echo text > /sys/kernel/tracing/trace_marker" does, so that a runbook can annotate what it is doing in the middle of a trace. The marker becomes an ftrace:print record whose Message is "tracing_mark_write: <text>" and whose buf field holds the text.'
        'With -Session it writes into that session''s private instance; with -Instance into that instance; with neither, into the top-level buffer. A trace started with -Event ftrace:print sees markers written into its own instance and, where the kernel has the copy_trace_marker option (6.17 and later), markers written to the top-level trace_marker by any program.'
    )
    Parameters  = @{
        Message  = 'The text of each marker; one record per string. Strings can come from the pipeline.'
        Session  = 'Write into this session''s instance (from Start-Trace -AsSession).'
        Instance = 'Write into this instance instead; the top-level buffer when omitted.'
    }
    Outputs     = @{ Void = 'Nothing: the marker goes into the ring buffer, where the trace''s events come from.' }
    Examples    = @(
        @{ Title = 'Annotate a running trace'; Code = '$s = Start-Trace -Event sched:sched_switch, ftrace:print -AsSession; Write-TraceMarker "deploy starts" -Session $s; ./deploy.sh; Write-TraceMarker "deploy done" -Session $s; Get-TraceEvent $s -Event ftrace:print | Select-Object Timestamp, buf'; Remarks = 'Puts two markers around a deployment and reads them back with their time stamps.' }
        @{ Title = 'The classic echo'; Code = 'Write-TraceMarker "checkpoint 1"'; Remarks = 'Writes to the top-level trace_marker, as echo > trace_marker does; traces of ftrace:print copy it where the kernel allows.' }
    )
    Links       = @('Start-Trace', 'Get-TraceEvent')
}
