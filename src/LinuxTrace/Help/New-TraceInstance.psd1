@{
    Synopsis    = 'Creates trace instances (mkdir under instances/).'
    Description = @('New-TraceInstance creates each named instance, optionally sets its per-CPU buffer size and clock, and returns a TraceInstanceInfo. If a setting fails the instance is removed again, so nothing half-made is left behind.')
    Parameters  = @{
        Name         = 'Names of the instances to create.'
        BufferSizeKB = 'Ring-buffer size per CPU, in KB.'
        Clock        = 'Trace clock of the instance (local, global, mono, boot, ...).'
    }
    Examples    = @(
        @{ Title = 'A private buffer'; Code = 'New-TraceInstance mytrace -BufferSizeKB 8192 -Clock mono'; Remarks = 'Creates mytrace with 8 MB per CPU and the monotonic clock.' }
    )
    Links       = @('Get-TraceInstance', 'Remove-TraceInstance')
}
