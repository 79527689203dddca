@{
    Synopsis    = 'Limits the function tracers to some kernel functions (set_ftrace_filter) or leaves some out (set_ftrace_notrace).'
    Description = @(
        'Set-FunctionFilter writes names or globs (''vfs_*'') as the kernel takes them, with -Module for the functions of one module (written as name:mod:module). Every name is checked against available_filter_functions first: an unknown name is an error with close matches, and nothing is written.'
        'The function tracer and function_graph both honour these filters. Start-Trace -Function sets them for one trace and restores them afterwards.'
    )
    Parameters  = @{
        Name     = 'Functions to trace (globs allowed). Replaces the list unless -Append is given.'
        NoTrace  = 'Functions the tracers leave out.'
        Module   = 'Only functions of this module; alone, every function of the module.'
        Instance = 'The instance to change; the top instance when omitted.'
        Append   = 'Add to the lists instead of replacing them.'
        PassThru = 'Return the resulting FunctionFilterSetting.'
    }
    Examples    = @(
        @{ Title = 'The VFS layer only'; Code = "Set-FunctionFilter 'vfs_*' -Instance mytrace -PassThru"; Remarks = 'Limits the function tracer in mytrace to the vfs_ functions.' }
        @{ Title = 'A module'; Code = 'Set-FunctionFilter -Module ext4 -WhatIf'; Remarks = 'Shows the write of :mod:ext4 without making it.' }
    )
    Links       = @('Get-FunctionFilter', 'Clear-FunctionFilter', 'Start-Trace', 'Get-TraceFunction')
}
