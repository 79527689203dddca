using System.Globalization;

namespace LinuxTrace.Engine.Events;

/// <summary>
/// The threads of this process (/proc/self/task), so that a trace can leave LinuxTrace's own activity out: the
/// kernel filter (set_event_notrace_pid) takes the threads that exist when a trace starts, and this set also knows
/// threads that start later (the runtime's, the drainers'), checked once per new thread id and remembered.
/// </summary>
public sealed class OwnThreads
{
    private ulong[] _checked = new ulong[1024];
    private ulong[] _ours = new ulong[1024];
    private readonly object _gate = new();

    /// <summary>The thread ids of this process now.</summary>
    public static IReadOnlyList<int> Current()
    {
        var list = new List<int>();
        foreach (var d in Directory.EnumerateDirectories("/proc/self/task"))
            if (int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out int tid)) list.Add(tid);
        list.Sort();
        return list;
    }

    /// <summary>True when <paramref name="tid"/> is a thread of this process.</summary>
    public bool Contains(int tid)
    {
        if (tid <= 0) return false;
        int word = tid >> 6;
        ulong bit = 1UL << (tid & 63);
        var c = _checked;
        if (word < c.Length && (Volatile.Read(ref c[word]) & bit) != 0) return (_ours[word] & bit) != 0;
        bool ours = Directory.Exists("/proc/self/task/" + tid.ToString(CultureInfo.InvariantCulture));
        lock (_gate)
        {
            if (word >= _checked.Length)
            {
                int n = Math.Max(_checked.Length * 2, word + 1);
                Array.Resize(ref _ours, n);
                Array.Resize(ref _checked, n);
            }
            if (ours) _ours[word] |= bit;
            _checked[word] |= bit;
        }
        return ours;
    }
}
