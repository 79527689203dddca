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

    public void Learn(int pid, string comm) => _map[pid] = comm;

    public IReadOnlyDictionary<int, string> Known => _map;

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
