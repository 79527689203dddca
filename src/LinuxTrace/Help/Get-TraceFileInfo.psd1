@{
    Synopsis    = 'Shows what a trace.dat file holds: version, compression, host, clock, CPUs, buffers, per-CPU statistics and the events it contains.'
    Description = @('Get-TraceFileInfo reads the metadata of trace-cmd trace.dat files (version 6 or 7, compressed or not) and walks their data without making event objects, to count the events of each type, the lost-event reports and the time span. Malformed files give an error that names the file, the offset and the problem.')
    Parameters  = @{
        Path        = 'trace.dat files; wildcards are allowed.'
        LiteralPath = 'trace.dat files, taken literally; Get-ChildItem output pipes in.'
    }
    Examples    = @(
        @{ Title = 'What is in a recording?'; Code = 'Get-TraceFileInfo ./trace.dat | Format-List'; Remarks = 'Shows version, compression, uname, trace-cmd version, clock, CPUs, buffers and event counts.' }
        @{ Title = 'Event counts of many files'; Code = 'Get-ChildItem *.dat | Get-TraceFileInfo | Select-Object Path, EventCount, TimeSpan'; Remarks = 'Summarises every recording in the folder.' }
    )
    Links       = @('Get-TraceEvent', 'Export-TraceData')
}
