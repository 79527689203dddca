using LinuxTrace.Engine.Probes;
using LinuxTrace.Engine.Symbols;

namespace LinuxTrace.Engine.Tracefs;

/// <summary>
/// The kernel's dynamic events: lists them (dynamic_events, or kprobe_events and uprobe_events on kernels without it)
/// with their hit counts (kprobe_profile, uprobe_profile) and the instances where they are enabled; creates a probe
/// from a definition (a rejected one is explained with error_log's text and caret, and leaves nothing behind);
/// removes one (refused while it is enabled, unless forced, which disables it everywhere first).
/// </summary>
public static class DynamicEvents
{
    public const string DynamicEventsFile = "dynamic_events";
    public const string KProbeEventsFile = "kprobe_events";
    public const string UProbeEventsFile = "uprobe_events";

    /// <summary>True when this kernel can make kprobes (CONFIG_KPROBE_EVENTS).</summary>
    public static bool HasKProbes(TraceFileSystem fs) => File.Exists(Path.Combine(fs.Root, KProbeEventsFile));

    /// <summary>True when this kernel can make uprobes (CONFIG_UPROBE_EVENTS).</summary>
    public static bool HasUProbes(TraceFileSystem fs) => File.Exists(Path.Combine(fs.Root, UProbeEventsFile));

    /// <summary>Every dynamic event of the kernel, ours or not.</summary>
    public static IReadOnlyList<DynamicProbe> List(TraceFileSystem fs)
    {
        var lines = new List<string>();
        if (File.Exists(Path.Combine(fs.Root, DynamicEventsFile)))
            lines.AddRange(ReadLines(fs, DynamicEventsFile));
        else
        {
            if (HasKProbes(fs)) lines.AddRange(ReadLines(fs, KProbeEventsFile));
            if (HasUProbes(fs)) lines.AddRange(ReadLines(fs, UProbeEventsFile));
        }
        var kprofile = ReadProfile(fs, "kprobe_profile", kernel: true);
        var uprofile = ReadProfile(fs, "uprobe_profile", kernel: false);
        var instances = fs.GetInstances().Prepend(fs.Top).ToArray();
        var list = new List<DynamicProbe>();
        foreach (var line in lines)
        {
            DynamicProbe p;
            try { p = ProbeDefinition.FromListing(line); }
            catch (TraceException) { continue; } // a kind this parser does not know: not ours to list
            var profile = p.IsUser ? uprofile : kprofile;
            profile.TryGetValue(p.Name, out var counts);
            list.Add(new DynamicProbe
            {
                Type = p.Type, Group = p.Group, Name = p.Name, Target = p.Target, Function = p.Function, Module = p.Module,
                Offset = p.Offset, Path = p.Path, ReferenceCounterOffset = p.ReferenceCounterOffset, MaxActive = p.MaxActive,
                Arguments = p.Arguments, Definition = p.Definition, Hits = counts.Hits, Misses = counts.Misses,
                EnabledIn = EnabledIn(instances, p.Group, p.Name),
            });
        }
        return list;
    }

    private static IEnumerable<string> ReadLines(TraceFileSystem fs, string file) =>
        TracefsFile.Read(Path.Combine(fs.Root, file)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith('#'));

    /// <summary>kprobe_profile: "  NAME  HITS  MISSES"; uprobe_profile: "  PATH  NAME  HITS". Keyed by event name.</summary>
    private static Dictionary<string, (long Hits, long Misses)> ReadProfile(TraceFileSystem fs, string file, bool kernel)
    {
        var map = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        if (!TracefsFile.TryRead(Path.Combine(fs.Root, file), out var text)) return map;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var t = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (kernel && t.Length >= 3 && long.TryParse(t[^2], out long h) && long.TryParse(t[^1], out long m)) map[t[^3]] = (h, m);
            else if (!kernel && t.Length >= 3 && long.TryParse(t[^1], out long uh)) map[t[^2]] = (uh, 0);
        }
        return map;
    }

    /// <summary>The instances where events/GROUP/NAME/enable says 1 (including soft-enabled "1*").</summary>
    public static IReadOnlyList<string> EnabledIn(IEnumerable<TraceInstance> instances, string group, string name)
    {
        var on = new List<string>();
        foreach (var inst in instances)
        {
            if (TracefsFile.TryRead(Path.Combine(inst.Path, "events", group, name, "enable"), out var v) && v.TrimStart().StartsWith('1'))
                on.Add(inst.DisplayName);
        }
        return on;
    }

    /// <summary>
    /// Creates the probe <paramref name="parts"/> describes and returns it as the kernel lists it. Kernel probes need
    /// kprobe_events, user probes uprobe_events: a kernel without them gets a NotSupported error that says so. A name
    /// another probe has is refused before writing (the kernel would append this one to it as a second place); any
    /// other rejection is the kernel's own, from error_log with its caret.
    /// </summary>
    public static DynamicProbe Create(TraceFileSystem fs, ProbeDefinition.Parts parts)
    {
        Check(fs, parts);
        string group = parts.EffectiveGroup;
        var before = List(fs);
        if (parts.Name is { } name && before.FirstOrDefault(p => p.Group == group && p.Name == name) is { } existing)
            throw new TraceException(TraceErrorKind.AlreadyExists,
                $"There already is a probe {group}:{name} ({existing.Definition}). Remove it first (Get-{(existing.IsUser ? "U" : "K")}Probe {name} | Remove-{(existing.IsUser ? "U" : "K")}Probe) or choose another name.",
                Path.Combine(fs.Root, "events", group, name)) { ErrorId = "ProbeExists" };
        string definition = parts.ToString();
        string file = File.Exists(Path.Combine(fs.Root, DynamicEventsFile)) ? DynamicEventsFile : parts.IsUser ? UProbeEventsFile : KProbeEventsFile;
        try
        {
            TracefsFile.Write(Path.Combine(fs.Root, file), definition, append: true);
        }
        catch (TraceException e)
        {
            var explained = ErrorLog.Explain(fs.Top, e, definition);
            if (ReferenceEquals(explained, e) && e.Kind is TraceErrorKind.NotSupported)
                explained = new TraceException(TraceErrorKind.InvalidArgument,
                    $"The kernel rejected '{definition}': {Native.Libc.Describe(e.Errno)} (no explanation in error_log). A uprobe's file must exist; a kprobe's function must be a kernel text symbol.",
                    e.Path, e.Errno, e);
            throw new TraceException(explained.Kind == TraceErrorKind.NotSupported ? TraceErrorKind.InvalidArgument : explained.Kind, explained.Message, explained.Path, explained.Errno, e)
            {
                ErrorId = "ProbeRejected", KernelMessage = explained.KernelMessage, KernelErrorPosition = explained.KernelErrorPosition,
            };
        }
        var after = List(fs);
        var made = parts.Name is { } n
            ? after.FirstOrDefault(p => p.Group == group && p.Name == n)
            : after.FirstOrDefault(p => !before.Any(b => b.Group == p.Group && b.Name == p.Name));
        return made ?? throw new TraceException(TraceErrorKind.Failed, $"The kernel took '{definition}' but does not list the probe.") { ErrorId = "ProbeNotListed" };
    }

    /// <summary>What can be told of a probe without writing it: this kernel makes its kind, and its names and arguments
    /// are ones the kernel takes (so that -WhatIf says what would fail, as the real call would).</summary>
    public static void Check(TraceFileSystem fs, ProbeDefinition.Parts parts)
    {
        RequireKind(fs, parts);
        CheckArguments(parts);
    }

    /// <summary>NotSupported when this kernel cannot make this kind of probe.</summary>
    public static void RequireKind(TraceFileSystem fs, ProbeDefinition.Parts parts)
    {
        if (parts.IsUser && !HasUProbes(fs))
            throw new TraceException(TraceErrorKind.NotSupported, "This kernel has no uprobe events (CONFIG_UPROBE_EVENTS is not set): user probes need a kernel built with them.", Path.Combine(fs.Root, UProbeEventsFile)) { ErrorId = "UProbesNotSupported" };
        if (parts.Type is ProbeType.KProbe or ProbeType.KRetProbe && !HasKProbes(fs))
            throw new TraceException(TraceErrorKind.NotSupported,
                "This kernel has no kprobe events (CONFIG_KPROBE_EVENTS is not set, or the host leaves them out): kernel probes need a kernel built with them. Tracepoints (Get-TraceEventType) and uprobes (Add-UProbe) may still work here; see Get-TraceCapability.",
                Path.Combine(fs.Root, KProbeEventsFile)) { ErrorId = "KProbesNotSupported" };
    }

    /// <summary>What can be told before the kernel sees it: names are C identifiers and unique, $retval only on return probes.</summary>
    private static void CheckArguments(ProbeDefinition.Parts parts)
    {
        if (parts.Name is { } n && !ProbeDefinition.IsIdentifier(n))
            throw ProbeDefinition.Invalid($"'{n}' cannot name an event: the kernel takes letters, digits and '_', not starting with a digit.");
        if (parts.Group is { } g && !ProbeDefinition.IsIdentifier(g))
            throw ProbeDefinition.Invalid($"'{g}' cannot name an event group: the kernel takes letters, digits and '_', not starting with a digit.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in parts.Arguments)
        {
            if (!ProbeDefinition.IsIdentifier(a.Name))
                throw ProbeDefinition.Invalid($"'{a.Name}' cannot name a probe argument: the kernel takes letters, digits and '_', not starting with a digit.");
            if (!seen.Add(a.Name))
                throw ProbeDefinition.Invalid($"Two probe arguments are named '{a.Name}': each becomes a field of the event, and needs its own name.");
            if (a.Fetch.Contains("$retval", StringComparison.Ordinal) && !parts.IsReturn)
                throw ProbeDefinition.Invalid($"Argument {a.Name} fetches $retval, which only a return probe has: add -Return (r: in the kernel's syntax).");
        }
        if (parts.MaxActive > 0 && !parts.IsReturn)
            throw ProbeDefinition.Invalid("MaxActive is for return probes only (-Return).");
    }

    /// <summary>
    /// Removes <paramref name="probe"/>. While it is enabled in some instance the kernel refuses (EBUSY): that is
    /// said with the instances named, unless <paramref name="force"/>, which disables it there first.
    /// </summary>
    public static void Remove(TraceFileSystem fs, DynamicProbe probe, bool force)
    {
        var instances = fs.GetInstances().Prepend(fs.Top).ToArray();
        var enabled = EnabledIn(instances, probe.Group, probe.Name);
        if (enabled.Count > 0)
        {
            if (!force)
                throw new TraceException(TraceErrorKind.Busy,
                    $"Probe {probe.EventName} is enabled in {(enabled.Count == 1 ? "instance" : "instances")} {string.Join(", ", enabled)}: a trace is using it. Stop that trace first, or use -Force to disable the probe there and remove it.",
                    Path.Combine(fs.Root, "events", probe.Group, probe.Name)) { ErrorId = "ProbeEnabled" };
            foreach (var inst in instances.Where(i => enabled.Contains(i.DisplayName)))
                TracefsFile.Write(Path.Combine(inst.Path, "events", probe.Group, probe.Name, "enable"), "0");
        }
        string file = File.Exists(Path.Combine(fs.Root, DynamicEventsFile)) ? DynamicEventsFile : probe.IsUser ? UProbeEventsFile : KProbeEventsFile;
        string command = $"-:{probe.Group}/{probe.Name}";
        try
        {
            TracefsFile.Write(Path.Combine(fs.Root, file), command, append: true);
        }
        catch (TraceException e) when (e.Kind == TraceErrorKind.Busy)
        {
            throw new TraceException(TraceErrorKind.Busy,
                $"The kernel refuses to remove probe {probe.EventName}: it is in use (by perf, a BPF program, or a trigger or histogram on another event).",
                e.Path, e.Errno, e) { ErrorId = "ProbeInUse" };
        }
        catch (TraceException e) when (e.Kind == TraceErrorKind.NotSupported)
        {
            throw new TraceException(TraceErrorKind.NotFound, $"There is no probe {probe.EventName} any more.", e.Path, e.Errno, e) { ErrorId = "ProbeNotFound" };
        }
    }

    // ---- kernel functions ---------------------------------------------------------------------------------

    private static Dictionary<string, List<string?>>? _kernelText;

    /// <summary>
    /// Checks a kprobe's place ([MOD:]SYM[+OFFS], or an address, which is taken as it is) against the kernel's text
    /// symbols (/proc/kallsyms): an unknown function is an error with close matches (do_sys_open became
    /// do_sys_openat2); a name several functions share, and one on the kprobe blacklist, say so.
    /// </summary>
    public static void CheckKernelFunction(string target)
    {
        string t = target.EndsWith("%return", StringComparison.Ordinal) ? target[..^7] : target;
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) return;
        string? module = null;
        int colon = t.IndexOf(':');
        if (colon > 0) { module = t[..colon]; t = t[(colon + 1)..]; }
        int plus = t.IndexOf('+');
        if (plus > 0) t = t[..plus];
        var text = KernelText(refresh: false);
        if (text is null) return; // kallsyms unreadable: the kernel will say
        if (!text.TryGetValue(t, out var modules))
        {
            text = KernelText(refresh: true)!; // a module loaded since
            if (!text.TryGetValue(t, out modules))
            {
                var close = CloseMatch.Suggest(t, text.Keys, 5);
                throw new TraceException(TraceErrorKind.NotFound,
                    $"The kernel has no function named '{t}'.{(close.Count > 0 ? " Close matches: " + string.Join(", ", close) + "." : "")}", "/proc/kallsyms")
                    { ErrorId = "KernelFunctionNotFound" };
            }
        }
        if (module is not null && !modules.Contains(module))
            throw new TraceException(TraceErrorKind.NotFound,
                $"Module {module} has no function '{t}'; it is in {string.Join(", ", modules.Select(m => m ?? "the kernel itself"))}.", "/proc/kallsyms") { ErrorId = "KernelFunctionNotFound" };
        if (module is null && modules.Count > 1)
            throw new TraceException(TraceErrorKind.InvalidArgument,
                $"'{t}' is not unique: {modules.Count} kernel functions have that name ({string.Join(", ", modules.Select(m => m ?? "kernel").Distinct())}). The kernel would probe only the first one; name the module as module:{t}, or give an address.",
                "/proc/kallsyms") { ErrorId = "KernelFunctionNotUnique" };
        if (IsBlacklisted(t))
            throw new TraceException(TraceErrorKind.InvalidArgument,
                $"'{t}' is on the kernel's kprobe blacklist (kprobes/blacklist): probing it could recurse into the probe handler, so the kernel refuses.",
                "/sys/kernel/debug/kprobes/blacklist") { ErrorId = "KernelFunctionBlacklisted" };
    }

    /// <summary>The names of the kernel's text symbols (for completion); empty when kallsyms cannot be read.</summary>
    public static IEnumerable<string> KernelFunctionNames() => (IEnumerable<string>?)KernelText(refresh: false)?.Keys ?? Array.Empty<string>();

    /// <summary>Kernel text symbols by name, with the module of each copy (null for the kernel itself); null when kallsyms cannot be read.</summary>
    private static Dictionary<string, List<string?>>? KernelText(bool refresh)
    {
        if (!refresh && _kernelText is not null) return _kernelText;
        string text;
        try { text = File.ReadAllText("/proc/kallsyms"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        var map = new Dictionary<string, List<string?>>(StringComparer.Ordinal);
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            // "ffffffff81234560 T do_sys_openat2" or "... t name\t[module]"
            int a = line.IndexOf(' ');
            if (a < 0 || a + 3 > line.Length) continue;
            char type = line[a + 1];
            if (type is not ('t' or 'T' or 'w' or 'W')) continue;
            var rest = line[(a + 3)..];
            int tab = rest.IndexOfAny('\t', ' ');
            string name = (tab < 0 ? rest : rest[..tab]).ToString();
            string? module = tab < 0 ? null : rest[(tab + 1)..].Trim().Trim("[]").ToString();
            if (module?.Length == 0) module = null;
            if (!map.TryGetValue(name, out var list)) map[name] = list = new List<string?>(1);
            list.Add(module);
        }
        return _kernelText = map;
    }

    private static bool IsBlacklisted(string name)
    {
        const string path = "/sys/kernel/debug/kprobes/blacklist";
        try
        {
            if (!File.Exists(path)) return false;
            foreach (var line in File.ReadLines(path))
            {
                int tab = line.IndexOf('\t');
                if (tab > 0 && line.AsSpan(tab + 1).Trim().SequenceEqual(name)) return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return false;
    }
}
