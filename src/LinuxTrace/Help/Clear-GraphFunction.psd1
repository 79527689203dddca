@{
    Synopsis    = 'Empties set_graph_function and set_graph_notrace and lifts the graph depth limit.'
    Description = @('Clear-GraphFunction puts the function_graph tracer''s filters back to the kernel''s defaults: every function is a root again, none is left out, and max_graph_depth is 0. Use -WhatIf to see what it would do.')
    Parameters  = @{
        Instance = 'The instance to clear; the top instance when omitted. Accepts Instance from the pipeline (Get-GraphFunction).'
        PassThru = 'Return the resulting GraphFunctionSetting.'
    }
    Examples    = @(
        @{ Title = 'Undo Set-GraphFunction'; Code = 'Get-GraphFunction | Clear-GraphFunction'; Remarks = 'Clears the filters of the top instance.' }
    )
    Links       = @('Set-GraphFunction', 'Get-GraphFunction')
}
