using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace LinuxTrace.Commands;

/// <summary>
/// One trace on many hosts at once, over PowerShell remoting (SSH): the engine is PowerShell remoting itself, no agent of
/// LinuxTrace's own. Each host runs Start-Trace -OutFile with the same parameters into a file of its own (raw pages,
/// with its wall-clock offset), and the files, not objects, come back: &lt;host&gt;.dat in a folder, decoded here at engine
/// speed and merged on one timeline by Get-TraceEvent. A host that fails (unreachable, no module, not root, a kernel
/// without the event) is an error naming it; the others go on and their files are kept. Stopping the command (Ctrl+C)
/// stops every host's trace, and each host's Start-Trace restores its kernel as it ends.
/// </summary>
internal sealed class FleetTrace : IDisposable
{
    private readonly PSCmdlet _cmdlet;
    private readonly List<FleetHost> _hosts = new();
    private readonly List<PSSession> _opened = new();
    private PowerShell? _running;

    public FleetTrace(PSCmdlet cmdlet) => _cmdlet = cmdlet;

    /// <summary>A host in the trace: its name as the user gave it, its session, and where its trace is written there
    /// (known before it starts, so that the file can be fetched or removed however the trace ends).</summary>
    private sealed class FleetHost(string name, PSSession session)
    {
        public string Name { get; } = name;
        public PSSession Session { get; } = session;
        public string? RemoteFile { get; set; }
        public bool Fetched { get; set; }
    }

    /// <summary>The hosts still in the trace.</summary>
    public IEnumerable<string> HostNames => _hosts.Select(h => h.Name);

    /// <summary>Errors to report, each naming its host (non-terminating: the other hosts go on).</summary>
    public List<ErrorRecord> Errors { get; } = new();

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
        foreach (var host in hostNames)
        {
            var session = sessions.FirstOrDefault(s => string.Equals(s.ComputerName, host, StringComparison.OrdinalIgnoreCase));
            if (session is null)
            {
                // New-PSSession's error names the host in its message (its target is the connection, not the name)
                var error = ps.Streams.Error.FirstOrDefault(e => e.ToString().Contains(host, StringComparison.OrdinalIgnoreCase))
                            ?? (hostNames.Count == 1 ? ps.Streams.Error.FirstOrDefault() : null);
                string why = error?.ToString() ?? "no session was made";
                Errors.Add(HostError(host, $"Cannot reach {host} over SSH: {why}", "HostUnreachable", ErrorCategory.ConnectionError));
                continue;
            }
            sessions.Remove(session);
            _opened.Add(session);
            _hosts.Add(new FleetHost(host, session));
        }
        _opened.AddRange(sessions); // none expected; closed with the rest
    }

    /// <summary>Takes sessions the user opened (Start-Trace -Session); they stay open afterwards.</summary>
    public void Use(IEnumerable<PSSession> sessions)
    {
        foreach (var s in sessions) _hosts.Add(new FleetHost(s.ComputerName, s));
    }

    /// <summary>
    /// Checks that every host has this LinuxTrace (the same version), and with <paramref name="deploy"/> copies this module
    /// to a host that has not (Copy-Item -ToSession, into the first folder of its PSModulePath). A host without it, or
    /// that is not root, is an error that says how to fix it, and leaves the trace.
    /// </summary>
    public void CheckModule(Version version, string moduleBase, bool deploy)
    {
        var check = ScriptBlock.Create(
            "param($v) $m = @(Get-Module -ListAvailable LinuxTrace | Where-Object Version -eq $v); " +
            "[pscustomobject]@{ Has = $m.Count -gt 0; Versions = @(Get-Module -ListAvailable LinuxTrace | ForEach-Object { $_.Version.ToString() }); " +
            "Root = (id -u) -eq 0; ModuleDir = @($env:PSModulePath -split [IO.Path]::PathSeparator)[0]; " +
            "File = ($global:LinuxTraceFleetFile = Join-Path ([IO.Path]::GetTempPath()) ('linuxtrace-fleet-' + [guid]::NewGuid().ToString('N') + '.dat')) }");
        foreach (var h in _hosts.ToArray())
        {
            var (host, session) = (h.Name, h.Session);
            var info = InvokeOn(session, check, version.ToString()).FirstOrDefault();
            if (info is null) { Drop(host, $"{host} did not answer the module check.", "HostFailed", ErrorCategory.ConnectionError); continue; }
            if (!LanguagePrimitives.IsTrue(info.Properties["Root"].Value))
            {
                Drop(host, $"{host}: the remote session does not run as root, which tracing needs: connect as root (-UserName root) or give that user tracefs.", "HostNotRoot", ErrorCategory.PermissionDenied);
                continue;
            }
            h.RemoteFile = info.Properties["File"].Value as string;
            if (LanguagePrimitives.IsTrue(info.Properties["Has"].Value)) continue;
            if (!deploy)
            {
                var has = LanguagePrimitives.GetEnumerable(info.Properties["Versions"].Value)?.Cast<object>().Select(o => o.ToString() ?? "").ToArray() ?? [];
                Drop(host, $"{host} does not have LinuxTrace {version}{(has.Length > 0 ? $" (it has {string.Join(", ", has)})" : "")}: add -DeployModule to copy this one there, or copy it yourself: Copy-Item -Recurse '{moduleBase}' -Destination <a folder of its PSModulePath>/LinuxTrace/{version} -ToSession (New-PSSession -HostName {host}).",
                    "ModuleMissingOnHost", ErrorCategory.NotInstalled);
                continue;
            }
            string target = $"{info.Properties["ModuleDir"].Value}/LinuxTrace/{version}";
            using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
            ps.AddScript(useLocalScope: true, script: "param($s, $t, $files) Invoke-Command -Session $s { param($t) New-Item -ItemType Directory -Force -Path $t | Out-Null } -ArgumentList $t; " +
                         "foreach ($f in $files) { Copy-Item -Path $f -Destination $t -ToSession $s -Recurse -Force }")
              .AddArgument(session).AddArgument(target)
              .AddArgument(new[] { "LinuxTrace.psd1", "LinuxTrace.Format.ps1xml", "bin", "en-US" }.Select(f => Path.Combine(moduleBase, f)).Where(p => File.Exists(p) || Directory.Exists(p)).ToArray());
            ps.Invoke();
            if (ps.HadErrors)
                Drop(host, $"Copying LinuxTrace to {host} ({target}) failed: {ps.Streams.Error.FirstOrDefault()}", "DeployFailed", ErrorCategory.WriteError);
        }
    }

    /// <summary>
    /// Runs Start-Trace with <paramref name="parameters"/> (and -OutFile, -WallClock) on every host at once, until each
    /// ends (its -Duration, its command's exit, or <see cref="Stop"/>); copies each host's file to
    /// <paramref name="folder"/>/&lt;host&gt;.dat and removes it there. Returns the files written. A host whose trace fails
    /// is an error; the others' files are kept.
    /// </summary>
    public IReadOnlyList<string> Record(IDictionary parameters, string folder)
    {
        if (_hosts.Count == 0) return [];
        Directory.CreateDirectory(folder);
        // each host's file path was chosen by the module check, on that host (its temp folder), and kept in its session
        var run = ScriptBlock.Create(
            "param($p, $v) Import-Module LinuxTrace -RequiredVersion $v -ErrorAction Stop; $f = $global:LinuxTraceFleetFile; " +
            "try { Start-Trace @p -OutFile $f -WallClock -WarningAction SilentlyContinue | Out-Null } catch { Remove-Item $f -Force -ErrorAction Ignore; throw }; " +
            "if (Test-Path $f) { [pscustomobject]@{ File = $f } }");
        var version = ((PSModuleInfo?)_cmdlet.MyInvocation.MyCommand.Module)?.Version.ToString() ?? "0.0";
        var results = new Dictionary<FleetHost, PSObject>();
        using (var ps = PowerShell.Create(RunspaceMode.CurrentRunspace))
        {
            _running = ps;
            ps.AddCommand("Invoke-Command").AddParameter("Session", _hosts.Select(h => h.Session).ToArray()).AddParameter("ScriptBlock", run)
              .AddParameter("ArgumentList", new object[] { new Hashtable(parameters), version }).AddParameter("ErrorAction", "Continue");
            Collection<PSObject> output;
            bool stopped = false;
            try { output = ps.Invoke(); }
            catch (PipelineStoppedException) { output = new(); stopped = true; }
            finally { _running = null; }
            // stopped (Ctrl+C): each host's Start-Trace ended as its pipeline stopped, wrote its file and restored its kernel
            if (stopped || ps.InvocationStateInfo.State == PSInvocationState.Stopped)
                foreach (var h in _hosts)
                    if (h.RemoteFile is { } f) results[h] = new PSObject(new { File = f });
            foreach (var o in output)
                if (HostOf(o.Properties["RunspaceId"]?.Value as Guid?) is { } h) results[h] = o;
            foreach (var e in ps.Streams.Error)
            {
                // a remote error carries the runspace it came from: name the host as the user did
                var origin = (e as RemotingErrorRecord)?.OriginInfo;
                string host = HostOf(origin?.RunspaceID)?.Name ?? origin?.PSComputerName ?? "";
                string message = $"{host}: {e.Exception.Message}";
                Errors.Add(new ErrorRecord(new InvalidOperationException(message, e.Exception), "HostTraceFailed," + e.FullyQualifiedErrorId.Split(',')[0],
                    e.CategoryInfo.Category, host));
            }
        }
        var files = new List<string>();
        foreach (var h in _hosts)
        {
            if (!results.TryGetValue(h, out var r))
            {
                if (!Errors.Any(e => Equals(e.TargetObject, h.Name)))
                    Errors.Add(HostError(h.Name, $"{h.Name} recorded no file.", "HostTraceFailed", ErrorCategory.InvalidResult));
                continue;
            }
            string remote = (string)r.Properties["File"].Value;
            string local = Path.Combine(folder, SafeName(h.Name) + ".dat");
            using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
            ps.AddScript(useLocalScope: true, script: "param($s, $from, $to) Copy-Item -FromSession $s -Path $from -Destination $to -Force; Invoke-Command -Session $s { param($f) Remove-Item $f -Force } -ArgumentList $from")
              .AddArgument(h.Session).AddArgument(remote).AddArgument(local);
            ps.Invoke();
            if (ps.HadErrors || !File.Exists(local))
                Errors.Add(HostError(h.Name, $"Copying {remote} from {h.Name} failed: {ps.Streams.Error.FirstOrDefault()}", "HostCopyFailed", ErrorCategory.ReadError));
            else { files.Add(local); h.Fetched = true; }
        }
        return files;
    }

    /// <summary>Stops the hosts' traces (Ctrl+C): each host's Start-Trace ends as its pipeline stops, and restores its kernel.</summary>
    public void Stop() => _running?.Stop();

    private FleetHost? HostOf(Guid? runspaceId) => runspaceId is { } id ? _hosts.FirstOrDefault(h => h.Session.Runspace.InstanceId == id) : null;

    private IEnumerable<PSObject> InvokeOn(PSSession session, ScriptBlock script, params object[] args)
    {
        using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
        ps.AddCommand("Invoke-Command").AddParameter("Session", session).AddParameter("ScriptBlock", script).AddParameter("ArgumentList", args)
          .AddParameter("ErrorAction", "Continue");
        return ps.Invoke();
    }

    private void Drop(string host, string message, string id, ErrorCategory category)
    {
        Errors.Add(HostError(host, message, id, category));
        _hosts.RemoveAll(h => h.Name == host);
    }

    private static ErrorRecord HostError(string host, string message, string id, ErrorCategory category) =>
        new(new InvalidOperationException(message), id, category, host);

    /// <summary>A host name or address as a file name (IPv6 colons and path characters replaced).</summary>
    private static string SafeName(string host) => string.Concat(host.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));

    public void Dispose()
    {
        // a host's file that did not come back (its trace failed, or copying it did) is not left there
        foreach (var h in _hosts.Where(h => h.RemoteFile is not null && !h.Fetched))
        {
            try
            {
                using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
                ps.AddCommand("Invoke-Command").AddParameter("Session", h.Session)
                  .AddParameter("ScriptBlock", ScriptBlock.Create("param($f) Remove-Item $f -Force -ErrorAction Ignore")).AddParameter("ArgumentList", new object[] { h.RemoteFile! })
                  .AddParameter("ErrorAction", "Ignore").Invoke();
            }
            catch (Exception) { }
        }
        foreach (var s in _opened)
        {
            try
            {
                using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
                ps.AddCommand("Remove-PSSession").AddParameter("Session", s).Invoke();
            }
            catch (Exception) { }
        }
    }
}
