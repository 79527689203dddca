@{
    Synopsis    = 'Counts events by group, with the sum, minimum, maximum, average and histogram of a numeric field, computed in the engine.'
    Description = @(
        'Measure-TraceEvent answers "which events, how often, by whom" at the engine''s speed: records are grouped straight from their bytes, without an object per event (Get-TraceEvent | Group-Object makes one per event and runs at PowerShell''s pace). Sources: a live trace with Start-Trace''s parameters (-Event, -Filter, -Command, -ProcessId, -Duration ...), trace.dat files (-Path, -LiteralPath), a session (-Session) or events from the pipeline.'
        '-GroupBy takes kernel field names as the format files spell them (id, prev_comm, call_site ...) and the record''s own properties ProcessId, ProcessName, CpuNumber and EventName; without -GroupBy events are grouped by EventName. Grouping raw_syscalls events by id also gives each group the syscall''s name (syscall). Each group is an object with its keys as typed properties under their own names, Count, and with -Property the Sum, Minimum, Maximum and Average of that field (all four unless some are asked for) and, with -Histogram, a TraceHistogram in power-of-two buckets (or -Linear buckets) that prints as bpftrace prints one.'
        'Live, a progress line shows the biggest groups as they grow; in an interactive console Ctrl+C ends the trace and the result is still written. Lost events are counted and reported in a warning.'
    )
    Parameters  = @{
        Event          = 'Events to trace (live) or to keep (files, sessions): system:event patterns as Start-Trace takes them.'
        GroupBy        = 'Up to four kernel fields or record properties (ProcessId, ProcessName, CpuNumber, EventName) to group by.'
        Property       = 'A numeric kernel field to measure (bytes_req, len, ret ...).'
        Sum            = 'Report the sum of -Property.'
        Minimum        = 'Report the minimum of -Property.'
        Maximum        = 'Report the maximum of -Property.'
        Average        = 'Report the average of -Property.'
        Histogram      = 'Add a histogram of -Property in power-of-two buckets.'
        Linear         = 'Histogram buckets of this width instead of powers of two.'
        Path           = 'trace.dat files to read (wildcards allowed).'
        LiteralPath    = 'trace.dat files to read, taken as written.'
        Session        = 'A session started with Start-Trace -AsSession: its buffer is read.'
        InputObject    = 'Events from the pipeline.'
        Filter         = 'Live: a kernel filter applied to every event.'
        ProcessId      = 'Live: trace only these processes.'
        FollowChildren = 'Live: also trace the children they start.'
        Command        = 'Live: a program to start and trace; the trace ends when it exits.'
        ArgumentList   = 'Live: the arguments of -Command.'
        Duration       = 'Live: how long to trace, in seconds (5, 0.5) or as a TimeSpan (00:01:00); until Ctrl+C when omitted and no -Command is given.'
        Instance       = 'Live: record into this instance instead of a private one.'
        BufferSizeKB   = 'Live: the per-CPU ring-buffer size.'
        IncludeSelf    = 'Live: also record this PowerShell process''s own threads (left out by default). Scheduler latencies need it.'
        KProbe         = 'Live: kernel probes made for this trace only, as definitions, or existing probes (DynamicProbe objects from Get-KProbe) traced as they are (Start-Trace -KProbe).'
        UProbe         = 'Live: user probes made for this trace only, as definitions, or existing probes (DynamicProbe objects from Get-UProbe) traced as they are (Start-Trace -UProbe).'
    }
    Examples    = @(
        @{ Title = 'Which syscalls, how often'; Code = 'Measure-TraceEvent raw_syscalls:sys_enter -GroupBy id -Duration 00:00:05 | Select-Object -First 10 Count, syscall'; Remarks = 'Counts system calls for five seconds, by syscall, in the kernel''s ring buffer order of magnitude rather than PowerShell''s.' }
        @{ Title = 'Who allocates, and how much'; Code = 'Measure-TraceEvent kmem:kmalloc -GroupBy ProcessName -Property bytes_req -Sum -Histogram -Duration 00:00:05'; Remarks = 'Per command: bytes requested in total, and a histogram of request sizes ($g.Histogram prints it).' }
        @{ Title = 'From a file trace-cmd recorded'; Code = 'Measure-TraceEvent -Path trace.dat -Event raw_syscalls:sys_enter -GroupBy id'; Remarks = 'The same counts trace-cmd report would give per id, without an object per event.' }
    )
    Links       = @('Measure-TraceLatency', 'Start-Trace', 'Get-TraceEvent')
}
