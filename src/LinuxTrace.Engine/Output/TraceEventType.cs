using LinuxTrace.Engine.Formats;

namespace LinuxTrace;

/// <summary>An event the kernel can record: its format and whether it is enabled.</summary>
public sealed class TraceEventType
{
    internal TraceEventType(EventFormat f, bool? enabled, string instance, int longSize)
    {
        MessageProblem = LinuxTrace.Engine.Formats.PrintFormat.Parse(f, longSize).Problem;
        System = f.System;
        Name = f.Name;
        Id = f.Id;
        Enabled = enabled;
        Instance = instance;
        Fields = f.Fields.Select(x => new TraceEventField(x)).ToArray();
        PrintFormat = f.PrintFormat;
    }

    public string System { get; }
    public string Name { get; }
    public int Id { get; }
    /// <summary>Enabled in the instance asked about; null when it could not be read.</summary>
    public bool? Enabled { get; }
    public string Instance { get; }
    public TraceEventField[] Fields { get; }
    public string PrintFormat { get; }

    /// <summary>Why LinuxTrace cannot render this event's print format as a Message (its events then show their
    /// fields as field=value); null when it can.</summary>
    public string? MessageProblem { get; }

    public string FullName => System + ":" + Name;

    public override string ToString() => FullName;
}
