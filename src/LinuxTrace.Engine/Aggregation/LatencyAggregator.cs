using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.Symbols;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Aggregation;

/// <summary>
/// Pairs each start with the next end of the same key (a start replaces an unmatched one of its key, which is counted),
/// straight from the record bytes, and keeps every latency of every group: counts, min, max, mean, exact percentiles
/// and a histogram. Group keys come from the start event. Unmatched starts and ends are counted, never dropped silently.
/// </summary>
public sealed class LatencyAggregator
{
    private readonly LatencySpec _spec;
    private readonly RecordKeys _startKey, _endKey, _groupKeys;
    private readonly Func<EventFormat, bool> _isStart, _isEnd;
    private readonly Dictionary<EventFormat, (bool Start, bool End)> _roles = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<GroupKey, (ulong Ts, GroupKey Group)> _pending = new();
    private readonly Dictionary<GroupKey, List<long>> _latencies = new();
    private readonly Dictionary<GroupKey, long> _replaced = new();
    private readonly long[] _a = new long[RecordKeys.MaxKeys], _b = new long[RecordKeys.MaxKeys];

    public LatencyAggregator(LatencySpec spec, Func<EventFormat, bool> isStart, Func<EventFormat, bool> isEnd)
    {
        _spec = spec;
        _isStart = isStart;
        _isEnd = isEnd;
        _startKey = new RecordKeys(spec.StartKey.Count == 0 ? ["common_pid"] : spec.StartKey);
        _endKey = new RecordKeys(spec.EndKey.Count == 0 ? (spec.StartKey.Count == 0 ? ["common_pid"] : spec.StartKey) : spec.EndKey);
        if (_startKey.Names.Count != _endKey.Names.Count)
            throw new TraceException(TraceErrorKind.InvalidArgument, $"-StartKey has {_startKey.Names.Count} fields and -EndKey {_endKey.Names.Count}: they are compared one to one.") { ErrorId = "KeyMismatch" };
        _groupKeys = new RecordKeys(spec.GroupBy);
    }

    public long Pairs { get; private set; }
    public long Starts { get; private set; }
    public long Ends { get; private set; }
    /// <summary>Ends that met no start of their key (the start came before the trace, or was lost).</summary>
    public long UnmatchedEnds { get; private set; }
    /// <summary>Starts replaced by a later start of the same key before any end came.</summary>
    public long ReplacedStarts { get; private set; }
    /// <summary>Starts still waiting for their end when the trace ended.</summary>
    public long PendingStarts => _pending.Count;
    public long Lost { get; private set; }

    /// <summary>Throws when a key field is in none of the start (or end) formats.</summary>
    public void Check(IEnumerable<EventFormat> starts, IEnumerable<EventFormat> ends)
    {
        var s = starts.ToList();
        _startKey.Check(s);
        _endKey.Check(ends);
        _groupKeys.Check(s);
    }

    public void Add(in RecordRef r, EventFormat? f)
    {
        if (r.IsLost) { if (r.Lost > 0) Lost += r.Lost; return; }
        if (f is null) return;
        Add(r.Page.AsSpan(r.Offset, r.Length), f, r.Cpu, r.Timestamp);
    }

    public void Add(TraceEvent e) => Add(e.GetRawData(), e.GetFormat(), e.CpuNumber, e.TimestampNs);

    public void Add(ReadOnlySpan<byte> record, EventFormat f, int cpu, ulong ts)
    {
        if (!_roles.TryGetValue(f, out var role)) _roles[f] = role = (_isStart(f), _isEnd(f));
        if (role.End)
        {
            Ends++;
            var k = _b.AsSpan(0, _endKey.Names.Count);
            _endKey.Read(record, f, cpu, k);
            var key = GroupKey.From(k);
            if (_pending.Remove(key, out var start))
            {
                Pairs++;
                if (!_latencies.TryGetValue(start.Group, out var list)) _latencies[start.Group] = list = new List<long>();
                list.Add((long)(ts - start.Ts));
            }
            else if (!role.Start) UnmatchedEnds++;
            if (!role.Start) return;
        }
        if (role.Start)
        {
            Starts++;
            var k = _a.AsSpan(0, _startKey.Names.Count);
            _startKey.Read(record, f, cpu, k);
            var key = GroupKey.From(k);
            var g = _b.AsSpan(0, _groupKeys.Names.Count);
            _groupKeys.Read(record, f, cpu, g);
            var group = GroupKey.From(g);
            if (_pending.TryGetValue(key, out var old))
            {
                ReplacedStarts++;
                _replaced[old.Group] = _replaced.GetValueOrDefault(old.Group) + 1;
            }
            _pending[key] = (ts, group);
        }
    }

    /// <summary>The groups, most pairs first, with exact percentiles.</summary>
    public IReadOnlyList<TraceLatencyGroup> Results(Func<int, string> commandOf, SyscallTable? syscalls = null)
    {
        int n = _groupKeys.Names.Count;
        var names = Enumerable.Range(0, n).Select(i => (_groupKeys.Names[i], _groupKeys.TypeOf(i))).ToList();
        // a raw_syscalls id also names its syscall
        int sk = syscalls is null ? -1 : _groupKeys.Names.ToList().IndexOf("id");
        if (sk >= 0 && !(_roles.Count > 0 && _roles.Where(r => r.Value.Start && r.Key.GetField("id") is not null).All(r => r.Key.System == "raw_syscalls"))) sk = -1;
        if (sk >= 0) names.Add(("syscall", typeof(string)));
        var unmatched = new Dictionary<GroupKey, long>(_replaced);
        foreach (var p in _pending.Values) unmatched[p.Group] = unmatched.GetValueOrDefault(p.Group) + 1;
        var merged = new Dictionary<string, (object?[] Values, List<long> Lat, long Unmatched)>(StringComparer.Ordinal);
        foreach (var key in _latencies.Keys.Concat(unmatched.Keys).Distinct())
        {
            var values = new object?[names.Count];
            for (int i = 0; i < n; i++) values[i] = _groupKeys.ValueOf(i, key[i], commandOf);
            if (sk >= 0) values[n] = key[sk] == RecordKeys.Absent ? null : syscalls!.Name(key[sk]) ?? $"syscall_{key[sk]}";
            string id = string.Join("\u0001", values.Select(v => v?.ToString() ?? "\u0002"));
            var lat = _latencies.GetValueOrDefault(key) ?? new List<long>();
            long um = unmatched.GetValueOrDefault(key);
            if (merged.TryGetValue(id, out var m)) { m.Lat.AddRange(lat); merged[id] = (m.Values, m.Lat, m.Unmatched + um); }
            else merged[id] = (values, new List<long>(lat), um);
        }
        var list = new List<TraceLatencyGroup>();
        foreach (var (values, lat, um) in merged.Values.OrderByDescending(m => m.Lat.Count))
        {
            var g = GroupTypes.Create<TraceLatencyGroup>(names, values);
            lat.Sort();
            g.Count = lat.Count;
            g.UnmatchedStarts = um;
            var h = new TraceHistogram(_spec.LinearStep, "ns");
            long total = 0;
            foreach (var v in lat) { h.Add(v); total += v; }
            g.Histogram = h;
            g.TotalNs = total;
            if (lat.Count > 0)
            {
                g.MinimumNs = lat[0];
                g.MaximumNs = lat[^1];
                g.MeanNs = (double)total / lat.Count;
                g.P50Ns = Rank(lat, 0.50);
                g.P90Ns = Rank(lat, 0.90);
                g.P99Ns = Rank(lat, 0.99);
                g.P999Ns = Rank(lat, 0.999);
            }
            list.Add(g);
        }
        return list;
    }

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    private static long Rank(List<long> sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}
