using LinuxTrace.Engine.Native;

namespace LinuxTrace.Engine.Tracefs;

/// <summary>
/// The tracefs mount: finds it (mounting it when absent and we are root), gives typed access to the top
/// instance and to named instances, and probes once what this kernel allows.
/// </summary>
public sealed class TraceFileSystem
{
    public const string DefaultMountPoint = "/sys/kernel/tracing";

    /// <summary>Environment variable that points the engine at another tracefs root (used by tests of error paths).</summary>
    public const string RootVariable = "LINUXTRACE_TRACEFS";

    private static readonly object Gate = new();
    private static TraceFileSystem? _default;
    private TraceCapabilities? _capabilities;

    private TraceFileSystem(string root)
    {
        Root = root;
        Top = new TraceInstance(this, "", root);
    }

    /// <summary>True when this process runs as root (tracing needs it).</summary>
    public static bool RunningAsRoot => Libc.GetEuid() == 0;

    /// <summary>Absolute path of the tracefs mount.</summary>
    public string Root { get; }

    /// <summary>The top-level (global) instance.</summary>
    public TraceInstance Top { get; }

    /// <summary>The tracefs of this machine, found (or mounted) once per process.</summary>
    public static TraceFileSystem Default
    {
        get
        {
            lock (Gate)
            {
                return _default ??= Open();
            }
        }
    }

    /// <summary>Opens tracefs at <paramref name="root"/>, or finds it in /proc/mounts (mounting it when absent and we are root).</summary>
    public static TraceFileSystem Open(string? root = null)
    {
        root ??= Environment.GetEnvironmentVariable(RootVariable);
        if (string.IsNullOrEmpty(root)) root = Discover();
        if (!Directory.Exists(root))
            throw new TraceException(TraceErrorKind.NotMounted, $"No tracefs at {root}.", root);
        if (!File.Exists(Path.Combine(root, "trace")) && !Directory.Exists(Path.Combine(root, "events")))
        {
            // a directory this user can list and that has no trace files is not tracefs (an unmounted mount point, or
            // LINUXTRACE_TRACEFS naming another directory); one it cannot list is tracefs kept from it
            bool listable;
            try { listable = Directory.EnumerateFileSystemEntries(root).Take(1).Count() >= 0; }
            catch (UnauthorizedAccessException) { listable = false; }
            if (listable)
                throw new TraceException(TraceErrorKind.NotMounted,
                    $"{root} is not tracefs (it has no trace file and no events directory): mount it there (mount -t tracefs nodev {root})" +
                    (Environment.GetEnvironmentVariable(RootVariable) is { Length: > 0 } ? $", or unset {RootVariable}, which names it." : ".") , root);
            throw new TraceException(TraceErrorKind.PermissionDenied,
                $"tracefs at {root} cannot be read by this user. tracefs is root-only by default (mode 0700): run pwsh with sudo, " +
                "or remount it for a group: mount -o remount,gid=<group>,mode=0750 " + root, root, Libc.EACCES);
        }
        return new TraceFileSystem(root);
    }

    private static string Discover()
    {
        string? debugfs = null;
        foreach (var line in File.ReadLines("/proc/mounts"))
        {
            var parts = line.Split(' ');
            if (parts.Length < 3) continue;
            string mountPoint = parts[1].Replace("\\040", " ");
            if (parts[2] == "tracefs")
            {
                if (mountPoint == DefaultMountPoint) return mountPoint;
                debugfs ??= mountPoint;
            }
            else if (parts[2] == "debugfs" && Directory.Exists(Path.Combine(mountPoint, "tracing", "events")))
            {
                debugfs ??= Path.Combine(mountPoint, "tracing");
            }
        }
        if (debugfs is not null) return debugfs;

        if (Libc.GetEuid() != 0)
        {
            throw new TraceException(TraceErrorKind.NotMounted,
                $"tracefs is not mounted. As root, run: mount -t tracefs nodev {DefaultMountPoint} (or run pwsh with sudo and LinuxTrace mounts it).",
                DefaultMountPoint);
        }
        if (!Directory.Exists(DefaultMountPoint))
        {
            throw new TraceException(TraceErrorKind.NotSupported,
                $"tracefs is not mounted and {DefaultMountPoint} does not exist: this kernel was built without CONFIG_TRACING (or /sys is not sysfs).",
                DefaultMountPoint);
        }
        if (Libc.Mount("nodev", DefaultMountPoint, "tracefs", 0, 0) != 0)
        {
            int e = Libc.LastError;
            throw new TraceException(e is Libc.EPERM or Libc.EACCES ? TraceErrorKind.PermissionDenied : TraceErrorKind.NotMounted,
                $"tracefs is not mounted and mounting it at {DefaultMountPoint} failed: {Libc.Describe(e)}. " +
                $"Mount it by hand: mount -t tracefs nodev {DefaultMountPoint}", DefaultMountPoint, e);
        }
        return DefaultMountPoint;
    }

    /// <summary>What this kernel allows, probed once without changing any state.</summary>
    public TraceCapabilities Capabilities => _capabilities ??= TraceCapabilities.Probe(this);

    /// <summary>The instance called <paramref name="name"/>; the top instance for null, empty or "top".</summary>
    public TraceInstance GetInstance(string? name)
    {
        if (IsTopName(name)) return Top;
        string path = Path.Combine(Root, "instances", name!);
        if (!Directory.Exists(path))
            throw new TraceException(TraceErrorKind.NotFound, $"There is no trace instance named '{name}'.", path) { ErrorId = "InstanceNotFound" };
        return new TraceInstance(this, name!, path);
    }

    public static bool IsTopName(string? name) =>
        string.IsNullOrEmpty(name) || name.Equals("top", StringComparison.OrdinalIgnoreCase) || name == "/";

    /// <summary>The named instances (not the top one).</summary>
    public IReadOnlyList<TraceInstance> GetInstances()
    {
        string dir = Path.Combine(Root, "instances");
        if (!Directory.Exists(dir)) return Array.Empty<TraceInstance>();
        return Directory.GetDirectories(dir)
            .Select(p => new TraceInstance(this, Path.GetFileName(p), p))
            .OrderBy(i => i.Name, StringComparer.Ordinal)
            .ToArray();
    }

    public bool InstanceExists(string name) => Directory.Exists(Path.Combine(Root, "instances", name));

    /// <summary>Creates the instance (mkdir under instances/).</summary>
    public TraceInstance CreateInstance(string name)
    {
        ValidateInstanceName(name);
        string path = Path.Combine(Root, "instances", name);
        if (Directory.Exists(path))
            throw new TraceException(TraceErrorKind.AlreadyExists, $"A trace instance named '{name}' already exists.", path) { ErrorId = "InstanceExists" };
        TracefsLog.Say($"tracefs: mkdir {path}");
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new TraceException(TraceErrorKind.PermissionDenied, $"Cannot create trace instance '{name}': permission denied. Run pwsh with sudo.", path, Libc.EACCES, e);
        }
        catch (IOException e)
        {
            throw new TraceException(TraceErrorKind.Failed, $"Cannot create trace instance '{name}': {e.Message}", path, 0, e);
        }
        return new TraceInstance(this, name, path);
    }

    /// <summary>Removes the instance (rmdir). Its events are disabled first so the kernel lets it go.</summary>
    public void RemoveInstance(string name)
    {
        if (IsTopName(name)) throw new TraceException(TraceErrorKind.InvalidArgument, "The top instance cannot be removed.");
        string path = Path.Combine(Root, "instances", name);
        if (!Directory.Exists(path))
            throw new TraceException(TraceErrorKind.NotFound, $"There is no trace instance named '{name}'.", path) { ErrorId = "InstanceNotFound" };
        TracefsLog.Say($"tracefs: rmdir {path}");
        // rmdir on tracefs works on a non-empty instance directory (Directory.Delete without recursion is an rmdir)
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                Directory.Delete(path, recursive: false);
                return;
            }
            catch (IOException) when (attempt < 20 && Directory.Exists(path))
            {
                // EBUSY while a reader still holds trace_pipe_raw open: give it a moment.
                Thread.Sleep(25);
            }
            catch (IOException e) when (!Directory.Exists(path))
            {
                _ = e;
                return;
            }
            catch (IOException e)
            {
                throw new TraceException(TraceErrorKind.Busy, $"Cannot remove trace instance '{name}': {e.Message}", path, Libc.EBUSY, e);
            }
        }
    }

    // ---- what the kernel keeps for readers ---------------------------------------------------------

    /// <summary>saved_cmdlines ("pid comm" lines), or null when it cannot be read.</summary>
    public string? SavedCmdlines => TracefsFile.TryRead(Path.Combine(Root, "saved_cmdlines"), out var t) ? t : null;

    /// <summary>printk_formats (trace_printk's format strings by address), or null when it cannot be read.</summary>
    public string? PrintkFormats => TracefsFile.TryRead(Path.Combine(Root, "printk_formats"), out var t) ? t : null;

    // ---- synthetic events (one list for every instance) ------------------------------------------

    /// <summary>True when the kernel has synthetic events (CONFIG_SYNTH_EVENTS).</summary>
    public bool HasSyntheticEvents => File.Exists(Path.Combine(Root, "synthetic_events"));

    /// <summary>The synthetic_events file's definitions, one per line ("" when the kernel has none).</summary>
    public IReadOnlyList<string> SyntheticEvents =>
        TracefsFile.TryRead(Path.Combine(Root, "synthetic_events"), out var text)
            ? text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];

    /// <summary>Defines a synthetic event: "name type field; type field".</summary>
    public void AddSyntheticEvent(string definition) => TracefsFile.Write(Path.Combine(Root, "synthetic_events"), definition, append: true);

    /// <summary>Removes a synthetic event (the kernel refuses while a trigger still uses it).</summary>
    public void RemoveSyntheticEvent(string name) => TracefsFile.Write(Path.Combine(Root, "synthetic_events"), "!" + name, append: true);

    internal static void ValidateInstanceName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('/') || name is "." or ".." || IsTopName(name))
            throw new TraceException(TraceErrorKind.InvalidArgument, $"'{name}' is not a valid instance name.") { ErrorId = "InvalidInstanceName" };
    }
}
