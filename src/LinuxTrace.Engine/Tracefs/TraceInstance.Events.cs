namespace LinuxTrace.Engine.Tracefs;

// An instance's events: which are enabled, and their kernel filters.
public sealed partial class TraceInstance
{
    // ---- events ---------------------------------------------------------------------------------

    /// <summary>Enabled events as "system:event" (from set_event).</summary>
    public IReadOnlyList<string> EnabledEvents =>
        ReadFile("set_event").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string EventDirectory(string system, string name) => FilePath(System.IO.Path.Combine("events", system, name));

    public bool EventExists(string system, string name) => Directory.Exists(EventDirectory(system, name));

    public bool IsEventEnabled(string system, string name)
    {
        var text = ReadFile($"events/{system}/{name}/enable").Trim();
        return text.StartsWith('1');
    }

    public void EnableEvent(string system, string name, bool enable = true)
    {
        RequireEvent(system, name);
        WriteFile($"events/{system}/{name}/enable", enable ? "1" : "0");
    }

    /// <summary>Sets the kernel filter of an event; an empty filter clears it ("0").</summary>
    public void SetEventFilter(string system, string name, string? filter)
    {
        RequireEvent(system, name);
        WriteFile($"events/{system}/{name}/filter", string.IsNullOrWhiteSpace(filter) ? "0" : filter);
    }

    /// <summary>The filter in effect, or null ("none").</summary>
    public string? GetEventFilter(string system, string name)
    {
        var f = ReadFile($"events/{system}/{name}/filter").Trim();
        // After a rejected write the file shows the rejected text with the parse error; no filter is in effect then.
        return f.Length == 0 || f == "none" || f.Contains("\nparse_error:", StringComparison.Ordinal) ? null : f;
    }

    private void RequireEvent(string system, string name)
    {
        if (!EventExists(system, name))
            throw new TraceException(TraceErrorKind.NotFound, $"There is no event {system}:{name} in instance '{DisplayName}'.",
                EventDirectory(system, name)) { ErrorId = "EventNotFound" };
    }
}
