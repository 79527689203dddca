using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Reading;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Sessions;

/// <summary>
/// A named trace that outlives the process that started it (Start-Trace -Name x -Detached), as trace-cmd start leaves
/// one: it records into the instance <c>linuxtrace-detached-NAME</c> until a process stops it by name. Everything about it
/// is read from tracefs itself, which every process, container and mount namespace on the host shares: its name from
/// the instance's, its start from the instance directory's time, its events, tracer and counts from the instance. No
/// process owns it, so orphan clean-up never takes it; a trace whose starter died mid-way is still stopped by name.
/// </summary>
public sealed class DetachedTrace
{
    /// <summary>The prefix of a detached trace's instance.</summary>
    public const string Prefix = InstanceOwnership.Prefix + "detached-";

    private readonly TraceInstance _instance;

    private DetachedTrace(TraceInstance instance)
    {
        _instance = instance;
        Name = instance.Name[Prefix.Length..];
        StartTime = instance.CreationTime;
        CpuStats = instance.GetCpuStats();
        Recording = instance.TracingOn;
        Tracer = instance.CurrentTracer is "nop" or "" ? null : instance.CurrentTracer;
        Events = instance.EnabledEvents;
    }

    public string Name { get; }

    /// <summary>Always Detached: beside this process's sessions in Get-TraceSession, it says which is which.</summary>
    public TraceSessionState State => TraceSessionState.Detached;
    public string InstanceName => _instance.Name;
    public DateTime? StartTime { get; }
    public TimeSpan? Age => StartTime is { } t ? DateTime.Now - t : null;

    /// <summary>True while the kernel records (a traceoff trigger, or a stop half done, turns it off).</summary>
    public bool Recording { get; }
    public string? Tracer { get; }

    /// <summary>The events enabled in the trace's instance, as system:event.</summary>
    public IReadOnlyList<string> Events { get; }

    /// <summary>Events the buffers hold now.</summary>
    public long EventCount => CpuStats.Sum(s => s.Entries);

    /// <summary>Events lost so far (overwritten when the buffer was full: a detached trace keeps the newest).</summary>
    public long LostEventCount => CpuStats.Sum(s => s.Lost);

    public IReadOnlyList<CpuBufferStats> CpuStats { get; }

    public TraceInstance Instance => _instance;

    public override string ToString() => Name;

    /// <summary>The instance a detached trace named <paramref name="name"/> records into; a bad name is an error.</summary>
    public static string InstanceNameFor(string name)
    {
        if (name.Length == 0 || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') || name[0] == '.')
            throw new TraceException(TraceErrorKind.InvalidArgument,
                $"'{name}' cannot name a detached trace: use 1 to 64 letters, digits, '_', '-' or '.' (not first).") { ErrorId = "BadTraceName" };
        return Prefix + name;
    }

    public static bool IsDetachedInstance(string instanceName) => instanceName.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The detached traces on this host.</summary>
    public static IReadOnlyList<DetachedTrace> GetAll(TraceFileSystem fs)
    {
        var list = new List<DetachedTrace>();
        foreach (var inst in fs.GetInstances().Where(i => IsDetachedInstance(i.Name)))
        {
            try { list.Add(new DetachedTrace(inst)); }
            catch (TraceException) { } // removed meanwhile
        }
        return list.OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// Stops the trace: recording off, the buffers written to <paramref name="outFile"/> as trace.dat when one is given
    /// (what the kernel kept: a detached trace's buffer holds its newest events), then the instance removed with the
    /// probes the trace made for itself. Only one process stops a trace: another stopping it meanwhile is an error.
    /// </summary>
    public TraceSessionSummary Stop(string? outFile, int version = 7, string compression = "none", bool wallClock = false)
    {
        using var owner = InstanceOwnership.TryAcquire(_instance)
            ?? throw new TraceException(TraceErrorKind.Busy, $"The detached trace {Name} is being started or stopped by another process.", _instance.Path) { ErrorId = "DetachedTraceBusy" };
        _instance.TracingOn = false;
        var stats = _instance.GetCpuStats();
        long events = stats.Sum(s => s.Entries);
        var errors = new List<Exception>();
        if (outFile is not null)
        {
            var fs = _instance.Tracefs;
            var catalog = EventCatalog.ForTracefs(fs);
            var names = _instance.EnabledEvents.Select(EventName.Parse).Concat(TracerSetup.Records(Tracer, catalog)).Distinct().ToArray();
            var commands = new CommandResolver(useProc: true);
            commands.Refresh(fs);
            InstanceBuffer.Export(_instance, names, commands, outFile, version, compression, wallClock: wallClock);
        }
        errors.AddRange(InstanceOwnership.Retire(_instance));
        var end = DateTime.Now;
        return new TraceSessionSummary(Name, InstanceName, StartTime ?? end, end, events, stats.Sum(s => s.Lost), 0, stats,
            errors.Select(e => e.Message).ToArray());
    }
}
