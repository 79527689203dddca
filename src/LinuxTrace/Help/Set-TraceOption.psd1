@{
    Synopsis    = 'Turns trace options on, or off with -Disable, in an instance.'
    Description = @('Set-TraceOption writes 1 (or 0 with -Disable) to options/<name> of the instance. An option this kernel does not have is reported with close matches. Use -WhatIf to see what would change.')
    Parameters  = @{
        Name     = 'The options to change, such as funcgraph-proc, event-fork or overwrite.'
        Disable  = 'Turn the options off instead of on.'
        Instance = 'The instance to change. The top instance when omitted; prefer a private instance so that other tools are not disturbed.'
        PassThru = 'Return a TraceOptionState for each option changed.'
    }
    Examples    = @(
        @{ Title = 'Follow forks in an instance'; Code = 'Set-TraceOption event-fork -Instance mytrace -PassThru'; Remarks = 'Turns event-fork on in mytrace and shows the result.' }
        @{ Title = 'Restore an option'; Code = 'Get-TraceOption event-fork -Instance mytrace | Set-TraceOption -Disable'; Remarks = 'Pipes the option (by Name and Instance) back in to turn it off.' }
    )
    Links       = @('Get-TraceOption')
}
