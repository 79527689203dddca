using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace;

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
