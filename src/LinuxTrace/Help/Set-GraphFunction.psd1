@{
    Synopsis    = 'Sets the function_graph tracer''s roots (set_graph_function), the functions it leaves out (set_graph_notrace) and its depth limit (max_graph_depth).'
    Description = @(
        'Set-GraphFunction is the first step of the classic walkthrough: name the function whose call graph you want (do_sys_openat2), then run the function_graph tracer (Start-Trace -Tracer function_graph). Every name is checked against available_filter_functions before anything is written: an unknown name is an error that lists close matches (do_sys_open became do_sys_openat2 in Linux 5.6), and a name the kernel knows but cannot trace (inlined, notrace, .init) says so. Globs such as ''vfs_*'' are taken as the kernel takes them.'
        'Before kernel 6.12 the function_graph tracer and these files exist only in the top instance. Start-Trace -Tracer function_graph uses what is set here as its configuration and restores the files when the trace ends only if it changed them itself (-GraphFunction); Clear-GraphFunction empties them.'
        'On a host that locks the function tracer (EPERM even to root) the cmdlet fails with a PermissionDenied error; on a kernel without function_graph, with a NotImplemented error. Nothing is written then.'
    )
    Parameters  = @{
        Name     = 'Functions whose call graphs are traced (globs allowed). Replaces the list unless -Append is given.'
        NoTrace  = 'Functions the graph leaves out, with everything they call (set_graph_notrace).'
        MaxDepth = 'How deep the graph goes (max_graph_depth); 0 lifts the limit.'
        Instance = 'The instance to change; the top instance when omitted (the only one that has these files before kernel 6.12).'
        Append   = 'Add to the lists instead of replacing them.'
        PassThru = 'Return the resulting GraphFunctionSetting.'
    }
    Examples    = @(
        @{ Title = 'The walkthrough'; Code = "Set-GraphFunction do_sys_openat2`nStart-Trace -Tracer function_graph -Option funcgraph-proc -Command ls -ArgumentList / | Format-TraceGraph -ShowProcess`nClear-GraphFunction"; Remarks = 'Traces the call graph of every open that ls makes, prints it as trace-cmd report does, then clears the filter.' }
        @{ Title = 'A misspelt name'; Code = 'Set-GraphFunction do_sys_open'; Remarks = 'On kernels since 5.6 fails with FunctionNotFound and names do_sys_openat2 as a close match.' }
        @{ Title = 'See what would change'; Code = 'Set-GraphFunction vfs_read -MaxDepth 3 -WhatIf'; Remarks = 'Checks the name and shows the writes without making them.' }
    )
    Links       = @('Get-GraphFunction', 'Clear-GraphFunction', 'Start-Trace', 'Get-TraceFunction', 'Format-TraceGraph')
}
