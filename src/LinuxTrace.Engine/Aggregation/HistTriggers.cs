using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LinuxTrace.Engine.Symbols;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Aggregation;

/// <summary>
/// In-kernel histograms: writes hist triggers to an event's trigger file (a rejected one is explained with
/// error_log's text and caret), lists and removes them, and reads an event's hist file into the same group objects
/// Measure-TraceEvent makes: keys under their field names (call_site as its symbol, id with its syscall name,
/// common_pid with its command), Count from hitcount, and the first value as Sum.
/// </summary>
public static partial class HistTriggers
{
    /// <summary>True when this kernel has hist triggers (CONFIG_HIST_TRIGGERS).</summary>
    public static bool Supported(TraceInstance instance) =>
        File.Exists(Path.Combine(instance.Path, "events", "sched", "sched_switch", "hist")) || File.Exists(Path.Combine(instance.Tracefs.Root, "events", "sched", "sched_switch", "hist"));

    public static void Require(TraceInstance instance)
    {
        if (!Supported(instance))
            throw new TraceException(TraceErrorKind.NotSupported,
                "This kernel has no hist triggers (CONFIG_HIST_TRIGGERS is not set): it cannot aggregate in the kernel. Measure-TraceEvent and Measure-TraceLatency aggregate in LinuxTrace's engine instead.",
                instance.Path) { ErrorId = "HistTriggersNotSupported" };
    }

    /// <summary>hist:keys=…[:vals=…][:sort=…][:size=…][ if FILTER], as the kernel takes it.</summary>
    public static string Compose(IReadOnlyList<string> keys, IReadOnlyList<string>? values = null, IReadOnlyList<string>? sort = null, int? size = null, string? filter = null)
    {
        if (keys.Count == 0) throw new TraceException(TraceErrorKind.InvalidArgument, "A hist trigger needs at least one key.") { ErrorId = "NoKeys" };
        var sb = new StringBuilder("hist:keys=").Append(string.Join(',', keys));
        if (values is { Count: > 0 }) sb.Append(":vals=").Append(string.Join(',', values));
        if (sort is { Count: > 0 }) sb.Append(":sort=").Append(string.Join(',', sort));
        if (size is { } s) sb.Append(":size=").Append(s.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrWhiteSpace(filter)) sb.Append(" if ").Append(filter.Trim());
        return sb.ToString();
    }

    /// <summary>Adds <paramref name="definition"/> to the event's trigger file.</summary>
    public static TraceHistogramTrigger Add(TraceInstance instance, EventName e, string definition)
    {
        Require(instance);
        if (!instance.EventExists(e.System, e.Name))
            throw new TraceException(TraceErrorKind.NotFound, $"There is no event {e}.", instance.EventDirectory(e.System, e.Name)) { ErrorId = "EventNotFound" };
        try
        {
            instance.AddEventTrigger(e.System, e.Name, definition);
        }
        catch (TraceException x) when (x.Kind == TraceErrorKind.InvalidArgument)
        {
            throw new TraceException(x.Kind, x.Message, x.Path, x.Errno, x) { ErrorId = "HistTriggerRejected", KernelMessage = x.KernelMessage, KernelErrorPosition = x.KernelErrorPosition };
        }
        return List(instance, [e]).LastOrDefault() ?? new TraceHistogramTrigger(instance.DisplayName, e.ToString(), definition, true);
    }

    /// <summary>The hist triggers of <paramref name="events"/> (every event of the instance when null).</summary>
    public static IReadOnlyList<TraceHistogramTrigger> List(TraceInstance instance, IEnumerable<EventName>? events = null)
    {
        var list = new List<TraceHistogramTrigger>();
        var names = events ?? EventSelector.Available(instance);
        foreach (var e in names)
        {
            if (instance.ReadEventTriggers(e.System, e.Name) is not { } text) continue;
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!line.StartsWith("hist:", StringComparison.Ordinal)) continue;
                bool active = !line.EndsWith("[paused]", StringComparison.Ordinal);
                list.Add(new TraceHistogramTrigger(instance.DisplayName, e.ToString(), StripState(line), active));
            }
        }
        return list;
    }

    /// <summary>Removes a hist trigger (writes "!" and its definition).</summary>
    public static void Remove(TraceInstance instance, TraceHistogramTrigger trigger)
    {
        var e = EventName.Parse(trigger.EventName);
        instance.RemoveEventTrigger(e.System, e.Name, StripState(trigger.Definition));
    }

    private static string StripState(string line) => Regex.Replace(line, @"\s*\[(active|paused)\]\s*$", "");

    [GeneratedRegex(@"^# trigger info: (?<def>hist:\S+)")]
    private static partial Regex TriggerInfo();

    [GeneratedRegex(@"^\{(?<keys>.*)\}\s*(?<vals>hitcount:.*)$")]
    private static partial Regex Entry();

    [GeneratedRegex(@"(?<name>[A-Za-z_][\w.]*):\s*(?<v>-?\d+)")]
    private static partial Regex Value();

    /// <summary>The groups of each hist trigger of <paramref name="e"/>, from its hist file.</summary>
    public static IReadOnlyList<IReadOnlyList<TraceEventGroup>> Read(TraceInstance instance, EventName e, SyscallTable? syscalls = null)
    {
        if (instance.ReadEventHist(e.System, e.Name) is not { } text) { Require(instance); return []; }
        return Parse(text, syscalls);
    }

    /// <summary>Parses a hist file: one list of groups per "# trigger info" section.</summary>
    public static IReadOnlyList<IReadOnlyList<TraceEventGroup>> Parse(string text, SyscallTable? syscalls = null)
    {
        var result = new List<IReadOnlyList<TraceEventGroup>>();
        string[]? keys = null;
        List<(string Name, Type Type)>? props = null;
        List<TraceEventGroup>? groups = null;
        string? valueName = null;
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.TrimEnd();
            var info = TriggerInfo().Match(line);
            if (info.Success)
            {
                if (groups is not null) result.Add(groups);
                var parts = info.Groups["def"].Value.Split(':');
                keys = parts.FirstOrDefault(p => p.StartsWith("keys=", StringComparison.Ordinal))?[5..].Split(',') ?? [];
                var vals = parts.FirstOrDefault(p => p.StartsWith("vals=", StringComparison.Ordinal))?[5..].Split(',').Where(v => v != "hitcount").ToArray() ?? [];
                valueName = vals.FirstOrDefault();
                props = KeyProperties(keys, syscalls is not null);
                groups = new List<TraceEventGroup>();
                continue;
            }
            if (keys is null || props is null || groups is null) continue;
            var m = Entry().Match(line);
            if (!m.Success) continue;
            var values = KeyValues(m.Groups["keys"].Value, keys, syscalls);
            TraceEventGroup g = valueName is null ? GroupTypes.Create<TraceEventCount>(props, values) : GroupTypes.Create<TraceEventGroup>(props, values);
            foreach (Match v in Value().Matches(m.Groups["vals"].Value))
            {
                long n = long.Parse(v.Groups["v"].Value, CultureInfo.InvariantCulture);
                string name = v.Groups["name"].Value;
                if (name == "hitcount") g.Count = n;
                else if (name == valueName || name.StartsWith(valueName + ".", StringComparison.Ordinal)) { g.Property = valueName; g.Sum = n; }
            }
            groups.Add(g);
        }
        if (groups is not null) result.Add(groups);
        return result;
    }

    private static string BaseName(string key) => key.Split('.')[0];

    private static string Modifier(string key) => key.Contains('.') ? key[(key.IndexOf('.') + 1)..] : "";

    private static List<(string, Type)> KeyProperties(string[] keys, bool syscallNames)
    {
        var props = new List<(string, Type)>();
        foreach (var k in keys)
        {
            string name = BaseName(k), mod = Modifier(k);
            switch (mod)
            {
                case "sym" or "sym-offset": props.Add((name, typeof(string))); break;
                case "execname": props.Add((name, typeof(long))); props.Add(("ProcessName", typeof(string))); break;
                case "syscall": props.Add((name, typeof(long))); props.Add(("syscall", typeof(string))); break;
                default: props.Add((name, typeof(object))); break;
            }
        }
        return props;
    }

    [GeneratedRegex(@"^(?<text>.*?)\s*\[\s*(?<n>-?\d+)\]$")]
    private static partial Regex NameAndNumber();

    [GeneratedRegex(@"^\[(?<addr>[0-9a-f]+)\]\s*(?<sym>.*)$")]
    private static partial Regex AddressAndSymbol();

    private static object?[] KeyValues(string inside, string[] keys, SyscallTable? syscalls)
    {
        // "{ call_site: [ffff…] sym [mod] , id: sys_read [  0], common_pid: bash [ 1234] }": cut at each known key name
        var texts = new string[keys.Length];
        int pos = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            string label = BaseName(keys[i]) + ":";
            int at = inside.IndexOf(label, pos, StringComparison.Ordinal);
            if (at < 0) { texts[i] = ""; continue; }
            int start = at + label.Length;
            int end = inside.Length;
            if (i + 1 < keys.Length)
            {
                int next = inside.IndexOf(", " + BaseName(keys[i + 1]) + ":", start, StringComparison.Ordinal);
                if (next >= 0) end = next;
            }
            texts[i] = inside[start..end].Trim();
            pos = end;
        }
        var values = new List<object?>();
        for (int i = 0; i < keys.Length; i++)
        {
            string t = texts[i], mod = Modifier(keys[i]);
            switch (mod)
            {
                case "sym" or "sym-offset":
                    var s = AddressAndSymbol().Match(t);
                    values.Add(s.Success ? s.Groups["sym"].Value.Trim() : t);
                    break;
                case "execname" or "syscall":
                    var nn = NameAndNumber().Match(t);
                    long num = nn.Success ? long.Parse(nn.Groups["n"].Value, CultureInfo.InvariantCulture) : 0;
                    string label = nn.Success ? nn.Groups["text"].Value.Trim() : t;
                    if (mod == "syscall" && label.StartsWith("sys_", StringComparison.Ordinal)) label = label[4..];
                    values.Add(num);
                    values.Add(label);
                    break;
                case "hex":
                    values.Add(long.TryParse(t.StartsWith("0x", StringComparison.Ordinal) ? t[2..] : t, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long h) ? h : t);
                    break;
                case "log2":
                    // "~ 2^10": the bucket's lower edge
                    var p = Regex.Match(t, @"2\^(\d+)");
                    values.Add(p.Success ? 1L << int.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture) : t);
                    break;
                default:
                    var b = Regex.Match(t, @"^~?\s*(-?\d+)(-\d+)?$");
                    values.Add(b.Success ? long.Parse(b.Groups[1].Value, CultureInfo.InvariantCulture) : t);
                    break;
            }
        }
        return values.ToArray();
    }
}
