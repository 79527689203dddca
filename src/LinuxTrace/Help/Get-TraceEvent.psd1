@{
    Synopsis    = 'Reads events as typed objects from trace.dat files, from a trace session, or from an instance''s buffer.'
    Description = @(
        'Get-TraceEvent reads the per-CPU ring buffers of a session started with Start-Trace -AsSession, or of any instance named with -Instance, decodes them with the kernel''s format files and writes the events merged by time. Reading consumes: the events are gone from the buffer afterwards.'
        'With -Path, it reads trace-cmd''s trace.dat files (versions 6 and 7, uncompressed or compressed with zstd or zlib) page by page, so memory stays flat on files larger than memory; events of several files are merged by time. Every record becomes the same object live tracing gives, and pages that lost events yield TraceLostEvents. A malformed or truncated file gives a terminating error that names the file, the offset and the problem; the events before that point are still written.'
        '-Event, -ProcessId, -Cpu, -StartTime and -EndTime filter records before any object is made, which is much faster than Where-Object on the objects.'
    )
    Parameters  = @{
        Session     = 'The session to read, from Start-Trace -AsSession or Get-TraceSession.'
        Path        = 'trace.dat files to read (version 6 or 7, uncompressed, zstd or zlib); wildcards are allowed. Several files are merged by time; files of several hosts or clocks, each with its wall-clock offset (-WallClock, trace-cmd record --date), on one timeline (see about_LinuxTrace_Files). Every event says its HostName.'
        LiteralPath = 'trace.dat files, taken literally; Get-ChildItem output pipes in.'
        Buffer      = 'The buffer (instance) of the file to read; the top buffer when omitted.'
        StartTime   = 'Only events at or after this time since boot (in the trace clock): seconds as a number, as the event table''s Time column shows it (2233.6), or a TimeSpan (00:37:13.6).'
        EndTime     = 'Only events at or before this time since boot: seconds (2233.6) or a TimeSpan.'
        MaxEvents   = 'Stop after this many records (events and lost-event reports), as Get-WinEvent -MaxEvents does.'
        Instance  = 'An instance to read (top for the global buffer).'
        Name      = 'A session of this process or a detached trace (Start-Trace -Detached, from any process), by name: reads (and consumes) what its buffer holds now, while it goes on recording.'
        Event     = 'Only these events (same patterns as Start-Trace -Event).'
        ProcessId = 'Only events of these processes (common_pid).'
        Cpu       = 'Only events recorded on these CPUs.'
    }
    Outputs     = @{ TraceEvent = 'One object per event.'; TraceLostEvents = 'Where the kernel reports lost events.' }
    Examples    = @(
        @{ Title = 'Read a trace-cmd recording'; Code = 'Get-TraceEvent ./trace.dat -Event sched_switch | Group-Object next_comm | Sort-Object Count -Descending'; Remarks = 'Reads the sched_switch events of a file recorded with trace-cmd record.' }
        @{ Title = 'Merge several files'; Code = 'Get-ChildItem ./traces/*.dat | Get-TraceEvent -StartTime 00:10:00 -EndTime 00:10:05'; Remarks = 'Reads five seconds of every file, merged by time.' }
        @{ Title = 'Read a session'; Code = '$s = Start-Trace -Event sched:* -AsSession; Start-Sleep 1; $s | Get-TraceEvent -Cpu 0 | Group-Object EventName'; Remarks = 'Reads the scheduler events recorded on CPU 0.' }
        @{ Title = 'Read an instance'; Code = 'Get-TraceEvent -Instance mytrace -Event sched_switch -ProcessId 1234'; Remarks = 'Reads the sched_switch events of pid 1234 that the instance mytrace holds.' }
    )
    Links       = @('Start-Trace', 'Stop-Trace')
}
