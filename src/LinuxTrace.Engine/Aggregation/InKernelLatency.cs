using System.Globalization;
using System.Text;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Aggregation;

/// <summary>
/// A latency histogram the kernel keeps itself, the way Documentation/trace/histogram.rst builds one ("synthetic
/// events"): a synthetic event lt_latency_PID_N (u64 lat plus the group fields), a hist trigger on the start event
/// that saves common_timestamp (and the group fields) per key, a hist trigger on the end event that computes the
/// difference on a match and fires the synthetic event (onmatch), and a log2 hist trigger on the synthetic event.
/// No event data leaves the kernel; only the histogram is read. Everything is removed in reverse order by Dispose,
/// and a synthetic event a killed LinuxTrace left behind is removed the next time (its owner's PID no longer runs).
/// </summary>
public sealed class InKernelLatency : IDisposable
{
    private static int _counter;
    private readonly TraceInstance _instance;
    private readonly List<(EventName Event, string Definition)> _triggers = new();
    private readonly string _synthetic;
    private bool _syntheticCreated;
    private readonly string[] _groupNames;
    private readonly bool _hasSum;

    /// <summary>The synthetic event's name (synthetic:lt_latency_PID_N).</summary>
    public string SyntheticEvent => _synthetic;

    /// <summary>The triggers written, in order, as "system:event: definition".</summary>
    public IEnumerable<string> Triggers => _triggers.Select(t => $"{t.Event}: {t.Definition}");

    private InKernelLatency(TraceInstance instance, string synthetic, string[] groupNames, bool hasSum)
    {
        _instance = instance;
        _synthetic = synthetic;
        _groupNames = groupNames;
        _hasSum = hasSum;
    }

    /// <summary>
    /// Sets the kernel up to measure from <paramref name="start"/> to <paramref name="end"/>: keys pair them
    /// (common_pid by default), <paramref name="groupBy"/> names fields of the start event, <paramref name="filter"/>
    /// applies to the start event. On an error, whatever was written is removed again.
    /// </summary>
    public static InKernelLatency Create(TraceInstance instance, EventFormat start, EventFormat end, IReadOnlyList<string> startKey,
        IReadOnlyList<string> endKey, IReadOnlyList<string> groupBy, string? filter)
    {
        HistTriggers.Require(instance);
        if (!instance.Tracefs.HasSyntheticEvents)
            throw new TraceException(TraceErrorKind.NotSupported, "This kernel has hist triggers but no synthetic events (CONFIG_SYNTH_EVENTS): it cannot pair events in the kernel. Leave out -InKernel to pair them in LinuxTrace's engine.", instance.Tracefs.Root)
                { ErrorId = "SyntheticEventsNotSupported" };
        var sk = startKey.Count == 0 ? ["common_pid"] : startKey.ToArray();
        var ek = endKey.Count == 0 ? sk : endKey.ToArray();
        if (ek.Length != sk.Length)
            throw new TraceException(TraceErrorKind.InvalidArgument, $"-EndKey names {ek.Length} fields and -StartKey {sk.Length}: they pair one to one.") { ErrorId = "KeyMismatch" };
        foreach (var k in sk) Field(start, k, "-StartKey");
        foreach (var k in ek) Field(end, k, "-EndKey");
        var groups = groupBy.Select(g => Field(start, g, "-GroupBy")).ToArray();
        RemoveLeftovers(instance.Tracefs);

        string tag = $"{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}";
        string synthetic = $"lt_latency_{tag}";
        string v = $"lt{tag}_";
        // the synthetic event: the latency, then the group fields with their kernel types
        var fields = new StringBuilder("u64 lat");
        foreach (var g in groups) fields.Append("; ").Append(SyntheticType(g)).Append(' ').Append(g.Name).Append(g.Kind == FieldKind.FixedString ? $"[{g.ArrayLength}]" : "");
        var lat = new InKernelLatency(instance, synthetic, groups.Select(g => g.Name).ToArray(), hasSum: true);
        try
        {
            instance.Tracefs.AddSyntheticEvent($"{synthetic} {fields}");
            lat._syntheticCreated = true;
            var startName = new EventName(start.System, start.Name);
            var endName = new EventName(end.System, end.Name);
            var saved = new StringBuilder($"{v}ts=common_timestamp");
            for (int i = 0; i < groups.Length; i++) saved.Append($",{v}g{i}={groups[i].Name}");
            lat.Add(startName, $"hist:keys={string.Join(',', sk)}:{saved}{(string.IsNullOrWhiteSpace(filter) ? "" : " if " + filter.Trim())}");
            var args = new StringBuilder($"${v}lat");
            for (int i = 0; i < groups.Length; i++) args.Append($",${v}g{i}");
            lat.Add(endName, $"hist:keys={string.Join(',', ek)}:{v}lat=common_timestamp-${v}ts:onmatch({start.System}.{start.Name}).{synthetic}({args})");
            var keys = string.Join(',', groups.Select(g => g.Name).Append("lat.log2"));
            lat.Add(new EventName("synthetic", synthetic), $"hist:keys={keys}:vals=hitcount,lat:sort={string.Join(',', groups.Select(g => g.Name).Append("lat"))}:size=8192");
            return lat;
        }
        catch
        {
            lat.Remove();
            throw;
        }
    }

    private void Add(EventName e, string definition)
    {
        _instance.AddEventTrigger(e.System, e.Name, definition);
        _triggers.Add((e, definition));
    }

    private static FieldFormat Field(EventFormat f, string name, string parameter)
    {
        var field = f.GetField(name);
        if (field is null)
            throw new TraceException(TraceErrorKind.NotFound, $"{f.System}:{f.Name} has no field '{name}' ({parameter}). Its fields: {string.Join(", ", f.Fields.Select(x => x.Name))}.") { ErrorId = "FieldNotFound" };
        if (field.Kind is not (FieldKind.Scalar or FieldKind.FixedString))
            throw new TraceException(TraceErrorKind.InvalidArgument, $"{f.System}:{f.Name}'s field '{name}' is not a number or a fixed-size string: the kernel cannot key or carry it in a histogram ({parameter}).") { ErrorId = "FieldNotUsable" };
        return field;
    }

    private static string SyntheticType(FieldFormat f) => f.Kind == FieldKind.FixedString ? "char" : $"{(f.IsSigned ? 's' : 'u')}{f.Size * 8}";

    /// <summary>Synthetic events lt_latency_PID_N of LinuxTrace processes that no longer run (killed: nothing removed them).</summary>
    private static void RemoveLeftovers(TraceFileSystem fs)
    {
        foreach (var line in fs.SyntheticEvents)
        {
            var name = line.Split(' ', '\t')[0];
            if (!name.StartsWith("lt_latency_", StringComparison.Ordinal)) continue;
            var pid = name["lt_latency_".Length..].Split('_')[0];
            if (int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p != Environment.ProcessId && !Directory.Exists($"/proc/{p}"))
            {
                try { fs.RemoveSyntheticEvent(name); }
                catch (TraceException) { } // still used by a trigger somewhere: not ours to force
            }
        }
    }

    /// <summary>The histogram so far, one group per value of the group fields (one group without -GroupBy).</summary>
    public IReadOnlyList<TraceLatencyGroup> Read()
    {
        string text = _instance.ReadEventHist("synthetic", _synthetic)
            ?? throw new TraceException(TraceErrorKind.NotFound, $"The synthetic event {_synthetic} has no hist file any more: it was removed.", _instance.EventDirectory("synthetic", _synthetic));
        var sections = HistTriggers.Parse(text);
        var entries = sections.Count == 0 ? [] : sections[0];
        Dropped = ParseDropped(text);
        var byGroup = new Dictionary<string, (object?[] Keys, TraceHistogram Histogram, long Sum)>();
        foreach (var e in entries)
        {
            var keys = e._keys;
            var groupKeys = keys.Take(_groupNames.Length).ToArray();
            // the kernel's "lat: ~ 2^k" holds the values in (2^(k-1), 2^k]: counted in [2^(k-1), 2^k) here
            long edge = keys.Length > _groupNames.Length && keys[_groupNames.Length] is long l ? l : 0;
            long low = edge >= 2 ? edge >> 1 : edge;
            string id = string.Join("\u0001", groupKeys.Select(k => Convert.ToString(k, CultureInfo.InvariantCulture)));
            if (!byGroup.TryGetValue(id, out var g)) g = (groupKeys, new TraceHistogram(0, "ns"), 0);
            g.Histogram.AddCount(low, e.Count);
            g.Sum += e.Sum ?? 0;
            byGroup[id] = g;
        }
        var props = _groupNames.Select(n => (n, typeof(object))).ToList();
        var result = new List<TraceLatencyGroup>();
        foreach (var (_, (keys, h, sum)) in byGroup)
        {
            var g = GroupTypes.Create<TraceLatencyGroup>(props, keys);
            g.Count = h.Total;
            g.Histogram = h;
            g.TotalNs = sum;
            g.MeanNs = h.Total == 0 || !_hasSum ? 0 : (double)sum / h.Total;
            var buckets = h.Buckets.Where(b => b.Count > 0).ToList();
            if (buckets.Count > 0)
            {
                g.MinimumNs = buckets[0].Low;
                g.MaximumNs = buckets[^1].High - 1;
                g.P50Ns = h.Percentile(0.50);
                g.P90Ns = h.Percentile(0.90);
                g.P99Ns = h.Percentile(0.99);
                g.P999Ns = h.Percentile(0.999);
            }
            g.InKernel = true;
            result.Add(g);
        }
        return result;
    }

    /// <summary>Entries the kernel could not add because its map was full (the hist file's "Dropped").</summary>
    public long Dropped { get; private set; }

    private static long ParseDropped(string text)
    {
        var m = System.Text.RegularExpressions.Regex.Match(text, @"^\s*Dropped:\s*(\d+)", System.Text.RegularExpressions.RegexOptions.Multiline);
        return m.Success ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Removes the triggers (last first) and the synthetic event. Errors are collected, not thrown.</summary>
    public IReadOnlyList<Exception> Remove()
    {
        var errors = new List<Exception>();
        for (int i = _triggers.Count - 1; i >= 0; i--)
        {
            var (e, def) = _triggers[i];
            try { _instance.RemoveEventTrigger(e.System, e.Name, def); }
            catch (Exception x) { errors.Add(x); }
        }
        _triggers.Clear();
        if (_syntheticCreated)
        {
            try { _instance.Tracefs.RemoveSyntheticEvent(_synthetic); _syntheticCreated = false; }
            catch (Exception x) { errors.Add(x); }
        }
        return errors;
    }

    /// <summary>Removes everything; throws when something could not be removed (it says what).</summary>
    public void Dispose()
    {
        var errors = Remove();
        if (errors.Count > 0) throw new AggregateException($"Removing the in-kernel latency histogram {_synthetic} failed", errors);
    }
}
