using LinuxTrace.Engine.Native;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Sessions;

/// <summary>
/// Who owns a LinuxTrace instance: the process that holds an exclusive flock on the instance's directory for as long
/// as it traces. tracefs is one per host, shared by every container and PID namespace, so a pid in an instance's name
/// says nothing to another namespace; a lock does: the kernel holds it for the owner's lifetime and drops it when the
/// owner dies, however it dies (SIGKILL included). An instance nobody holds is an orphan.
/// </summary>
public sealed class InstanceOwnership : IDisposable
{
    /// <summary>Instances LinuxTrace sessions create are named with this prefix.</summary>
    public const string Prefix = "linuxtrace-";

    private int _fd;

    private InstanceOwnership(int fd, string name)
    {
        _fd = fd;
        Name = name;
    }

    public string Name { get; }

    // ---- instances LinuxTrace made: its sessions' private ones, and New-TraceInstance's, noted in /run/linuxtrace --------

    private static string NotePath(string name) => Path.Combine(Probes.ProbeLedger.Directory, name + ".instance");

    /// <summary>Notes that LinuxTrace (New-TraceInstance) made the instance <paramref name="name"/>, so that a wildcard
    /// removal takes it without -Force (best effort: /run is per mount namespace and gone at reboot).</summary>
    public static void NoteMade(string name)
    {
        try
        {
            Directory.CreateDirectory(Probes.ProbeLedger.Directory);
            File.WriteAllText(NotePath(name), "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Forgets the note of <paramref name="name"/> (its instance is gone).</summary>
    public static void ForgetMade(string name)
    {
        try { File.Delete(NotePath(name)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>True for an instance LinuxTrace made: a session's private one (linuxtrace-...) or one New-TraceInstance
    /// noted. Any other is another tool's, or made by hand.</summary>
    public static bool MadeByLinuxTrace(string name) =>
        name.StartsWith(Prefix, StringComparison.Ordinal) || File.Exists(NotePath(name));

    /// <summary>Takes the lock on <paramref name="instance"/>'s directory; null when another process holds it.</summary>
    public static InstanceOwnership? TryAcquire(TraceInstance instance)
    {
        int fd = Libc.Open(instance.Path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw TracefsFile.Error(Libc.LastError, instance.Path, "open");
        if (Libc.Flock(fd, Libc.LOCK_EX | Libc.LOCK_NB) == 0) return new InstanceOwnership(fd, instance.Name);
        int e = Libc.LastError;
        Libc.Close(fd);
        if (e == Libc.EWOULDBLOCK) return null;
        throw TracefsFile.Error(e, instance.Path, "lock");
    }

    /// <summary>True when <paramref name="instance"/> is a LinuxTrace instance whose owner is gone (nobody holds its lock).</summary>
    public static bool IsOrphan(TraceInstance instance)
    {
        if (!instance.Name.StartsWith(Prefix, StringComparison.Ordinal) || DetachedTrace.IsDetachedInstance(instance.Name)) return false;
        try
        {
            using var probe = TryAcquire(instance);
            return probe is not null;
        }
        catch (TraceException)
        {
            return false; // gone meanwhile, or not ours to judge
        }
    }

    /// <summary>
    /// Holds the host-wide lock on instances/ (flock on the directory): creating an instance and taking its lock, and
    /// looking for orphans, happen under it, so that a cleaner never mistakes a new instance, not yet locked, for an orphan.
    /// </summary>
    public static IDisposable LockInstancesDirectory(TraceFileSystem fs)
    {
        string dir = Path.Combine(fs.Root, "instances");
        int fd = Libc.Open(dir, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw TracefsFile.Error(Libc.LastError, dir, "open");
        while (Libc.Flock(fd, Libc.LOCK_EX) != 0)
        {
            int e = Libc.LastError;
            if (e == Libc.EINTR) continue;
            Libc.Close(fd);
            throw TracefsFile.Error(e, dir, "lock");
        }
        return new InstanceOwnership(fd, "instances");
    }

    /// <summary>Creates a private instance named linuxtrace-PID-N and takes its lock, under the directory lock.</summary>
    public static (TraceInstance Instance, InstanceOwnership Lock) CreateOwned(TraceFileSystem fs, int sessionId)
    {
        using (LockInstancesDirectory(fs))
        {
            for (int n = sessionId; ; n++)
            {
                string name = $"{Prefix}{Environment.ProcessId}-{n}";
                if (fs.InstanceExists(name)) continue; // another PID namespace has a process with our pid
                var inst = fs.CreateInstance(name);
                try
                {
                    return (inst, TryAcquire(inst) ?? throw new TraceException(TraceErrorKind.Busy, $"Instance {name} is locked by another process."));
                }
                catch
                {
                    inst.Retire();
                    throw;
                }
            }
        }
    }

    /// <summary>
    /// Removes LinuxTrace instances whose owner is gone (killed with SIGKILL, a crashed container): nothing could clean
    /// them up then. An instance whose owner lives, in this PID namespace or any other, is never touched: the lock is
    /// held while its events are switched off and the directory removed, so two cleaners cannot race.
    /// </summary>
    public static IReadOnlyList<string> RemoveOrphans(TraceFileSystem fs)
    {
        var removed = new List<string>();
        if (!Directory.Exists(Path.Combine(fs.Root, "instances"))) return removed;
        using var dirLock = LockInstancesDirectory(fs);
        foreach (var inst in fs.GetInstances())
        {
            // a detached trace has no owner by design: only a stop by its name ends it
            if (!inst.Name.StartsWith(Prefix, StringComparison.Ordinal) || DetachedTrace.IsDetachedInstance(inst.Name)) continue;
            InstanceOwnership? lease;
            try { lease = TryAcquire(inst); }
            catch (TraceException) { continue; }
            if (lease is null) continue; // its owner lives
            using (lease)
            {
                Retire(inst);
                if (!inst.Exists) removed.Add(inst.Name);
            }
        }
        return removed;
    }

    /// <summary>
    /// Ends an instance nobody traces into any more (an orphan, or one Remove-TraceInstance names): the instance retired
    /// (<see cref="TraceInstance.Retire"/>), then the probes a LinuxTrace trace made for it and the note that LinuxTrace
    /// made it. Returns what failed.
    /// </summary>
    public static IReadOnlyList<TraceException> Retire(TraceInstance inst)
    {
        var errors = inst.Retire();
        if (!inst.Exists)
        {
            Probes.ProbeLedger.RemoveLeftovers(inst.Tracefs, inst.Name); // the probes its trace made for itself
            ForgetMade(inst.Name);
        }
        return errors;
    }

    /// <summary>Releases the lock (after the owner removed or restored its instance).</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) Libc.Close(fd);
    }
}
