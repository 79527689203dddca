namespace LinuxTrace.Engine.RingBuffer;

/// <summary>
/// How far a live merge may go: the lowest of the drainers' safe time stamps (every record stamped before it is
/// queued; see Native/drain.c, "order across CPUs"). A drainer whose safe time has not moved for a second is left out:
/// either nothing was queued since (it holds nothing back) or it cannot catch up with its CPU's writer, and then
/// the stream goes on without waiting for it (its late records may come out of order, rather than never).
/// </summary>
internal sealed class LiveMergeLimit
{
    private ulong[] _seen = [];
    private long[] _changed = [];

    public ulong Limit(CpuDrainer[] drainers)
    {
        if (_seen.Length != drainers.Length) { _seen = new ulong[drainers.Length]; _changed = new long[drainers.Length]; }
        long now = Environment.TickCount64;
        ulong limit = ulong.MaxValue;
        for (int i = 0; i < drainers.Length; i++)
        {
            ulong safe = drainers[i].SafeTimestamp;
            if (safe != _seen[i] || _changed[i] == 0) { _seen[i] = safe; _changed[i] = now; }
            else if (now - _changed[i] > 1000) continue;
            if (safe < limit) limit = safe;
        }
        return limit;
    }
}
