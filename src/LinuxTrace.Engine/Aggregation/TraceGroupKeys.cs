namespace LinuxTrace;

/// <summary>The keys of a <see cref="TraceGroup"/> by name. A dictionary for scripts and ConvertTo-Json; as text (an
/// Export-Csv cell) "name=value name=value".</summary>
public sealed class TraceGroupKeys : Dictionary<string, object?>
{
    private readonly string _text;

    internal TraceGroupKeys(string text) : base(StringComparer.Ordinal) => _text = text;

    public override string ToString() => _text;
}
