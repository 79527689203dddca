@{
    Synopsis    = 'Pairs each start event with the next end event of the same key, and reports the latencies per group: count, minimum, mean, percentiles, maximum and a histogram.'
    Description = @(
        'Measure-TraceLatency pairs in the engine, straight from the record bytes: each -Start event waits for the next -End event with the same key (the task, common_pid, unless -StartKey and -EndKey name fields), and the time between them is a latency. A start replaced by another start of its key before any end, a start still open when the trace ends, and an end that met no start are counted and reported in a warning, never dropped silently.'
        'Each group (-GroupBy: fields of the start event, or ProcessName, ProcessId, CpuNumber) is a TraceLatencyGroup with Count, MinimumNs, MeanNs, P50Ns, P90Ns, P99Ns, P999Ns, MaximumNs (exact, from every latency) and a Histogram in power-of-two buckets of nanoseconds that prints as bpftrace''s hist() does, with units chosen from the data. Grouping raw_syscalls by id also names the syscall.'
        'Sources are those of Measure-TraceEvent: a live trace (Start-Trace''s parameters), trace.dat files, a session, or events from the pipeline.'
        'With -InKernel the kernel pairs the events itself and keeps the histogram, as Documentation/trace/histogram.rst builds one: a synthetic event (lt_latency_PID_N: the latency and the -GroupBy fields), a hist trigger on the start event that saves the time stamp per key, one on the end event that fires the synthetic event on a match (onmatch), and a log2 hist trigger on the synthetic event. No event data leaves the kernel, so it costs next to nothing on a busy machine; the histogram is read when the trace ends, and everything is removed again (a synthetic event left by a killed pwsh is removed by the next -InKernel). It needs hist triggers and synthetic events (CONFIG_HIST_TRIGGERS, CONFIG_SYNTH_EVENTS), one start and one end event, keys and -GroupBy fields that are numbers or fixed-size strings of the start event; -Filter applies to the start event. Count and MeanNs are exact; MinimumNs, the percentiles and MaximumNs are the edges of the kernel''s power-of-two buckets, and InKernel is true.'
    )
    Parameters  = @{
        Start          = 'The event that starts the interval: raw_syscalls:sys_enter, sched:sched_wakeup, block:block_rq_issue.'
        End            = 'The event that ends it: raw_syscalls:sys_exit, sched:sched_switch, block:block_rq_complete.'
        StartKey       = 'Fields of the start event that identify it (the task, common_pid, by default): sched_wakeup''s pid; block_rq_issue''s dev and sector.'
        EndKey         = 'The end event''s fields that must equal -StartKey''s, one to one: sched_switch''s next_pid. -StartKey''s names by default.'
        GroupBy        = 'Fields of the start event, or ProcessName, ProcessId, CpuNumber, to group the latencies by.'
        Linear         = 'Histogram buckets of this many nanoseconds instead of powers of two.'
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
        InKernel       = 'Live: let the kernel pair the events and keep the histogram (hist triggers and a synthetic event): no event data leaves the kernel. Log2 buckets; -Filter applies to the start event.'
    }
    Examples    = @(
        @{ Title = 'Syscall latency by syscall'; Code = 'Measure-TraceLatency raw_syscalls:sys_enter raw_syscalls:sys_exit -GroupBy id -Duration 00:00:05'; Remarks = 'The time each system call took, per syscall: count, percentiles and maximum. ($r | Select-Object -First 1).Histogram prints its histogram.' }
        @{ Title = 'Scheduler wakeup latency'; Code = 'Measure-TraceLatency sched:sched_wakeup sched:sched_switch -StartKey pid -EndKey next_pid -IncludeSelf -Duration 00:00:05'; Remarks = 'From a task''s wakeup to the moment it runs. -IncludeSelf keeps pwsh''s own context switches, without which the switch-in of a task pwsh woke can be missed.' }
        @{ Title = 'Syscall latency counted by the kernel'; Code = 'Measure-TraceLatency raw_syscalls:sys_enter raw_syscalls:sys_exit -GroupBy id -InKernel -Duration 00:01:00'; Remarks = 'The same table for a whole minute of a busy machine, without reading a single event: the kernel pairs and counts (hist triggers; not on kernels built without them).' }
        @{ Title = 'Block I/O latency'; Code = 'Measure-TraceLatency block:block_rq_issue block:block_rq_complete -StartKey dev, sector -Duration 00:00:10'; Remarks = 'From a request''s issue to its completion, per device and sector.' }
    )
    Links       = @('Measure-TraceEvent', 'Start-Trace')
}
