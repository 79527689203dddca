@{
    Synopsis    = 'Ends trace sessions and restores the kernel to the state it had.'
    Description = @('Stop-Trace turns recording off, reads the final per-CPU statistics, disables the events, clears the filters and pid filter, and removes the private instance (or restores a borrowed one). With -PassThru it returns a TraceSessionSummary: events read, events lost (per the kernel''s per-CPU statistics), loss reports and duration.', 'Stopping a trace that streams into a pipeline in another runspace ends its recording; that pipeline then receives what was recorded and ends (Stop-Trace waits for it, 30 seconds at most; what it has not taken by then counts as dropped by LinuxTrace). Losses are never silent: when the kernel lost events (as it does to a background session whose buffer nobody reads) or LinuxTrace dropped some, Stop-Trace warns.')
    Parameters  = @{
        Session  = 'Sessions to stop, from Start-Trace -AsSession or Get-TraceSession.'
        Name     = 'Names of sessions to stop; wildcards are allowed.'
        PassThru = 'Return the session summary.'
    }
    Examples    = @(
        @{ Title = 'Stop everything'; Code = 'Get-TraceSession | Stop-Trace'; Remarks = 'Stops every session of this PowerShell process.' }
        @{ Title = 'Summary'; Code = 'Stop-Trace -Name mytrace -PassThru | Select-Object -ExpandProperty CpuStats'; Remarks = 'Stops the session mytrace and shows what each CPU recorded and lost.' }
    )
    Links       = @('Start-Trace', 'Get-TraceSession')
}
