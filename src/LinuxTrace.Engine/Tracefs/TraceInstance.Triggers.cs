namespace LinuxTrace.Engine.Tracefs;

// An instance's event triggers: stack traces, hist triggers, enable_event; their hist files.
public sealed partial class TraceInstance
{
    /// <summary>Adds a trigger to an event (appended to events/SYSTEM/EVENT/trigger). The kernel explains a rejected hist
    /// trigger in error_log, other triggers with EINVAL alone.</summary>
    public void AddEventTrigger(string system, string name, string trigger)
    {
        RequireEvent(system, name);
        WriteFile($"events/{system}/{name}/trigger", trigger, append: true);
    }

    /// <summary>The trigger commands this kernel has, from the header of an event's trigger file ("# Available triggers:").</summary>
    public IReadOnlyList<string> AvailableTriggers(string system, string name)
    {
        if (!TracefsFile.TryRead(System.IO.Path.Combine(EventDirectory(system, name), "trigger"), out var text)) return [];
        var lines = text.Split('\n');
        int i = Array.FindIndex(lines, l => l.StartsWith("# Available triggers", StringComparison.Ordinal));
        return i < 0 || i + 1 >= lines.Length ? [] : lines[i + 1].TrimStart('#').Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The event's trigger file as it reads (its triggers, then the kernel's help), or null when it has none.</summary>
    public string? ReadEventTriggers(string system, string name) =>
        TracefsFile.TryRead(System.IO.Path.Combine(EventDirectory(system, name), "trigger"), out var text) ? text : null;

    /// <summary>The event's hist file (the tables of its hist triggers), or null when the kernel has none.</summary>
    public string? ReadEventHist(string system, string name)
    {
        string path = System.IO.Path.Combine(EventDirectory(system, name), "hist");
        return File.Exists(path) ? TracefsFile.Read(path) : null;
    }

    /// <summary>Removes a trigger from an event (the kernel matches it by command, and target for enable_event).</summary>
    public void RemoveEventTrigger(string system, string name, string trigger) =>
        WriteFile($"events/{system}/{name}/trigger", "!" + trigger, append: true);
}
