using LinuxTrace.Engine.RingBuffer;

namespace LinuxTrace.Engine.Reading;

/// <summary>
/// k-way merge of per-CPU record streams by time stamp; stable: equal stamps come out in CPU order and,
/// within a CPU, in buffer order. Linear selection for few CPUs, a heap for many. A live merge runs in rounds: each
/// round takes the records up to <see cref="Limit"/> (the time up to which every CPU has been read), and
/// <see cref="Resume"/> starts the next one with the records held back still first.
/// </summary>
public sealed class RecordMerger
{
    private readonly CpuCursor[] _cursors;
    private readonly bool[] _live;
    private readonly PriorityQueue<int, (ulong Ts, int Index)>? _heap;
    private int _current = -1;
    private bool _started;
    private bool _advanced; // the current CPU's cursor was moved on by AdvanceCurrent: MoveNext merges from where it is

    public RecordMerger(IEnumerable<CpuCursor> cursors)
    {
        _cursors = cursors.ToArray();
        _live = new bool[_cursors.Length];
        if (_cursors.Length > 8) _heap = new PriorityQueue<int, (ulong, int)>();
    }

    public ref RecordRef Current => ref _cursors[_current].Current;

    /// <summary>Records stamped later than this wait for a later round (MoveNext returns false before them).</summary>
    public ulong Limit { get; set; } = ulong.MaxValue;

    /// <summary>Begins a new round of a live merge: cursors that had no page look again; held records stay first.</summary>
    public void Resume()
    {
        if (!_started) return;
        for (int i = 0; i < _cursors.Length; i++)
        {
            if (_live[i] || i == _current) continue;
            _live[i] = _cursors[i].MoveNext();
            if (_live[i]) _heap?.Enqueue(i, (_cursors[i].Timestamp, i));
        }
    }

    /// <summary>
    /// Moves the current record's CPU on to its next record, which <see cref="Current"/> then is, so that a reader can
    /// look at what follows a record on its CPU (its stacks) and take it too; false when that CPU has no more. The next
    /// <see cref="MoveNext"/> merges from there (the record Current is then still comes, unless this is called again).
    /// </summary>
    public bool AdvanceCurrent()
    {
        if (_current < 0 || !_live[_current]) return false;
        _advanced = true;
        return _live[_current] = _cursors[_current].MoveNext();
    }

    // the linear merge keeps taking from the current cursor while it stays ahead of the others' earliest record
    // (per-CPU records come in runs): the others are compared only when that bound is passed
    private ulong _boundTs;
    private int _boundIndex;

    public bool MoveNext()
    {
        if (!_started)
        {
            _started = true;
            for (int i = 0; i < _cursors.Length; i++)
            {
                _live[i] = _cursors[i].MoveNext();
                if (_live[i]) _heap?.Enqueue(i, (_cursors[i].Timestamp, i));
            }
        }
        else if (_current >= 0)
        {
            var c = _cursors[_current];
            if (!_advanced) _live[_current] = c.MoveNext();
            _advanced = false;
            if (_heap is null)
            {
                if (_live[_current])
                {
                    ulong ts = c.Timestamp;
                    if ((ts < _boundTs || (ts == _boundTs && _current < _boundIndex)) && ts <= Limit) return true;
                }
            }
            else if (_live[_current]) _heap.Enqueue(_current, (c.Timestamp, _current));
        }

        if (_heap is not null)
        {
            if (!_heap.TryPeek(out int top, out var key) || key.Ts > Limit) { _current = -1; return false; }
            _heap.Dequeue();
            _current = top;
            return true;
        }
        // the earliest record (lowest index on equal stamps), and the earliest of the others as the bound
        int best = -1, second = -1;
        ulong bestTs = ulong.MaxValue, secondTs = ulong.MaxValue;
        for (int i = 0; i < _cursors.Length; i++)
        {
            if (!_live[i]) continue;
            ulong ts = _cursors[i].Timestamp;
            if (best < 0 || ts < bestTs) { second = best; secondTs = bestTs; best = i; bestTs = ts; }
            else if (second < 0 || ts < secondTs) { second = i; secondTs = ts; }
        }
        if (best < 0 || bestTs > Limit) { _current = -1; return false; }
        _current = best;
        _boundTs = second < 0 ? ulong.MaxValue : secondTs;
        _boundIndex = second < 0 ? int.MaxValue : second;
        return true;
    }
}
