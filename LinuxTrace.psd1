@{
    RootModule           = 'bin/LinuxTrace.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b7c1f4e-2a8d-4d0e-9c61-7f3e8a1b2c4d'
    Author               = 'LinuxTrace contributors'
    CompanyName          = 'LinuxTrace'
    Copyright            = '(c) LinuxTrace contributors. MIT License.'
    Description          = 'Linux kernel tracing (ftrace/tracefs) from PowerShell: typed trace events in the pipeline, trace.dat files shared with trace-cmd and KernelShark. Linux only; this package is built for x64 (the engine is compiled ahead and a small native reader is included): on arm64, build it from source with build.ps1 -Task Package.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.6'
    FormatsToProcess     = @('LinuxTrace.Format.ps1xml')
    CmdletsToExport      = @(
        'Add-KProbe'
        'Add-UProbe'
        'Clear-FunctionFilter'
        'Clear-GraphFunction'
        'Export-TraceData'
        'Export-TraceFlameGraph'
        'Format-TraceGraph'
        'Get-AvailableTracer'
        'Get-FunctionCall'
        'Get-FunctionFilter'
        'Get-GraphFunction'
        'Get-KProbe'
        'Get-TraceCapability'
        'Get-TraceEvent'
        'Get-TraceEventType'
        'Get-TraceFileInfo'
        'Get-TraceFunction'
        'Get-TraceHistogram'
        'Get-TraceInstance'
        'Get-TraceOption'
        'Get-TraceSession'
        'Get-TraceStatus'
        'Get-UProbe'
        'Get-UsdtProbe'
        'Measure-FunctionCall'
        'Measure-TraceEvent'
        'Measure-TraceLatency'
        'New-TraceHistogram'
        'New-TraceInstance'
        'Remove-KProbe'
        'Remove-TraceHistogram'
        'Remove-TraceInstance'
        'Remove-UProbe'
        'Set-FunctionFilter'
        'Set-GraphFunction'
        'Set-TraceOption'
        'Start-Trace'
        'Stop-Trace'
        'Write-TraceMarker'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Linux', 'ftrace', 'tracefs', 'trace-cmd', 'tracing', 'kernel', 'PSEdition_Core', 'x64')
            LicenseUri   = 'https://opensource.org/license/mit'
            ReleaseNotes = 'Time parameters take seconds (-Duration 5). Get-TraceEvent -MaxEvents. Measure-TraceEvent without -Property gives TraceEventCount groups. Remove-TraceInstance with a wildcard removes only the instances LinuxTrace made (-Force for others); Export-TraceData keeps an existing file unless -Force. -Verbose shows every change to tracefs.'
        }
    }
}
