@{
    Synopsis    = 'Ends trace sessions and detached traces, and restores the kernel to the state it had.'
    Description = @('Stop-Trace turns recording off, reads the final per-CPU statistics, disables the events, clears the filters and pid filter, and removes the private instance (or restores a borrowed one). With -PassThru it returns a TraceSessionSummary: events read, events lost (per the kernel''s per-CPU statistics), loss reports and duration.', 'Stopping a trace that streams into a pipeline in another runspace ends its recording; that pipeline then receives what was recorded and ends (Stop-Trace waits for it, 30 seconds at most; what it has not taken by then counts as dropped by LinuxTrace). Losses are never silent: when the kernel lost events (as it does to a background session whose buffer nobody reads) or LinuxTrace dropped some, Stop-Trace warns.', 'Stop-Trace NAME also stops a detached trace (Start-Trace -Name NAME -Detached), started by any process on this host, even one that has since exited or crashed: recording off, its buffer written to -OutFile when given (a detached trace keeps its newest events; what was overwritten is counted as lost), then its instance and the probes it made removed. This is trace-cmd''s start, extract and stop, across processes.', 'Stop-Trace leaves an exit code in $LASTEXITCODE for runbooks (pwsh -c ''Stop-Trace incident -OutFile i.dat; exit $LASTEXITCODE''): 0 events recorded and none lost, 2 nothing recorded, 3 events lost, 4 the kernel refused; with several traces, the highest. See about_LinuxTrace.')
    Parameters  = @{
        Session  = 'Sessions to stop, from Start-Trace -AsSession or Get-TraceSession.'
        Name     = 'Names of sessions of this process or of detached traces to stop; wildcards are allowed. The first positional argument: Stop-Trace mytrace.'
        OutFile  = 'Write what the trace''s buffer holds to this trace.dat file (version 7) before stopping it. One trace only.'
        WallClock = 'With -OutFile: store the offset between the trace clock and the wall clock in the file (DATE, as Start-Trace -WallClock does), measured as the file is written, so that files of several hosts merge on one timeline. The offset is not measured when the trace started, so drift of the trace clock before that is not in the file''s WallClockBoundNs: for long traces across hosts record with -Clock mono or tai, whose offset to the wall clock does not drift (NTP slews them with it); the default local clock does.'
        PassThru = 'Return the session summary.'
    }
    Examples    = @(
        @{ Title = 'Stop everything'; Code = 'Get-TraceSession | Stop-Trace'; Remarks = 'Stops every session of this PowerShell process.' }
        @{ Title = 'End a detached trace'; Code = "Stop-Trace incident -OutFile ./incident.dat; Get-TraceEvent ./incident.dat | Group-Object EventName"; Remarks = 'Stops the detached trace incident (started in another process with Start-Trace -Name incident -Detached), writes its buffer to incident.dat and removes its instance.' }
        @{ Title = 'Summary'; Code = 'Stop-Trace -Name mytrace -PassThru | Select-Object -ExpandProperty CpuStats'; Remarks = 'Stops the session mytrace and shows what each CPU recorded and lost.' }
    )
    Links       = @('Start-Trace', 'Get-TraceSession')
}
