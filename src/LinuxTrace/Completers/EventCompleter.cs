using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Events as system:event, and systems as system:*: those of the trace.dat files -Path names when it is
/// given (their own formats), else this kernel's (available_events).</summary>
public sealed class EventCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b)
    {
        var files = FilesOf(b);
        IReadOnlyList<EventName> events;
        try
        {
            events = files.Count > 0
                ? files.SelectMany(f => f.Formats.Select(x => new EventName(x.System, x.Name))).Distinct().ToArray()
                : EventSelector.Available(TraceFileSystem.Default.Top);
        }
        finally { foreach (var f in files) f.Dispose(); }
        return events.Select(e => e.System + ":*").Distinct().Concat(events.Select(e => e.ToString())).Order(StringComparer.Ordinal);
    }
}
