@{
    Synopsis    = 'Traces kernel events in a private instance and streams them into the pipeline as typed objects.'
    Description = @(
        'Start-Trace creates a private instance (linuxtrace-PID-N), enables the events named with -Event with the kernel filter given with -Filter, restricts them to -ProcessId or to the program started with -Command, drains the per-CPU ring buffers in binary and writes one object per event, merged by time across CPUs. Each event format has its own class: every field is a property of its natural .NET type under exactly its kernel name (prev_comm is a string, prev_pid an int, filename a string, sys_enter_openat''s flags the open flags), next to the record''s own properties Timestamp, TimestampNs, CpuNumber, ProcessId, ProcessName, EventSystem, EventName, CommonFlags, CommonPreemptCount and Message (the event as the kernel''s print format renders it, as trace-cmd report shows it).'
        'The trace leaves out this PowerShell process and all its threads, as trace-cmd leaves itself out (set_event_notrace_pid, and the engine for threads that start later); -IncludeSelf keeps them. -Event ftrace:print captures markers: those written into the instance (Write-TraceMarker -Session) and, on kernels with copy_trace_marker, those any program writes to the top-level trace_marker. A trace that ends with no events says why it may be empty: a pid filter whose processes did nothing, a kernel filter, tracing switched off by someone else, buffers that stayed empty.'
        'Tracing ends when the program exits, when -Duration has passed, on Ctrl+C, or when a downstream command such as Select-Object -First stops the pipeline. On every end, the instance is removed and nothing it set is left in the kernel. SIGTERM and SIGHUP end the trace (an -OutFile file is finished) and then pwsh, with exit code 128 + the signal; SIGINT ends it as Ctrl+C does. After Ctrl+C or a signal, events the pipeline has not taken yet are not delivered. Lost events are never silent: a TraceLostEvents object appears in the stream where the kernel reports a loss, and a warning gives the total.'
        'With -AsSession, Start-Trace returns a TraceSession at once and keeps recording into the kernel buffer; read it with Get-TraceEvent -Session and end it with Stop-Trace.'
    )
    Parameters  = @{
        Event          = 'Events to trace: sched:sched_switch, sched_switch, sched:*, sched (a whole system), syscalls:sys_enter_open*. A name that matches nothing is an error with close matches.'
        Filter         = 'A kernel event filter (the events/.../filter language, such as "prev_pid == 0" or "comm ~ ''bash*''") applied in the kernel to every event. A filter the kernel rejects is an error that names the position.'
        ProcessId      = 'Trace only these processes (set_event_pid). A process that does not exist is an error.'
        FollowChildren = 'Also trace the children that traced processes fork (options/event-fork).'
        Command        = 'A program to start and trace: only it (and its children with -FollowChildren) is traced, from its first instruction. A path is resolved as PowerShell resolves paths (relative to the current location, ~ for home) and the program starts in the current location; a name is searched in PATH. Its output goes to the host, not the pipeline. Tracing ends when it exits.'
        ArgumentList   = 'Arguments for -Command.'
        Duration       = 'How long to trace.'
        Instance       = 'Record into this instance instead of a private one. An instance that does not exist is created and removed at the end; an existing one is restored to the state it had.'
        BufferSizeKB   = 'Ring-buffer size per CPU, in KB. Bigger buffers lose fewer events under load.'
        Clock          = 'The trace clock (local, global, mono, boot, ...).'
        Name           = 'A name for the session; the instance name when omitted.'
        OutFile        = 'Record to this trace.dat file instead of writing objects: the drained pages go straight to per-CPU files, nothing is decoded, and the trace.dat file is written when tracing ends (also on Ctrl+C). trace-cmd report and KernelShark open it.'
        FileVersion    = 'With -OutFile: trace.dat version 7 (default) or 6.'
        Compression    = 'With -OutFile: none (default), zstd or zlib (version 7 only).'
        PassThru       = 'With -OutFile: return the written file as a FileInfo.'
        AsSession      = 'Return a TraceSession at once and keep recording; read with Get-TraceEvent -Session, end with Stop-Trace.'
        IncludeSelf    = 'Also record this PowerShell process''s own threads, which a trace leaves out by default.'
        QueueLimitMB   = 'Memory, in MB, that the queue between the per-CPU readers and a slower pipeline may hold (512 by default). The readers never wait for the pipeline, since a waiting reader makes the kernel lose events: past the limit they drop pages and report them in the stream as TraceLostEvents whose Reason says LinuxTrace dropped them, apart from the kernel''s own losses.'
        SummaryVariable = 'Stores the TraceSessionSummary in this variable when the trace ends, however it ends (the program exits, Ctrl+C, Select-Object -First): events, kernel losses (KernelLost), events LinuxTrace dropped (DroppedByLinuxTrace), the queue''s peak, and where CPU time went: DrainerCpuTime (reading the ring buffers), EngineCpuTime (merging, decoding, making objects) and PipelineCpuTime (the commands after Start-Trace).'
        RealTimeDrainers = 'Run the per-CPU readers at real-time priority (SCHED_FIFO) so that they keep up on a saturated machine with small buffers. They sleep whenever the buffers are drained.'
    }
    Outputs     = @{ TraceEvent = 'One object per event, of a class made for its format.'; TraceLostEvents = 'Where events were lost.'; TraceSession = 'With -AsSession.' }
    Examples    = @(
        @{ Title = 'Who runs on the CPUs?'; Code = 'Start-Trace -Event sched:sched_switch -Duration 00:00:05 | Group-Object next_comm | Sort-Object Count -Descending'; Remarks = 'Counts context switches by the task switched to, for five seconds.' }
        @{ Title = 'Trace a program'; Code = 'Start-Trace -Event sched:sched_process_exec, syscalls:sys_enter_openat -Command /bin/ls -ArgumentList /tmp'; Remarks = 'Starts ls held before its first instruction, traces only it, and ends when it exits.' }
        @{ Title = 'Filter in the kernel'; Code = 'Start-Trace -Event sched_switch -Filter ''prev_pid == 0'' | Select-Object -First 5'; Remarks = 'Only switches away from the idle task reach user space; after five events the trace stops and the instance is removed.' }
        @{ Title = 'Record to a file for trace-cmd and KernelShark'; Code = 'Start-Trace -Event sched:sched_switch, sched:sched_wakeup -Duration 00:00:10 -OutFile sched.dat -Compression zstd -PassThru'; Remarks = 'Records ten seconds of scheduling to a zstd-compressed trace.dat version 7; trace-cmd report -i sched.dat reads it.' }
        @{ Title = 'Markers in the trace'; Code = '$s = Start-Trace -Event sched:sched_process_exec, ftrace:print -AsSession; Write-TraceMarker ''before'' -Session $s; bash -c ''echo from-bash > /sys/kernel/tracing/trace_marker''; Get-TraceEvent $s | Select-Object Timestamp, EventName, Message; $s | Stop-Trace'; Remarks = 'Markers written with Write-TraceMarker and by any program to trace_marker appear between the events, with their text.' }
        @{ Title = 'Where did the time go?'; Code = 'Start-Trace -Event sched:sched_switch -Duration 00:00:05 -SummaryVariable sum | Group-Object next_comm | Out-Null; $sum | Format-List KernelLost, DroppedByLinuxTrace, QueuePeakBytes, DrainerCpuTime, EngineCpuTime, PipelineCpuTime'; Remarks = 'Losses and the CPU split of a streamed trace: the kernel, LinuxTrace''s readers, LinuxTrace''s decoding, and the pipeline.' }
        @{ Title = 'Record in the background'; Code = '$s = Start-Trace -Event raw_syscalls:sys_enter -AsSession; Start-Sleep 1; Get-TraceEvent -Session $s | Group-Object ProcessName; $s | Stop-Trace -PassThru'; Remarks = 'Records for a second, reads what the buffer holds, then stops and shows the summary.' }
    )
    Links       = @('Get-TraceEvent', 'Stop-Trace', 'Get-TraceEventType')
}
