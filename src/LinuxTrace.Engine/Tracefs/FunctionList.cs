namespace LinuxTrace.Engine.Tracefs;

/// <summary>The kernel's traceable functions (available_filter_functions).</summary>
public static class FunctionList
{
    /// <summary>Reads the list; a PermissionDenied <see cref="TraceException"/> where the host refuses it.</summary>
    public static IReadOnlyList<TraceFunction> Read(TraceFileSystem fs)
    {
        string path = Path.Combine(fs.Root, "available_filter_functions");
        if (!File.Exists(path))
            throw new TraceException(TraceErrorKind.NotSupported,
                "This kernel has no available_filter_functions: it was built without the function tracer (CONFIG_FUNCTION_TRACER / CONFIG_DYNAMIC_FTRACE).",
                path) { ErrorId = "FunctionListNotSupported" };
        string text;
        try
        {
            text = TracefsFile.Read(path);
        }
        catch (TraceException e) when (e.Kind == TraceErrorKind.PermissionDenied)
        {
            throw new TraceException(TraceErrorKind.PermissionDenied,
                "The kernel refuses to list traceable functions (EPERM on available_filter_functions" +
                (Native.Libc.GetEuid() == 0 ? ", even to root): the host locks the function tracer down (kernel lockdown, a container or a hardened hypervisor). Event tracing still works: see Get-TraceCapability."
                                            : "): run pwsh as root (sudo)."),
                path, e.Errno, e) { ErrorId = "FunctionListNotPermitted" };
        }
        return Parse(text);
    }

    public static IReadOnlyList<TraceFunction> Parse(string text)
    {
        var list = new List<TraceFunction>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            string? module = parts.Length > 1 && parts[^1].StartsWith('[') ? parts[^1].Trim('[', ']') : null;
            list.Add(new TraceFunction(parts[0], module));
        }
        return list;
    }
}
