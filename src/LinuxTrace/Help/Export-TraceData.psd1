@{
    Synopsis    = 'Writes a trace.dat file that trace-cmd and KernelShark open: from a running session''s buffer, or by converting a trace.dat file.'
    Description = @(
        'Export-TraceData writes trace-cmd''s trace.dat format, version 7 by default (-FileVersion 6 on request), uncompressed or compressed with zstd or zlib. It carries everything trace-cmd needs: header page and event headers, the formats of the recorded events and every ftrace format, kallsyms, printk formats, saved command lines, CPU count, trace clock, uname and per-CPU statistics, then the raw ring-buffer pages as the kernel wrote them. Events are never decoded on the way.'
        'With -Session it consumes the buffer of a session started with Start-Trace -AsSession. With -Path it converts a trace.dat file (to another version or compression, for example). The file is written under a temporary name and renamed when complete, so a failure never leaves half a file.'
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
    }
    Outputs     = @{ FileInfo = 'With -PassThru: the trace.dat file written, as Get-Item gives it.' }
    Examples    = @(
        @{ Title = 'Save a session for KernelShark'; Code = '$s = Start-Trace -Event sched:* -AsSession; Start-Sleep 5; $s | Export-TraceData -OutFile sched.dat; $s | Stop-Trace'; Remarks = 'Records scheduler events for five seconds and saves them; kernelshark sched.dat opens the file.' }
        @{ Title = 'Convert for an old trace-cmd'; Code = 'Export-TraceData -Path new.dat -OutFile old.dat -FileVersion 6'; Remarks = 'Rewrites a version 7 file as version 6.' }
    )
    Links       = @('Start-Trace', 'Get-TraceEvent', 'Get-TraceFileInfo')
}
