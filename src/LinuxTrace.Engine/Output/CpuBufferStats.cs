using System.Globalization;

namespace LinuxTrace;

/// <summary>The ring-buffer statistics of one CPU (per_cpu/cpuN/stats).</summary>
public sealed class CpuBufferStats
{
    public string Instance { get; init; } = "";
    public int Cpu { get; init; }
    /// <summary>Events in the buffer now.</summary>
    public long Entries { get; init; }
    /// <summary>Events overwritten because the buffer was full (overwrite mode): lost.</summary>
    public long Overrun { get; init; }
    public long CommitOverrun { get; init; }
    public long Bytes { get; init; }
    public double OldestEventTs { get; init; }
    public double NowTs { get; init; }
    /// <summary>Events not written because the buffer was full (non-overwrite mode): lost.</summary>
    public long DroppedEvents { get; init; }
    public long ReadEvents { get; init; }

    /// <summary>Lost events: overrun plus dropped.</summary>
    public long Lost => Overrun + DroppedEvents;

    public static CpuBufferStats Parse(string instance, int cpu, string text)
    {
        long entries = 0, overrun = 0, commitOverrun = 0, bytes = 0, dropped = 0, read = 0;
        double oldest = 0, now = 0;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            string key = line[..colon].Trim();
            string val = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "entries": entries = L(val); break;
                case "overrun": overrun = L(val); break;
                case "commit overrun": commitOverrun = L(val); break;
                case "bytes": bytes = L(val); break;
                case "oldest event ts": oldest = D(val); break;
                case "now ts": now = D(val); break;
                case "dropped events": dropped = L(val); break;
                case "read events": read = L(val); break;
            }
        }
        return new CpuBufferStats
        {
            Instance = instance, Cpu = cpu, Entries = entries, Overrun = overrun, CommitOverrun = commitOverrun, Bytes = bytes,
            OldestEventTs = oldest, NowTs = now, DroppedEvents = dropped, ReadEvents = read,
        };

        static long L(string s) => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
        static double D(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }
}
