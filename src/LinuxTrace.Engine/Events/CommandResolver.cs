using System.Collections.Concurrent;
using System.Globalization;

namespace LinuxTrace.Engine.Events;

/// <summary>
/// Command names for pids: the kernel's saved_cmdlines (live or from a trace.dat), then /proc/PID/comm
/// for live traces. Shared by all events of one session or file.
/// </summary>
public sealed class CommandResolver
{
    private readonly ConcurrentDictionary<int, string> _map = new();
    private readonly bool _useProc;

    public CommandResolver(bool useProc) => _useProc = useProc;

    /// <summary>Adds "pid comm" lines (saved_cmdlines format).</summary>
    public void Load(string savedCmdlines)
    {
        foreach (var line in savedCmdlines.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int sp = line.IndexOf(' ');
            if (sp <= 0) continue;
            if (int.TryParse(line.AsSpan(0, sp), NumberStyles.Integer, CultureInfo.InvariantCulture, out int pid))
                _map[pid] = line[(sp + 1)..].TrimEnd('\r');
        }
    }

    /// <summary>Adds the kernel's saved_cmdlines now (the one place LinuxTrace reads that file).</summary>
    public void Refresh(LinuxTrace.Engine.Tracefs.TraceFileSystem fs)
    {
        if (fs.SavedCmdlines is { } text) Load(text);
    }

    /// <summary>Every pid and command known, as saved_cmdlines lines ("pid comm"), for a trace.dat file: more than the
    /// kernel's table holds at the end, since commands seen during the trace are kept.</summary>
    public string ToSavedCmdlines()
    {
        var sb = new System.Text.StringBuilder();
        foreach (var (pid, comm) in _map.OrderBy(kv => kv.Key)) sb.Append(pid.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(comm).Append('\n');
        return sb.ToString();
    }

    public IReadOnlyDictionary<int, string> Known => _map;

    /// <summary>Records a task's command as the kernel would show it (comm: at most 15 bytes), for a task LinuxTrace
    /// started itself: the kernel's saved_cmdlines may never have seen it.</summary>
    public void Remember(int pid, string command) => _map[pid] = command.Length > 15 ? command[..15] : command;

    public string Lookup(int pid)
    {
        if (pid == 0) return "<idle>";
        if (_map.TryGetValue(pid, out var c)) return c;
        if (_useProc)
        {
            try
            {
                c = File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
                _map[pid] = c;
                return c;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return "<...>";
    }
}
