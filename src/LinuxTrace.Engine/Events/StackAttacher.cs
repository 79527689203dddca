using System.Buffers.Binary;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;

namespace LinuxTrace.Engine.Events;

/// <summary>
/// Gives each event the stacks the kernel recorded right after it on the same CPU, as trace-cmd report prints them under
/// the event: its kernel stack (an ftrace:kernel_stack record, from the stacktrace option or a stacktrace trigger), then
/// its user stack (ftrace:user_stack, from the userstacktrace option). The stack records themselves are consumed. A stack
/// whose event was filtered out is dropped with it. Records come out in the order they went in; an event waits only
/// until its own CPU shows a record that is not one of its stacks, or until the stacks it can get have come.
/// </summary>
public sealed class StackAttacher
{
    private sealed class Held(TraceRecord record, bool waiting, ulong ts)
    {
        public readonly TraceRecord Record = record;
        public readonly ulong Timestamp = ts;
        public bool Waiting = waiting;
    }


    /// <summary>The kernel writes a stack right after its event, but a virtual CPU can be descheduled by its host between
    /// the two (a run here saw more than 2 ms). A live trace lets an event whose CPU showed nothing for this long (trace
    /// time) go without a stack, so that an idle CPU does not hold every other CPU's events back for long.</summary>
    public const ulong LiveWaitNs = 20_000_000;

    /// <summary>At most this many records wait behind an event that still waits for its stack (a file's idle CPU): past
    /// that, the oldest goes without one.</summary>
    private const int MaxHeld = 65536;

    private readonly ulong _waitNs;

    private readonly int[] _ids;
    private readonly int[] _userIds;
    private readonly (int Size, int Caller, int LongSize)[] _layout;
    private readonly (int Tgid, int Caller, int CallerSize, int LongSize)[] _userLayout;
    private readonly Dictionary<int, Held?> _last = new();
    private readonly Queue<Held> _queue = new();

    /// <summary>One catalog per source (file) in source order; a live trace has one.</summary>
    /// <param name="catalogs">The sources' formats.</param>
    /// <param name="kernel">Whether kernel stacks can come (null: whenever the format exists, as for a file).</param>
    /// <param name="user">Whether user stacks can come (null: whenever the format exists).</param>
    /// <param name="maxWaitNs">How long (trace time) an event waits for its stack; files and buffers wait until its CPU shows
    /// its next record (bounded by <see cref="MaxHeld"/> records), live traces <see cref="LiveWaitNs"/>.</param>
    public StackAttacher(IReadOnlyList<EventCatalog> catalogs, bool? kernel = null, bool? user = null, ulong maxWaitNs = ulong.MaxValue)
    {
        _waitNs = maxWaitNs;
        int n = catalogs.Count;
        _ids = new int[n];
        _userIds = new int[n];
        _layout = new (int, int, int)[n];
        _userLayout = new (int, int, int, int)[n];
        for (int i = 0; i < n; i++)
        {
            var f = kernel == false ? null : catalogs[i].GetByName("ftrace", "kernel_stack");
            _ids[i] = f?.Id ?? -1;
            _layout[i] = (f?.GetField("size")?.Offset ?? -1, f?.GetField("caller")?.Offset ?? -1, catalogs[i].LongSize);
            var u = user == false ? null : catalogs[i].GetByName("ftrace", "user_stack");
            _userIds[i] = u?.Id ?? -1;
            var caller = u?.GetField("caller");
            _userLayout[i] = (u?.GetField("tgid")?.Offset ?? -1, caller?.Offset ?? -1, caller?.Size ?? 0, catalogs[i].LongSize);
        }
        Active = _ids.Any(id => id >= 0) || _userIds.Any(id => id >= 0);
    }

    /// <summary>False when no source can hold stacks: records then pass straight through.</summary>
    public bool Active { get; }

    /// <summary>
    /// True when <paramref name="r"/> is a stack record: it is attached to the event before it on its CPU (if that one
    /// was kept), and the events that no longer wait for a stack are moved to <paramref name="output"/>, in order.
    /// </summary>
    public bool Consume(in RecordRef r, List<TraceRecord> output)
    {
        if (!Active || r.IsLost) return false;
        int src = r.Source;
        if (src >= _ids.Length) return false;
        bool isKernel = _ids[src] >= 0 && r.EventId == _ids[src];
        bool isUser = !isKernel && _userIds[src] >= 0 && r.EventId == _userIds[src];
        if (!isKernel && !isUser) return false;
        int key = Key(r);
        if (_last.TryGetValue(key, out var held) && held is not null)
        {
            if (held.Waiting && held.Record is TraceEvent e)
            {
                if (isKernel) e._stack ??= Read(r, _layout[src]);
                else if (e._userStack is null) ReadUser(r, _userLayout[src], e);
            }
            // the user stack comes after the kernel stack: nothing more for this event after it
            if (isUser || _userIds[src] < 0)
            {
                held.Waiting = false;
                _last[key] = null;
            }
        }
        Release(output, r.Timestamp);
        return true;
    }

    /// <summary>
    /// Takes the next record of a CPU (the object made for it, or null when it was filtered out): the event before it on
    /// that CPU gets no stack any more. An event is held until its CPU shows what follows it; what is ready goes to
    /// <paramref name="output"/> in order.
    /// </summary>
    public void Add(in RecordRef r, TraceRecord? made, List<TraceRecord> output)
    {
        if (!Active)
        {
            if (made is not null) output.Add(made);
            return;
        }
        int key = Key(r);
        if (_last.TryGetValue(key, out var previous) && previous is not null) previous.Waiting = false;
        if (made is null || r.IsLost)
        {
            _last[key] = null;
            if (made is not null) _queue.Enqueue(new Held(made, false, r.Timestamp));
        }
        else
        {
            var held = new Held(made, made is TraceEvent, r.Timestamp);
            _queue.Enqueue(held);
            _last[key] = held;
        }
        Release(output, r.Timestamp);
    }

    /// <summary>
    /// The end of a live merge round that went up to <paramref name="limit"/> (every record before it has been seen):
    /// an event stamped well before it (its stack would have come) is let go; a later one waits for the next round.
    /// </summary>
    public void EndRound(List<TraceRecord> output, ulong limit)
    {
        while (_queue.Count > 0 && _queue.Peek() is { } head && (!head.Waiting || limit == ulong.MaxValue || !StillWaiting(head, limit)))
        {
            head.Waiting = false;
            output.Add(_queue.Dequeue().Record);
        }
    }

    /// <summary>Everything still held (the end of the records: no more stacks can come).</summary>
    public void Flush(List<TraceRecord> output)
    {
        while (_queue.Count > 0) output.Add(_queue.Dequeue().Record);
        _last.Clear();
    }

    private void Release(List<TraceRecord> output, ulong now)
    {
        while (_queue.Count > 0)
        {
            var head = _queue.Peek();
            if (head.Waiting && StillWaiting(head, now) && _queue.Count <= MaxHeld) break;
            head.Waiting = false;
            output.Add(_queue.Dequeue().Record);
        }
    }

    private bool StillWaiting(Held h, ulong now) => now < h.Timestamp || now - h.Timestamp <= _waitNs;

    private static int Key(in RecordRef r) => (r.Source << 16) | r.Cpu;

    private static ulong[] Read(in RecordRef r, (int Size, int Caller, int LongSize) l)
    {
        var rec = r.Page.AsSpan(r.Offset, r.Length);
        if (l.Size < 0 || l.Caller < 0 || l.Size + 4 > rec.Length) return [];
        int n = BinaryPrimitives.ReadInt32LittleEndian(rec[l.Size..]);
        return Addresses(rec, l.Caller, (int)Math.Clamp((long)n * l.LongSize, 0, int.MaxValue), l.LongSize, stopAtEnd: false); // (end markers of older kernels skipped)
    }

    /// <summary>The addresses of a caller[] array (<paramref name="bytes"/> long, clamped to the record), leaving out
    /// 0 and all-ones entries; <paramref name="stopAtEnd"/>: the first one ends the list (the rest is unused).</summary>
    private static ulong[] Addresses(ReadOnlySpan<byte> rec, int at, int bytes, int longSize, bool stopAtEnd)
    {
        int n = Math.Clamp(bytes, 0, Math.Max(rec.Length - at, 0)) / longSize;
        var list = new List<ulong>(n);
        for (int i = 0; i < n; i++)
        {
            ulong a = longSize == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(rec[(at + 8 * i)..]) : BinaryPrimitives.ReadUInt32LittleEndian(rec[(at + 4 * i)..]);
            if (a == 0 || a == ulong.MaxValue || (longSize == 4 && a == uint.MaxValue))
            {
                if (stopAtEnd) break;
                continue;
            }
            list.Add(a);
        }
        return list.ToArray();
    }

    private static void ReadUser(in RecordRef r, (int Tgid, int Caller, int CallerSize, int LongSize) l, TraceEvent e)
    {
        var rec = r.Page.AsSpan(r.Offset, r.Length);
        if (l.Tgid < 0 || l.Caller < 0 || l.Tgid + 4 > rec.Length) return;
        int tgid = BinaryPrimitives.ReadInt32LittleEndian(rec[l.Tgid..]);
        e._userStack = Addresses(rec, l.Caller, l.CallerSize, l.LongSize, stopAtEnd: true);
        e._userTgid = tgid;
        e._context?.UserSymbols?.Note(tgid); // live: read its maps now, while it may still run
    }
}
