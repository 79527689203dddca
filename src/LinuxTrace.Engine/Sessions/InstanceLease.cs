using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Sessions;

/// <summary>
/// The instance a session records into, and on what terms: a private one it made and holds by its lock (removed at the
/// end), a named one it made (removed at the end), or one it borrows (a named instance that existed, or the top-level
/// buffer for function_graph before 6.12), whose state it remembers to give back.
/// </summary>
internal sealed class InstanceLease
{
    private InstanceLease(TraceInstance instance, bool owned, InstanceOwnership? lockHeld, InstanceState? restore)
    {
        Instance = instance;
        Owned = owned;
        Lock = lockHeld;
        Restore = restore;
    }

    public TraceInstance Instance { get; }

    /// <summary>The session made the instance and removes it at the end.</summary>
    public bool Owned { get; }

    /// <summary>The lock that says the instance is in use (a private instance's, or the top buffer's for function_graph).</summary>
    public InstanceOwnership? Lock { get; }

    /// <summary>What a borrowed instance looked like, to be put back (null for an owned one).</summary>
    public InstanceState? Restore { get; }

    /// <summary>A private instance held by its lock (<paramref name="name"/> null), the named one borrowed (its state
    /// remembered), or created if missing.</summary>
    public static InstanceLease Take(TraceFileSystem fs, string? name, int sessionId)
    {
        if (name is null)
        {
            var (inst, ownership) = InstanceOwnership.CreateOwned(fs, sessionId);
            return new InstanceLease(inst, owned: true, ownership, null);
        }
        if (TraceFileSystem.IsTopName(name) || fs.InstanceExists(name))
        {
            var inst = fs.GetInstance(name);
            var restore = new InstanceState(inst);
            restore.RememberTracingOn(); // every end turns recording off: give back what it was
            return new InstanceLease(inst, owned: false, null, restore);
        }
        return new InstanceLease(fs.CreateInstance(name), owned: true, null, null);
    }

    /// <summary>Makes the instance of a detached trace (<see cref="DetachedTrace"/>) and holds its lock while the trace is
    /// set up (the lock is let go when it detaches); a detached trace of that name that already runs is an error.</summary>
    public static InstanceLease TakeDetached(TraceFileSystem fs, string name)
    {
        string instanceName = DetachedTrace.InstanceNameFor(name);
        using (InstanceOwnership.LockInstancesDirectory(fs))
        {
            if (fs.InstanceExists(instanceName))
                throw new TraceException(TraceErrorKind.AlreadyExists,
                    $"A detached trace named {name} already runs (instance {instanceName}): stop it first (Stop-Trace {name}), or choose another name.",
                    instanceName) { ErrorId = "DetachedTraceExists" };
            var inst = fs.CreateInstance(instanceName);
            try
            {
                var held = InstanceOwnership.TryAcquire(inst) ?? throw new TraceException(TraceErrorKind.Busy, $"Instance {instanceName} is locked by another process.");
                return new InstanceLease(inst, owned: true, held, null);
            }
            catch
            {
                inst.Retire();
                throw;
            }
        }
    }

    /// <summary>Borrows the top-level buffer for function_graph when instances cannot run it: only when its tracer is
    /// nop and no other LinuxTrace session holds it; everything changed there is restored at the end.</summary>
    public static InstanceLease TakeTopForGraph(TraceFileSystem fs)
    {
        var top = fs.Top;
        var ownership = InstanceOwnership.TryAcquire(top)
            ?? throw new TraceException(TraceErrorKind.Busy,
                "Another LinuxTrace session holds the top-level buffer (function_graph runs only there before kernel 6.12). Wait for it to end (Get-TraceSession shows this process's).",
                top.Path) { ErrorId = "TopBufferBusy" };
        string current = top.CurrentTracer;
        if (current != "nop")
        {
            ownership.Dispose();
            throw new TraceException(TraceErrorKind.Busy,
                $"The top-level buffer runs the '{current}' tracer: another tool (trace-cmd, a script) is using it, and function_graph can run only there on this kernel (instances have it from 6.12). LinuxTrace will not take it over; when that tool is done, current_tracer is nop again.",
                top.FilePath("current_tracer")) { ErrorId = "TopBufferBusy" };
        }
        var restore = new InstanceState(top);
        restore.RememberTracingOn(); // every end turns recording off: give back what it was
        // nobody records there (no tracer, no event): what the buffer still holds is old, and would come first
        if (top.EnabledEvents.Count == 0) top.ClearBuffer();
        return new InstanceLease(top, owned: false, ownership, restore);
    }

    /// <summary>Removes (owned) or restores (borrowed) the instance, then lets go of its lock; returns what failed.</summary>
    public IEnumerable<Exception> End()
    {
        var errors = new List<Exception>();
        if (Owned) errors.AddRange(Instance.Retire());
        else if (Restore is not null) errors.AddRange(Restore.Restore());
        return errors;
    }
}
