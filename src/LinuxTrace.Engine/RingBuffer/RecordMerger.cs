namespace LinuxTrace.Engine.RingBuffer;

/// <summary>
/// k-way merge of per-CPU record streams by time stamp; stable: equal stamps come out in CPU order and,
/// within a CPU, in buffer order. Linear selection for few CPUs, a heap for many.
/// </summary>
public sealed class RecordMerger
{
    private readonly CpuCursor[] _cursors;
    private readonly bool[] _live;
    private readonly PriorityQueue<int, (ulong Ts, int Index)>? _heap;
    private int _current = -1;
    private bool _started;

    public RecordMerger(IEnumerable<CpuCursor> cursors)
    {
        _cursors = cursors.ToArray();
        _live = new bool[_cursors.Length];
        if (_cursors.Length > 8) _heap = new PriorityQueue<int, (ulong, int)>();
    }

    public ref RecordRef Current => ref _cursors[_current].Current;

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
            _live[_current] = c.MoveNext();
            if (_heap is null)
            {
                if (_live[_current])
                {
                    ulong ts = c.Timestamp;
                    if (ts < _boundTs || (ts == _boundTs && _current < _boundIndex)) return true;
                }
            }
            else if (_live[_current]) _heap.Enqueue(_current, (c.Timestamp, _current));
        }

        if (_heap is not null)
        {
            if (!_heap.TryDequeue(out _current, out _)) { _current = -1; return false; }
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
        _current = best;
        _boundTs = second < 0 ? ulong.MaxValue : secondTs;
        _boundIndex = second < 0 ? int.MaxValue : second;
        return best >= 0;
    }
}
