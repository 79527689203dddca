using LinuxTrace.Engine.Symbols;

namespace LinuxTrace.Engine.Tracefs;

/// <summary>
/// Reads and writes the function filter files of an instance (set_ftrace_filter, set_ftrace_notrace,
/// set_graph_function, set_graph_notrace, max_graph_depth). Every name is checked against
/// available_filter_functions before anything is written: an unknown name is an error with close matches, a name
/// the kernel knows but cannot trace says why. Globs are taken as the kernel takes them; "name:mod:module" and
/// ":mod:module" select by module.
/// </summary>
public static class FunctionFilters
{
    public const string GraphFunctionFile = "set_graph_function";
    public const string GraphNoTraceFile = "set_graph_notrace";
    public const string MaxGraphDepthFile = "max_graph_depth";
    public const string FilterFile = "set_ftrace_filter";
    public const string NoTraceFile = "set_ftrace_notrace";

    /// <summary>The graph filters; NotSupported when this kernel or instance has no function_graph tracer.</summary>
    public static GraphFunctionSetting GetGraph(TraceInstance instance)
    {
        RequireFile(instance, GraphFunctionFile, "the function_graph tracer");
        return new GraphFunctionSetting(instance.DisplayName, ReadList(instance, GraphFunctionFile), ReadList(instance, GraphNoTraceFile),
            instance.HasFile(MaxGraphDepthFile) ? int.Parse(instance.ReadFile(MaxGraphDepthFile).Trim(), System.Globalization.CultureInfo.InvariantCulture) : 0);
    }

    public static FunctionFilterSetting GetFilter(TraceInstance instance)
    {
        RequireFile(instance, FilterFile, "the function tracer's filters");
        return new FunctionFilterSetting(instance.DisplayName, ReadList(instance, FilterFile), ReadList(instance, NoTraceFile));
    }

    /// <summary>The names listed in a filter file; the kernel's "#### all functions enabled ####" lines and the like are left out.</summary>
    public static IReadOnlyList<string> ReadList(TraceInstance instance, string file)
    {
        if (!instance.HasFile(file)) return Array.Empty<string>();
        return instance.ReadFile(file).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith('#')).ToArray();
    }

    /// <summary>Replaces (or with <paramref name="append"/> extends) a filter file's list. Names must have been checked.</summary>
    public static void WriteList(TraceInstance instance, string file, IEnumerable<string> names, bool append)
    {
        if (!append) instance.WriteFile(file, ""); // opening without O_APPEND truncates: the list is cleared
        var chunk = new System.Text.StringBuilder();
        foreach (var n in names)
        {
            if (chunk.Length + n.Length > 3000) { instance.WriteFile(file, chunk.ToString(), append: true); chunk.Clear(); }
            chunk.Append(n).Append(' ');
        }
        if (chunk.Length > 0) instance.WriteFile(file, chunk.ToString(), append: true);
    }

    /// <summary>Restores a list read with <see cref="ReadList"/>.</summary>
    public static void RestoreList(TraceInstance instance, string file, IReadOnlyList<string> names)
    {
        // entries such as "func:traceoff" (commands) or "func [module]" are written back as the kernel listed them, minus the module suffix
        WriteList(instance, file, names.Select(n => n.Split(' ')[0]), append: false);
    }

    /// <summary>Empties set_graph_function and set_graph_notrace and lifts the depth limit.</summary>
    public static void ClearGraph(TraceInstance instance)
    {
        RequireFile(instance, GraphFunctionFile, "the function_graph tracer");
        WriteList(instance, GraphFunctionFile, [], append: false);
        if (instance.HasFile(GraphNoTraceFile)) WriteList(instance, GraphNoTraceFile, [], append: false);
        if (instance.HasFile(MaxGraphDepthFile)) SetMaxGraphDepth(instance, 0);
    }

    /// <summary>Empties set_ftrace_filter and set_ftrace_notrace.</summary>
    public static void ClearFilter(TraceInstance instance)
    {
        RequireFile(instance, FilterFile, "the function tracer's filters");
        WriteList(instance, FilterFile, [], append: false);
        if (instance.HasFile(NoTraceFile)) WriteList(instance, NoTraceFile, [], append: false);
    }

    public static void SetMaxGraphDepth(TraceInstance instance, int depth)
    {
        RequireFile(instance, MaxGraphDepthFile, "max_graph_depth");
        instance.WriteFile(MaxGraphDepthFile, depth.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The graph files live with the graph tracer: in the top instance, and in others from kernel 6.12 on.</summary>
    public static void RequireFile(TraceInstance instance, string file, string what)
    {
        if (instance.HasFile(file)) return;
        bool kernelHasIt = File.Exists(Path.Combine(instance.Tracefs.Root, file));
        throw new TraceException(TraceErrorKind.NotSupported,
            kernelHasIt
                ? $"Instance '{instance.DisplayName}' has no {file}: this kernel keeps {what} in the top instance only (instances have it from kernel 6.12). Use the top instance (omit -Instance)."
                : $"This kernel has no {file}: it was built without {what} (CONFIG_FUNCTION_GRAPH_TRACER / CONFIG_DYNAMIC_FTRACE). Get-TraceCapability shows what it has.",
            instance.FilePath(file)) { ErrorId = "FunctionFilterNotSupported" };
    }

    /// <summary>
    /// Checks names against available_filter_functions (globs must match at least one function; a module suffix
    /// limits the match to that module). Throws NotFound with close matches for an unknown name, and says why for
    /// a name in kallsyms that cannot be traced; PermissionDenied where the host refuses the list.
    /// </summary>
    public static void Validate(TraceFileSystem fs, IEnumerable<string> names, Func<SymbolTable>? kallsyms = null)
    {
        var list = names.ToArray();
        if (list.Length == 0) return;
        var functions = FunctionList.Read(fs);
        HashSet<string>? exact = null;
        foreach (var raw in list)
        {
            var (pattern, module) = Split(raw);
            if (pattern.Length == 0 && module is not null)
            {
                if (!functions.Any(f => Glob.IsMatch(module, f.Module ?? "")))
                    throw new TraceException(TraceErrorKind.NotFound, $"No traceable function belongs to a module named '{module}'.", raw) { ErrorId = "ModuleNotFound" };
                continue;
            }
            if (Glob.HasWildcards(pattern))
            {
                if (!functions.Any(f => Glob.IsMatch(pattern, f.Name) && (module is null || Glob.IsMatch(module, f.Module ?? ""))))
                    throw new TraceException(TraceErrorKind.NotFound,
                        $"The pattern '{raw}' matches no traceable kernel function (available_filter_functions): the kernel would refuse it.", raw) { ErrorId = "FunctionNotFound" };
                continue;
            }
            exact ??= new HashSet<string>(functions.Select(f => f.Name), StringComparer.Ordinal);
            if (exact.Contains(pattern)) continue;
            var symbols = kallsyms?.Invoke();
            if (symbols?.AddressOf(pattern) is not null)
                throw new TraceException(TraceErrorKind.InvalidArgument,
                    $"'{pattern}' is a kernel symbol but not a traceable function (it is not in available_filter_functions): the compiler inlined it, it is marked notrace, or it lives in .init code that is gone after boot. Trace its caller, or an event.",
                    raw) { ErrorId = "FunctionNotTraceable" };
            var close = CloseMatch.Suggest(pattern, exact, 5);
            throw new TraceException(TraceErrorKind.NotFound,
                $"No traceable kernel function is named '{pattern}'.{(close.Count > 0 ? " Close matches: " + string.Join(", ", close) + "." : "")}",
                raw) { ErrorId = "FunctionNotFound" };
        }
    }

    /// <summary>"name:mod:module" → (name, module); ":mod:module" → ("", module); "name" → (name, null).</summary>
    public static (string Pattern, string? Module) Split(string raw)
    {
        int i = raw.IndexOf(":mod:", StringComparison.Ordinal);
        return i < 0 ? (raw, null) : (raw[..i], raw[(i + 5)..]);
    }
}
