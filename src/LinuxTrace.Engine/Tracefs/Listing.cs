using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace;

/// <summary>One trace option and whether it is on, in one instance.</summary>
public sealed record TraceOptionState(string Name, bool Enabled, string Instance);

/// <summary>A tracer of an instance (available_tracers).</summary>
public sealed record AvailableTracer(string Name, bool IsCurrent, string Instance);

/// <summary>A kernel function that can be traced, with its module (null for the core kernel).</summary>
public sealed record TraceFunction(string Name, string? Module);

/// <summary>One field of an event type.</summary>
public sealed class TraceEventField
{
    internal TraceEventField(FieldFormat f)
    {
        Name = f.Name;
        CType = f.CType;
        Offset = f.Offset;
        Size = f.Size;
        Signed = f.IsSigned;
        Kind = f.Kind.ToString();
        Type = f.ClrType.Name;
        IsCommon = f.IsCommon;
    }

    public string Name { get; }
    /// <summary>The C type as the kernel declares it (char[16], __data_loc char[], pid_t...).</summary>
    public string CType { get; }
    public int Offset { get; }
    public int Size { get; }
    public bool Signed { get; }
    /// <summary>Scalar, FixedString, FixedArray, DataLocString, DataLocArray, RelLocString, RelLocArray.</summary>
    public string Kind { get; }
    /// <summary>The .NET type of the decoded value.</summary>
    public string Type { get; }
    public bool IsCommon { get; }

    public override string ToString() => $"{CType} {Name}";
}

/// <summary>An event the kernel can record: its format and whether it is enabled.</summary>
public sealed class TraceEventType
{
    internal TraceEventType(EventFormat f, bool? enabled, string instance, int longSize)
    {
        MessageProblem = LinuxTrace.Engine.Formats.PrintFormat.Parse(f, longSize).Problem;
        System = f.System;
        Name = f.Name;
        Id = f.Id;
        Enabled = enabled;
        Instance = instance;
        Fields = f.Fields.Select(x => new TraceEventField(x)).ToArray();
        PrintFormat = f.PrintFormat;
    }

    public string System { get; }
    public string Name { get; }
    public int Id { get; }
    /// <summary>Enabled in the instance asked about; null when it could not be read.</summary>
    public bool? Enabled { get; }
    public string Instance { get; }
    public TraceEventField[] Fields { get; }
    public string PrintFormat { get; }

    /// <summary>Why LinuxTrace cannot render this event's print format as a Message (its events then show their
    /// fields as field=value); null when it can.</summary>
    public string? MessageProblem { get; }

    public string FullName => System + ":" + Name;

    public override string ToString() => FullName;
}

/// <summary>A snapshot of one instance.</summary>
public sealed class TraceInstanceInfo
{
    public required string Name { get; init; }
    public bool IsTop { get; init; }
    public string? Tracer { get; init; }
    public bool? TracingOn { get; init; }
    public int BufferSizeKB { get; init; }
    public string? Clock { get; init; }
    public int EnabledEventCount { get; init; }
    public required string Path { get; init; }
    /// <summary>True for instances made by a LinuxTrace session (linuxtrace-PID-N).</summary>
    public bool IsLinuxTrace => Name.StartsWith("linuxtrace-", StringComparison.Ordinal);

    /// <summary>True for a LinuxTrace instance whose owner is gone (killed, in any PID namespace): nobody holds its lock.
    /// The next trace removes it; Remove-TraceInstance does too.</summary>
    public bool IsOrphan { get; init; }

    public override string ToString() => Name;
}

/// <summary>What `trace-cmd stat` shows, for one instance.</summary>
public sealed class TraceStatus
{
    public required string Instance { get; init; }
    public string? Tracer { get; init; }
    public bool? TracingOn { get; init; }
    public string[] EnabledEvents { get; init; } = [];
    /// <summary>"system:event filter" for events with a filter.</summary>
    public string[] EventFilters { get; init; } = [];
    public string[] EventPids { get; init; } = [];
    /// <summary>set_ftrace_filter; null when the kernel refuses to show it.</summary>
    public string[]? FunctionFilter { get; init; }
    public string[]? FunctionNoTrace { get; init; }
    public string[]? GraphFunctions { get; init; }
    public int BufferSizeKB { get; init; }
    public int BufferTotalSizeKB { get; init; }
    public int SubBufferSizeKB { get; init; }
    public string? Clock { get; init; }
    public string[] Instances { get; init; } = [];
    /// <summary>Lines of kprobe_events / uprobe_events / dynamic_events (top instance only).</summary>
    public string[] DynamicEvents { get; init; } = [];
    public CpuBufferStats[] CpuStats { get; init; } = [];
    public string[] Notes { get; init; } = [];

    public long Overrun => CpuStats.Sum(s => s.Overrun);
    public long Dropped => CpuStats.Sum(s => s.DroppedEvents);
    public long Entries => CpuStats.Sum(s => s.Entries);
}

/// <summary>Builds the listing objects from tracefs.</summary>
public static class TraceListing
{
    public static IEnumerable<AvailableTracer> Tracers(TraceInstance inst)
    {
        string current = inst.CurrentTracer;
        return inst.AvailableTracers.Select(t => new AvailableTracer(t, t == current, inst.DisplayName));
    }

    /// <summary>Event types matching the name/system filters (formats read only for matching events).</summary>
    public static IEnumerable<TraceEventType> EventTypes(TraceInstance inst, Func<EventName, bool> match)
    {
        var catalog = EventCatalog.ForTracefs(inst.Tracefs);
        var enabled = new HashSet<string>(TryOr(() => inst.EnabledEvents, Array.Empty<string>()), StringComparer.Ordinal);
        foreach (var e in EventSelector.Available(inst.Tracefs.Top, includeFtrace: true))
        {
            if (!match(e)) continue;
            var f = catalog.GetByName(e.System, e.Name);
            if (f is null) continue;
            yield return new TraceEventType(f, enabled.Contains(e.ToString()), inst.DisplayName, catalog.LongSize);
        }
    }

    public static TraceInstanceInfo Info(TraceInstance i) => new()
    {
        Name = i.DisplayName,
        IsTop = i.IsTop,
        Tracer = TryOr<string?>(() => i.CurrentTracer, null),
        TracingOn = TryOr<bool?>(() => i.TracingOn, null),
        BufferSizeKB = TryOr(() => i.BufferSizeKB, -1),
        Clock = TryOr<string?>(() => i.Clock, null),
        EnabledEventCount = TryOr(() => i.EnabledEvents.Count, 0),
        Path = i.Path,
        IsOrphan = !i.IsTop && LinuxTrace.Engine.Sessions.InstanceOwnership.IsOrphan(i),
    };

    public static TraceStatus Status(TraceInstance i)
    {
        var notes = new List<string>();
        string[]? Lines(string file)
        {
            if (!i.HasFile(file)) return null;
            try
            {
                return i.ReadFile(file).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Where(l => !l.StartsWith('#')).ToArray();
            }
            catch (TraceException e)
            {
                notes.Add($"{file}: {e.Kind}");
                return null;
            }
        }
        var enabled = Lines("set_event") ?? [];
        var filters = new List<string>();
        foreach (var ev in enabled)
        {
            int c = ev.IndexOf(':');
            if (c < 0) continue;
            var f = TryOr(() => i.GetEventFilter(ev[..c], ev[(c + 1)..]), null);
            if (f is not null) filters.Add($"{ev} {f}");
        }
        var dyn = new List<string>();
        if (i.IsTop)
        {
            foreach (var file in new[] { "kprobe_events", "uprobe_events" })
                dyn.AddRange(Lines(file) ?? []);
        }
        return new TraceStatus
        {
            Instance = i.DisplayName,
            Tracer = TryOr<string?>(() => i.CurrentTracer, null),
            TracingOn = TryOr<bool?>(() => i.TracingOn, null),
            EnabledEvents = enabled,
            EventFilters = filters.ToArray(),
            EventPids = Lines("set_event_pid") ?? [],
            FunctionFilter = Lines("set_ftrace_filter"),
            FunctionNoTrace = Lines("set_ftrace_notrace"),
            GraphFunctions = Lines("set_graph_function"),
            BufferSizeKB = TryOr(() => i.BufferSizeKB, -1),
            BufferTotalSizeKB = TryOr(() => i.BufferTotalSizeKB, -1),
            SubBufferSizeKB = TryOr(() => i.SubBufferSizeKB, -1),
            Clock = TryOr<string?>(() => i.Clock, null),
            Instances = i.IsTop ? i.Tracefs.GetInstances().Select(x => x.Name).ToArray() : [],
            DynamicEvents = dyn.ToArray(),
            CpuStats = TryOr(() => i.GetCpuStats().ToArray(), Array.Empty<CpuBufferStats>()),
            Notes = notes.ToArray(),
        };
    }

    private static T TryOr<T>(Func<T> f, T fallback)
    {
        try { return f(); } catch (TraceException) { return fallback; } catch (IOException) { return fallback; }
    }
}
