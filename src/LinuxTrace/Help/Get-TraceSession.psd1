@{
    Synopsis    = 'Lists the trace sessions of this PowerShell process that are still recording.'
    Description = @('Get-TraceSession returns the TraceSession objects started with Start-Trace -AsSession that have not been stopped. Pipe them to Get-TraceEvent or Stop-Trace.')
    Parameters  = @{ Name = 'Session names to return; wildcards are allowed.' }
    Examples    = @(
        @{ Title = 'Stop all sessions'; Code = 'Get-TraceSession | Stop-Trace -PassThru'; Remarks = 'Ends every running session and shows what each recorded.' }
    )
    Links       = @('Start-Trace', 'Stop-Trace')
}
