@{
    Synopsis    = 'Lists the kernel functions the function and function_graph tracers can trace (available_filter_functions).'
    Description = @(
        'Get-TraceFunction reads available_filter_functions once and returns TraceFunction objects with Name and Module (null for the core kernel). Use it to find the exact name of a function before filtering on it: do_sys_open became do_sys_openat2 in Linux 5.6, for example.'
        'Hosts that lock the function tracer down answer EPERM even to root; the cmdlet then fails with a PermissionDenied error (FunctionListNotPermitted) instead of listing anything. Kernels without the function tracer give a NotImplemented error.'
    )
    Parameters  = @{
        Name   = 'Function names to return. Wildcards are allowed. A name without wildcards that is not traceable is reported with close matches.'
        Module = 'Only functions of these modules; "kernel" selects the core kernel. Wildcards are allowed.'
    }
    Examples    = @(
        @{ Title = 'Find the open path'; Code = 'Get-TraceFunction do_sys_open*'; Remarks = 'Lists do_sys_open and do_sys_openat2, whichever this kernel has.' }
        @{ Title = 'Functions of a module'; Code = 'Get-TraceFunction -Module ext4 | Measure-Object'; Remarks = 'Counts the traceable functions of the ext4 module.' }
    )
    Links       = @('Get-TraceCapability')
}
