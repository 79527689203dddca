using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Base of the completers: values from the kernel, matched by prefix (wildcards allowed), quoted when needed.</summary>
public abstract class KernelValueCompleter : IArgumentCompleter
{
    protected abstract IEnumerable<string> Values(IDictionary fakeBoundParameters);

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IEnumerable<string> values;
        try
        {
            values = Values(fakeBoundParameters).ToArray();
        }
        catch (Exception)
        {
            yield break; // no tracefs, no permission: no completions rather than an error in the middle of typing
        }
        string word = wordToComplete.Trim('\'', '"');
        var pattern = new WildcardPattern(word + "*", WildcardOptions.IgnoreCase);
        foreach (var v in values)
        {
            if (!pattern.IsMatch(v)) continue;
            string text = v.IndexOfAny([' ', '$', '\'', '"', '(', ')', '{', '}', ';', ',', '@', '#']) >= 0 ? "'" + v.Replace("'", "''") + "'" : v;
            yield return new CompletionResult(text, v, CompletionResultType.ParameterValue, v);
        }
    }

    protected static string? Instance(IDictionary bound) => bound.Contains("Instance") ? bound["Instance"]?.ToString() : null;

    /// <summary>The trace.dat files of -Path or -LiteralPath being typed (relative to PowerShell's location, -Path's
    /// wildcards expanded), opened for their formats and buffers; empty when none is bound. The caller disposes them.</summary>
    protected static List<Engine.TraceDat.TraceDatFile> FilesOf(IDictionary bound)
    {
        var files = new List<Engine.TraceDat.TraceDatFile>();
        if (!bound.Contains("Path") && !bound.Contains("LiteralPath")) return files;
        // PowerShell's location, not the process's: a script block runs in the completing runspace (its SessionStateProxy
        // is not to be called while the completion's pipeline runs)
        string cwd = ScriptBlock.Create("$executionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath").Invoke()
            .FirstOrDefault()?.BaseObject as string ?? Environment.CurrentDirectory;
        foreach (var (key, wildcards) in new[] { ("Path", true), ("LiteralPath", false) })
        {
            if (!bound.Contains(key) || bound[key] is not { } v) continue;
            var given = v is IEnumerable e and not string ? e.Cast<object>().Select(o => o?.ToString() ?? "") : [v.ToString() ?? ""];
            foreach (var g in given)
            {
                string full = Path.GetFullPath(g, cwd);
                var paths = wildcards && WildcardPattern.ContainsWildcardCharacters(Path.GetFileName(full)) && Directory.Exists(Path.GetDirectoryName(full))
                    ? Directory.GetFiles(Path.GetDirectoryName(full)!, Path.GetFileName(full))
                    : [full];
                foreach (var f in paths)
                {
                    try { files.Add(Engine.TraceDat.TraceDatFile.Open(f)); }
                    catch (Exception) { } // not a trace file (yet): nothing to complete from it
                }
            }
        }
        return files;
    }

    protected static TraceInstance InstanceOf(IDictionary bound) => TraceFileSystem.Default.GetInstance(Instance(bound));
}

/// <summary>Tracers of the instance being typed (available_tracers).</summary>
public sealed class TracerCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b) => InstanceOf(b).AvailableTracers;
}

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

/// <summary>The buffers (instances) recorded in the trace.dat files of -Path.</summary>
public sealed class FileBufferCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b)
    {
        var files = FilesOf(b);
        try { return files.SelectMany(f => f.Buffers.Select(x => x.Name)).Where(n => n.Length > 0).Distinct().Order(StringComparer.Ordinal).ToArray(); }
        finally { foreach (var f in files) f.Dispose(); }
    }
}

/// <summary>Event trigger commands this kernel has (from an event's trigger file), and after enable_event: or
/// disable_event: the events they can switch.</summary>
public sealed class TriggerCompleter : IArgumentCompleter
{
    private sealed class ForWord(string word) : KernelValueCompleter
    {
        protected override IEnumerable<string> Values(IDictionary b)
        {
            var inst = InstanceOf(b);
            var events = EventSelector.Available(inst);
            foreach (var prefix in new[] { "enable_event:", "disable_event:" })
            {
                if (word.StartsWith(prefix, StringComparison.Ordinal)) return events.Select(e => prefix + e.System + ":" + e.Name);
            }
            // every event's trigger file lists the same commands: ask the first
            var commands = events.Count == 0 ? [] : inst.AvailableTriggers(events[0].System, events[0].Name);
            return commands.Select(c => c is "enable_event" or "disable_event" ? c + ":" : c);
        }
    }

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        new ForWord(wordToComplete.Trim('\'', '"')).CompleteArgument(commandName, parameterName, wordToComplete, commandAst, fakeBoundParameters);
}

/// <summary>Event systems (sched, syscalls, ...).</summary>
public sealed class EventSystemCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b) =>
        EventSelector.Available(TraceFileSystem.Default.Top).Select(e => e.System).Distinct().Order(StringComparer.Ordinal);
}

/// <summary>Instance names, plus "top".</summary>
public sealed class InstanceCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b) =>
        TraceFileSystem.Default.GetInstances().Select(i => i.Name).Prepend("top");
}

/// <summary>Named instances only (for New/Remove).</summary>
public sealed class NamedInstanceCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b) => TraceFileSystem.Default.GetInstances().Select(i => i.Name);
}

/// <summary>Trace options of the instance being typed.</summary>
public sealed class OptionCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b) => InstanceOf(b).GetOptions().Select(o => o.Name);
}

/// <summary>Trace clocks of the instance being typed.</summary>
public sealed class ClockCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b) => InstanceOf(b).AvailableClocks;
}

/// <summary>Traceable kernel functions (available_filter_functions); nothing where the host refuses the list.</summary>
public sealed class FunctionCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b) =>
        Engine.Tracefs.FunctionList.Read(TraceFileSystem.Default).Select(f => f.Name).Distinct();
}

/// <summary>Names of this process's running trace sessions.</summary>
public sealed class SessionCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b) => TraceSession.GetActive().Select(s => s.Name);
}

/// <summary>Kernel functions a kprobe can take (text symbols of /proc/kallsyms).</summary>
public sealed class KernelFunctionCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b) => Engine.Tracefs.DynamicEvents.KernelFunctionNames();
}

/// <summary>Names of existing probes: kprobes for the *-KProbe commands, uprobes for *-UProbe.</summary>
public sealed class ProbeNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IReadOnlyList<DynamicProbe> probes;
        try { probes = Engine.Tracefs.DynamicEvents.List(TraceFileSystem.Default); }
        catch (Exception) { yield break; }
        bool kernel = commandName.EndsWith("KProbe", StringComparison.OrdinalIgnoreCase);
        bool user = commandName.EndsWith("UProbe", StringComparison.OrdinalIgnoreCase);
        var pattern = new WildcardPattern(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        foreach (var p in probes)
        {
            if ((kernel && !p.IsKernel) || (user && !p.IsUser) || !pattern.IsMatch(p.Name)) continue;
            yield return new CompletionResult(p.Name, p.Name, CompletionResultType.ParameterValue, p.Definition);
        }
    }
}

/// <summary>Function symbols of the ELF file named by -Path (Add-UProbe -Path /bin/bash -Function read&lt;Tab&gt;).</summary>
public sealed class ElfFunctionCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b)
    {
        if (!b.Contains("Path") || b["Path"]?.ToString() is not { Length: > 0 } path) return [];
        int? pid = b.Contains("ProcessId") && int.TryParse(b["ProcessId"]?.ToString(), out int p) ? p : null;
        string file = Engine.Probes.UserProbeTarget.ResolveFile(path, pid);
        return Engine.Symbols.ElfFile.Open(file).FunctionSymbols().Select(s => s.Name).Distinct().Order(StringComparer.Ordinal);
    }
}

/// <summary>USDT probes (provider:name) of the ELF file named by -Path.</summary>
public sealed class UsdtCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b)
    {
        if (!b.Contains("Path") || b["Path"]?.ToString() is not { Length: > 0 } path) return [];
        return Engine.Probes.Usdt.Read(Engine.Probes.UserProbeTarget.ResolveFile(path)).Select(u => u.FullName).Distinct();
    }
}
