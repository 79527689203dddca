using System.Collections.Concurrent;

namespace LinuxTrace.Engine.RingBuffer;

/// <summary>
/// Turns the kernel's loss reports into counts. A page that lost events carries the count only when it had
/// room to store it (RB_MISSED_STORED); a full page says only "some". Then the count is the growth of the
/// CPU's overrun + dropped statistics since the last report, so that the counts in the stream always add
/// up to what per_cpu/cpuN/stats says.
/// </summary>
public sealed class LossAccount
{
    private readonly Func<int, long> _readLost;
    private readonly ConcurrentDictionary<int, long> _accounted = new();

    /// <param name="readLost">Reads a CPU's lost events (overrun + dropped) from the kernel.</param>
    /// <param name="cpus">CPUs to take a baseline for now (losses before this moment are not ours to report).</param>
    public LossAccount(Func<int, long> readLost, IEnumerable<int> cpus)
    {
        _readLost = readLost;
        foreach (int c in cpus) _accounted[c] = Safe(c);
    }

    private long Safe(int cpu)
    {
        try { return _readLost(cpu); } catch (Exception) { return -1; }
    }

    /// <summary>The count for a loss report: the stored count, else the statistics' growth (-1 when unknown).</summary>
    public long Resolve(int cpu, long storedCount)
    {
        long before = _accounted.GetOrAdd(cpu, 0);
        if (storedCount >= 0)
        {
            _accounted[cpu] = before + storedCount;
            return storedCount;
        }
        long now = Safe(cpu);
        if (now < 0 || before < 0) return -1;
        _accounted[cpu] = now;
        return now > before ? now - before : -1;
    }

    /// <summary>Losses the kernel counted that no report in the stream has covered yet, per CPU.</summary>
    public IReadOnlyList<(int Cpu, long Count)> Outstanding()
    {
        var list = new List<(int, long)>();
        foreach (var (cpu, accounted) in _accounted)
        {
            long now = Safe(cpu);
            if (now > accounted && accounted >= 0)
            {
                list.Add((cpu, now - accounted));
                _accounted[cpu] = now;
            }
        }
        return list.OrderBy(x => x.Item1).ToArray();
    }
}
