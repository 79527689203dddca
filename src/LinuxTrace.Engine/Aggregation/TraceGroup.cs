namespace LinuxTrace;

/// <summary>
/// A group of an aggregation. Each kind of group gets a class, made at run time, that derives from this one and has
/// one typed property per key, under the key's own name (id, prev_comm, ProcessName …), as events have their fields.
/// </summary>
public abstract class TraceGroup
{
    internal object?[] _keys = [];
    internal string[] _keyNames = [];

    /// <summary>The group's keys by name, in the order given to -GroupBy (an object in ConvertTo-Json; as text, an
    /// Export-Csv cell, the same as <see cref="Group"/>).</summary>
    public TraceGroupKeys Keys
    {
        get
        {
            var d = new TraceGroupKeys(Group);
            for (int i = 0; i < _keyNames.Length; i++) d[_keyNames[i]] = _keys[i];
            return d;
        }
    }

    /// <summary>The keys as text: "id=0 syscall=read".</summary>
    public string Group => _keyNames.Length == 0 ? "(all)" : string.Join(" ", _keyNames.Select((n, i) => $"{n}={_keys[i] ?? "(none)"}"));

    /// <summary>How many events (or, for latencies, pairs) the group has.</summary>
    public long Count { get; internal set; }

    protected T? Key<T>(int i) => _keys[i] is T t ? t : default;
}
