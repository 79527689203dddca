@{
    Synopsis    = 'Reads the function tracers'' filters: set_ftrace_filter and set_ftrace_notrace.'
    Description = @('Get-FunctionFilter returns one FunctionFilterSetting for the instance: Function (empty means every function) and NoTrace. On a host that locks the function tracer it fails with a PermissionDenied error.')
    Parameters  = @{ Instance = 'The instance to read; the top instance when omitted.' }
    Examples    = @(
        @{ Title = 'What the function tracer will trace'; Code = 'Get-FunctionFilter -Instance mytrace'; Remarks = 'Shows the filter of mytrace.' }
    )
    Links       = @('Set-FunctionFilter', 'Clear-FunctionFilter')
}
