using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Traceable kernel functions (available_filter_functions); nothing where the host refuses the list.</summary>
public sealed class FunctionCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b) =>
        Engine.Tracefs.FunctionList.Read(TraceFileSystem.Default).Select(f => f.Name).Distinct();
}
