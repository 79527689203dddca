using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace LinuxTrace.Engine.Symbols;

/// <summary>
/// Finds the file behind a program or library name, as a user writes it for a uprobe ("bash", "libc", "libc.so.6",
/// "/usr/lib/x86_64-linux-gnu/libc.so.6"): a path as it is; with a process, the file that process has mapped (seen
/// through /proc/PID/root, so a container's own libc is the one probed); else an executable on PATH; else the dynamic
/// linker's cache (/etc/ld.so.cache, what ldconfig -p lists) and the usual library directories.
/// </summary>
public static class LibraryPath
{
    /// <summary>The absolute path of <paramref name="name"/>, or null when nothing matches.</summary>
    public static string? Resolve(string name, int? processId = null, string? workingDirectory = null)
    {
        if (name.Contains('/'))
        {
            string full = Path.GetFullPath(name, workingDirectory ?? Environment.CurrentDirectory);
            if (processId is { } p && name.StartsWith('/')) return InProcessRoot(p, full);
            return full;
        }
        if (processId is { } pid) return FromMaps(pid, name);
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        return FromLdCache(name) ?? FromLibraryDirectories(name);
    }

    /// <summary>True when <paramref name="fileName"/> (a base name) is the library <paramref name="name"/>: libc matches
    /// libc.so.6 and libc-2.31.so, libc.so.6 matches itself.</summary>
    public static bool NameMatches(string fileName, string name) =>
        fileName == name
        || fileName.StartsWith(name + ".so", StringComparison.Ordinal)
        || (fileName.StartsWith(name + "-", StringComparison.Ordinal) && fileName.Contains(".so", StringComparison.Ordinal))
        || (!name.StartsWith("lib", StringComparison.Ordinal) && NameMatches(fileName, "lib" + name));

    private static string InProcessRoot(int pid, string path)
    {
        string root = $"/proc/{pid}/root";
        try
        {
            // the same root as ours: the plain path reads better in dynamic_events
            if (new DirectoryInfo(root).ResolveLinkTarget(false)?.FullName == "/") return path;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return root + path;
    }

    private static string? FromMaps(int pid, string name)
    {
        string maps = $"/proc/{pid}/maps";
        if (!File.Exists(maps)) return null;
        string? exe = null;
        try { exe = File.ResolveLinkTarget($"/proc/{pid}/exe", false)?.FullName; } catch (IOException) { } catch (UnauthorizedAccessException) { }
        foreach (var line in File.ReadLines(maps))
        {
            int slash = line.IndexOf('/');
            if (slash < 0) continue;
            string file = line[slash..];
            if (file.EndsWith(" (deleted)", StringComparison.Ordinal)) continue;
            string baseName = Path.GetFileName(file);
            if (NameMatches(baseName, name) || (file == exe && baseName == name)) return InProcessRoot(pid, file);
        }
        return null;
    }

    /// <summary>Looks <paramref name="name"/> up in /etc/ld.so.cache (glibc's "glibc-ld.so.cache1.1" format), preferring this machine's architecture.</summary>
    public static string? FromLdCache(string name, string cachePath = "/etc/ld.so.cache")
    {
        byte[] data;
        try { data = File.ReadAllBytes(cachePath); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        var magic = "glibc-ld.so.cache1.1"u8;
        int start = data.AsSpan().IndexOf(magic);
        if (start < 0 || start + 48 > data.Length) return null;
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(start + 20));
        string? best = null;
        int wanted = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 0x0300,
            Architecture.Arm64 => 0x0a00,
            _ => -1,
        };
        for (long i = 0; i < count; i++)
        {
            long e = start + 48 + i * 24;
            if (e + 24 > data.Length) break;
            int flags = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan((int)e));
            uint key = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)e + 4));
            uint value = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)e + 8));
            string k = CString(data, start + (long)key), v = CString(data, start + (long)value);
            if (!NameMatches(k, name) || v.Length == 0) continue;
            if (wanted < 0 || (flags & 0xff00) == wanted) return v;
            best ??= v;
        }
        return best;
    }

    private static string? FromLibraryDirectories(string name)
    {
        string triplet = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        foreach (var dir in new[] { $"/lib/{triplet}", $"/usr/lib/{triplet}", "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib" })
        {
            if (!Directory.Exists(dir)) continue;
            var hit = Directory.EnumerateFiles(dir).Where(f => NameMatches(Path.GetFileName(f), name)).Order(StringComparer.Ordinal).FirstOrDefault();
            if (hit is not null) return hit;
        }
        return null;
    }

    private static string CString(byte[] d, long o)
    {
        if (o < 0 || o >= d.Length) return "";
        int end = Array.IndexOf(d, (byte)0, (int)o);
        return Encoding.UTF8.GetString(d, (int)o, (end < 0 ? d.Length : end) - (int)o);
    }
}
