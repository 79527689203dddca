using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Kernel functions a kprobe can take (text symbols of /proc/kallsyms).</summary>
public sealed class KernelFunctionCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b) => Engine.Tracefs.DynamicEvents.KernelFunctionNames();
}
