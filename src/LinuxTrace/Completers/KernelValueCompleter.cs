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
