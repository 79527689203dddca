using LinuxTrace.Engine.Symbols;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace;

// User stacks (-UserStackTrace): the maps of the traced processes, read while they run, for the stream (names),
// a file (-OutFile, Export-TraceData) and a session's buffer alike.
public sealed partial class TraceSession
{
    private long _userMapsRefreshed;

    /// <summary>With -UserStackTrace, reads the maps of the traced processes and their descendants again (at most four
    /// times a second): their latest maps are what their user stacks are resolved with, in the stream and in a file,
    /// also once they have exited.</summary>
    private void RefreshUserMaps(bool force = false)
    {
        if (!_options.UserStackTrace || Factory.UserSymbols is not { } symbols) return;
        long now = Environment.TickCount64;
        if (!force && now - _userMapsRefreshed < 250) return;
        _userMapsRefreshed = now;
        foreach (int pid in TracedProcessTree()) symbols.Refresh(pid);
    }

    /// <summary>The traced processes (the program, -ProcessId) and, with -FollowChildren, their descendants now living.</summary>
    private IEnumerable<int> TracedProcessTree()
    {
        var seen = new HashSet<int>();
        var todo = new Stack<int>(ProcessIds);
        while (todo.Count > 0)
        {
            int pid = todo.Pop();
            if (!seen.Add(pid)) continue;
            yield return pid;
            if (!_options.FollowChildren) continue;
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
                if (!TracefsFile.TryRead(Path.Combine(task, "children"), out var text)) continue;
                foreach (var p in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    if (int.TryParse(p, out int child)) list.Add(child);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return list;
    }

    /// <summary>The maps a file recorded with -UserStackTrace carries: the traced processes' (the latest read of each);
    /// for a trace of every process, those of every process living at the end.</summary>
    private IReadOnlyList<ProcessMaps>? UserMapsForFile()
    {
        if (!_options.UserStackTrace || Factory.UserSymbols is not { } symbols) return null;
        RefreshUserMaps(force: true);
        if (ProcessIds.Count == 0)
        {
            int self = Environment.ProcessId;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
                if (int.TryParse(Path.GetFileName(dir), out int pid) && pid != self) symbols.Note(pid);
        }
        return symbols.KnownMaps;
    }
}
