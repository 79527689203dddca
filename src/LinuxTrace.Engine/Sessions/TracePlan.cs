using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Sessions;

/// <summary>
/// What a session will do, checked before the kernel is touched, so that a typo changes nothing: the events the patterns
/// name, the probes it makes (parsed, their targets checked), the program it starts (found on PATH or relative to the
/// working directory), the tracer and its function names, and where the tracer can run.
/// </summary>
internal sealed class TracePlan
{
    private TracePlan(List<EventName> events, TraceProbes probes, string? program, bool topForGraph)
    {
        Events = events;
        Probes = probes;
        Program = program;
        TopForGraph = topForGraph;
    }

    /// <summary>The events the patterns name (probes planned for the trace are added when they are made).</summary>
    public List<EventName> Events { get; }

    public TraceProbes Probes { get; }

    /// <summary>The program to start, as a path (null: none).</summary>
    public string? Program { get; }

    /// <summary>function_graph on a kernel whose instances cannot run it (before 6.12): the top-level buffer is borrowed.</summary>
    public bool TopForGraph { get; }

    public static TracePlan Make(TraceSessionOptions options, TraceFileSystem fs)
    {
        if (options.Events.Count == 0 && options.Tracer is null && options.Probes.Count == 0 && options.KernelSide is null)
            throw new TraceException(TraceErrorKind.InvalidArgument, "Name at least one event to trace (-Event sched:sched_switch, for example), a tracer (-Tracer function_graph) or a probe (-KProbe, -UProbe).") { ErrorId = "NoEvents" };
        fs.Capabilities.Require(TraceCapabilities.Events);
        var probes = TraceProbes.Plan(options, fs);
        var patterns = options.Events.Where(e => !probes.Planned.Any(p => p.Name is { } n && (e == n || e == p.EffectiveGroup + ":" + n))).ToArray();
        var events = patterns.Length == 0 ? new List<EventName>() : EventSelector.Resolve(fs.Top, patterns, includeFtrace: true).ToList();
        foreach (var e in events)
        {
            if (e.System == "ftrace" && !InstanceSetup.Markers.Contains(e.Name))
                throw new TraceException(TraceErrorKind.InvalidArgument,
                    $"{e} records are written by a tracer, not enabled as an event: use -Tracer ({(e.Name == "function" ? "function" : "function_graph")}). The markers ftrace:print, ftrace:bprint and ftrace:bputs can be traced as events.")
                    { ErrorId = "NotAnEvent" };
        }
        foreach (int pid in options.ProcessIds)
        {
            if (!Directory.Exists($"/proc/{pid}"))
                throw new TraceException(TraceErrorKind.NotFound, $"There is no process {pid}: nothing could be traced for it.", $"/proc/{pid}") { ErrorId = "ProcessNotFound" };
        }
        string? program = options.Command is null ? null : LaunchedProcess.ResolveCommand(options.Command, options.WorkingDirectory ?? Environment.CurrentDirectory);
        TracerSetup.Check(options, fs);
        bool topForGraph = TracerSetup.IsGraphTracer(options.Tracer) && options.Instance is null && !TracerSetup.InstancesHaveGraphTracer(fs);
        if (options.Instance is null && !topForGraph) fs.Capabilities.Require(TraceCapabilities.Instances);
        if (options.Detached) CheckDetached(options, topForGraph);
        return new TracePlan(events, probes, program, topForGraph);
    }

    /// <summary>A detached trace records into an instance of its own until another process stops it: nothing in it may
    /// need this process (a program it waits for, maps it reads, a duration it counts, work it does beside the kernel).</summary>
    private static void CheckDetached(TraceSessionOptions o, bool topForGraph)
    {
        string? why = o.Name is null ? "it needs a name (-Name) to be stopped by"
            : o.Instance is not null ? "it records into an instance of its own (leave out -Instance)"
            : o.Command is not null ? "a detached trace cannot wait for a program (-Command); trace the program's -ProcessId instead"
            : o.Duration is not null ? "nothing counts its -Duration once this process exits; stop it with Stop-Trace"
            : o.UserStackTrace ? "user stacks are resolved with the maps of processes while they run, which a detached trace does not read"
            : o.KernelSide is not null ? "this command's work in the kernel ends with the command"
            : topForGraph ? "function_graph runs only in the top-level buffer on this kernel (instances have it from 6.12), which LinuxTrace borrows only while it runs"
            : null;
        if (why is not null)
            throw new TraceException(TraceErrorKind.InvalidArgument, $"Cannot start a detached trace: {why}.") { ErrorId = "DetachedTraceRefused" };
        DetachedTrace.InstanceNameFor(o.Name!); // a name that cannot name an instance is an error now
    }
}
