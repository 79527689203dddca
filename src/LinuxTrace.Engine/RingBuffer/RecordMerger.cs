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

    public bool MoveNext()
    {
        if (!_started)
        {
            _started = true;
            for (int i = 0; i < _cursors.Length; i++)
            {
                _live[i] = _cursors[i].MoveNext();
                if (_live[i]) _heap?.Enqueue(i, (_cursors[i].Current.Timestamp, i));
            }
        }
        else if (_current >= 0)
        {
            _live[_current] = _cursors[_current].MoveNext();
            if (_live[_current]) _heap?.Enqueue(_current, (_cursors[_current].Current.Timestamp, _current));
        }

        if (_heap is not null)
        {
            if (!_heap.TryDequeue(out _current, out _)) { _current = -1; return false; }
            return true;
        }
        int best = -1;
        ulong bestTs = ulong.MaxValue;
        for (int i = 0; i < _cursors.Length; i++)
        {
            if (!_live[i]) continue;
            ulong ts = _cursors[i].Current.Timestamp;
            if (best < 0 || ts < bestTs) { best = i; bestTs = ts; }
        }
        _current = best;
        return best >= 0;
    }
}
