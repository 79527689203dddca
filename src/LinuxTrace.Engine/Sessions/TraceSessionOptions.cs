namespace LinuxTrace.Engine.Sessions;

/// <summary>What a trace session records and where.</summary>
public sealed class TraceSessionOptions
{
    /// <summary>Event patterns (sched:sched_switch, sched_switch, sched:*, sched).</summary>
    public IReadOnlyList<string> Events { get; init; } = Array.Empty<string>();

    /// <summary>Kernel filter applied to every selected event.</summary>
    public string? Filter { get; init; }

    /// <summary>Trace only these pids (set_event_pid).</summary>
    public IReadOnlyList<int> ProcessIds { get; init; } = Array.Empty<int>();

    /// <summary>Add children of traced pids as they fork (options/event-fork).</summary>
    public bool FollowChildren { get; init; }

    /// <summary>Use this instance (created if missing, removed at the end only if created); null for a private one.</summary>
    public string? Instance { get; init; }

    public int? BufferSizeKB { get; init; }

    public string? Clock { get; init; }

    /// <summary>A name for the session (defaults to the instance name).</summary>
    public string? Name { get; init; }

    /// <summary>A program to start held before its first instruction and trace (only it, and its children with
    /// <see cref="FollowChildren"/>); tracing ends when it exits.</summary>
    public string? Command { get; init; }

    /// <summary>Arguments of <see cref="Command"/>.</summary>
    public IReadOnlyList<string> ArgumentList { get; init; } = Array.Empty<string>();

    /// <summary>Where <see cref="Command"/> starts, and what a relative path is relative to (PowerShell's location).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary><see cref="Command"/> gets /dev/null for stdin, stdout and stderr instead of this process's (in a
    /// PowerShell remoting server, whose stdout is the remoting channel).</summary>
    public bool CommandOutputDiscarded { get; init; }

    /// <summary>How long to trace (streaming and recording to a file).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Memory the queue to a slower consumer may hold, in MB (512 by default); past it, pages are dropped and reported.</summary>
    public long? QueueLimitMB { get; init; }

    /// <summary>How the drainer threads are scheduled.</summary>
    public LinuxTrace.Engine.RingBuffer.DrainerPriority DrainerPriority { get; init; } = LinuxTrace.Engine.RingBuffer.DrainerPriority.High;

    /// <summary>The tracer to run (function, function_graph, …; null for events only).</summary>
    public string? Tracer { get; init; }

    /// <summary>set_ftrace_filter for the function tracers: names or globs, "name:mod:module".</summary>
    public IReadOnlyList<string> Functions { get; init; } = Array.Empty<string>();

    /// <summary>set_graph_function for function_graph: the roots of the graphs.</summary>
    public IReadOnlyList<string> GraphFunctions { get; init; } = Array.Empty<string>();

    /// <summary>max_graph_depth for function_graph.</summary>
    public int? MaxGraphDepth { get; init; }

    /// <summary>Tracer options to turn on (funcgraph-proc) or off (nofuncgraph-proc).</summary>
    public IReadOnlyList<string> TracerOptions { get; init; } = Array.Empty<string>();

    /// <summary>Allow a function tracer without any filter (every kernel function).</summary>
    public bool AllFunctions { get; init; }

    /// <summary>Probes made for this trace only, in the kernel's one-line syntax ('p:myopen do_sys_openat2 …',
    /// 'r:rl bash:readline …'): created before recording starts, traced, and removed when the trace ends.</summary>
    public IReadOnlyList<string> Probes { get; init; } = Array.Empty<string>();

    /// <summary>Event triggers (the events/.../trigger language: 'stacktrace if prev_state &amp; 2', 'traceoff:1 if ret &lt; 0',
    /// 'snapshot', 'enable_event:syscalls:sys_enter_close') added to every event of the trace for its length and removed at its
    /// end. Stacks a stacktrace trigger records are attached to their events (Stack), as with <see cref="StackTrace"/>; events
    /// an enable_event or disable_event trigger names are passed on when the kernel records them.</summary>
    public IReadOnlyList<string> Triggers { get; init; } = Array.Empty<string>();

    /// <summary>Record the kernel stack after every event (the instance's stacktrace option) and attach it to the event (Stack).</summary>
    public bool StackTrace { get; init; }

    /// <summary>Record the user-space stack after every event (the instance's userstacktrace option) and attach it to the
    /// event (UserStack), resolved with the process's maps and its files' ELF symbols.</summary>
    public bool UserStackTrace { get; init; }

    /// <summary>Also record LinuxTrace's own process (left out by default, as trace-cmd leaves itself out).</summary>
    public bool IncludeSelf { get; init; }

    /// <summary>Leave the trace recording after this process exits (<see cref="TraceSession.Detach"/>), in the instance
    /// of the detached trace <see cref="Name"/>; another process stops it by name (<see cref="DetachedTrace"/>).</summary>
    public bool Detached { get; init; }

    /// <summary>Work the kernel does in the session's instance besides recording (hist triggers, synthetic events):
    /// set up once the instance is configured (with -Command, the program is already started, held stopped before its
    /// first instruction, and runs only when recording starts); disposed before the instance is given
    /// back or removed. A session with this needs no events of its own.</summary>
    public Func<TraceSession, IDisposable>? KernelSide { get; init; }
}
