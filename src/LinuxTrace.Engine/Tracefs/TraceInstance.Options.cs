namespace LinuxTrace.Engine.Tracefs;

// An instance's trace options: trace_options and the tracers' options under options/.
public sealed partial class TraceInstance
{
    // ---- options --------------------------------------------------------------------------------

    /// <summary>The trace options of this instance and whether each is on (trace_options, plus tracer options under options/).</summary>
    public IReadOnlyList<TraceOptionState> GetOptions()
    {
        var result = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var raw in ReadFile("trace_options").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            bool on = !raw.StartsWith("no", StringComparison.Ordinal) || OptionFileExists(raw);
            string name = on ? raw : raw[2..];
            result[name] = on;
        }
        // Tracer-specific options (funcgraph-*) appear only as files under options/.
        string dir = FilePath("options");
        if (Directory.Exists(dir))
        {
            foreach (var f in Directory.GetFiles(dir))
            {
                string name = System.IO.Path.GetFileName(f);
                if (!result.ContainsKey(name) && TracefsFile.TryRead(f, out var v)) result[name] = v.Trim() == "1";
            }
        }
        return result.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new TraceOptionState(kv.Key, kv.Value, DisplayName)).ToArray();
    }

    private bool OptionFileExists(string name) => File.Exists(System.IO.Path.Combine(Path, "options", name));

    /// <summary>True when this kernel has the option in this instance (options/&lt;name&gt;).</summary>
    public bool HasOption(string name) => !name.Contains('/') && OptionFileExists(name);

    public bool GetOption(string name)
    {
        string file = FilePath(System.IO.Path.Combine("options", name));
        if (!File.Exists(file)) throw UnknownOption(name);
        return ReadFile(System.IO.Path.Combine("options", name)).Trim() == "1";
    }

    public void SetOption(string name, bool enabled)
    {
        if (name.Contains('/') || !File.Exists(FilePath(System.IO.Path.Combine("options", name)))) throw UnknownOption(name);
        WriteFile(System.IO.Path.Combine("options", name), enabled ? "1" : "0");
    }

    private TraceException UnknownOption(string name)
    {
        var known = GetOptions().Select(o => o.Name).ToArray();
        string hint = Symbols.CloseMatch.Suggest(name, known, 3) is { Count: > 0 } s ? $" Did you mean: {string.Join(", ", s)}?" : "";
        return new TraceException(TraceErrorKind.NotFound,
            $"'{name}' is not a trace option of instance '{DisplayName}' on this kernel.{hint}", FilePath("options")) { ErrorId = "OptionNotFound" };
    }
}
