using System.Globalization;
using System.Text;

namespace LinuxTrace.Engine.Symbols;

/// <summary>
/// The files a process has mapped (from /proc/PID/maps, or a trace.dat PROCMAPS option that trace-cmd record
/// --proc-map writes): what turns a user-space address into a file and an offset in it.
/// </summary>
public sealed class ProcessMaps
{
    private readonly ProcessMapping[] _maps; // by start

    public ProcessMaps(int processId, string command, IEnumerable<ProcessMapping> maps)
    {
        ProcessId = processId;
        Command = command;
        _maps = maps.OrderBy(m => m.Start).ToArray();
    }

    public int ProcessId { get; }
    /// <summary>The program (its path, as /proc/PID/exe names it).</summary>
    public string Command { get; }
    public IReadOnlyList<ProcessMapping> Mappings => _maps;

    /// <summary>The mapping that holds <paramref name="address"/>, or null.</summary>
    public ProcessMapping? Find(ulong address)
    {
        int lo = 0, hi = _maps.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (address < _maps[mid].Start) hi = mid - 1;
            else if (address >= _maps[mid].End) lo = mid + 1;
            else return _maps[mid];
        }
        return null;
    }

    /// <summary>The file-backed mappings of /proc/PID/maps text ("start-end perms offset dev inode path");
    /// anonymous memory, [stack], [vdso] and deleted files are left out.</summary>
    public static ProcessMaps ParseProc(int processId, string command, string text)
    {
        var list = new List<ProcessMapping>();
        Span<Range> f = stackalloc Range[6];
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            // five fields, then the path (which may hold spaces)
            if (line.Split(f, ' ', StringSplitOptions.RemoveEmptyEntries) < 6) continue;
            var range = line[f[0]];
            int dash = range.IndexOf('-');
            if (dash <= 0) continue;
            int pathAt = line.IndexOf('/');
            if (pathAt < 0) continue;
            string path = line[pathAt..].ToString();
            if (path.EndsWith(" (deleted)", StringComparison.Ordinal)) continue;
            if (!ulong.TryParse(range[..dash], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong start)
                || !ulong.TryParse(range[(dash + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong end)
                || !ulong.TryParse(line[f[2]], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong offset)) continue;
            list.Add(new ProcessMapping(start, end, offset, path));
        }
        return new ProcessMaps(processId, command, list);
    }

    /// <summary>Reads /proc/<paramref name="processId"/>/maps; null when the process is gone or not readable.</summary>
    public static ProcessMaps? ReadLive(int processId)
    {
        try
        {
            string text = File.ReadAllText($"/proc/{processId}/maps");
            // the program's path, as trace-cmd names it
            string program = new FileInfo($"/proc/{processId}/exe").LinkTarget ?? "";
            return text.Length == 0 ? null : ParseProc(processId, program, text); // a zombie has no maps
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>
    /// One PROCMAPS option's text, as trace-cmd writes it: "pid count exe" (hexadecimal counts), then one "start end path"
    /// line (hexadecimal) per file-backed mapping of /proc/PID/maps, without its file offset. The offset is taken as
    /// the distance from the file's lowest mapping, which maps the start of the file (true of the ELF files the
    /// linker lays out: each segment's address and offset differ by the same amount).
    /// </summary>
    public static ProcessMaps? ParseTraceCmdOption(string text)
    {
        var lines = text.TrimEnd('\0').Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0) return null;
        var head = lines[0].Split(' ', 3);
        if (head.Length < 2 || !int.TryParse(head[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int pid)
            || !int.TryParse(head[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int count)) return null;
        var raw = new List<(ulong Start, ulong End, string Path)>();
        for (int i = 1; i < lines.Length && raw.Count < count; i++)
        {
            var p = lines[i].Split(' ', 3);
            if (p.Length < 3 || !ulong.TryParse(p[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong start)
                || !ulong.TryParse(p[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong end) || end <= start) continue;
            raw.Add((start, end, p[2]));
        }
        var lowest = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var (start, _, path) in raw)
            lowest[path] = lowest.TryGetValue(path, out ulong l) ? Math.Min(l, start) : start;
        return new ProcessMaps(pid, head.Length > 2 ? head[2] : "", raw.Select(m => new ProcessMapping(m.Start, m.End, m.Start - lowest[m.Path], m.Path)));
    }

    /// <summary>This process's maps as one PROCMAPS option, in trace-cmd's layout (one line per mapping).</summary>
    public string ToTraceCmdOption()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{ProcessId:x} {_maps.Length:x} {Command}\n");
        foreach (var m in _maps) sb.Append(CultureInfo.InvariantCulture, $"{m.Start:x} {m.End:x} {m.Path}\n");
        return sb.ToString();
    }
}
