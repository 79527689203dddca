@{
    Synopsis    = 'Writes a trace.dat file that trace-cmd and KernelShark open (from a running session''s buffer, or by converting a trace.dat file), or events as CSV or JSON with one set of columns for every kind of event.'
    Description = @(
        'Export-TraceData writes trace-cmd''s trace.dat format, version 7 by default (-FileVersion 6 on request), uncompressed or compressed with zstd or zlib. It carries everything trace-cmd needs: header page and event headers, the formats of the recorded events and every ftrace format, kallsyms, printk formats, saved command lines, CPU count, trace clock, uname and per-CPU statistics, then the raw ring-buffer pages as the kernel wrote them. Events are never decoded on the way.'
        'With -Session it consumes the buffer of a session started with Start-Trace -AsSession. With -Path it converts a trace.dat file (to another version or compression, for example). The file is written under a temporary name and renamed when complete, so a failure never leaves half a file.'
        'With -Format Csv or Json (or an -OutFile ending in .csv or .json) it writes events instead: piped from Get-TraceEvent, Start-Trace or Get-FunctionCall, or read from -Path or -Session. Every row has the same columns whatever the event: TimestampNs, Time (seconds, as trace-cmd prints them), TimeCreated (ISO 8601, empty when unknown), HostName (where it was recorded), CpuNumber, ProcessName, ProcessId, EventSystem, EventName, CommonFlags, CommonPreemptCount, Message, and Fields: every field of the event under its kernel name with its value, as a JSON object (in a CSV file, its JSON text, which ConvertFrom-Json reads). Export-Csv of mixed events takes its columns from the first event and drops the fields of the others; this keeps them all. Lost-event notes are rows whose EventName is lost_events (Fields: count, since_ns, reason); function calls are rows whose EventName is function_call (Fields: function, address, depth, duration_ns, caller, status).'
    )
    Parameters  = @{
        Session     = 'A running session (Start-Trace -AsSession) whose buffer is written; reading consumes it.'
        Path        = 'A trace.dat file to convert.'
        Buffer      = 'With -Path: the buffer of the source file to write; the top one when omitted.'
        OutFile     = 'The trace.dat file to write. An existing file is kept (an error says so) unless -Force is given.'
        Force       = 'Overwrite -OutFile if it exists.'
        FileVersion = 'trace.dat version: 7 (default, sections and compression) or 6 (for old readers).'
        Compression = 'none (default), zstd or zlib; version 7 only.'
        PassThru    = 'Return the written file as a FileInfo.'
        Format      = 'TraceDat (a trace.dat file), Csv or Json (events, one row each, with the same columns for every kind of event). By default taken from -OutFile''s extension: .csv and .json give Csv and Json, anything else TraceDat. -FileVersion and -Compression apply to TraceDat only.'
        InputObject = 'Records to write as CSV or JSON: events, lost-event notes and function calls, as Get-TraceEvent, Start-Trace and Get-FunctionCall write them. Objects cannot become a trace.dat file (it holds the kernel''s raw pages); for that, give -Path or -Session.'
    }
    Outputs     = @{ FileInfo = 'With -PassThru: the file written, as Get-Item gives it.' }
    Examples    = @(
        @{ Title = 'Save a session for KernelShark'; Code = '$s = Start-Trace -Event sched:* -AsSession; Start-Sleep 5; $s | Export-TraceData -OutFile sched.dat; $s | Stop-Trace'; Remarks = 'Records scheduler events for five seconds and saves them; kernelshark sched.dat opens the file.' }
        @{ Title = 'Every event of a file as CSV, whatever its kind'; Code = 'Export-TraceData -Path trace.dat -OutFile events.csv; Import-Csv events.csv | Group-Object EventName'; Remarks = 'One row per event with the same columns for sched_switch, sys_enter and the rest; the Fields column holds each event''s own fields as JSON: (Import-Csv events.csv)[0].Fields | ConvertFrom-Json.' }
        @{ Title = 'A filtered stream as JSON'; Code = 'Start-Trace -Event sched:sched_switch, sched:sched_wakeup -Duration 5 | Where-Object ProcessName -ne swapper/0 | Export-TraceData -OutFile sched.json'; Remarks = 'Writes the events the pipeline lets through as a JSON array, each with its fields as an object under Fields.' }
        @{ Title = 'Convert for an old trace-cmd'; Code = 'Export-TraceData -Path new.dat -OutFile old.dat -FileVersion 6'; Remarks = 'Rewrites a version 7 file as version 6.' }
    )
    Links       = @('Start-Trace', 'Get-TraceEvent', 'Get-TraceFileInfo')
}
