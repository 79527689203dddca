@{
    Synopsis    = 'Lists the trace sessions of this PowerShell process that are still recording, and the detached traces on this host.'
    Description = @('Get-TraceSession returns the TraceSession objects started with Start-Trace -AsSession that have not been stopped. Pipe them to Get-TraceEvent or Stop-Trace.', 'It also returns a DetachedTrace for every detached trace on this host (Start-Trace -Name NAME -Detached, from any process, in any container: tracefs is one per host): its Name, StartTime and Age (from its instance''s creation), whether it is Recording, its Events, EventCount (what its buffer holds now) and LostEventCount (overwritten because the buffer was full). Pipe them to Stop-Trace, which binds them by Name.')
    Parameters  = @{ Name = 'Names of sessions or detached traces to return; wildcards are allowed.' }
    Examples    = @(
        @{ Title = 'Detached traces'; Code = 'Get-TraceSession | Where-Object State -eq Detached | Format-Table Name, Age, EventCount, LostEventCount'; Remarks = 'Lists the traces left recording by runbooks, how long they have run, and what they hold and lost.' }
        @{ Title = 'Stop all sessions'; Code = 'Get-TraceSession | Stop-Trace -PassThru'; Remarks = 'Ends every running session and shows what each recorded.' }
    )
    Links       = @('Start-Trace', 'Stop-Trace')
}
