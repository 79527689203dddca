@{
    Synopsis    = 'Prints FunctionCall objects as the function_graph tracer and trace-cmd report print a call graph.'
    Description = @('Format-TraceGraph collects the calls it is given and prints each tree once, from its topmost call among them, in the order the trees began: indented two spaces per depth, "func();" for a leaf, "func() {" and "}" around what it called, the duration on the leaf or closing line with the kernel''s overhead markers (+ over 10 us, ! over 100 us, # over 1 ms, * over 10 ms, @ over 100 ms, $ over 1 s). Calls without a return or an entry are marked in a comment.')
    Parameters  = @{
        InputObject = 'FunctionCall objects.'
        ShowProcess = 'Add the task column (command-pid), as the funcgraph-proc option does.'
        NoHeader    = 'Leave out the column header.'
    }
    Outputs     = @{ String = 'Lines of text: a header (without -NoHeader), then one line per call entry, leaf call and return, laid out as trace-cmd report prints a function_graph trace (CPU, duration, indented function).' }
    Examples    = @(
        @{ Title = 'The walkthrough''s output'; Code = 'Start-Trace -Tracer function_graph -GraphFunction do_sys_openat2 -Command ls | Format-TraceGraph -ShowProcess'; Remarks = 'The call graphs of the opens that ls makes.' }
    )
    Links       = @('Get-FunctionCall', 'Start-Trace')
}
