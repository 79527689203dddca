using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Event systems (sched, syscalls, ...).</summary>
public sealed class EventSystemCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b) =>
        EventSelector.Available(TraceFileSystem.Default.Top).Select(e => e.System).Distinct().Order(StringComparer.Ordinal);
}
