namespace LinuxTrace;

/// <summary>What Measure-FunctionCall reports for one function: how often it was called and where its time went.</summary>
public sealed class FunctionCallStatistics
{
    internal ulong _total, _self, _min = ulong.MaxValue, _max;

    internal FunctionCallStatistics(string function) => Function = function;

    public string Function { get; }

    /// <summary>Calls that returned (or, for NoReturn/NoEntry calls, were seen in part: see Incomplete).</summary>
    public long Count { get; internal set; }

    /// <summary>Calls among Count whose entry or return the trace did not hold.</summary>
    public long Incomplete { get; internal set; }

    /// <summary>Time in the function and what it called; a recursive call is counted at each level.</summary>
    public TimeSpan Total => Ticks(_total);

    /// <summary>Time in the function itself, without the traced calls it made.</summary>
    public TimeSpan Self => Ticks(_self);

    public TimeSpan Minimum => Count == 0 ? TimeSpan.Zero : Ticks(_min);
    public TimeSpan Maximum => Ticks(_max);
    public TimeSpan Average => Count == 0 ? TimeSpan.Zero : Ticks(_total / (ulong)Count);

    private static TimeSpan Ticks(ulong ns) => new((long)(ns / 100));

    public override string ToString() => $"{Function}: {Count} calls, {Total.TotalMicroseconds:0.###} us";
}
