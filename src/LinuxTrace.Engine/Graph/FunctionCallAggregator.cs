namespace LinuxTrace;

/// <summary>Aggregates calls per function (count, total, self, min, max, average) without keeping the calls.</summary>
public sealed class FunctionCallAggregator
{
    private readonly Dictionary<string, FunctionCallStatistics> _byFunction = new(StringComparer.Ordinal);

    public long Calls { get; private set; }

    public void Add(FunctionCall c)
    {
        Calls++;
        if (!_byFunction.TryGetValue(c.Function, out var s)) _byFunction[c.Function] = s = new FunctionCallStatistics(c.Function);
        s.Count++;
        if (c.Status != FunctionCallStatus.Returned) s.Incomplete++;
        ulong d = c._durationNs;
        s._total += d;
        ulong children = 0;
        foreach (var ch in c.Children) children += ch._durationNs;
        s._self += children >= d ? 0 : d - children;
        if (d < s._min) s._min = d;
        if (d > s._max) s._max = d;
    }

    /// <summary>The statistics, most total time first.</summary>
    public IReadOnlyList<FunctionCallStatistics> Results() =>
        _byFunction.Values.OrderByDescending(s => s._total).ThenBy(s => s.Function, StringComparer.Ordinal).ToArray();
}
