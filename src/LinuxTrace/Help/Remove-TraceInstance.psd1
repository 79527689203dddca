@{
    Synopsis    = 'Removes trace instances and frees their buffers.'
    Description = @('Remove-TraceInstance removes each named instance (rmdir). An instance that belongs to a running LinuxTrace session of this process is removed by stopping the session, which restores everything it changed. The top instance cannot be removed.')
    Parameters  = @{
        Name  = 'Names of the instances to remove; wildcards are allowed. Takes Name from the pipeline, so Get-TraceInstance output pipes in. A wildcard takes only instances LinuxTrace made (its traces'' private ones and New-TraceInstance''s); an instance another tool made is removed when named, or with -Force.'
        Force = 'Lets a wildcard remove instances LinuxTrace did not make (another tool''s tracing, such as trace-cmd''s or perf''s).'
    }
    Examples    = @(
        @{ Title = 'Remove one'; Code = 'Remove-TraceInstance mytrace'; Remarks = 'Removes the instance mytrace.' }
        @{ Title = 'Remove what Get-TraceInstance finds'; Code = 'Get-TraceInstance test-* | Remove-TraceInstance -Confirm:$false'; Remarks = 'Removes every instance whose name starts with test-.' }
    )
    Links       = @('Get-TraceInstance', 'New-TraceInstance')
}
