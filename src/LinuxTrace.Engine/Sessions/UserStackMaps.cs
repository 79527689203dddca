using LinuxTrace.Engine.Symbols;

namespace LinuxTrace.Engine.Sessions;

/// <summary>
/// The maps of the traced processes (-UserStackTrace), read while they run: their latest maps are what their user
/// stacks are resolved with, in the stream, in a file (-OutFile, Export-TraceData) and in a session's buffer, also once
/// they have exited.
/// </summary>
internal sealed class UserStackMaps(UserSymbols symbols, Func<IReadOnlyList<int>> tracedPids, bool followChildren)
{
    private long _refreshed;

    /// <summary>Waits a quarter of a second before the first read (a started program's maps once it has run a
    /// little, not those of the stub before its exec).</summary>
    public void Defer() => _refreshed = Environment.TickCount64;

    /// <summary>Reads the maps of the traced processes and their descendants again, at most four times a second.</summary>
    public void Refresh(bool force = false)
    {
        long now = Environment.TickCount64;
        if (!force && now - _refreshed < 250) return;
        _refreshed = now;
        foreach (int pid in TracedProcessTree()) symbols.Refresh(pid);
    }

    /// <summary>The maps a file carries: the traced processes' (the latest read of each); for a trace of every process,
    /// those of every process living at the end.</summary>
    public IReadOnlyList<ProcessMaps> ForFile()
    {
        Refresh(force: true);
        if (tracedPids().Count == 0)
        {
            int self = Environment.ProcessId;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
                if (int.TryParse(Path.GetFileName(dir), out int pid) && pid != self) symbols.Note(pid);
        }
        return symbols.KnownMaps;
    }

    /// <summary>The traced processes (the program, -ProcessId) and, with -FollowChildren, their descendants now living.</summary>
    private IEnumerable<int> TracedProcessTree()
    {
        var seen = new HashSet<int>();
        var todo = new Stack<int>(tracedPids());
        while (todo.Count > 0)
        {
            int pid = todo.Pop();
            if (!seen.Add(pid)) continue;
            yield return pid;
            if (!followChildren) continue;
            foreach (int child in ChildProcesses(pid)) todo.Push(child);
        }
    }

    /// <summary>The children of a process, from /proc/PID/task/TID/children (each thread's own).</summary>
    private static List<int> ChildProcesses(int pid)
    {
        var list = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                string text;
                try { text = File.ReadAllText(Path.Combine(task, "children")); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
                foreach (var p in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    if (int.TryParse(p, out int child)) list.Add(child);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return list;
    }
}
