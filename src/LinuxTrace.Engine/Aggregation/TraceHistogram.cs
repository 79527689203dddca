using System.Globalization;
using System.Numerics;
using System.Text;

namespace LinuxTrace;

/// <summary>
/// A histogram of integer values: power-of-two buckets as bpftrace's hist() ([0], [1], [2, 4), [4, 8) …), or linear
/// buckets of a fixed step as lhist(). Printed as bpftrace prints one, with an @ bar per bucket; a histogram of
/// nanoseconds (<see cref="Unit"/> "ns") labels its buckets in ns, µs, ms or s.
/// </summary>
public sealed class TraceHistogram
{
    private readonly long[] _log2 = new long[66]; // [0] negatives, [1] zero, [k+1] for [2^(k-1), 2^k)
    private readonly Dictionary<long, long>? _linear;

    public TraceHistogram(long linearStep = 0, string unit = "")
    {
        if (linearStep < 0) throw new ArgumentOutOfRangeException(nameof(linearStep));
        LinearStep = linearStep;
        Unit = unit;
        if (linearStep > 0) _linear = new Dictionary<long, long>();
    }

    /// <summary>0 for power-of-two buckets, else the width of each linear bucket.</summary>
    public long LinearStep { get; }

    /// <summary>"ns" for durations in nanoseconds; "" for plain numbers.</summary>
    public string Unit { get; }

    /// <summary>How many values were added.</summary>
    public long Total { get; private set; }

    public void Add(long value)
    {
        Total++;
        if (_linear is not null)
        {
            long b = value >= 0 ? value / LinearStep : -((-value - 1) / LinearStep) - 1;
            _linear[b] = _linear.GetValueOrDefault(b) + 1;
            return;
        }
        _log2[value < 0 ? 0 : value == 0 ? 1 : 2 + BitOperations.Log2((ulong)value)]++;
    }

    /// <summary>Adds <paramref name="count"/> values that fall in <paramref name="value"/>'s bucket (a histogram read
    /// from the kernel, which counts per bucket).</summary>
    public void AddCount(long value, long count)
    {
        if (count <= 0) return;
        Total += count;
        if (_linear is not null)
        {
            long b = value >= 0 ? value / LinearStep : -((-value - 1) / LinearStep) - 1;
            _linear[b] = _linear.GetValueOrDefault(b) + count;
            return;
        }
        _log2[value < 0 ? 0 : value == 0 ? 1 : 2 + BitOperations.Log2((ulong)value)] += count;
    }

    public void Merge(TraceHistogram other)
    {
        Total += other.Total;
        if (_linear is not null && other._linear is not null)
            foreach (var (b, c) in other._linear) _linear[b] = _linear.GetValueOrDefault(b) + c;
        else for (int i = 0; i < _log2.Length; i++) _log2[i] += other._log2[i];
    }

    /// <summary>The non-empty buckets, lowest first (with the empty ones between them, as bpftrace prints them).</summary>
    public IReadOnlyList<HistogramBucket> Buckets
    {
        get
        {
            var list = new List<HistogramBucket>();
            if (_linear is not null)
            {
                if (_linear.Count == 0) return list;
                long lo = _linear.Keys.Min(), hi = _linear.Keys.Max();
                if (hi - lo > 100_000) // sparse: only the buckets that have values
                    foreach (var b in _linear.Keys.Order()) list.Add(new HistogramBucket(b * LinearStep, (b + 1) * LinearStep, _linear[b]));
                else
                    for (long b = lo; b <= hi; b++) list.Add(new HistogramBucket(b * LinearStep, (b + 1) * LinearStep, _linear.GetValueOrDefault(b)));
                return list;
            }
            int first = Array.FindIndex(_log2, c => c > 0), last = Array.FindLastIndex(_log2, c => c > 0);
            if (first < 0) return list;
            for (int i = first; i <= last; i++)
            {
                long low = i == 0 ? long.MinValue : i == 1 ? 0 : 1L << (i - 2);
                long high = i == 0 ? 0 : i == 1 ? 1 : i - 1 >= 63 ? long.MaxValue : 1L << (i - 1);
                list.Add(new HistogramBucket(low, high, _log2[i]));
            }
            return list;
        }
    }

    /// <summary>The value below which a fraction <paramref name="q"/> of the values lie, as the upper edge of its bucket.</summary>
    public long Percentile(double q)
    {
        if (Total == 0) return 0;
        long rank = (long)Math.Ceiling(q * Total), seen = 0;
        foreach (var b in Buckets)
        {
            seen += b.Count;
            if (seen >= rank) return b.High;
        }
        return Buckets[^1].High;
    }

    /// <summary>The buckets on one line, for an Export-Csv cell or a string: "[4K, 8K): 1234, [8K, 16K): 56". The
    /// drawing is <see cref="Render"/> (what PowerShell shows for a histogram).</summary>
    public override string ToString()
    {
        var buckets = Buckets;
        return buckets.Count == 0 ? "(no values)" : string.Join(", ", buckets.Select(b => Label(b) + ": " + b.Count.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>The histogram as bpftrace prints one, a line per bucket: "[4K, 8K)   1234 |@@@@@@@@@@        |".</summary>
    public string Render(int barWidth)
    {
        var buckets = Buckets;
        if (buckets.Count == 0) return "(no values)";
        long max = buckets.Max(b => b.Count);
        var labels = buckets.Select(Label).ToArray();
        int width = labels.Max(l => l.Length);
        int countWidth = buckets.Max(b => b.Count.ToString(CultureInfo.InvariantCulture).Length);
        var sb = new StringBuilder();
        for (int i = 0; i < buckets.Count; i++)
        {
            int bar = max == 0 ? 0 : (int)Math.Round((double)buckets[i].Count * barWidth / max);
            if (i > 0) sb.Append('\n');
            sb.Append(labels[i].PadRight(width)).Append(' ')
              .Append(buckets[i].Count.ToString(CultureInfo.InvariantCulture).PadLeft(countWidth)).Append(" |")
              .Append(new string('@', bar)).Append(new string(' ', barWidth - bar)).Append('|');
        }
        return sb.ToString();
    }

    private string Label(HistogramBucket b)
    {
        if (LinearStep == 0 && b.High == 1 && b.Low == 0) return "[" + Value(0) + "]";
        if (LinearStep == 0 && b.Low == long.MinValue) return "(..., 0)";
        if (LinearStep == 0 && b.High == b.Low + 1) return "[" + Value(b.Low) + "]";
        return "[" + Value(b.Low) + ", " + (b.High == long.MaxValue ? "..." : Value(b.High)) + ")";
    }

    /// <summary>A value with its unit: 1536 ns is "1.5us" would lose the bucket edge, so edges use whole units (1K, 4ms).</summary>
    private string Value(long v)
    {
        if (Unit == "ns")
        {
            (long div, string u) = Math.Abs(v) switch
            {
                >= 1_000_000_000 when v % 1_000_000_000 == 0 => (1_000_000_000L, "s"),
                >= 1_000_000 when v % 1_000_000 == 0 => (1_000_000L, "ms"),
                >= 1_000 when v % 1_000 == 0 => (1_000L, "us"),
                _ => (0L, "ns"),
            };
            if (div == 0)
            {
                // powers of two are not whole µs or ms: show them in the largest unit with one decimal
                if (Math.Abs(v) >= 1_000_000_000) return (v / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + "s";
                if (Math.Abs(v) >= 1_000_000) return (v / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + "ms";
                if (Math.Abs(v) >= 1_000) return (v / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "us";
                return v.ToString(CultureInfo.InvariantCulture) + "ns";
            }
            return (v / div).ToString(CultureInfo.InvariantCulture) + u;
        }
        // bpftrace's K/M/G for powers of 1024
        foreach (var (shift, suffix) in new[] { (40, "T"), (30, "G"), (20, "M"), (10, "K") })
            if (v != 0 && Math.Abs(v) >= 1L << shift && v % (1L << shift) == 0) return (v >> shift).ToString(CultureInfo.InvariantCulture) + suffix;
        return v.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A duration in nanoseconds as people read it: 812ns, 12.4us, 3.1ms, 2.05s.</summary>
    public static string FormatNanoseconds(double ns)
    {
        if (double.IsNaN(ns)) return "";
        double a = Math.Abs(ns);
        if (a >= 1e9) return (ns / 1e9).ToString("0.###", CultureInfo.InvariantCulture) + "s";
        if (a >= 1e6) return (ns / 1e6).ToString("0.###", CultureInfo.InvariantCulture) + "ms";
        if (a >= 1e3) return (ns / 1e3).ToString("0.###", CultureInfo.InvariantCulture) + "us";
        return ns.ToString("0", CultureInfo.InvariantCulture) + "ns";
    }
}
