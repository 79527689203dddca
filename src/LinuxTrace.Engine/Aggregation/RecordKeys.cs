using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Symbols;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Aggregation;

/// <summary>Where a key's value comes from in a record of one format.</summary>
internal enum KeySource : byte { Missing, Integer, String, Pid, Comm, Cpu, Event }

/// <summary>Up to four key values of a record, each as a 64-bit number (strings and event names as interned ids).</summary>
internal readonly record struct GroupKey(long A, long B, long C, long D)
{
    public long this[int i] => i switch { 0 => A, 1 => B, 2 => C, _ => D };

    public static GroupKey From(ReadOnlySpan<long> v) => new(v.Length > 0 ? v[0] : 0, v.Length > 1 ? v[1] : 0, v.Length > 2 ? v[2] : 0, v.Length > 3 ? v[3] : 0);
}

/// <summary>
/// Reads group keys from raw records, as a format says: kernel fields by their names (exact, else ignoring case), and
/// the record's own properties ProcessId, ProcessName, CpuNumber (or Cpu), EventName. Strings are interned to numbers
/// while records stream, and turned back into values (commands resolved from pids) when the groups are made.
/// </summary>
internal sealed class RecordKeys
{
    public const int MaxKeys = 4;
    public const long Absent = long.MinValue;

    private readonly string[] _names;
    private readonly Dictionary<EventFormat, (KeySource Source, FieldFormat? Field)[]> _plans = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, long> _stringIds = new(StringComparer.Ordinal);
    private readonly List<string> _strings = new();
    private readonly KeySource[] _seenKinds;

    public RecordKeys(IReadOnlyList<string> names)
    {
        if (names.Count > MaxKeys) throw new TraceException(TraceErrorKind.InvalidArgument, $"Group by at most {MaxKeys} keys (got {names.Count}).") { ErrorId = "TooManyKeys" };
        _names = names.ToArray();
        _seenKinds = new KeySource[_names.Length];
    }

    public IReadOnlyList<string> Names => _names;

    /// <summary>The key components of a record of format <paramref name="f"/> into <paramref name="into"/>.</summary>
    public void Read(ReadOnlySpan<byte> record, EventFormat f, int cpu, Span<long> into)
    {
        var plan = PlanFor(f);
        for (int i = 0; i < plan.Length; i++)
        {
            var (src, field) = plan[i];
            into[i] = src switch
            {
                KeySource.Integer => FieldDecoder.ReadInteger(record, field!),
                KeySource.String => Intern(record, field!),
                KeySource.Pid or KeySource.Comm => record.Length >= 8 ? BitConverter.ToInt32(record[4..8]) : Absent,
                KeySource.Cpu => cpu,
                KeySource.Event => InternString(f.Name),
                _ => Absent,
            };
        }
    }

    /// <summary>The format's integer field named <paramref name="name"/> (exact, else ignoring case), or null.</summary>
    public static FieldFormat? Field(EventFormat f, string name) =>
        f.GetField(name) ?? f.Fields.FirstOrDefault(x => x.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    private (KeySource, FieldFormat?)[] PlanFor(EventFormat f)
    {
        if (_plans.TryGetValue(f, out var plan)) return plan;
        plan = new (KeySource, FieldFormat?)[_names.Length];
        for (int i = 0; i < _names.Length; i++)
        {
            string n = _names[i];
            var field = Field(f, n);
            (KeySource, FieldFormat?) p = field is not null
                ? (field.ClrType == typeof(string) ? KeySource.String : field.Kind == FieldKind.Scalar ? KeySource.Integer : KeySource.Missing, field)
                : n.ToLowerInvariant() switch
                {
                    "processid" or "pid" or "common_pid" => (KeySource.Pid, (FieldFormat?)null),
                    "processname" or "comm" or "command" => (KeySource.Comm, (FieldFormat?)null),
                    "cpunumber" or "cpu" => (KeySource.Cpu, (FieldFormat?)null),
                    "eventname" or "event" => (KeySource.Event, (FieldFormat?)null),
                    _ => (KeySource.Missing, (FieldFormat?)null),
                };
            plan[i] = p;
            if (p.Item1 != KeySource.Missing && _seenKinds[i] == KeySource.Missing) _seenKinds[i] = p.Item1;
        }
        return _plans[f] = plan;
    }

    /// <summary>Throws, with the format's fields as close matches, when a key is in none of <paramref name="formats"/>.</summary>
    public void Check(IEnumerable<EventFormat> formats)
    {
        var list = formats.ToList();
        if (list.Count == 0) return;
        foreach (var f in list) PlanFor(f);
        for (int i = 0; i < _names.Length; i++)
        {
            if (_seenKinds[i] != KeySource.Missing) continue;
            var fields = list.SelectMany(f => f.Fields.Select(x => x.Name)).Concat(["ProcessId", "ProcessName", "CpuNumber", "EventName"]).Distinct().ToArray();
            var close = CloseMatch.Suggest(_names[i], fields, 5);
            throw new TraceException(TraceErrorKind.NotFound,
                $"No traced event has a field named '{_names[i]}'.{(close.Count > 0 ? " Close matches: " + string.Join(", ", close) + "." : "")} Get-TraceEventType lists each event's fields.")
                { ErrorId = "FieldNotFound" };
        }
    }

    /// <summary>The .NET type and value of key <paramref name="i"/> for an interned component; commands resolved by <paramref name="commandOf"/>.</summary>
    public Type TypeOf(int i) => _seenKinds[i] switch
    {
        KeySource.Integer => typeof(long),
        KeySource.Pid or KeySource.Cpu => typeof(int),
        _ => typeof(string),
    };

    public object? ValueOf(int i, long v, Func<int, string> commandOf) => v == Absent ? null : _seenKinds[i] switch
    {
        KeySource.Integer => v,
        KeySource.Pid or KeySource.Cpu => (int)v,
        KeySource.Comm => commandOf((int)v),
        KeySource.String or KeySource.Event => _strings[(int)v],
        _ => null,
    };

    private long Intern(ReadOnlySpan<byte> record, FieldFormat f)
    {
        var span = FieldDecoder.Data(record, f);
        int nul = span.IndexOf((byte)0);
        if (nul >= 0) span = span[..nul];
        return InternString(StringCache.Get(span));
    }

    private long InternString(string s)
    {
        if (_stringIds.TryGetValue(s, out long id)) return id;
        id = _strings.Count;
        _strings.Add(s);
        _stringIds[s] = id;
        return id;
    }
}
