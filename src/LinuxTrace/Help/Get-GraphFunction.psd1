@{
    Synopsis    = 'Reads the function_graph tracer''s filters: set_graph_function, set_graph_notrace and max_graph_depth.'
    Description = @('Get-GraphFunction returns one GraphFunctionSetting for the instance: Function (the roots; empty means every function), NoTrace and MaxDepth (0: no limit). Its Instance property pipes into Clear-GraphFunction and Set-GraphFunction.')
    Parameters  = @{ Instance = 'The instance to read; the top instance when omitted.' }
    Examples    = @(
        @{ Title = 'What the graph tracer will trace'; Code = 'Get-GraphFunction'; Remarks = 'Shows the roots, exclusions and depth limit of the top instance.' }
    )
    Links       = @('Set-GraphFunction', 'Clear-GraphFunction')
}
