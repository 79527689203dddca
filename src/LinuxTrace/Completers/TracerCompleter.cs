using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace LinuxTrace.Commands;

/// <summary>Tracers of the instance being typed (available_tracers).</summary>
public sealed class TracerCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b) => InstanceOf(b).AvailableTracers;
}
