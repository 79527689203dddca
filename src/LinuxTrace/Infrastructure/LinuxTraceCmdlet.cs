using System.Management.Automation;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Shared plumbing of the cmdlets: tracefs access and error records with ids and categories.</summary>
public abstract class LinuxTraceCmdlet : PSCmdlet
{
    private TraceFileSystem? _tracefs;

    /// <summary>The machine's tracefs; a terminating, categorised error when it cannot be reached.</summary>
    protected TraceFileSystem Tracefs
    {
        get
        {
            if (_tracefs is not null) return _tracefs;
            try
            {
                _tracefs = TraceFileSystem.Default;
                // -Verbose says each change to tracefs, as it is made on this command's thread (WriteVerbose only there)
                int thread = Environment.CurrentManagedThreadId;
                TracefsLog.Listen(m => { if (Environment.CurrentManagedThreadId == thread && !Stopping) WriteVerbose(m); });
                return _tracefs;
            }
            catch (TraceException e)
            {
                SetExitCode(ExitCodeOf(e));
                ThrowTerminatingError(ErrorFor(e, "TracefsUnavailable", null));
                throw; // unreachable
            }
        }
    }

    /// <summary>The instance named by a user (top when null).</summary>
    protected TraceInstance ResolveInstance(string? name)
    {
        try
        {
            return Tracefs.GetInstance(name);
        }
        catch (TraceException e)
        {
            ThrowTerminatingError(ErrorFor(e, "InstanceNotFound", name));
            throw;
        }
    }

    internal static ErrorCategory CategoryOf(TraceErrorKind kind) => kind switch
    {
        TraceErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        TraceErrorKind.NotSupported => ErrorCategory.NotImplemented,
        TraceErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        TraceErrorKind.Busy => ErrorCategory.ResourceBusy,
        TraceErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        TraceErrorKind.InvalidData => ErrorCategory.InvalidData,
        TraceErrorKind.NotMounted => ErrorCategory.ResourceUnavailable,
        TraceErrorKind.AlreadyExists => ErrorCategory.ResourceExists,
        _ => ErrorCategory.NotSpecified,
    };

    /// <summary>An ErrorRecord for an engine error: the engine's id when it has one, else <paramref name="fallbackId"/>.</summary>
    protected static ErrorRecord ErrorFor(TraceException e, string fallbackId, object? target)
    {
        string id = e.ErrorId ?? (e.Kind == TraceErrorKind.PermissionDenied ? fallbackId + "PermissionDenied" : fallbackId);
        var record = new ErrorRecord(e, id, CategoryOf(e.Kind), target);
        if (e.Kind == TraceErrorKind.PermissionDenied && Native.IsRoot)
            record.ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = "This host does not allow it: use a kernel or VM that permits it (see Get-TraceCapability)." };
        else if (e.Kind == TraceErrorKind.PermissionDenied)
            record.ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = "Run pwsh as root: sudo pwsh" };
        return record;
    }

    /// <summary>Leaves <paramref name="code"/> in $LASTEXITCODE (see <see cref="TraceExitCode"/>).</summary>
    protected void SetExitCode(TraceExitCode code) => SessionState.PSVariable.Set("global:LASTEXITCODE", (int)code);

    /// <summary>The exit code of a trace that ended with <paramref name="summary"/>: nothing recorded, events lost, or success.</summary>
    protected static TraceExitCode ExitCodeOf(TraceSessionSummary summary, bool recordedAny) =>
        !recordedAny ? TraceExitCode.NothingRecorded
        : summary.KernelLost > 0 || summary.DroppedByLinuxTrace > 0 ? TraceExitCode.EventsLost
        : TraceExitCode.Success;

    /// <summary>The exit code of an engine error: the kernel or host refused (not permitted, not supported, busy), or another failure.</summary>
    protected static TraceExitCode ExitCodeOf(TraceException e) =>
        e.Kind is TraceErrorKind.PermissionDenied or TraceErrorKind.NotSupported or TraceErrorKind.Busy or TraceErrorKind.NotMounted ? TraceExitCode.KernelRefused : TraceExitCode.Failed;

    /// <summary>Runs <paramref name="action"/>; an engine error becomes a terminating error record.</summary>
    protected T Terminating<T>(Func<T> action, string errorId, object? target)
    {
        try
        {
            return action();
        }
        catch (TraceException e)
        {
            ThrowTerminatingError(ErrorFor(e, errorId, target));
            throw;
        }
    }

    protected void Terminating(Action action, string errorId, object? target) => Terminating(() => { action(); return 0; }, errorId, target);

    /// <summary>Runs <paramref name="action"/>; an engine error becomes a non-terminating error record.</summary>
    protected bool NonTerminating(Action action, string errorId, object? target)
    {
        try
        {
            action();
            return true;
        }
        catch (TraceException e)
        {
            WriteError(ErrorFor(e, errorId, target));
            return false;
        }
    }

    /// <summary>File-system paths of -Path (wildcards resolved; a path that matches nothing is a non-terminating error)
    /// or of -LiteralPath (taken as they are).</summary>
    protected List<string> ResolvePaths(string[]? path, string[]? literalPath)
    {
        var files = new List<string>();
        foreach (var p in path ?? [])
        {
            try { files.AddRange(GetResolvedProviderPathFromPSPath(p, out _)); }
            catch (ItemNotFoundException e) { WriteError(new ErrorRecord(e, "FileNotFound", ErrorCategory.ObjectNotFound, p)); }
        }
        foreach (var p in literalPath ?? []) files.Add(GetUnresolvedProviderPathFromPSPath(p));
        // a directory is named as one (opening it would say "permission denied" or worse)
        foreach (var d in files.Where(Directory.Exists).ToArray())
        {
            WriteError(new ErrorRecord(new IOException($"'{d}' is a directory, not a file: give the files in it, such as '{System.IO.Path.Combine(d, "*")}'."), "PathIsDirectory", ErrorCategory.InvalidArgument, d));
            files.Remove(d);
        }
        return files;
    }

    /// <summary>Creates a checked probe definition (ShouldProcess), writing the probe as the kernel lists it with <paramref name="passThru"/>.</summary>
    protected void AddProbe(Engine.Probes.ProbeDefinition.Parts parts, string what, string errorId, bool passThru)
    {
        if (!NonTerminating(() => Engine.Tracefs.DynamicEvents.Check(Tracefs, parts), errorId, parts.ToString())) return;
        if (!ShouldProcess($"{parts.EffectiveGroup}:{parts.Name ?? "(named by the kernel)"}", $"Add {what} '{parts}'")) return;
        DynamicProbe? made = null;
        if (NonTerminating(() => made = Engine.Tracefs.DynamicEvents.Create(Tracefs, parts), errorId, parts.ToString()) && passThru) WriteObject(made);
    }

    /// <summary>Writes the file at <paramref name="path"/> as the FileSystem provider gives it (with PSPath, so that it
    /// pipes into Get-Content, Copy-Item and the like).</summary>
    /// <summary>-KProbe and -UProbe items as the engine takes them: definitions (text) or DynamicProbe objects,
    /// unwrapped from PowerShell's PSObject.</summary>
    protected static object?[] ProbeItems(IEnumerable<object> kprobes, IEnumerable<object> uprobes) =>
        kprobes.Concat(uprobes).Select(p => p is PSObject o ? o.BaseObject : p).ToArray();

    /// <summary>-Command as PowerShell means it: a path (~, relative) against the current location; a bare name is
    /// looked up on PATH when the program starts.</summary>
    protected string? ResolveCommand(string? command) =>
        command is null ? null : command.Contains('/') ? GetUnresolvedProviderPathFromPSPath(command) : command;

    /// <summary>PowerShell's current file-system location: where a traced program starts.</summary>
    protected string CurrentDirectory => SessionState.Path.CurrentFileSystemLocation.ProviderPath;

    /// <summary>This runs in a PowerShell remoting server (Invoke-Command, a fleet's host): its stdout is the remoting
    /// channel, so a traced command must not write there.</summary>
    protected bool InRemoteSession => Host.Name == "ServerRemoteHost";

    protected void WriteFile(string path)
    {
        try { WriteObject(SessionState.InvokeProvider.Item.Get([path], false, true), enumerateCollection: true); }
        catch (Exception e) when (e is ItemNotFoundException or ProviderInvocationException) { WriteObject(new FileInfo(path)); }
    }

    /// <summary>True when the session still records; otherwise writes the SessionStopped error (its buffer is gone).</summary>
    protected bool IsRunning(TraceSession session)
    {
        if (session.State == TraceSessionState.Running) return true;
        WriteError(new ErrorRecord(new InvalidOperationException($"Session '{session.Name}' has stopped; its buffer is gone."), "SessionStopped", ErrorCategory.InvalidOperation, session));
        return false;
    }

    /// <summary>Wildcard filter: null or empty patterns match everything.</summary>
    protected static Func<string, bool> Matcher(string[]? patterns)
    {
        if (patterns is null || patterns.Length == 0) return _ => true;
        var w = patterns.Select(p => new WildcardPattern(p, WildcardOptions.IgnoreCase)).ToArray();
        return s => w.Any(p => p.IsMatch(s));
    }

    /// <summary>Writes the items whose name matches <paramref name="patterns"/> (all when none), then a not-found
    /// error for each pattern without wildcards that matched nothing.</summary>
    protected void WriteMatching<T>(IEnumerable<T> items, Func<T, string> name, string[]? patterns, string what, string errorId)
    {
        var match = Matcher(patterns);
        var list = items.ToArray();
        foreach (var item in list) if (match(name(item))) WriteObject(item);
        ReportUnmatched(patterns, list.Select(name), what, errorId);
    }

    /// <summary>Writes a not-found error for each pattern without wildcards that matched nothing.</summary>
    protected void ReportUnmatched(string[]? patterns, IEnumerable<string> names, string what, string errorId, IEnumerable<string>? suggestFrom = null)
    {
        if (patterns is null) return;
        var list = names.ToArray();
        foreach (var p in patterns)
        {
            if (WildcardPattern.ContainsWildcardCharacters(p)) continue;
            if (list.Any(n => n.Equals(p, StringComparison.OrdinalIgnoreCase))) continue;
            var close = Engine.Symbols.CloseMatch.Suggest(p, suggestFrom ?? list, 5);
            string hint = close.Count > 0 ? $" Close matches: {string.Join(", ", close)}." : "";
            WriteError(new ErrorRecord(new ItemNotFoundException($"No {what} named '{p}'.{hint}"), errorId, ErrorCategory.ObjectNotFound, p));
        }
    }
}

internal static class Native
{
    public static bool IsRoot => TraceFileSystem.RunningAsRoot;
}
