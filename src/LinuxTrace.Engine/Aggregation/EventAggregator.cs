using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.Symbols;

namespace LinuxTrace.Engine.Aggregation;

/// <summary>
/// Counts records by group and computes the statistics of one numeric field, straight from the record bytes: no object
/// per event. Groups are keyed by up to four kernel fields or record properties (<see cref="RecordKeys"/>); a
/// raw_syscalls id also gives the syscall's name. Without keys, records are grouped by event name.
/// </summary>
public sealed class EventAggregator
{
    private sealed class Acc
    {
        public long Count, Sum, Min = long.MaxValue, Max = long.MinValue, Values;
        public TraceHistogram? Histogram;

        public void Merge(Acc o)
        {
            Count += o.Count; Sum += o.Sum; Values += o.Values;
            Min = Math.Min(Min, o.Min); Max = Math.Max(Max, o.Max);
            if (o.Histogram is not null) Histogram!.Merge(o.Histogram);
        }
    }

    private readonly AggregationSpec _spec;
    private readonly RecordKeys _keys;
    private readonly Dictionary<GroupKey, Acc> _groups = new();
    private readonly Dictionary<EventFormat, FieldFormat?> _valueFields = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<EventFormat> _formats = new(ReferenceEqualityComparer.Instance);
    private readonly long[] _scratch = new long[RecordKeys.MaxKeys];

    public EventAggregator(AggregationSpec spec)
    {
        _spec = spec;
        _keys = new RecordKeys(spec.GroupBy.Count == 0 ? ["EventName"] : spec.GroupBy);
    }

    /// <summary>Events counted.</summary>
    public long Events { get; private set; }

    /// <summary>Events the kernel (or LinuxTrace's queue) lost, from the loss markers seen.</summary>
    public long Lost { get; private set; }

    /// <summary>How many groups there are so far.</summary>
    public int GroupCount => _groups.Count;

    /// <summary>Throws when a key or the property is a field of none of <paramref name="formats"/>.</summary>
    public void Check(IEnumerable<EventFormat> formats)
    {
        var list = formats.ToList();
        _keys.Check(list);
        if (_spec.Property is { } p && list.Count > 0 && !list.Any(f => RecordKeys.Field(f, p) is { Kind: FieldKind.Scalar }))
        {
            var close = CloseMatch.Suggest(p, list.SelectMany(f => f.Fields.Where(x => x.Kind == FieldKind.Scalar).Select(x => x.Name)).Distinct(), 5);
            throw new Tracefs.TraceException(Tracefs.TraceErrorKind.NotFound,
                $"No traced event has a numeric field named '{p}'.{(close.Count > 0 ? " Close matches: " + string.Join(", ", close) + "." : "")}") { ErrorId = "FieldNotFound" };
        }
    }

    /// <summary>Adds one record (a loss marker counts as lost).</summary>
    public void Add(in RecordRef r, EventFormat? f)
    {
        if (r.IsLost) { if (r.Lost > 0) Lost += r.Lost; return; }
        if (f is null) return;
        Add(r.Page.AsSpan(r.Offset, r.Length), f, r.Cpu);
    }

    /// <summary>Adds an event object (from a session's buffer or the pipeline): its bytes are read as a record's.</summary>
    public void Add(TraceEvent e) => Add(e.GetRawData(), e.GetFormat(), e.CpuNumber);

    public void Add(ReadOnlySpan<byte> record, EventFormat f, int cpu)
    {
        Events++;
        _formats.Add(f);
        var k = _scratch.AsSpan(0, _keys.Names.Count);
        _keys.Read(record, f, cpu, k);
        var key = GroupKey.From(k);
        if (!_groups.TryGetValue(key, out var acc))
        {
            acc = new Acc { Histogram = _spec.Histogram ? new TraceHistogram(_spec.LinearStep) : null };
            _groups[key] = acc;
        }
        acc.Count++;
        if (_spec.Property is null) return;
        if (!_valueFields.TryGetValue(f, out var vf))
        {
            vf = RecordKeys.Field(f, _spec.Property);
            if (vf is { Kind: not FieldKind.Scalar }) vf = null;
            _valueFields[f] = vf;
        }
        if (vf is null) return;
        long v = FieldDecoder.ReadInteger(record, vf);
        if (v == long.MinValue) return;
        acc.Values++;
        acc.Sum += v;
        if (v < acc.Min) acc.Min = v;
        if (v > acc.Max) acc.Max = v;
        acc.Histogram?.Add(v);
    }

    /// <summary>The biggest groups so far, as "key: count" (for a progress line).</summary>
    public string Top(int n, Func<int, string> commandOf) =>
        string.Join(", ", _groups.OrderByDescending(g => g.Value.Count).Take(n)
            .Select(g => string.Join(" ", Enumerable.Range(0, _keys.Names.Count).Select(i => _keys.ValueOf(i, g.Key[i], commandOf) ?? "-")) + ": " + g.Value.Count));

    /// <summary>The groups, biggest first. <paramref name="commandOf"/> names pids (ProcessName keys); <paramref name="syscalls"/> names raw_syscalls ids.</summary>
    public IReadOnlyList<TraceEventGroup> Results(Func<int, string> commandOf, SyscallTable? syscalls)
    {
        int n = _keys.Names.Count;
        int syscallKey = SyscallKey(syscalls);
        var names = new List<(string, Type)>();
        for (int i = 0; i < n; i++) names.Add((_keys.Names[i], _keys.TypeOf(i)));
        if (syscallKey >= 0) names.Add(("syscall", typeof(string)));
        // keys as values (a command per pid may join groups): merge groups whose values are equal
        var merged = new Dictionary<string, (object?[] Values, Acc Acc)>(StringComparer.Ordinal);
        foreach (var (key, acc) in _groups)
        {
            var values = new object?[names.Count];
            for (int i = 0; i < n; i++) values[i] = _keys.ValueOf(i, key[i], commandOf);
            if (syscallKey >= 0) values[n] = key[syscallKey] == RecordKeys.Absent ? null : syscalls!.Name(key[syscallKey]) ?? $"syscall_{key[syscallKey]}";
            string id = string.Join("\u0001", values.Select(v => v?.ToString() ?? "\u0002"));
            if (merged.TryGetValue(id, out var m)) m.Acc.Merge(acc);
            else merged[id] = (values, new Acc { Count = acc.Count, Sum = acc.Sum, Min = acc.Min, Max = acc.Max, Values = acc.Values, Histogram = acc.Histogram });
        }
        var list = new List<TraceEventGroup>(merged.Count);
        foreach (var (values, acc) in merged.Values.OrderByDescending(m => m.Acc.Count))
        {
            TraceEventGroup g = _spec.Property is null ? GroupTypes.Create<TraceEventCount>(names, values) : GroupTypes.Create<TraceEventGroup>(names, values);
            g.Count = acc.Count;
            if (_spec.Property is not null)
            {
                g.Property = _spec.Property;
                if (acc.Values > 0)
                {
                    var want = _spec.Statistics;
                    if (want.HasFlag(FieldStatistics.Sum)) g.Sum = acc.Sum;
                    if (want.HasFlag(FieldStatistics.Minimum)) g.Minimum = acc.Min;
                    if (want.HasFlag(FieldStatistics.Maximum)) g.Maximum = acc.Max;
                    if (want.HasFlag(FieldStatistics.Average)) g.Average = (double)acc.Sum / acc.Values;
                }
            }
            g.Histogram = acc.Histogram;
            list.Add(g);
        }
        return list;
    }

    /// <summary>The index of a key named id when every format that has it is a raw_syscalls event, else -1.</summary>
    private int SyscallKey(SyscallTable? syscalls)
    {
        if (syscalls is null) return -1;
        int i = _keys.Names.ToList().FindIndex(n => n == "id");
        if (i < 0 || _formats.Count == 0) return -1;
        return _formats.Where(f => f.GetField("id") is not null).All(f => f.System == "raw_syscalls") ? i : -1;
    }
}
