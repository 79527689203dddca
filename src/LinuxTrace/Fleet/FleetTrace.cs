using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace LinuxTrace.Commands;

/// <summary>
/// One trace on many hosts at once, over PowerShell remoting (SSH): the engine is PowerShell remoting itself, no agent of
/// LinuxTrace's own. Each host runs Start-Trace -OutFile with the same parameters into a file of its own (raw pages,
/// with its wall-clock offset), and the files, not objects, come back: &lt;host&gt;.dat in a folder, decoded here at engine
/// speed and merged on one timeline by Get-TraceEvent. Without a folder, the hosts' events stream here instead, as
/// remoting delivers objects (<see cref="Stream"/>): for a look at a few, not for volume. A host that fails (unreachable, no module, not root, a kernel
/// without the event) is an error naming it; the others go on and their files are kept. Stopping the command (Ctrl+C)
/// stops every host's trace, and each host's Start-Trace restores its kernel as it ends.
/// </summary>
internal sealed class FleetTrace : IDisposable
{
    private readonly Version _version;
    private readonly string _moduleBase;
    private readonly List<FleetHost> _hosts = new();
    private readonly List<PSSession> _opened = new();
    private readonly List<PSSession> _all = new(); // every host's session, also of hosts dropped after the check
    private PowerShell? _running;

    /// <param name="module">This LinuxTrace: the version every host must have, and what -DeployModule copies.</param>
    public FleetTrace(PSModuleInfo module) => (_version, _moduleBase) = (module.Version, module.ModuleBase);

    /// <summary>A host in the trace: its name as the user gave it and its session. Its trace file's path there is chosen
    /// by the module check and kept in the session ($global:LinuxTraceFleetFile) until <see cref="Dispose"/>.</summary>
    private sealed record FleetHost(string Name, PSSession Session);

    /// <summary>Errors to report, each naming its host (non-terminating: the other hosts go on).</summary>
    public List<ErrorRecord> Errors { get; } = new();

    /// <summary>What the hosts' traces warned of (events lost), each naming its host.</summary>
    public List<string> Warnings { get; } = new();

    /// <summary>The exit code each host's Start-Trace left ($LASTEXITCODE there), by host name; a host whose trace
    /// failed before it ended has none.</summary>
    public Dictionary<string, int> ExitCodes { get; } = new();

    /// <summary>The fleet's exit code: the highest of <paramref name="hosts"/>' own (as Stop-Trace of several traces),
    /// where a host whose trace failed before it ended (unreachable, no module, an error) counts as Failed, as does any
    /// error when every host succeeded.</summary>
    public TraceExitCode ExitCode(IEnumerable<string> hosts)
    {
        int code = hosts.Select(h => ExitCodes.TryGetValue(h, out int c) ? c : (int)TraceExitCode.Failed).DefaultIfEmpty(0).Max();
        return code == 0 && Errors.Count > 0 ? TraceExitCode.Failed : (TraceExitCode)code;
    }

    /// <summary>
    /// Opens an SSH session to each host, all at once (one New-PSSession -HostName, which connects in parallel); a host
    /// that cannot be reached within <paramref name="timeout"/> is an error naming it.
    /// </summary>
    public void Connect(IReadOnlyList<string> hostNames, string? userName, string? keyFilePath, int? port, Hashtable? options, TimeSpan timeout)
    {
        using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
        ps.AddCommand("New-PSSession").AddParameter("HostName", hostNames.ToArray()).AddParameter("ErrorAction", "Continue")
          .AddParameter("ConnectingTimeout", (int)timeout.TotalMilliseconds);
        if (userName is not null) ps.AddParameter("UserName", userName);
        if (keyFilePath is not null) ps.AddParameter("KeyFilePath", keyFilePath);
        if (port is not null) ps.AddParameter("Port", port.Value);
        if (options is not null) ps.AddParameter("Options", options);
        var sessions = ps.Invoke<PSSession>().Where(s => s is not null).ToList();
        _opened.AddRange(sessions);
        foreach (var host in hostNames)
        {
            if (sessions.FirstOrDefault(s => string.Equals(s.ComputerName, host, StringComparison.OrdinalIgnoreCase)) is { } session)
            {
                sessions.Remove(session);
                _hosts.Add(new FleetHost(host, session));
                _all.Add(session);
                continue;
            }
            // New-PSSession's error names the host in its message (its target is the connection, not the name)
            var error = ps.Streams.Error.FirstOrDefault(e => e.ToString().Contains(host, StringComparison.OrdinalIgnoreCase))
                        ?? (hostNames.Count == 1 ? ps.Streams.Error.FirstOrDefault() : null);
            Errors.Add(HostError(host, $"Cannot reach {host} over SSH: {error?.ToString() ?? "no session was made"}", "HostUnreachable", ErrorCategory.ConnectionError));
        }
    }

    /// <summary>Takes sessions the user opened (Start-Trace -Session); they stay open afterwards.</summary>
    public void Use(IEnumerable<PSSession> sessions)
    {
        foreach (var s in sessions) _hosts.Add(new FleetHost(s.ComputerName, s));
        _all.AddRange(sessions);
    }

    /// <summary>
    /// Checks that every host is root and has this LinuxTrace (the same version), and chooses its trace file's path there;
    /// with <paramref name="deploy"/> copies this module to a host that has not (Copy-Item -ToSession, into the first
    /// folder of its PSModulePath). A host without it, or that is not root, is an error that says how to fix it, and
    /// leaves the trace.
    /// </summary>
    public void CheckModule(bool deploy)
    {
        // one Invoke-Command over every session: the hosts answer at once; each answer carries its session's runspace
        const string check =
            "param($s, $v) Invoke-Command -Session $s -ArgumentList $v { param($v) " +
            "$all = @(Get-Module -ListAvailable LinuxTrace | ForEach-Object { $_.Version.ToString() }); " +
            "$global:LinuxTraceFleetFile = Join-Path ([IO.Path]::GetTempPath()) ('linuxtrace-fleet-' + [guid]::NewGuid().ToString('N') + '.dat'); " +
            "[pscustomobject]@{ Has = $all -contains $v; Versions = $all; Root = (id -u) -eq 0; ModuleDir = @($env:PSModulePath -split [IO.Path]::PathSeparator)[0] } }";
        var answers = new Dictionary<FleetHost, PSObject>();
        var checkAnswers = Run(check, out var checkErrors, _hosts.Select(h => h.Session).ToArray(), _version.ToString());
        foreach (var o in checkAnswers)
            if (HostOf(o.Properties["RunspaceId"]?.Value as Guid?) is { } answered) answers[answered] = o;
        var deployTo = new List<(FleetHost Host, object Target)>();
        foreach (var h in _hosts.ToArray())
        {
            if (!answers.TryGetValue(h, out var info))
            {
                var why = checkErrors.FirstOrDefault(e => HostOf((e as RemotingErrorRecord)?.OriginInfo?.RunspaceID) == h);
                Drop(h, $"{h.Name} did not answer the module check{(why is null ? "" : $": {why}")}.", "HostFailed", ErrorCategory.ConnectionError);
                continue;
            }
            if (!LanguagePrimitives.IsTrue(info.Properties["Root"].Value))
            {
                Drop(h, $"{h.Name}: the remote session does not run as root, which tracing needs: connect as root (-UserName root) or give that user tracefs.", "HostNotRoot", ErrorCategory.PermissionDenied);
                continue;
            }
            if (LanguagePrimitives.IsTrue(info.Properties["Has"].Value)) continue;
            if (!deploy)
            {
                var has = LanguagePrimitives.GetEnumerable(info.Properties["Versions"].Value)?.Cast<object>().Select(o => o.ToString() ?? "").ToArray() ?? [];
                Drop(h, $"{h.Name} does not have LinuxTrace {_version}{(has.Length > 0 ? $" (it has {string.Join(", ", has)})" : "")}: add -DeployModule to copy this one there, or copy it yourself: Copy-Item -Recurse '{_moduleBase}' -Destination <a folder of its PSModulePath>/LinuxTrace/{_version} -ToSession (New-PSSession -HostName {h.Name}).",
                    "ModuleMissingOnHost", ErrorCategory.NotInstalled);
                continue;
            }
            deployTo.Add((h, $"{info.Properties["ModuleDir"].Value}/LinuxTrace/{_version}"));
        }
        if (deployTo.Count == 0) return;
        // the module goes to all of them at once (one after another, three hosts took 27 s here)
        var files = new[] { "LinuxTrace.psd1", "LinuxTrace.Format.ps1xml", "bin", "en-US" }.Select(f => Path.Combine(_moduleBase, f)).Where(p => File.Exists(p) || Directory.Exists(p)).ToArray();
        var failed = InParallel(deployTo,
            "Invoke-Command -Session $h.S -ArgumentList $h.A -ErrorAction Stop { param($t) New-Item -ItemType Directory -Force -Path $t | Out-Null }; " +
            "foreach ($f in $shared) { Copy-Item -Path $f -Destination $h.A -ToSession $h.S -Recurse -Force -ErrorAction Stop }", files);
        foreach (var (h, target) in deployTo)
            if (failed.TryGetValue(h, out var why))
                Drop(h, $"Copying LinuxTrace to {h.Name} ({target}) failed: {why}", "DeployFailed", ErrorCategory.WriteError);
    }

    /// <summary>
    /// Runs Start-Trace with <paramref name="parameters"/> (and -OutFile, -WallClock) on every host at once, until each
    /// ends (its -Duration, its command's exit, or <see cref="Stop"/>); copies each host's file to
    /// <paramref name="folder"/>/&lt;host&gt;.dat. Returns the files written. A host whose trace fails is an error; the
    /// others' files are kept.
    /// </summary>
    public IReadOnlyList<string> Record(IDictionary parameters, string folder)
    {
        if (_hosts.Count == 0) return [];
        Directory.CreateDirectory(folder);
        var recorded = new HashSet<FleetHost>();
        bool stopped = RunOnHosts(
            "$f = $global:LinuxTraceFleetFile; $failed = $null; $global:LASTEXITCODE = 1; " +
            "try { Start-Trace @p -OutFile $f -WallClock -WarningVariable +w -WarningAction SilentlyContinue | Out-Null } catch { Remove-Item $f -Force -ErrorAction Ignore; $failed = $_ }; " +
            OutcomeBack + "if ($failed) { throw $failed }; if (Test-Path $f) { 'recorded' }",
            parameters, o => { if (HostOf(o.Properties["RunspaceId"]?.Value as Guid?) is { } h) recorded.Add(h); });
        // stopped (Ctrl+C): each host's Start-Trace ended as its pipeline stopped, wrote its file and restored its kernel
        if (stopped) recorded.UnionWith(_hosts);
        // the files come back from all hosts at once (one after another, three hosts' 5 MB took 16 s here, at once 2 s)
        var fetch = new List<(FleetHost Host, object Local)>();
        foreach (var h in _hosts)
        {
            if (recorded.Contains(h)) { fetch.Add((h, Path.Combine(folder, SafeName(h.Name) + ".dat"))); continue; }
            if (!Errors.Any(e => Equals(e.TargetObject, h.Name)))
                Errors.Add(HostError(h.Name, $"{h.Name} recorded no file.", "HostTraceFailed", ErrorCategory.InvalidResult));
        }
        var failed = fetch.Count == 0 ? new() : InParallel(fetch,
            "$from = Invoke-Command -Session $h.S -ErrorAction Stop { $global:LinuxTraceFleetFile }; Copy-Item -FromSession $h.S -Path $from -Destination $h.A -Force -ErrorAction Stop");
        var files = new List<string>();
        foreach (var (h, local) in fetch)
        {
            if (failed.TryGetValue(h, out var why) || !File.Exists((string)local))
                Errors.Add(HostError(h.Name, $"Copying the trace from {h.Name} failed: {why ?? "no file came"}", "HostCopyFailed", ErrorCategory.ReadError));
            else files.Add((string)local);
        }
        return files;
    }

    /// <summary>
    /// Runs Start-Trace with <paramref name="parameters"/> on every host at once and gives each event to
    /// <paramref name="write"/> as it arrives, on the calling (pipeline) thread, until every host's trace ends (its
    /// -Duration, its command's exit, or <see cref="Stop"/>). The events come as PowerShell remoting delivers objects:
    /// deserialized, with every property (the kernel's fields under their own names, HostName), not as LinuxTrace types.
    /// A host whose trace fails is an error; the others go on.
    /// </summary>
    public void Stream(IDictionary parameters, Action<PSObject> write)
    {
        if (_hosts.Count == 0) return;
        RunOnHosts("$failed = $null; $global:LASTEXITCODE = 1; try { Start-Trace @p -WarningVariable +w -WarningAction SilentlyContinue } catch { $failed = $_ }; " +
                   OutcomeBack + "if ($failed) { throw $failed }", parameters, write);
    }

    /// <summary>
    /// Runs <paramref name="script"/> on every host at once, one Invoke-Command over all sessions, with this module
    /// imported there and $p the trace's <paramref name="parameters"/>; gives each object a host sends to
    /// <paramref name="onOutput"/> on this (the pipeline's) thread as it arrives, until every host's script ends or
    /// <see cref="Stop"/>. The hosts' warnings and exit codes (<see cref="OutcomeBack"/>) and errors are kept, named by host. Returns
    /// whether it was stopped.
    /// </summary>
    private bool RunOnHosts(string script, IDictionary parameters, Action<PSObject> onOutput)
    {
        var run = ScriptBlock.Create("param($p, $v) Import-Module LinuxTrace -RequiredVersion $v -ErrorAction Stop; " + script);
        // a runspace of its own: this one is busy with the caller's pipeline, and only an invocation elsewhere can run
        // while this thread hands on what has come so far
        using var runspace = RunspaceFactory.CreateRunspace();
        runspace.Open();
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddCommand("Invoke-Command").AddParameter("Session", _hosts.Select(h => h.Session).ToArray()).AddParameter("ScriptBlock", run)
          .AddParameter("ArgumentList", new object[] { new Hashtable(parameters), _version.ToString() }).AddParameter("ErrorAction", "Continue");
        var output = new PSDataCollection<PSObject>();
        using var arrived = new SemaphoreSlim(0);
        output.DataAdded += (_, _) => { try { arrived.Release(); } catch (ObjectDisposedException) { } };
        _running = ps;
        IAsyncResult? async = null;
        try
        {
            async = ps.BeginInvoke<PSObject, PSObject>(null, output);
            while (true)
            {
                bool done = async.IsCompleted;   // read first: once done, everything is in output
                foreach (var o in output.ReadAll()) if (!IsOutcome(o)) onOutput(o);
                if (done) break;
                arrived.Wait(200);
            }
            try { ps.EndInvoke(async); }
            catch (PipelineStoppedException) { }
        }
        finally
        {
            _running = null;
            // the pipeline here stopped early (Select-Object -First, an error downstream): stop the hosts' traces, each
            // of which restores its kernel as it ends
            if (async is { IsCompleted: false }) ps.Stop();
        }
        AddHostErrors(ps);
        return ps.InvocationStateInfo.State == PSInvocationState.Stopped;
    }

    /// <summary>The hosts' trace errors: a remote error carries the runspace it came from, so it names the host as the user did.</summary>
    private void AddHostErrors(PowerShell ps)
    {
        foreach (var e in ps.Streams.Error)
        {
            var origin = (e as RemotingErrorRecord)?.OriginInfo;
            string host = HostOf(origin?.RunspaceID)?.Name ?? origin?.PSComputerName ?? "";
            Errors.Add(new ErrorRecord(new InvalidOperationException($"{host}: {e.Exception.Message}", e.Exception),
                "HostTraceFailed," + e.FullyQualifiedErrorId.Split(',')[0], e.CategoryInfo.Category, host));
        }
    }

    // A host's warnings and exit code come back as objects after its trace, also after it failed (a nested pipeline
    // here would show the warnings on the console without the host's name, out of -WarningVariable's reach): the remote
    // scripts run this after Start-Trace, before they pass on its error. (They set $LASTEXITCODE to 1 first: a Start-Trace
    // that fails before it runs, on its parameters, leaves none of its own, and a session the user passed may hold an old one.)
    private const string OutcomeBack = "$code = $global:LASTEXITCODE; foreach ($x in $w) { [pscustomobject]@{ LinuxTraceFleetWarning = \"$x\" } }; " +
                                       "[pscustomobject]@{ LinuxTraceFleetExit = [int]$code }; ";

    /// <summary>A host's warning or exit code (<see cref="OutcomeBack"/>): kept in <see cref="Warnings"/> or
    /// <see cref="ExitCodes"/> under the host's name.</summary>
    private bool IsOutcome(PSObject o)
    {
        string Host() => HostOf(o.Properties["RunspaceId"]?.Value as Guid?)?.Name ?? o.Properties["PSComputerName"]?.Value as string ?? "";
        if (o?.Properties["LinuxTraceFleetWarning"]?.Value is string text) { Warnings.Add($"{Host()}: {text}"); return true; }
        if (o?.Properties["LinuxTraceFleetExit"]?.Value is int code) { ExitCodes[Host()] = code; return true; }
        return false;
    }

    /// <summary>Stops the hosts' traces (Ctrl+C): each host's Start-Trace ends as its pipeline stops, and restores its kernel.</summary>
    public void Stop() => _running?.Stop();

    private FleetHost? HostOf(Guid? runspaceId) => runspaceId is { } id ? _hosts.FirstOrDefault(h => h.Session.Runspace.InstanceId == id) : null;

    /// <summary>Runs a script in this runspace, in a scope of its own (AddScript would otherwise set its variables in the caller's).</summary>
    private static Collection<PSObject> Run(string script, out IList<ErrorRecord> errors, params object[] args)
    {
        using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
        ps.AddScript(script, useLocalScope: true);
        foreach (var a in args) ps.AddArgument(a);
        var output = ps.Invoke();
        errors = ps.Streams.Error.ToList();
        return output;
    }

    /// <summary>
    /// Runs <paramref name="body"/> for every host of <paramref name="work"/> at once (ForEach-Object -Parallel: in it,
    /// $h.S is the host's session, $h.A its argument, $shared <paramref name="shared"/>); returns the hosts whose body
    /// failed, with what it said.
    /// </summary>
    private static Dictionary<FleetHost, string> InParallel(IReadOnlyList<(FleetHost Host, object Arg)> work, string body, object? shared = null)
    {
        var items = work.Select((w, i) => new PSObject(new Hashtable { ["I"] = i, ["S"] = w.Host.Session, ["A"] = w.Arg })).ToArray();
        var outcome = Run("param($items, $shared) $items | ForEach-Object -ThrottleLimit 32 -Parallel { $h = $_; $shared = $using:shared; " +
            "try { $null = . { " + body + " }; [pscustomobject]@{ I = $h.I; Error = $null } } catch { [pscustomobject]@{ I = $h.I; Error = \"$_\" } } }",
            out var errors, (object)items, shared!);
        var done = new Dictionary<FleetHost, string?>();
        foreach (var o in outcome)
            if (o?.Properties["I"]?.Value is int i) done[work[i].Host] = o.Properties["Error"]?.Value as string;
        // a host with no outcome of its own (its runspace failed): what went wrong around it
        return work.Where(w => !done.TryGetValue(w.Host, out var e) || e is not null)
                   .ToDictionary(w => w.Host, w => done.GetValueOrDefault(w.Host) ?? errors.FirstOrDefault()?.ToString() ?? "no answer");
    }

    private void Drop(FleetHost host, string message, string id, ErrorCategory category)
    {
        Errors.Add(HostError(host.Name, message, id, category));
        _hosts.Remove(host);
    }

    private static ErrorRecord HostError(string host, string message, string id, ErrorCategory category) =>
        new(new InvalidOperationException(message), id, category, host);

    /// <summary>A host name or address as a file name (IPv6 colons and path characters replaced).</summary>
    private static string SafeName(string host) => string.Concat(host.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));

    /// <summary>Removes every host's trace file there (fetched or not) and its path variable, on all hosts at once, then
    /// closes the sessions this trace opened (the caller's own stay open).</summary>
    public void Dispose()
    {
        try
        {
            var sessions = _all.Where(s => s.Runspace.RunspaceStateInfo.State == RunspaceState.Opened).ToArray();
            if (sessions.Length > 0)
                Run("param($s) Invoke-Command -Session $s -ErrorAction Ignore { if ($global:LinuxTraceFleetFile) { Remove-Item $global:LinuxTraceFleetFile -Force -ErrorAction Ignore }; " +
                    "Remove-Variable -Scope Global LinuxTraceFleetFile -ErrorAction Ignore }", out _, (object)sessions);
            if (_opened.Count > 0) Run("param($s) Remove-PSSession -Session $s", out _, (object)_opened.ToArray());
        }
        catch (Exception) { }
    }
}
