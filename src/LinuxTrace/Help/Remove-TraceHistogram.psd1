@{
    Synopsis    = 'Removes hist triggers.'
    Description = @('Remove-TraceHistogram writes "!" and each trigger''s definition to its event''s trigger file: every hist trigger of the named events, or only the one -Definition names. Get-TraceHistogram -Trigger output pipes in by property name (EventName, Definition, Instance).')
    Parameters  = @{
        Event      = 'Events (system:event patterns) whose hist triggers are removed.'
        Definition = 'Only the trigger with this definition.'
        Instance   = 'The instance; the top instance when omitted.'
    }
    Examples    = @(
        @{ Title = 'Remove one event''s triggers'; Code = 'Remove-TraceHistogram kmem:kmalloc'; Remarks = 'Removes every hist trigger on kmem:kmalloc.' }
    )
    Links       = @('New-TraceHistogram', 'Get-TraceHistogram')
}
