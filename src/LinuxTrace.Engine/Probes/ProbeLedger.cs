using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Probes;

/// <summary>
/// The probes a trace made for itself, noted beside its instance's name in /run/linuxtrace, so that when the trace's
/// process is killed (SIGKILL: nothing can clean up) the next LinuxTrace that removes the orphaned instance removes
/// those probes too, and only those: a probe is removed only if the kernel still lists it with the same definition.
/// /run is per mount namespace: a trace killed in another container leaves its probes to Get-KProbe / Get-UProbe.
/// </summary>
public static class ProbeLedger
{
    public const string Directory = "/run/linuxtrace";

    private static string PathOf(string instance) => System.IO.Path.Combine(Directory, instance + ".probes");

    internal static void Write(string instance, IEnumerable<DynamicProbe> probes)
    {
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllLines(PathOf(instance), probes.Select(p => p.Definition));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // best effort: the live paths clean up anyway
    }

    internal static void Delete(string instance)
    {
        try { File.Delete(PathOf(instance)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Removes the probes an orphaned instance's owner made for its trace; returns their event names.</summary>
    public static IReadOnlyList<string> RemoveLeftovers(TraceFileSystem fs, string instance)
    {
        var removed = new List<string>();
        string path = PathOf(instance);
        if (!File.Exists(path)) return removed;
        try
        {
            var noted = File.ReadAllLines(path).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal);
            foreach (var p in DynamicEvents.List(fs).Where(p => noted.Contains(p.Definition)))
            {
                try { DynamicEvents.Remove(fs, p, force: true); removed.Add(p.EventName); }
                catch (TraceException) { }
            }
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TraceException) { }
        return removed;
    }
}
