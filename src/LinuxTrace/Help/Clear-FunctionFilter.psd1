@{
    Synopsis    = 'Empties set_ftrace_filter and set_ftrace_notrace: the function tracers trace every function again.'
    Description = @('Clear-FunctionFilter puts the function tracers'' filters back to the kernel''s default. Use -WhatIf to see what it would do.')
    Parameters  = @{
        Instance = 'The instance to clear; the top instance when omitted. Accepts Instance from the pipeline (Get-FunctionFilter).'
        PassThru = 'Return the resulting FunctionFilterSetting.'
    }
    Examples    = @(
        @{ Title = 'Undo Set-FunctionFilter'; Code = 'Get-FunctionFilter -Instance mytrace | Clear-FunctionFilter'; Remarks = 'Clears the filters of mytrace.' }
    )
    Links       = @('Set-FunctionFilter', 'Get-FunctionFilter')
}
