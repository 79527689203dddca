@{
    Synopsis    = 'Lists trace instances: separate ring buffers with their own events, options and tracer.'
    Description = @('Get-TraceInstance returns a TraceInstanceInfo per instance under instances/: Name, Tracer, TracingOn, BufferSizeKB, Clock, EnabledEventCount and Path. IsLinuxTrace marks the private instances LinuxTrace sessions make (linuxtrace-PID-N). Pipe them to Remove-TraceInstance to delete them.')
    Parameters  = @{
        Name       = 'Instance names to return. Wildcards are allowed; "top" returns the top instance.'
        IncludeTop = 'Also return the top (global) instance.'
    }
    Examples    = @(
        @{ Title = 'List instances'; Code = 'Get-TraceInstance -IncludeTop'; Remarks = 'Shows the top instance and every named one.' }
        @{ Title = 'Remove leftovers'; Code = 'Get-TraceInstance linuxtrace-* | Remove-TraceInstance -WhatIf'; Remarks = 'Shows which LinuxTrace instances would be removed.' }
    )
    Links       = @('New-TraceInstance', 'Remove-TraceInstance')
}
