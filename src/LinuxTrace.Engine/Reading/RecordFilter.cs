using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;

namespace LinuxTrace.Engine.Reading;

/// <summary>
/// Filters applied to raw records before any object exists: event ids, pids, CPUs and a time window.
/// Lost-event markers pass unless their CPU or time is excluded.
/// </summary>
public sealed class RecordFilter
{
    private bool[]? _ids;
    private HashSet<int>? _pids;
    private bool[]? _cpus;
    private OwnThreads? _own;
    private bool[]? _ownExempt;
    // per event id, the offsets of the other tasks a record names (sched_switch's prev_pid and next_pid, a wakeup's
    // wakee): a record about one of this process's threads is LinuxTrace's own activity, whoever's context wrote it
    private int[]?[]? _ownTaskFields;

    public ulong StartNs { get; set; }
    public ulong EndNs { get; set; } = ulong.MaxValue;

    /// <summary>The pid field's offset in records (common_pid; 4 on every kernel LinuxTrace knows).</summary>
    public int PidOffset { get; set; } = 4;

    public bool IsEmpty => _ids is null && _pids is null && _cpus is null && _own is null && StartNs == 0 && EndNs == ulong.MaxValue;

    /// <summary>Leaves out records of this process's threads (LinuxTrace's own activity), except the records whose ids
    /// are in <paramref name="exemptIds"/> (markers it writes on purpose); null stops that.</summary>
    /// <remarks>A record is this process's when its common_pid is, or when it names one of its threads as another task
    /// (<paramref name="taskFields"/>: event id to the offsets of 4-byte pid fields, such as sched_switch's next_pid).
    /// The kernel's set_event_notrace_pid keeps a switch or wakeup unless both tasks are listed, and knows only the
    /// threads that existed when it was written.</remarks>
    public void ExcludeThreads(OwnThreads? own, IEnumerable<int>? exemptIds = null, IReadOnlyDictionary<int, int[]>? taskFields = null)
    {
        _own = own;
        _ownExempt = null;
        _ownTaskFields = null;
        if (own is null) return;
        if (taskFields is { Count: > 0 })
        {
            _ownTaskFields = new int[]?[taskFields.Keys.Max() + 1];
            foreach (var (id, offsets) in taskFields) if (id >= 0) _ownTaskFields[id] = offsets;
        }
        if (exemptIds is null) return;
        _ownExempt = new bool[65536];
        foreach (int id in exemptIds) if (id is >= 0 and < 65536) _ownExempt[id] = true;
    }

    /// <summary>The pid fields naming other tasks in these events' records: prev_pid and next_pid, and in the sched
    /// system a task's pid (wakeups, migrations, stats), each a 4-byte field.</summary>
    public static Dictionary<int, int[]> TaskFields(IEnumerable<LinuxTrace.Engine.Formats.EventFormat> formats)
    {
        var map = new Dictionary<int, int[]>();
        foreach (var f in formats)
        {
            var offsets = f.Fields.Where(x => x.Size == 4 && (x.Name is "prev_pid" or "next_pid" || (x.Name == "pid" && f.System == "sched")))
                .Select(x => x.Offset).ToArray();
            if (offsets.Length > 0) map[f.Id] = offsets;
        }
        return map;
    }

    public void AllowEventIds(IEnumerable<int> ids)
    {
        _ids = new bool[65536];
        foreach (int id in ids) if (id is >= 0 and < 65536) _ids[id] = true;
    }

    /// <summary>Only these events (by name, looked up in <paramref name="catalog"/>).</summary>
    public void AllowEvents(LinuxTrace.Engine.Formats.EventCatalog catalog, IEnumerable<LinuxTrace.Engine.Tracefs.EventName> events) =>
        AllowEventIds(events.Select(e => catalog.GetByName(e.System, e.Name)?.Id ?? -1));

    public void AllowPids(IEnumerable<int> pids) => _pids = new HashSet<int>(pids);

    private FollowedTasks? _followed;

    /// <summary>With <see cref="AllowPids"/>: a sched_process_fork record (<paramref name="fork"/>) whose parent_pid is
    /// allowed allows its child_pid from then on; with <paramref name="commands"/>, the followed tasks' commands are kept
    /// there from their fork and <paramref name="exec"/> records (<see cref="FollowedTasks"/>). Those records pass only
    /// if their ids are allowed.</summary>
    public void FollowForks(EventFormat fork, EventFormat? exec = null, CommandResolver? commands = null)
    {
        _pids ??= new HashSet<int>();
        _followed = new FollowedTasks(_pids, fork, exec, commands);
    }

    public void AllowCpus(IEnumerable<int> cpus)
    {
        var list = cpus.ToArray();
        _cpus = new bool[Math.Max(1, list.DefaultIfEmpty(0).Max() + 1)];
        foreach (int c in list) if (c >= 0) _cpus[c] = true;
    }

    public bool Accept(in RecordRef r)
    {
        if (r.Timestamp < StartNs || r.Timestamp > EndNs) return false;
        if (_cpus is not null && (r.Cpu >= _cpus.Length || !_cpus[r.Cpu])) return false;
        if (r.IsLost) return true;
        _followed?.See(in r);
        if (_ids is not null)
        {
            int id = r.EventId;
            if (id < 0 || !_ids[id]) return false;
        }
        if (_pids is not null || _own is not null)
        {
            if (r.Length < PidOffset + 4) return false;
            int pid = BitConverter.ToInt32(r.Page, r.Offset + PidOffset);
            if (_pids is not null && !_pids.Contains(pid)) return false;
            if (_own is not null && (_ownExempt is null || !_ownExempt[r.EventId]))
            {
                if (_own.Contains(pid)) return false;
                if (_ownTaskFields is { } tf && r.EventId >= 0 && r.EventId < tf.Length && tf[r.EventId] is { } offsets)
                    foreach (int o in offsets)
                        if (r.Length >= o + 4 && _own.Contains(BitConverter.ToInt32(r.Page, r.Offset + o))) return false;
            }
        }
        return true;
    }
}
