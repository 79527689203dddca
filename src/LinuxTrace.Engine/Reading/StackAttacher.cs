using System.Buffers.Binary;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;

namespace LinuxTrace.Engine.Reading;

/// <summary>
/// Gives each event the stacks the kernel recorded right after it on the same CPU, as trace-cmd report prints them under
/// the event: its kernel stack (an ftrace:kernel_stack record, from the stacktrace option or a stacktrace trigger), then
/// its user stack (ftrace:user_stack, from the userstacktrace option). The stack records themselves are consumed. A stack
/// whose event was filtered out is dropped with it.
/// A reader that has every record (a file, a buffer read at once) looks ahead on the event's CPU
/// (<see cref="TakeFollowing"/>), so nothing waits. A live trace may not have merged the stack's page yet when its event
/// comes: <see cref="Consume"/> and <see cref="Add"/> hold each event until its own CPU shows a record that is not one of
/// its stacks, or until the stacks it can get have come; records come out in the order they went in.
/// </summary>
public sealed class StackAttacher
{
    /// <summary>The kernel writes a stack right after its event, but a virtual CPU can be descheduled by its host between
    /// the two (a run here saw more than 2 ms). A live trace lets an event whose CPU showed nothing for this long (trace
    /// time) go without a stack, so that an idle CPU does not hold every other CPU's events back for long.</summary>
    public const ulong LiveWaitNs = 20_000_000;

    /// <summary>At most this many records wait behind an event that still waits for its stack (an idle CPU, when no
    /// time limit is given): past that, the oldest goes without one.</summary>
    private const int MaxHeld = 65536;

    private readonly ulong _waitNs;

    private readonly int[] _ids;
    private readonly int[] _userIds;
    private readonly (int Size, int Caller, int LongSize)[] _layout;
    private readonly (int Tgid, int Caller, int CallerSize, int LongSize)[] _userLayout;

    private struct Held
    {
        public TraceRecord? Record;
        public ulong Timestamp;
        public bool Waiting;
    }

    // The held records in the order they came, in a ring addressed by a running number: [_head, _tail) are held.
    // (While a live trace records stacks every event is held at least until its CPU's next record, so this is on every
    // record's path: one array of structs, no allocation and no covariant array store per record.)
    private Held[] _held = new Held[256];
    private long _head, _tail;

    // Per source and CPU: the running number of the CPU's last record while a stack may still come for it, else -1.
    private readonly long[][] _last;

    /// <summary>One catalog per source (file) in source order; a live trace has one.</summary>
    /// <param name="catalogs">The sources' formats.</param>
    /// <param name="kernel">Whether kernel stacks can come (null: whenever the format exists, as for a file).</param>
    /// <param name="user">Whether user stacks can come (null: whenever the format exists).</param>
    /// <param name="maxWaitNs">How long (trace time) an event held by <see cref="Add"/> waits for its stack (live traces:
    /// <see cref="LiveWaitNs"/>); without it, until its CPU shows its next record (bounded by <see cref="MaxHeld"/>
    /// records). Readers that look ahead never hold anything.</param>
    public StackAttacher(IReadOnlyList<EventCatalog> catalogs, bool? kernel = null, bool? user = null, ulong maxWaitNs = ulong.MaxValue)
    {
        _waitNs = maxWaitNs;
        int n = catalogs.Count;
        _ids = new int[n];
        _userIds = new int[n];
        _layout = new (int, int, int)[n];
        _userLayout = new (int, int, int, int)[n];
        _last = new long[n][];
        for (int i = 0; i < n; i++)
        {
            var f = kernel == false ? null : catalogs[i].GetByName("ftrace", "kernel_stack");
            _ids[i] = f?.Id ?? -1;
            _layout[i] = (f?.GetField("size")?.Offset ?? -1, f?.GetField("caller")?.Offset ?? -1, catalogs[i].LongSize);
            var u = user == false ? null : catalogs[i].GetByName("ftrace", "user_stack");
            _userIds[i] = u?.Id ?? -1;
            var caller = u?.GetField("caller");
            _userLayout[i] = (u?.GetField("tgid")?.Offset ?? -1, caller?.Offset ?? -1, caller?.Size ?? 0, catalogs[i].LongSize);
            _last[i] = [];
        }
        Active = _ids.Any(id => id >= 0) || _userIds.Any(id => id >= 0);
    }

    /// <summary>False when no source can hold stacks: records then pass straight through.</summary>
    public bool Active { get; }

    /// <summary>True when <paramref name="r"/> is a stack record (a reader looking ahead meets one only when its event came
    /// before the first record it has of that CPU: it is dropped).</summary>
    public bool IsStack(in RecordRef r) => Kind(r) != StackKind.None;

    /// <summary>
    /// For readers that have every record: gives <paramref name="e"/> (the event the merger's current record was made
    /// into; null when it was filtered out or is not an event) the stack records that follow it on its CPU, and moves the
    /// merger past them. Afterwards the merger's current record is the CPU's next one, which its MoveNext still yields.
    /// </summary>
    public void TakeFollowing(RecordMerger merger, TraceEvent? e)
    {
        if (!Active || merger.Current.IsLost) return;
        while (merger.AdvanceCurrent())
        {
            ref var s = ref merger.Current;
            var kind = Kind(s);
            if (kind == StackKind.None) return;
            if (kind == StackKind.Kernel)
            {
                if (e is not null) e._stack ??= Read(s, _layout[s.Source]);
                continue;
            }
            if (e is not null && e._userStack is null) ReadUser(s, _userLayout[s.Source], e);
            // the user stack comes after the kernel stack: nothing more for this event after it
            merger.AdvanceCurrent();
            return;
        }
    }

    private enum StackKind { None, Kernel, User }

    private StackKind Kind(in RecordRef r)
    {
        if (!Active || r.IsLost || r.Source >= _ids.Length) return StackKind.None;
        int id = r.EventId;
        if (id == _ids[r.Source] && id >= 0) return StackKind.Kernel;
        if (id == _userIds[r.Source] && id >= 0) return StackKind.User;
        return StackKind.None;
    }

    /// <summary>
    /// True when <paramref name="r"/> is a stack record: it is attached to the event before it on its CPU (if that one
    /// was kept), and the events that no longer wait for a stack are moved to <paramref name="output"/>, in order.
    /// </summary>
    public bool Consume(in RecordRef r, List<TraceRecord> output)
    {
        var kind = Kind(r);
        if (kind == StackKind.None) return false;
        int src = r.Source;
        bool isKernel = kind == StackKind.Kernel, isUser = !isKernel;
        ref long last = ref Last(src, r.Cpu);
        if (last >= _head)
        {
            ref var h = ref _held[Slot(last)];
            if (h.Waiting && h.Record is TraceEvent e)
            {
                if (isKernel) e._stack ??= Read(r, _layout[src]);
                else if (e._userStack is null) ReadUser(r, _userLayout[src], e);
            }
            // the user stack comes after the kernel stack: nothing more for this event after it
            if (isUser || _userIds[src] < 0)
            {
                h.Waiting = false;
                last = -1;
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
        ref long last = ref Last(r.Source, r.Cpu);
        if (last >= _head) _held[Slot(last)].Waiting = false;
        last = -1;
        if (made is not null)
        {
            bool waits = !r.IsLost && made is TraceEvent;
            long n = Hold(made, waits, r.Timestamp);
            if (!r.IsLost) last = n;
        }
        Release(output, r.Timestamp);
    }

    /// <summary>
    /// The end of a live merge round that went up to <paramref name="limit"/> (every record before it has been seen):
    /// an event stamped well before it (its stack would have come) is let go; a later one waits for the next round.
    /// </summary>
    public void EndRound(List<TraceRecord> output, ulong limit)
    {
        while (_head < _tail)
        {
            ref var h = ref _held[Slot(_head)];
            if (h.Waiting && limit != ulong.MaxValue && StillWaiting(h.Timestamp, limit)) break;
            Dequeue(ref h, output);
        }
    }

    /// <summary>Everything still held (the end of the records: no more stacks can come).</summary>
    public void Flush(List<TraceRecord> output)
    {
        while (_head < _tail) Dequeue(ref _held[Slot(_head)], output);
        foreach (var l in _last) Array.Fill(l, -1);
    }

    private void Release(List<TraceRecord> output, ulong now)
    {
        while (_head < _tail)
        {
            ref var h = ref _held[Slot(_head)];
            if (h.Waiting && StillWaiting(h.Timestamp, now) && _tail - _head <= MaxHeld) break;
            Dequeue(ref h, output);
        }
    }

    private void Dequeue(ref Held h, List<TraceRecord> output)
    {
        output.Add(h.Record!);
        h = default;
        _head++;
    }

    private long Hold(TraceRecord record, bool waiting, ulong ts)
    {
        if (_tail - _head == _held.Length) Grow();
        _held[Slot(_tail)] = new Held { Record = record, Timestamp = ts, Waiting = waiting };
        return _tail++;
    }

    // doubles the ring, keeping each held record at its running number's new slot
    private void Grow()
    {
        var held = new Held[_held.Length * 2];
        for (long n = _head; n < _tail; n++) held[n & (held.Length - 1)] = _held[Slot(n)];
        _held = held;
    }

    private int Slot(long n) => (int)(n & (_held.Length - 1));

    private ref long Last(int source, int cpu)
    {
        ref var cpus = ref _last[source];
        if (cpu >= cpus.Length)
        {
            int old = cpus.Length;
            Array.Resize(ref cpus, Math.Max(cpu + 1, old * 2));
            Array.Fill(cpus, -1, old, cpus.Length - old);
        }
        return ref cpus[cpu];
    }

    private bool StillWaiting(ulong stamp, ulong now) => now < stamp || now - stamp <= _waitNs;

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
