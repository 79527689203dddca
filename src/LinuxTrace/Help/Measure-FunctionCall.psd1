@{
    Synopsis    = 'Count, total, self, minimum, average and maximum duration per function, computed in the engine.'
    Description = @('Measure-FunctionCall aggregates FunctionCall objects from the pipeline, or reads trace.dat files with -Path and pairs and aggregates their function_graph records without handing each call to PowerShell. Results come most total time first. Self is the time in the function without the traced calls it made; Incomplete counts calls whose entry or return the trace did not hold.')
    Parameters  = @{
        InputObject = 'FunctionCall objects (Start-Trace -Tracer function_graph, Get-FunctionCall).'
        Path        = 'trace.dat files to read and aggregate directly.'
        Function    = 'Only these functions (wildcards).'
    }
    Examples    = @(
        @{ Title = 'Where an open spends its time'; Code = 'Measure-FunctionCall -Path ./graph.dat | Select-Object -First 10'; Remarks = 'The ten functions with the most total time.' }
        @{ Title = 'Live'; Code = 'Start-Trace -Tracer function_graph -GraphFunction vfs_read -Duration 00:00:05 | Measure-FunctionCall'; Remarks = 'Times every function called under vfs_read for five seconds.' }
    )
    Links       = @('Get-FunctionCall', 'Start-Trace')
}
