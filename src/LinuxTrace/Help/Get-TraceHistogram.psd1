@{
    Synopsis    = 'Reads the tables of hist triggers into groups (or, with -Trigger, lists the triggers).'
    Description = @('Get-TraceHistogram reads each hist file of the named events (every event with a hist trigger when none is named) into TraceEventGroup objects, as Measure-TraceEvent makes them: the keys as properties under their field names (call_site as its symbol, id with its syscall name in syscall, common_pid with its command in ProcessName), Count from hitcount, and the first value field as Sum. -Trigger lists the triggers themselves (Instance, EventName, Definition, Active), which pipe to Remove-TraceHistogram.')
    Parameters  = @{
        Event    = 'Events (system:event patterns); every event that has a hist trigger when omitted.'
        Instance = 'The instance; the top instance when omitted.'
        Trigger  = 'List the triggers instead of their tables.'
    }
    Examples    = @(
        @{ Title = 'The biggest groups'; Code = 'Get-TraceHistogram kmem:kmalloc | Select-Object -First 10 Count, call_site, Sum'; Remarks = 'The ten call sites that allocated most often.' }
        @{ Title = 'Every hist trigger, removed'; Code = 'Get-TraceHistogram -Trigger | Remove-TraceHistogram'; Remarks = 'Lists the triggers of every event and removes them.' }
    )
    Links       = @('New-TraceHistogram', 'Remove-TraceHistogram')
}
